import { fileURLToPath } from 'node:url';

/** This file compiles to dist/scripts/repo.js: the repository root is two levels up. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function repoPath(relative: string): string {
  return repoRoot + relative;
}
