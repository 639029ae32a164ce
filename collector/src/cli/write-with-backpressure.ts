// Output of the one-shot commands (icmp, trace): written at the pipe's pace, so a million result
// lines never pile up in memory when the reader is slower than the sweep.
import type { Writable } from 'node:stream';

/** Writes text, waiting for 'drain' when the stream's buffer is full. */
export async function write(stream: Writable, text: string): Promise<void> {
  if (text === '' || stream.write(text)) return;
  await new Promise<void>((resolve) => stream.once('drain', resolve));
}
