import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentCache, contentKey } from '../../../src/cache/content-cache.ts';
import { tokenizePrompt, wordHashTokenizer } from '../../../stages/text-encoder/tokenizer.ts';

describe('prompt tokenization', () => {
  it('appends EOS and pads to maxTokens, masking the padding', () => {
    const t = tokenizePrompt(wordHashTokenizer, 'A cat, 12 lives.', 226);
    const words = wordHashTokenizer.tokenize('A cat, 12 lives.');
    expect(words).toHaveLength(7); // A · cat · , · 1 · 2 · lives · .
    expect(t.ids).toHaveLength(226);
    expect(t.ids.slice(0, 7)).toEqual(words);
    expect(t.ids[7]).toBe(1);
    expect(t.ids.slice(8).every((id) => id === 0)).toBe(true);
    expect(Array.from(t.attentionMask.slice(0, 8))).toEqual(new Array(8).fill(1));
    expect(t.attentionMask.slice(8).every((m) => m === 0)).toBe(true);
    expect(words.every((id) => id >= 3 && id < 32000)).toBe(true);
  });

  it('encodes the empty prompt as EOS then padding', () => {
    const t = tokenizePrompt(wordHashTokenizer, '', 8);
    expect(t.ids).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('truncates to maxTokens − 1 and keeps EOS last', () => {
    const text = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    const t = tokenizePrompt(wordHashTokenizer, text, 226);
    expect(t.ids).toHaveLength(226);
    expect(t.ids[225]).toBe(1);
    expect(t.truncatedTokens).toBe(wordHashTokenizer.tokenize(text).length - 225);
  });

  it('is deterministic, cased, and tells word starts from continuations', () => {
    const a = wordHashTokenizer.tokenize('Cat cat');
    expect(wordHashTokenizer.tokenize('Cat cat')).toEqual(a);
    expect(a[0]).not.toBe(a[1]);
    expect(wordHashTokenizer.tokenize('a.b')[2]).not.toBe(wordHashTokenizer.tokenize('a. b')[2]);
  });
});

describe('content cache', () => {
  const dirs: string[] = [];
  const freshCache = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reel-cache-'));
    dirs.push(dir);
    return new ContentCache(dir);
  };
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('separates keys whose parts concatenate alike', () => {
    expect(contentKey(['ab', 'c'])).not.toBe(contentKey(['a', 'bc']));
    expect(contentKey([1])).not.toBe(contentKey(['1']));
    expect(contentKey(['x', new Uint8Array([1, 2])])).toBe(contentKey(['x', new Uint8Array([1, 2])]));
  });

  it('reads back what it wrote, with dims, and leaves no temporary file', async () => {
    const cache = await freshCache();
    const data = Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1);
    const key = contentKey(['t', 'prompt']);
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, { dims: [2, 3, 4], data });
    const back = await cache.get(key);
    expect(back?.dims).toEqual([2, 3, 4]);
    expect(Array.from(back!.data)).toEqual(Array.from(data));
    const files = await readdir(join(cache.dir, key.slice(0, 2)));
    expect(files).toEqual([`${key}.f32`]);
  });

  it('treats a truncated or foreign file as a miss', async () => {
    const cache = await freshCache();
    const key = contentKey(['broken']);
    await cache.put(key, { dims: [4], data: new Float32Array(4) });
    await writeFile(cache.pathFor(key), 'not a tensor');
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, { dims: [4], data: new Float32Array([1, 2, 3, 4]) });
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(cache.pathFor(key));
    await writeFile(cache.pathFor(key), bytes.subarray(0, bytes.length - 2));
    expect(await cache.get(key)).toBeUndefined();
  });
});
