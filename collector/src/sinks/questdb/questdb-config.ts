/**
 * The parts of a QuestDB client configuration string ("http::addr=host:9000;username=…;") that
 * PingSphere needs besides the client itself: where the REST API is (for DDL) and how to log in.
 */
export interface QuestDbEndpoint {
  protocol: 'http' | 'https';
  host: string;
  port: number;
  /** Authorization header value for the REST API, if the configuration carries credentials. */
  authorization?: string;
  /** Every key of the configuration string, as given. */
  options: Map<string, string>;
}

/** A configuration string PingSphere cannot use; the message says what to write instead. */
export class QuestDbConfigError extends Error {
  override name = 'QuestDbConfigError';
}

const example = "'http::addr=127.0.0.1:9000;'";

/** Parses and checks a client configuration string (ILP over HTTP(S) only). */
export function parseQuestDbConfig(conf: string): QuestDbEndpoint {
  const separator = conf.indexOf('::');
  if (separator <= 0) {
    throw new QuestDbConfigError(
      `QuestDB configuration "${conf}" has no "protocol::" prefix; write it like ${example}`,
    );
  }
  const protocol = conf.slice(0, separator).toLowerCase();
  if (protocol !== 'http' && protocol !== 'https') {
    throw new QuestDbConfigError(
      `QuestDB protocol "${protocol}" is not supported: PingSphere writes over ILP/HTTP (http:: or https::) so that ` +
        `QuestDB acknowledges every batch; write it like ${example}`,
    );
  }
  const options = parseOptions(conf.slice(separator + 2));
  const addr = options.get('addr');
  if (!addr)
    throw new QuestDbConfigError(`QuestDB configuration "${conf}" has no addr=host:port; write it like ${example}`);
  const { host, port } = splitHostPort(addr, protocol === 'https' ? 443 : 9000);
  const token = options.get('token');
  const username = options.get('username');
  const password = options.get('password');
  const authorization = token
    ? `Bearer ${token}`
    : username && password
      ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
      : undefined;
  return { protocol, host, port, options, ...(authorization ? { authorization } : {}) };
}

/** Renders options back into a configuration string ("key=value;" with ';' doubled in values). */
export function formatQuestDbConfig(protocol: string, options: Map<string, string>): string {
  const pairs = [...options].map(([key, value]) => `${key}=${value.replaceAll(';', ';;')};`);
  return `${protocol}::${pairs.join('')}`;
}

function parseOptions(text: string): Map<string, string> {
  const options = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) {
      if (text.slice(i).trim() === '') break;
      throw new QuestDbConfigError(
        `QuestDB configuration option "${text.slice(i)}" has no "=value"; options look like key=value;`,
      );
    }
    const key = text.slice(i, eq).trim();
    let value = '';
    let j = eq + 1;
    for (; j < text.length; j++) {
      if (text[j] === ';') {
        if (text[j + 1] === ';') {
          value += ';';
          j++;
          continue;
        }
        break;
      }
      value += text[j];
    }
    options.set(key, value);
    i = j + 1;
  }
  return options;
}

function splitHostPort(addr: string, defaultPort: number): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(addr);
  const [host, portText] = bracketed ? [bracketed[1]!, bracketed[2]] : addr.split(':');
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new QuestDbConfigError(`QuestDB addr "${addr}" is not host:port; write it like ${example}`);
  }
  return { host, port };
}
