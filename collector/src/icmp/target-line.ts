// One line of a targets file: `TARGET [name=NAME] [group=GROUP] [loc=City,CC|loc=LAT,LON]
// [key=value…]`, `#` to the end of the line is a comment, and a value with spaces (or # or =) is
// quoted: name="edge 1" or name='edge 1'; inside double quotes \" and \\ escape.
import { InvalidTargetError, parseTargetSpec, type TargetSpec } from './target-spec.js';
import { quickIpv4 } from './target-table.js';
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

interface Token {
  key: string | undefined;
  value: string;
}

const labelExample = 'labels look like name=web-1 group=edge loc=Frankfurt,DE; quote values with spaces: name="web 1"';

/** Reads one line; a bad line gets a message that says what is wrong and how to write it. */
export function parseTargetLine(line: string): ParsedLine {
  const tokens = tokenize(line);
  if (typeof tokens === 'string') return { kind: 'bad', message: tokens };
  if (tokens.length === 0) return { kind: 'blank' };
  const [first, ...rest] = tokens as [Token, ...Token[]];
  if (first.key !== undefined) {
    return {
      kind: 'bad',
      message: `the line starts with the label ${first.key}=…: write the target (address, hostname or CIDR range) first, then its labels`,
    };
  }
  let spec: TargetSpec;
  const ipv4 = quickIpv4(first.value);
  try {
    spec = ipv4 >= 0 ? { kind: 'ipv4', address: ipv4 } : parseTargetSpec(first.value);
  } catch (error) {
    if (error instanceof InvalidTargetError) return { kind: 'bad', message: error.message };
    throw error;
  }
  try {
    const { labels, warning } = readLabels(rest);
    return warning ? { kind: 'target', spec, labels, warning } : { kind: 'target', spec, labels };
  } catch (error) {
    if (error instanceof LabelError) return { kind: 'bad', message: error.message };
    throw error;
  }
}

function readLabels(tokens: readonly Token[]): { labels: TargetLabels; warning?: string } {
  let name = '';
  let group = '';
  let location: TargetLocation | null = null;
  let warning: string | undefined;
  let extra: Record<string, string> | null = null;
  let given = 0; // bits: name, group, loc
  const twice = (key: string) => new LabelError(`${key}= is given twice: keep one`);
  for (const { key, value } of tokens) {
    if (key === undefined) throw new LabelError(`"${value}" is not a key=value label: ${labelExample}`);
    const bit = key === 'name' ? 1 : key === 'group' ? 2 : key === 'loc' ? 4 : 0;
    if (bit !== 0) {
      if (given & bit) throw twice(key);
      given |= bit;
    } else if (extra && key in extra) throw twice(key);
    switch (key) {
      case 'name':
        checkLabelValue('name', value, maxNameLength);
        name = value;
        break;
      case 'group':
        checkLabelValue('group', value, maxGroupLength);
        group = value;
        break;
      case 'loc':
        if (value === '') break;
        ({ location, warning } = cachedLocation(value));
        break;
      default:
        checkLabelKey(key);
        checkLabelValue(key, value);
        extra ??= {};
        extra[key] = value;
        if (Object.keys(extra).length > maxExtraLabels) {
          throw new LabelError(
            `more than ${maxExtraLabels} labels besides name, group and loc: keep the ones you query by`,
          );
        }
    }
  }
  const labels = { name, group, location, extra: extra ? Object.freeze(extra) : null };
  return warning ? { labels, warning } : { labels };
}

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

/** Splits a line into tokens as a shell would (quotes join, whitespace separates); a string is an error. */
function tokenize(line: string): Token[] | string {
  const tokens: Token[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === space || c === tab || c === cr) {
      i++;
      continue;
    }
    if (c === hash) break;
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
      tokens.push(
        eq < 0
          ? { key: undefined, value: line.slice(i, end) }
          : { key: line.slice(i, eq), value: line.slice(eq + 1, end) },
      );
      i = end;
      continue;
    }
    const quoted = quotedToken(line, i, eq >= 0 && eq < quote ? eq : -1);
    if (typeof quoted === 'string') return quoted;
    tokens.push(quoted.token);
    i = quoted.end;
  }
  return tokens;
}

/** A token with quotes in it, read character by character from `start` (`eq`: its key's "=", or -1). */
function quotedToken(line: string, start: number, eq: number): { token: Token; end: number } | string {
  if (eq === start) return `"${line.slice(start).split(/\s/)[0]}" has no label name before "=": ${labelExample}`;
  const key = eq < 0 ? undefined : line.slice(start, eq);
  let value = '';
  let i = eq < 0 ? start : eq + 1;
  while (i < line.length) {
    const d = line[i]!;
    if (d === ' ' || d === '\t' || d === '\r' || d === '#') break;
    if (d === '"' || d === "'") {
      const closed = readQuoted(line, i);
      if (closed === null) {
        return `unterminated ${d === '"' ? 'double' : 'single'} quote in ${line.slice(i).trim().slice(0, 40)}: close it with ${d}`;
      }
      value += closed.text;
      i = closed.end;
      continue;
    }
    value += d;
    i++;
  }
  return { token: { key, value }, end: i };
}

function readQuoted(line: string, open: number): { text: string; end: number } | null {
  const quote = line[open];
  let text = '';
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i]!;
    if (c === quote) return { text, end: i + 1 };
    if (quote === '"' && c === '\\' && i + 1 < line.length) {
      text += line[++i];
      continue;
    }
    text += c;
  }
  return null;
}

const space = 32;
const tab = 9;
const cr = 13;
const hash = 35;
const equals = 61;
const doubleQuote = 34;
const singleQuote = 39;
