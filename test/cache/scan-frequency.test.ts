/**
 * A put must not walk the cache folder each time: it scans at its first put, when its running
 * total passes the cap, and every 64 puts (to see what other processes added).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as folder from '../../src/cache/cache-folder.ts';
import { ContentCache, contentKey } from '../../src/cache/content-cache.ts';
import { ENTRY_BYTES, tempCacheDir, tensorFor } from './fill-cache.ts';

vi.mock('../../src/cache/cache-folder.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/cache/cache-folder.ts')>();
  return { ...original, scanCache: vi.fn(original.scanCache) };
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  vi.mocked(folder.scanCache).mockClear();
});

describe('when a put scans the cache folder', () => {
  it('once at the first put and once per 64 puts while under the cap', async () => {
    const { dir, remove } = await tempCacheDir();
    cleanups.push(remove);
    const cache = new ContentCache(dir, { maxBytes: 1000 * ENTRY_BYTES });
    for (let i = 0; i < 70; i++) await cache.put(contentKey(['under', i]), tensorFor(i));
    expect(vi.mocked(folder.scanCache)).toHaveBeenCalledTimes(2);
  });

  it('again as soon as the running total passes the cap', async () => {
    const { dir, remove } = await tempCacheDir();
    cleanups.push(remove);
    const cache = new ContentCache(dir, { maxBytes: 20 * ENTRY_BYTES });
    for (let i = 0; i < 20; i++) await cache.put(contentKey(['fill', i]), tensorFor(i));
    expect(vi.mocked(folder.scanCache)).toHaveBeenCalledTimes(1);
    await cache.put(contentKey(['over']), tensorFor(99));
    expect(vi.mocked(folder.scanCache)).toHaveBeenCalledTimes(2);
    expect((await folder.scanCache(dir)).entries).toHaveLength(18); // 21 entries, down to 90% of the cap: 18
  });
});
