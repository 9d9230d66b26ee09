// Whether the compiled copy in dist/ may be used instead of the TypeScript sources. Plain
// JavaScript, because bin/reel.js asks before any loader is registered; scripts/build.js shares the
// stamp's name. The walk stats every source file (~250 here): a few milliseconds, paid at each start.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Written last by scripts/build.js, inside dist/: dist/ is complete once this exists. */
export const STAMP_NAME = '.built';
export const DIST_STAMP = join('dist', STAMP_NAME);

/** In dist/vendor/: the versions of the packages bundled there (rxjs, zod), by name. */
export const VENDOR_VERSIONS = 'versions.json';

/** Folders compiled into dist/, relative to the project root. */
const COMPILED_FOLDERS = ['src', 'stages', 'models'];

/** Generated reference models, not sources: written at run time, so never a reason to rebuild. */
const NOT_SOURCES = new Set([join('models', 'build')]);

const SOURCE_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** Modification time of a file, ms, or undefined when it is missing. */
function mtimeOf(path) {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs;
}

/** The first source file under `folder` modified after `since` (ms), or undefined. */
function newerSource(root, folder, since) {
  if (NOT_SOURCES.has(folder)) return undefined;
  let entries;
  try {
    entries = readdirSync(join(root, folder), { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      const found = newerSource(root, path, since);
      if (found) return found;
    } else if (SOURCE_FILE.test(entry.name) && (mtimeOf(join(root, path)) ?? 0) > since) {
      return path;
    }
  }
  return undefined;
}

/**
 * Why dist/ under `root` cannot be used (a line naming the cause), or undefined when it is fresh:
 * its stamp exists and no source file is newer. A deleted source is not noticed; its compiled copy
 * stays in dist/ but nothing imports it any more.
 * @param {string} root the project folder (the one holding package.json)
 * @returns {string | undefined}
 */
export function staleDistReason(root) {
  const built = mtimeOf(join(root, DIST_STAMP));
  if (built === undefined) return `${DIST_STAMP} is missing (run npm run build)`;
  for (const folder of COMPILED_FOLDERS) {
    const newer = newerSource(root, folder, built);
    if (newer) return `${newer} changed after the last build (run npm run build)`;
  }
  return bundledPackageChanged(root);
}

/** Why the packages bundled in dist/vendor/ are not the installed ones, or undefined. */
function bundledPackageChanged(root) {
  let versions;
  try {
    versions = JSON.parse(readFileSync(join(root, 'dist', 'vendor', VENDOR_VERSIONS), 'utf8'));
  } catch {
    return undefined; // nothing bundled
  }
  for (const [name, version] of Object.entries(versions)) {
    let installed;
    try {
      installed = installedVersion(root, name);
    } catch {
      installed = 'missing';
    }
    if (installed !== version) return `${name} ${installed} is installed, dist/ bundles ${version} (run npm run build)`;
  }
  return undefined;
}

/** The version of package `name` as installed for the project at `root` (throws when it is not). */
export function installedVersion(root, name) {
  const require = createRequire(join(root, 'package.json'));
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}
