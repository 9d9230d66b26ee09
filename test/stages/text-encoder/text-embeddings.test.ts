import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTextEncoder, type TextEncoderHyper } from '../../../models/families/text-encoder.ts';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { ensureReferenceModel } from '../../../models/reference.ts';
import { writeFileAtomic } from '../../../models/write-atomic.ts';
import { ContentCache } from '../../../src/cache/content-cache.ts';
import type { ModelHandle } from '../../../stages/shared/model-session.ts';
import { encodePrompts } from '../../../stages/text-encoder/embeddings.ts';
import { tokenizePrompt, wordHashTokenizer } from '../../../stages/text-encoder/tokenizer.ts';
import { maxAbsDiff, openModel } from '../text-to-video/sessions.ts';

/** A real session whose runs are counted, to tell a cache hit from an encoder run. */
function counted(model: ModelHandle): ModelHandle & { runs: () => number } {
  let runs = 0;
  const session = model.session;
  return {
    path: model.path,
    runs: () => runs,
    session: {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      inputMetadata: session.inputMetadata,
      run: ((feeds: ort.InferenceSession.FeedsType) => {
        runs++;
        return session.run(feeds);
      }) as ModelHandle['session']['run'],
    },
  };
}

describe('prompt embeddings', () => {
  let dir: string;
  let modelPath: string;
  const L = 24;
  const D = (MANIFESTS['text-encoder'].scales.tiny as TextEncoderHyper).dim;
  const released: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reel t2v encoder ')); // a space in the path on purpose
    modelPath = join(dir, 'text-encoder.onnx');
    await copyFile(await ensureReferenceModel('text-encoder', 'tiny'), modelPath);
  });
  afterAll(async () => {
    for (const release of released) await release();
    await rm(dir, { recursive: true, force: true });
  });

  const open = async () => {
    const m = await openModel(modelPath);
    released.push(m.release);
    return counted(m);
  };

  it('runs [negative, prompt] through the encoder as [2, L, D], row for row', async () => {
    const encoder = await open();
    const { embeddings, fromCache } = await encodePrompts(encoder, { prompt: 'a red fox in snow', negativePrompt: '', maxTokens: L });
    expect(embeddings.dims).toEqual([2, L, D]);
    expect(fromCache).toEqual([false, false]);
    expect(encoder.runs()).toBe(1);
    // Each row equals a batch-1 run on that text's ids alone.
    for (const [row, text] of ['', 'a red fox in snow'].entries()) {
      const ids = BigInt64Array.from(tokenizePrompt(wordHashTokenizer, text, L).ids.map(BigInt));
      const out = await encoder.session.run({ input_ids: new ort.Tensor('int64', ids, [1, L]) });
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
    await writeFileAtomic(modelPath, buildTextEncoder(MANIFESTS['text-encoder'].scales.tiny as TextEncoderHyper, 'another-seed'));
    const retrained = await open();
    const d = await encodePrompts(retrained, options);
    expect(d.fromCache).toEqual([false, false]);
    expect(retrained.runs()).toBe(1);
    expect(maxAbsDiff(d.embeddings.data as Float32Array, a.embeddings.data as Float32Array)).toBeGreaterThan(1e-3);

    // The tokenizer and maxTokens are part of the key too.
    const e = await encodePrompts(retrained, { ...options, maxTokens: L + 1 });
    expect(e.fromCache).toEqual([false, false]);
  });

  it('names the file when the model is not a text encoder', async () => {
    const vae = await openModel(await ensureReferenceModel('vae', 'tiny'));
    released.push(vae.release);
    await expect(encodePrompts(vae, { prompt: 'x', negativePrompt: '', maxTokens: L })).rejects.toThrow(/vae\.onnx: not a text-encoder model: missing inputs "input_ids"/);
  });
});
