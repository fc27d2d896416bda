import { fileURLToPath } from 'node:url';

/** This file compiles to dist/natlab/repo.js: the repository root is two levels up. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function repoPath(relative: string): string {
  return ROOT + relative;
}
