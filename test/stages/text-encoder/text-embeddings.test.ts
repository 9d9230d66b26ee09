import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTextEncoder, type TextEncoderHyper } from '../../../models/families/text-encoder.ts';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { ensureReferenceModel } from '../../../models/reference.ts';
import { writeFileAtomic } from '../../../models/write-atomic.ts';
import { ContentCache } from '../../../src/cache/content-cache.ts';
import { ContractError } from '../../../src/core/errors.ts';
import type { Model } from '../../../src/inference/model.ts';
import { i64 } from '../../../stages/shared/tensors.ts';
import { encodePrompts, type EncoderModel } from '../../../stages/text-encoder/embeddings.ts';
import { tokenizePrompt, wordHashTokenizer } from '../../../stages/text-encoder/tokenizer.ts';
import { maxAbsDiff, openModelFile } from '../text-to-video/sessions.ts';

/** A real model whose runs are counted, to tell a cache hit from an encoder run. */
function counted(model: Model): EncoderModel & { runs: () => number } {
  let runs = 0;
  return {
    path: model.path,
    runs: () => runs,
    run: (feeds) => {
      runs++;
      return model.run(feeds);
    },
  };
}

describe('prompt embeddings', () => {
  let dir: string;
  let modelPath: string;
  const L = 24;
  const D = (MANIFESTS['text-encoder'].scales.tiny as TextEncoderHyper).dim;
  let released: (() => Promise<void>)[] = [];
  /** Sessions are pooled by file: let go of every open one before the file is rewritten. */
  const releaseAll = async () => {
    for (const release of released) await release();
    released = [];
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reel t2v encoder ')); // a space in the path on purpose
    modelPath = join(dir, 'text-encoder.onnx');
    await copyFile(await ensureReferenceModel('text-encoder', 'tiny'), modelPath);
  });
  afterAll(async () => {
    await releaseAll();
    await rm(dir, { recursive: true, force: true });
  });

  const open = async () => {
    const m = await openModelFile(modelPath, 'text-encoder');
    released.push(m.release);
    return counted(m);
  };

  it('runs [negative, prompt] through the encoder as [2, L, D], row for row', async () => {
    const encoder = await open();
    const { embeddings, fromCache } = await encodePrompts(encoder, {
      prompt: 'a red fox in snow',
      negativePrompt: '',
      maxTokens: L,
    });
    expect(embeddings.dims).toEqual([2, L, D]);
    expect(fromCache).toEqual([false, false]);
    expect(encoder.runs()).toBe(1);
    // Each row equals a batch-1 run on that text's ids alone.
    for (const [row, text] of ['', 'a red fox in snow'].entries()) {
      const out = await encoder.run({ input_ids: i64(tokenizePrompt(wordHashTokenizer, text, L).ids, [1, L]) });
      const data = (embeddings.data as Float32Array).subarray(row * L * D, (row + 1) * L * D);
      expect(maxAbsDiff(data, out.last_hidden_state.data as Float32Array)).toBeLessThan(1e-5);
    }
    const rows = embeddings.data as Float32Array;
    expect(maxAbsDiff(rows.subarray(0, L * D), rows.subarray(L * D))).toBeGreaterThan(1e-3);
  });

  it('serves a second call from the cache without running the encoder; a model with other bytes misses', async () => {
    const cache = new ContentCache(join(dir, 'cache'));
    const options = { prompt: 'a lighthouse at dusk', negativePrompt: 'blurry', maxTokens: L, cache };
    const first = await open();
    const a = await encodePrompts(first, options);
    expect(a.fromCache).toEqual([false, false]);
    expect(first.runs()).toBe(1);

    const second = await open();
    const b = await encodePrompts(second, options);
    expect(b.fromCache).toEqual([true, true]);
    expect(second.runs()).toBe(0);
    expect(Array.from(b.embeddings.data as Float32Array)).toEqual(Array.from(a.embeddings.data as Float32Array));

    // Only the new prompt runs; the negative row is shared.
    const c = await encodePrompts(second, { ...options, prompt: 'a lighthouse at dawn' });
    expect(c.fromCache).toEqual([true, false]);
    expect(second.runs()).toBe(1);

    // Same path, other weights (another seed of the same family): every row misses.
    await releaseAll();
    await writeFileAtomic(
      modelPath,
      buildTextEncoder(MANIFESTS['text-encoder'].scales.tiny as TextEncoderHyper, 'another-seed'),
    );
    const retrained = await open();
    const d = await encodePrompts(retrained, options);
    expect(d.fromCache).toEqual([false, false]);
    expect(retrained.runs()).toBe(1);
    expect(maxAbsDiff(d.embeddings.data as Float32Array, a.embeddings.data as Float32Array)).toBeGreaterThan(1e-3);

    // The tokenizer and maxTokens are part of the key too.
    const e = await encodePrompts(retrained, { ...options, maxTokens: L + 1 });
    expect(e.fromCache).toEqual([false, false]);
  });

  it('names the file when the model is not a text encoder, before any run', async () => {
    const opening = openModelFile(await ensureReferenceModel('vae', 'tiny'), 'text-encoder');
    await expect(opening).rejects.toBeInstanceOf(ContractError);
    await expect(opening).rejects.toThrow(
      /vae\.onnx: does not match the text-encoder contract.*input "input_ids".*is missing/,
    );
  });
});
