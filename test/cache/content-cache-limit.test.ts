import { readdir, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { formatByteSize, parseByteSize } from '../../src/cache/byte-size.ts';
import { scanCache } from '../../src/cache/cache-folder.ts';
import { cacheLimitFromEnv, DEFAULT_CACHE_MAX_BYTES } from '../../src/cache/cache-limit.ts';
import { ContentCache, contentKey } from '../../src/cache/content-cache.ts';
import { UsageError } from '../../src/core/errors.ts';
import { ENTRY_BYTES, exists, fillCache, setLastUse, tempCacheDir, tensorFor, writeTempFiles } from './fill-cache.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function freshDir(): Promise<string> {
  const { dir, remove } = await tempCacheDir();
  cleanups.push(remove);
  return dir;
}

describe('cache sizes', () => {
  it('reads bytes and binary units, and rejects anything else', () => {
    expect(parseByteSize('4096')).toBe(4096);
    expect(parseByteSize('500M')).toBe(500 * 2 ** 20);
    expect(parseByteSize('2G')).toBe(2 * 2 ** 30);
    expect(parseByteSize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('64 kb')).toBe(64 * 1024);
    expect(parseByteSize('0')).toBe(0);
    for (const bad of ['', 'G', '2X', '-1', '1e9', '2 GB extra', 'lots']) expect(parseByteSize(bad)).toBeUndefined();
  });

  it('formats sizes for people', () => {
    expect(formatByteSize(812)).toBe('812 B');
    expect(formatByteSize(3.5 * 1024)).toBe('3.5 KiB');
    expect(formatByteSize(2 * 2 ** 30)).toBe('2 GiB');
    expect(formatByteSize(1023.99 * 1024)).toBe('1 MiB');
  });

  it('takes the cap from REEL_CACHE_MAX, 2 GiB when unset', () => {
    expect(cacheLimitFromEnv({})).toEqual({ maxBytes: DEFAULT_CACHE_MAX_BYTES, from: 'default' });
    expect(DEFAULT_CACHE_MAX_BYTES).toBe(2 * 2 ** 30);
    expect(cacheLimitFromEnv({ REEL_CACHE_MAX: '500M' })).toEqual({ maxBytes: 500 * 2 ** 20, from: 'REEL_CACHE_MAX' });
    expect(cacheLimitFromEnv({ REEL_CACHE_MAX: '0' }).maxBytes).toBe(0);
  });

  it('rejects a malformed REEL_CACHE_MAX in one line naming the variable and an example', () => {
    const previous = process.env.REEL_CACHE_MAX;
    process.env.REEL_CACHE_MAX = '2 gigs';
    try {
      // The text-encoder stage builds its cache with no cap given: the variable is read there.
      expect(() => new ContentCache('/nonexistent')).toThrow(UsageError);
      const error = (() => {
        try {
          cacheLimitFromEnv();
        } catch (e) {
          return e as UsageError;
        }
      })();
      expect(error?.lines()).toHaveLength(1);
      expect(error?.message).toMatch(/^REEL_CACHE_MAX="2 gigs" is not a size .*e\.g\. REEL_CACHE_MAX=2G/);
      expect(error?.message).not.toContain('\n');
    } finally {
      if (previous === undefined) delete process.env.REEL_CACHE_MAX;
      else process.env.REEL_CACHE_MAX = previous;
    }
  });
});

