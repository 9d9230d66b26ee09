/**
 * The folder reel is installed in (the nearest one up with a package.json). Paths to files that
 * are not modules (bin/reel.js, models/build) are taken from it rather than from a module's own
 * URL, because a module runs from src/ or, compiled, from dist/src/: one level deeper.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder at or above `moduleUrl`'s that holds a package.json (dist/ has none). */
export function projectRootOf(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${start} or any folder above it`);
  }
}

/** reel's own folder. */
export const PROJECT_ROOT = projectRootOf(import.meta.url);
