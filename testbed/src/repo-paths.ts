import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from which caches and artifacts are placed. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Ignored folder for downloaded jars and other caches (see .gitignore). */
export const cacheDir = join(repoRoot, '.cache');

/** Ignored folder where tests keep what a person may want to look at afterwards (screenshots). */
export const artifactsDir = join(repoRoot, 'test-artifacts');