describe('bounded content cache', () => {
  it('evicts by use: an entry read recently survives, the untouched oldest goes', async () => {
    const dir = await freshDir();
    const paths = await fillCache(dir, ['a', 'b', 'c']); // last used 300, 200, 100 s ago
    const cache = new ContentCache(dir, { maxBytes: 3.5 * ENTRY_BYTES });
    expect(await cache.get(contentKey(['a']))).toBeDefined(); // a is now the most recently used
    await cache.put(contentKey(['d']), tensorFor(9)); // 4 entries > 3.5: down to 90% = one goes
    expect(await exists(paths.b)).toBe(false);
    expect(await exists(paths.a)).toBe(true);
    expect(await exists(paths.c)).toBe(true);
    expect(await cache.get(contentKey(['d']))).toBeDefined();
    expect(Array.from((await cache.get(contentKey(['a'])))!.data.slice(0, 2))).toEqual([0, 1 / 256]);
  });

  it('without the read, the oldest entry is the one evicted', async () => {
    const dir = await freshDir();
    const paths = await fillCache(dir, ['a', 'b', 'c']);
    const cache = new ContentCache(dir, { maxBytes: 3.5 * ENTRY_BYTES });
    await cache.put(contentKey(['d']), tensorFor(9));
    expect(await exists(paths.a)).toBe(false);
    expect(await exists(paths.b)).toBe(true);
  });

  it('holds the cap after many puts, keeping the newest entries', async () => {
    const dir = await freshDir();
    const maxBytes = 10 * ENTRY_BYTES;
    const cache = new ContentCache(dir, { maxBytes });
    for (let i = 0; i < 40; i++) {
      await cache.put(contentKey(['many', i]), tensorFor(i));
      const scan = await scanCache(dir);
      expect(scan.bytes).toBeLessThanOrEqual(maxBytes);
    }
    const scan = await scanCache(dir);
    expect(scan.entries.length).toBeGreaterThanOrEqual(9);
    expect(await cache.get(contentKey(['many', 39]))).toBeDefined();
    expect(await cache.get(contentKey(['many', 0]))).toBeUndefined();
  });

  it('sees entries other processes added at its first put, and evicts them by age too', async () => {
    const dir = await freshDir();
    const paths = await fillCache(dir, ['old', 'older-still', 'x', 'y', 'z']);
    await setLastUse(paths['older-still'], 10_000);
    const cache = new ContentCache(dir, { maxBytes: 5.9 * ENTRY_BYTES });
    await cache.put(contentKey(['new']), tensorFor(1));
    expect(await exists(paths['older-still'])).toBe(false);
    expect(await exists(paths.old)).toBe(true);
    expect((await scanCache(dir)).bytes).toBeLessThanOrEqual(5.9 * ENTRY_BYTES);
  });

  it('stores nothing when off (0) or for an entry larger than the cap', async () => {
    const dir = await freshDir();
    const off = new ContentCache(dir, { maxBytes: 0 });
    await off.put(contentKey(['k']), tensorFor(1));
    expect(await readdir(dir)).toEqual([]);
    const small = new ContentCache(dir, { maxBytes: ENTRY_BYTES - 1 });
    await small.put(contentKey(['k']), tensorFor(1));
    expect(await readdir(dir)).toEqual([]);
    // Off also means no reads: an entry written with the cache on is not served.
    await new ContentCache(dir, { maxBytes: ENTRY_BYTES }).put(contentKey(['k']), tensorFor(1));
    expect(await off.get(contentKey(['k']))).toBeUndefined();
  });

  it('leaves a live writer’s temporary file and removes one older than an hour', async () => {
    const dir = await freshDir();
    const paths = await fillCache(dir, ['a']);
    const { live, stale } = await writeTempFiles(paths.a, 2 * 3600);
    await new ContentCache(dir, { maxBytes: 100 * ENTRY_BYTES }).put(contentKey(['b']), tensorFor(2));
    expect(await exists(live)).toBe(true);
    expect(await exists(stale)).toBe(false);
  });

  it('a file removed under a reader (another process evicted it) is a miss', async () => {
    const dir = await freshDir();
    const cache = new ContentCache(dir, { maxBytes: 100 * ENTRY_BYTES });
    const key = contentKey(['gone']);
    await cache.put(key, tensorFor(3));
    await rm(cache.pathFor(key));
    expect(await cache.get(key)).toBeUndefined();
  });
});
