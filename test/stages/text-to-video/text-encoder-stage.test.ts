/**
 * The text-encoder stage created as the runtime creates it: one embeddings packet per prompt, the
 * node's `cache` setting obeyed, the cache folder taken from REEL_CACHE_DIR, one-off notes.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import type { TextPacket } from '../../../src/core/types.ts';
import { textEncoder } from '../../../stages/text-encoder/index.ts';
import { chunk0, createStage, runItem, wholeItem } from './stage-harness.ts';

const prompt = (text: string, clipId = 'clip-a'): TextPacket => ({
  kind: 'text',
  chunk: { ...chunk0(clipId), end: 3.5 },
  text,
});

async function cacheFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true }).catch(() => [] as string[])).filter((f) => f.endsWith('.f32')).sort();
}

describe('text-encoder stage', () => {
  let cacheDir: string;
  const previous = process.env.REEL_CACHE_DIR;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'reel-encoder-cache-'));
    process.env.REEL_CACHE_DIR = cacheDir;
  });
  afterAll(async () => {
    if (previous === undefined) delete process.env.REEL_CACHE_DIR;
    else process.env.REEL_CACHE_DIR = previous;
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('turns the whole prompt into one [2, L, D] packet: chunk 0 of its clip, empty range, last', async () => {
    const { instance, logs } = await createStage(textEncoder, { maxTokens: 40 }, { cache: false, warmup: 1 });
    try {
      const out = await runItem(instance, wholeItem('prompt', prompt('A lighthouse in a storm.')));
      expect(out).toHaveLength(1);
      const [{ port, packet }] = out;
      expect(port).toBe('embeddings');
      if (packet.kind !== 'tensor') throw new Error(`got ${packet.kind}`);
      expect(packet.name).toBe('text-embeddings');
      expect(packet.tensor.dims.slice(0, 2)).toEqual([2, 40]);
      expect(packet.tensor.dims[2]).toBeGreaterThan(0);
      expect(packet.chunk).toEqual({ clipId: 'clip-a', index: 0, start: 0, end: 0, last: true });
      // Rows differ: the negative prompt "" and the prompt are encoded separately.
      const [, L, D] = packet.tensor.dims;
      const data = packet.tensor.data as Float32Array;
      expect(
        Buffer.compare(Buffer.from(data.buffer, 0, L * D * 4), Buffer.from(data.buffer, L * D * 4, L * D * 4)),
      ).not.toBe(0);
      expect(logs).toEqual(['stage "text-encoder": provider cpu']);
      expect(await cacheFiles(cacheDir)).toEqual([]); // cache: false writes nothing
    } finally {
      await instance.dispose();
    }
  });

  it('with cache on, a second instance serves the prompt from REEL_CACHE_DIR, says so once, and rewrites nothing', async () => {
    const text = 'A paper boat drifts down a gutter.';
    const a = await createStage(textEncoder, {}, { cache: true });
    const first = await runItem(a.instance, wholeItem('prompt', prompt(text)));
    await a.instance.dispose();
    const files = await cacheFiles(cacheDir);
    expect(files).toHaveLength(2);
    // A hit touches an entry's mtime (its last use, for eviction); a rewrite would be a new inode.
    const inodes = await Promise.all(files.map(async (f) => (await stat(join(cacheDir, f))).ino));
    expect(a.logs.some((l) => l.includes('from cache'))).toBe(false);

    const b = await createStage(textEncoder, {}, { cache: true });
    try {
      const second = await runItem(b.instance, wholeItem('prompt', prompt(text, 'clip-b')));
      expect(b.logs.filter((l) => l.includes('prompt embeddings from cache'))).toHaveLength(1);
      const [x, y] = [first[0].packet, second[0].packet];
      if (x.kind !== 'tensor' || y.kind !== 'tensor') throw new Error('not tensors');
      expect(y.tensor.dims).toEqual(x.tensor.dims);
      expect(
        Buffer.compare(
          Buffer.from((y.tensor.data as Float32Array).buffer),
          Buffer.from((x.tensor.data as Float32Array).buffer),
        ),
      ).toBe(0);
      expect(y.chunk.clipId).toBe('clip-b');
      expect(await cacheFiles(cacheDir)).toEqual(files);
      expect(await Promise.all(files.map(async (f) => (await stat(join(cacheDir, f))).ino))).toEqual(inodes);
    } finally {
      await b.instance.dispose();
    }
  });

  it('notes a truncated prompt once per clip, and refuses something other than text without naming itself', async () => {
    const { instance, logs } = await createStage(textEncoder, { maxTokens: 8 }, { cache: false });
    const long = 'one two three four five six seven eight nine ten';
    const truncated = () => logs.filter((l) => /truncated to 8 tokens; 3 token\(s\) dropped/.test(l));
    try {
      await runItem(instance, wholeItem('prompt', prompt(long)));
      await runItem(instance, wholeItem('prompt', prompt(long)));
      expect(truncated()).toHaveLength(1);
      // Another clip on the same instance (a batch's shared instance): its own note.
      await runItem(instance, wholeItem('prompt', prompt(long, 'clip-b')));
      expect(truncated()).toHaveLength(2);
    } finally {
      await instance.dispose();
    }
    const other = await createStage(textEncoder, {}, { cache: false });
    try {
      const audio = {
        kind: 'audio',
        chunk: chunk0(),
        sampleRate: 16000,
        channels: 1,
        startSample: 0,
        data: new Float32Array(4),
      } as const;
      const failure = runItem(other.instance, wholeItem('prompt', audio));
      await expect(failure).rejects.toBeInstanceOf(InputError);
      await expect(failure).rejects.toThrow(/^input "prompt" of the whole inputs: expected text, got audio$/);
    } finally {
      await other.instance.dispose();
    }
  });
});
