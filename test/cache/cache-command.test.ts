/**
 * `reel cache ls|clean` as a user runs them, with REEL_CACHE_DIR pointed at a temporary folder:
 * two runs of the real binary (what a user types), the rest in-process (fast).
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, runReelBinary } from '../helpers/cli.ts';
import { ENTRY_BYTES, exists, fillCache, setLastUse, tempCacheDir, writeTempFiles } from './fill-cache.ts';

let dir: string;
let remove: () => Promise<void>;
const saved = { REEL_CACHE_DIR: process.env.REEL_CACHE_DIR, REEL_CACHE_MAX: process.env.REEL_CACHE_MAX };

beforeEach(async () => {
  ({ dir, remove } = await tempCacheDir());
  process.env.REEL_CACHE_DIR = dir;
  delete process.env.REEL_CACHE_MAX;
});
afterEach(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await remove();
});

describe('reel cache ls', () => {
  it('prints the folder, entries, size, cap and oldest/newest use; --json for programs (real binary)', async () => {
    await fillCache(dir, ['a', 'b', 'c']);
    const env = { REEL_CACHE_DIR: dir, REEL_CACHE_MAX: '500M' };
    const text = runReelBinary(['cache', 'ls'], { env });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`cache folder  ${dir}\n`);
    expect(text.stdout).toMatch(/^entries {7}3, 3\.\d+ KiB$/m);
    expect(text.stdout).toMatch(/^cap {11}500 MiB \(REEL_CACHE_MAX\)$/m);
    expect(text.stdout).toMatch(/^oldest use {4}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(5 minutes ago\)$/m);
    expect(text.stdout).toMatch(/^newest use {4}\S+ \(2 minutes ago\)$/m);

    const json = JSON.parse((await runCli(['cache', 'ls', '--json'])).stdout);
    expect(json).toMatchObject({ dir, exists: true, entries: 3, bytes: 3 * ENTRY_BYTES, maxBytes: 2 * 2 ** 30 });
    expect(Date.now() - Date.parse(json.oldestUse)).toBeGreaterThan(299_000);
    expect(Date.parse(json.newestUse)).toBeGreaterThan(Date.parse(json.oldestUse));
  });

  it('calls a missing cache folder empty, not an error', async () => {
    process.env.REEL_CACHE_DIR = join(dir, 'not-yet');
    const r = await runCli(['cache', 'ls']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(not created yet)');
    expect(r.stdout).toMatch(/^entries {7}0 \(empty\)$/m);
    expect(r.stdout).toMatch(/^cap {11}2 GiB \(default/m);
  });

  it('rejects a malformed REEL_CACHE_MAX with exit 2 and one line (real binary)', () => {
    const r = runReelBinary(['cache', 'ls'], { env: { REEL_CACHE_DIR: dir, REEL_CACHE_MAX: '2 gigs' } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'REEL_CACHE_MAX="2 gigs" is not a size — give bytes or a number with K, M, G or T (binary), e.g. REEL_CACHE_MAX=2G; 0 turns the disk cache off',
    ]);
  });
});

describe('reel cache clean', () => {
  it('removes every entry and the emptied fan-out folders, keeps the folder, and says what it freed', async () => {
    await fillCache(dir, ['a', 'b', 'c']);
    const r = await runCli(['cache', 'clean']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^removed 3 entries \\(3\\.\\d+ KiB\\) from ${dir}; 0 left \\(0 B\\)\\n$`));
    expect(await readdir(dir)).toEqual([]);
  });

  it('--older-than removes only entries unused for that long', async () => {
    const paths = await fillCache(dir, ['stale', 'fresh']); // last used 200 and 100 s ago
    await setLastUse(paths.stale, 8 * 86400);
    const r = await runCli(['cache', 'clean', '--older-than', '7d']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^removed 1 entries .*; 1 left/);
    expect(await exists(paths.stale)).toBe(false);
    expect(await exists(paths.fresh)).toBe(true);
  });

  it('--max-size removes the least recently used down to that size', async () => {
    const paths = await fillCache(dir, ['a', 'b', 'c', 'd']); // a least recently used
    const r = await runCli(['cache', 'clean', '--max-size', String(2 * ENTRY_BYTES), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ removedEntries: 2, entriesLeft: 2, bytesLeft: 2 * ENTRY_BYTES });
    expect([await exists(paths.a), await exists(paths.b), await exists(paths.c), await exists(paths.d)]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('keeps a live writer’s temporary file, removes a crashed one’s, and takes bad flag values as usage errors', async () => {
    const paths = await fillCache(dir, ['a']);
    const { live, stale: crashed } = await writeTempFiles(paths.a, 3 * 3600);
    const r = await runCli(['cache', 'clean']);
    expect(r.stdout).toMatch(/^removed 1 entries and 1 stale temporary file\(s\)/);
    expect(await exists(live)).toBe(true);
    expect(await exists(crashed)).toBe(false);

    for (const flags of [
      ['--older-than', 'a week'],
      ['--older-than', '12'],
      ['--max-size', 'big'],
    ]) {
      const bad = await runCli(['cache', 'clean', ...flags]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(new RegExp(`^${flags[0]} "${flags[1]}": expected a`));
    }
  });

  it('refuses a folder holding anything but fan-out folders, and touches nothing there', async () => {
    const paths = await fillCache(dir, ['a']);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const r = await runCli(['cache', 'clean']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/holds 1 item\(s\) that are not cache fan-out folders \("notes\.txt"\) — refusing/);
    expect(await exists(paths.a)).toBe(true);
    expect(await exists(join(dir, 'notes.txt'))).toBe(true);
  });

  it('refuses the home folder (even one that looks like a cache) and the filesystem root', async () => {
    const paths = await fillCache(dir, ['a']);
    const home = process.env.HOME;
    process.env.HOME = dir;
    try {
      const r = await runCli(['cache', 'clean']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('is the home folder — refusing to clean it');
      expect(await exists(paths.a)).toBe(true);
      process.env.HOME = join(paths.a, '..', 'inside'); // the cache folder holds the home folder
      expect((await runCli(['cache', 'clean'])).stderr).toContain('holds the home folder');
    } finally {
      if (home === undefined) delete process.env.HOME;
      else process.env.HOME = home;
    }
    process.env.REEL_CACHE_DIR = '/';
    const root = await runCli(['cache', 'clean']);
    expect(root.code).toBe(2);
    expect(root.stderr).toContain('cache folder / is the filesystem root — refusing to clean it');
  });
});
