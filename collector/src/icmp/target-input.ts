// Where target specs come from: command-line arguments, files (one per line, # comments) and
// stdin (`-f -`). Streams line by line so a million-line file is never one big string.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { UsageError } from '../cli/usage-error.js';

/** A target spec with where it came from, for error messages. */
export interface SourcedSpec {
  text: string;
  origin: string;
}

/** Yields the specs from `args`, then from each file in order (`-` = stdin). */
export async function* readTargetSpecs(
  args: readonly string[],
  files: readonly string[],
  stdin?: Readable,
): AsyncGenerator<SourcedSpec> {
  for (const text of args) yield { text, origin: 'argument' };
  for (const file of files) {
    // process.stdin only when asked for: creating it costs milliseconds of every run's start-up.
    const input = file === '-' ? (stdin ?? process.stdin) : await openFile(file);
    const name = file === '-' ? 'stdin' : file;
    const lines = createInterface({ input, crlfDelay: Infinity });
    let lineNumber = 0;
    try {
      for await (const line of lines) {
        lineNumber++;
        const text = line.replace(/#.*/, '').trim();
        if (text !== '') yield { text, origin: `${name} line ${lineNumber}` };
      }
    } catch (error) {
      throw new UsageError(`cannot read targets from ${name}: ${(error as Error).message}`);
    }
  }
}

async function openFile(path: string): Promise<Readable> {
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          `cannot read target file "${path}": ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
        ),
      ),
    );
  });
  return stream;
}
