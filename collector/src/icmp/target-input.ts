// Where target specs come from: command-line arguments, files (one per line, # comments) and
// stdin (`-f -`). Files are read in 64 KiB chunks and handed on a chunk's lines at a time, so a
// million-line file costs a string per line, never a promise per line: readline with an async
// generator per line took ~0.55 s of CPU per million lines, this ~0.1 s.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { UsageError } from '../cli/usage-error.js';

/** A target spec with where it came from, for error messages. */
export interface SourcedSpec {
  text: string;
  /** "argument", a file name, or "stdin". */
  source: string;
  /** Line in the file, counting from 1; 0 for an argument. */
  line: number;
}

/** "argument", "targets.txt line 2": where a spec came from, as error messages name it. */
export function originOf(spec: SourcedSpec): string {
  return spec.line === 0 ? spec.source : `${spec.source} line ${spec.line}`;
}

/** Small enough that a chunk's lines die young (1 MiB chunks got promoted and cost 3× the CPU). */
const chunkBytes = 1 << 16;

/** Yields the specs from `args`, then from each file in order (`-` = stdin), in batches. */
export async function* readTargetSpecs(
  args: readonly string[],
  files: readonly string[],
  stdin?: Readable,
): AsyncGenerator<SourcedSpec[]> {
  if (args.length > 0) yield args.map((text) => ({ text, source: 'argument', line: 0 }));
  for (const file of files) {
    // process.stdin only when asked for: creating it costs milliseconds of every run's start-up.
    const input = file === '-' ? (stdin ?? process.stdin) : await openFile(file);
    const source = file === '-' ? 'stdin' : file;
    const decoder = new StringDecoder('utf8');
    let line = 0;
    let partial = '';
    const specsOf = (lines: string[]): SourcedSpec[] => {
      const specs: SourcedSpec[] = [];
      for (const raw of lines) {
        line++;
        const hash = raw.indexOf('#');
        const text = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
        if (text !== '') specs.push({ text, source, line });
      }
      return specs;
    };
    try {
      for await (const chunk of input) {
        const lines = (partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer))).split('\n');
        partial = lines.pop()!;
        yield specsOf(lines);
      }
    } catch (error) {
      throw new UsageError(`cannot read targets from ${source}: ${(error as Error).message}`);
    }
    const last = partial + decoder.end();
    if (last !== '') yield specsOf([last]);
  }
}

async function openFile(path: string): Promise<Readable> {
  const stream = createReadStream(path, { highWaterMark: chunkBytes });
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
