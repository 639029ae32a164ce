// A pingmesh peer names its location in its replies: "<p>Served from LOC\n" in the /v1/ping HTML,
// `"SrvLoc": "LOC"` in the /v1/peers JSON. The pinger learns the location from those markers.

const servedFromPrefix = '<p>Served from ';
const srvLocPrefix = '"SrvLoc": "';

/** Longest location accepted from a peer's reply (anything longer is not a location). */
const maxLocationLength = 128;

/** The location a pingmesh peer's reply names, or "" if it names none. */
export function locationFromReply(body: string): string {
  for (const [prefix, suffix] of [
    [servedFromPrefix, '\n'],
    [srvLocPrefix, '"'],
  ] as const) {
    const start = body.indexOf(prefix);
    if (start < 0) continue;
    const from = start + prefix.length;
    const end = body.indexOf(suffix, from);
    if (end <= from) continue;
    const location = body.slice(from, end).trim();
    if (location.length <= maxLocationLength && !/[<>]/.test(location)) return location;
  }
  return '';
}

/** The /v1/ping reply body naming `location` (the same markers pingmesh writes). */
export function pingReplyHtml(location: string): string {
  const safe = escapeHtml(location);
  return `<html><head><title>${safe}</title></head><body>\n<h1> pingResponse </h1>${servedFromPrefix}${safe}\n\n</body></html>\n`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
