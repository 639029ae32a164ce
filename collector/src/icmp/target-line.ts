// One line of a targets file: `TARGET [name=NAME] [group=GROUP] [loc=City,CC|loc=LAT,LON]
// [key=value…]`, `#` to the end of the line is a comment, and a value with spaces (or # or =) is
// quoted: name="edge 1" or name='edge 1'; inside double quotes \" and \\ escape.
import { InvalidTargetError, parseTargetSpec, type TargetSpec } from './target-spec.js';
import { charCode } from './char-codes.js';
import { quickIpv4 } from './dotted-quad.js';

const { space, tab, cr, hash, equals, doubleQuote, singleQuote } = charCode;
import {
  checkLabelKey,
  checkLabelValue,
  LabelError,
  maxExtraLabels,
  maxGroupLength,
  maxNameLength,
  parseLocation,
  type TargetLabels,
  type TargetLocation,
} from './target-labels.js';

/** What one line says. */
export type ParsedLine =
  | { kind: 'blank' }
  | { kind: 'target'; spec: TargetSpec; labels: TargetLabels; warning?: string }
  | { kind: 'bad'; message: string };

const labelExample = 'labels look like name=web-1 group=edge loc=Frankfurt,DE; quote values with spaces: name="web 1"';

/** Reads one line; a bad line gets a message that says what is wrong and how to write it. */
export function parseTargetLine(line: string): ParsedLine {
  let at = nextToken(line, 0);
  if (typeof at === 'string') return { kind: 'bad', message: at };
  if (at < 0) return { kind: 'blank' };
  if (tokenKey !== undefined) {
    return {
      kind: 'bad',
      message: `the line starts with the label ${tokenKey}=…: write the target (address, hostname or CIDR range) first, then its labels`,
    };
  }
  let spec: TargetSpec;
  const ipv4 = quickIpv4(tokenValue);
  try {
    spec = ipv4 >= 0 ? { kind: 'ipv4', address: ipv4 } : parseTargetSpec(tokenValue);
  } catch (error) {
    if (error instanceof InvalidTargetError) return { kind: 'bad', message: error.message };
    throw error;
  }
  let name = '';
  let group = '';
  let location: TargetLocation | null = null;
  let warning: string | undefined;
  let extra: string[] | null = null; // key, value, key, value…
  let extras = 0;
  let given = 0; // bits: name, group, loc
  try {
    for (;;) {
      at = nextToken(line, at);
      if (typeof at === 'string') return { kind: 'bad', message: at };
      if (at < 0) break;
      const key = tokenKey;
      const value = tokenValue;
      if (key === undefined) throw new LabelError(`"${value}" is not a key=value label: ${labelExample}`);
      const bit = key === 'name' ? 1 : key === 'group' ? 2 : key === 'loc' ? 4 : 0;
      if ((bit !== 0 && given & bit) || (bit === 0 && extra !== null && hasKey(extra, key))) {
        throw new LabelError(`${key}= is given twice: keep one`);
      }
      given |= bit;
      if (bit === 1) {
        checkLabelValue('name', value, maxNameLength);
        name = value;
      } else if (bit === 2) {
        checkLabelValue('group', value, maxGroupLength);
        group = value;
      } else if (bit === 4) {
        if (value !== '') ({ location, warning } = cachedLocation(value));
      } else {
        if (!knownKeys.has(key)) {
          checkLabelKey(key);
          if (knownKeys.size < 1000) knownKeys.add(key);
        }
        checkLabelValue(key, value);
        (extra ??= []).push(key, value);
        if (++extras > maxExtraLabels) {
          throw new LabelError(
            `more than ${maxExtraLabels} labels besides name, group and loc: keep the ones you query by`,
          );
        }
      }
    }
  } catch (error) {
    if (error instanceof LabelError) return { kind: 'bad', message: error.message };
    throw error;
  }
  const labels: TargetLabels = { name, group, location, extra: extra ? internExtra(extra) : null };
  return warning ? { kind: 'target', spec, labels, warning } : { kind: 'target', spec, labels };
}

/** Label names already checked (a file uses a handful, on every line). */
const knownKeys = new Set<string>();

// A file names the same few places over and over: parse each loc= text once.
const locationCache = new Map<string, ReturnType<typeof parseLocation> | LabelError>();

function cachedLocation(text: string): ReturnType<typeof parseLocation> {
  let known = locationCache.get(text);
  if (known === undefined) {
    try {
      known = parseLocation(text);
    } catch (error) {
      if (!(error instanceof LabelError)) throw error;
      known = error;
    }
    if (locationCache.size >= 10_000) locationCache.clear();
    locationCache.set(text, known);
  }
  if (known instanceof LabelError) throw known;
  return known;
}

