// Types of build-bin.mjs for the tests that import it.
import type { BuildOptions } from 'esbuild';

export const distDir: string;
/** The two builds' options: the one-shot CommonJS entry, then the ES-module `collect` chunks. */
export function buildOptions(esbuild: { version: string }): (BuildOptions & { metafile: true })[];
export function buildBin(): Promise<string[]>;
export function binFreshness(): { fresh: boolean; reason: string };
