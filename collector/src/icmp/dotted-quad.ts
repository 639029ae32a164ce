// The one reader of a strict dotted quad ("198.18.0.1": 1-3 digits each, no leading zeros): the
// targets file's hot path reads it from bytes, key lookups from text.
import { charCode } from './char-codes.js';

/**
 * The address (as a number) of the dotted quad at bytes[start…], or -1, and where it ended: a
 * quad followed by anything but `end` or a non-digit, non-dot byte is not one.
 */
export function readDottedQuad(bytes: Uint8Array, start: number, end: number): { address: number; end: number } {
  let address = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let i = start;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c >= charCode.zero && c <= charCode.nine) {
      if (digits === 1 && octet === 0) return { address: -1, end: i }; // leading zero
      octet = octet * 10 + (c - charCode.zero);
      if (++digits > 3 || octet > 255) return { address: -1, end: i };
    } else if (c === charCode.dot && digits > 0 && dots < 3) {
      address = address * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else break;
  }
  if (dots !== 3 || digits === 0) return { address: -1, end: i };
  return { address: address * 256 + octet, end: i };
}

const scratch = new Uint8Array(15);

/** The 32-bit value of `text` if it is exactly a strict dotted quad, else -1. */
export function quickIpv4(text: string): number {
  if (text.length < 7 || text.length > 15) return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return -1;
    scratch[i] = c;
  }
  const quad = readDottedQuad(scratch, 0, text.length);
  return quad.end === text.length ? quad.address : -1;
}