// Free labels repeat too (tier=1, env=prod): equal sets share one frozen object.
const extraCache = new Map<string, Readonly<Record<string, string>>>();

function internExtra(pairs: readonly string[]): Readonly<Record<string, string>> {
  const id = pairs.length === 2 ? `${pairs[0]}\u0000${pairs[1]}` : JSON.stringify(sortedPairs(pairs));
  let known = extraCache.get(id);
  if (!known) {
    const extra: Record<string, string> = {};
    for (let i = 0; i < pairs.length; i += 2) extra[pairs[i]!] = pairs[i + 1]!;
    known = Object.freeze(extra);
    if (extraCache.size >= 10_000) extraCache.clear();
    extraCache.set(id, known);
  }
  return known;
}

function sortedPairs(pairs: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < pairs.length; i += 2) out.push([pairs[i]!, pairs[i + 1]!]);
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

function hasKey(pairs: readonly string[], key: string): boolean {
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === key) return true;
  return false;
}

/** The label name line[start…end): the three known ones as constants (no new string per line). */
function keyAt(line: string, start: number, end: number): string {
  const length = end - start;
  if (length === 4 && line.startsWith('name', start)) return 'name';
  if (length === 5 && line.startsWith('group', start)) return 'group';
  if (length === 3 && line.startsWith('loc', start)) return 'loc';
  return line.slice(start, end);
}

// The scanner's output: key (undefined without "=") and value of the token it read last. Module
// state rather than a token object per token: the reader calls this for every label of a
// million-line file.
let tokenKey: string | undefined;
let tokenValue = '';

/**
 * Reads the token after `from` as a shell would (quotes join, whitespace separates, # ends the
 * line) into tokenKey/tokenValue; returns where it ended, -1 when the line has no more tokens, or
 * an error message.
 */
function nextToken(line: string, from: number): number | string {
  const n = line.length;
  let i = from;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c !== space && c !== tab && c !== cr) break;
    i++;
  }
  if (i >= n || line.charCodeAt(i) === hash) return -1;
  // Fast path: a bare token (no quotes) is sliced, not built character by character.
  let end = i;
  let eq = -1;
  let quote = -1;
  for (; end < n; end++) {
    const d = line.charCodeAt(end);
    if (d === space || d === tab || d === cr || d === hash) break;
    if (d === equals && eq < 0 && quote < 0) eq = end;
    else if ((d === doubleQuote || d === singleQuote) && quote < 0) quote = end;
  }
  if (quote < 0) {
    if (eq === i) return `"${line.slice(i, end)}" has no label name before "=": ${labelExample}`;
    tokenKey = eq < 0 ? undefined : keyAt(line, i, eq);
    tokenValue = eq < 0 ? line.slice(i, end) : line.slice(eq + 1, end);
    return end;
  }
  const quoted = quotedToken(line, i, eq >= 0 && eq < quote ? eq : -1);
  if (typeof quoted === 'string') return quoted;
  tokenKey = quoted.key;
  tokenValue = quoted.value;
  return quoted.end;
}

/** A token with quotes in it, from `start` (`eq`: its key's "=", or -1). */
function quotedToken(
  line: string,
  start: number,
  eq: number,
): { key: string | undefined; value: string; end: number } | string {
  if (eq === start) return `"${line.slice(start).split(/\s/)[0]}" has no label name before "=": ${labelExample}`;
  const key = eq < 0 ? undefined : keyAt(line, start, eq);
  let value = '';
  let i = eq < 0 ? start : eq + 1;
  while (i < line.length) {
    const d = line.charCodeAt(i);
    if (d === space || d === tab || d === cr || d === hash) break;
    if (d === doubleQuote || d === singleQuote) {
      const closed = readQuoted(line, i);
      if (closed === null) {
        const q = line[i]!;
        return `unterminated ${q === '"' ? 'double' : 'single'} quote in ${line.slice(i).trim().slice(0, 40)}: close it with ${q}`;
      }
      value += closed.text;
      i = closed.end;
      continue;
    }
    value += line[i];
    i++;
  }
  return { key, value, end: i };
}

function readQuoted(line: string, open: number): { text: string; end: number } | null {
  const quote = line[open]!;
  const close = line.indexOf(quote, open + 1);
  if (close < 0) return null;
  // Most quoted values have no escapes: one slice.
  if (quote === "'" || line.lastIndexOf('\\', close) <= open)
    return { text: line.slice(open + 1, close), end: close + 1 };
  let text = '';
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i]!;
    if (c === quote) return { text, end: i + 1 };
    if (c === '\\' && i + 1 < line.length) {
      text += line[++i];
      continue;
    }
    text += c;
  }
  return null;
}
