/**
 * Test helpers: a temporary cache folder, and entries whose last use is set to a known time
 * (mtime), so that least-recently-used order never depends on how fast the test ran.
 */
import { access, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentCache, contentKey } from '../../src/cache/content-cache.ts';

/** Values per test entry: a file of ENTRY_BYTES (magic, header `{"dims":[256]}`, 1 KiB of data). */
export const ENTRY_VALUES = 256;
export const ENTRY_BYTES = 8 + 4 + '{"dims":[256]}'.length + 4 * ENTRY_VALUES;

export const tensorFor = (seed: number) => ({
  dims: [ENTRY_VALUES],
  data: Float32Array.from({ length: ENTRY_VALUES }, (_, i) => seed + i / ENTRY_VALUES),
});

export async function tempCacheDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'reel-cache-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Sets an entry's last use to `secondsAgo` before now. */
export async function setLastUse(path: string, secondsAgo: number): Promise<void> {
  const when = new Date(Date.now() - secondsAgo * 1000);
  await utimes(path, when, when);
}

/**
 * Writes one entry per name (key = contentKey([name])), the first the least recently used:
 * entry i was last used (names.length - i) × 100 s ago. Returns the entries' paths by name.
 */
export async function fillCache(dir: string, names: readonly string[]): Promise<Record<string, string>> {
  const cache = new ContentCache(dir, { maxBytes: 2 ** 40 });
  const paths: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    const key = contentKey([name]);
    await cache.put(key, tensorFor(i));
    paths[name] = cache.pathFor(key);
    await setLastUse(paths[name], (names.length - i) * 100);
  }
  return paths;
}

/**
 * Two writers' temporary files beside `entry`: a live writer's (just written) and a crashed one's
 * (last written `staleSecondsAgo` before now). Returns their paths.
 */
export async function writeTempFiles(entry: string, staleSecondsAgo: number): Promise<{ live: string; stale: string }> {
  const live = `${entry}.123.abcdef.tmp`;
  const stale = `${entry}.456.fedcba.tmp`;
  await writeFile(live, 'partial');
  await writeFile(stale, 'crashed');
  await setLastUse(stale, staleSecondsAgo);
  return { live, stale };
}
