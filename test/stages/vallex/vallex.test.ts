/** VALL-E X: tokenizer, sampler, AR loop with KV cache, NAR passes, codec decode, sentence synthesis. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/inference/model.ts';
import { SeededRandom } from '../../../stages/shared/seeded-random.ts';
import { bool, f32, float32Data, i64 } from '../../../stages/shared/tensors.ts';
import { arAttentionMask, decodeAr } from '../../../stages/vallex/ar.ts';
import { decodeCodes } from '../../../stages/vallex/codec.ts';
import { AUDIO_BOS, AUDIO_EOS, SeededVallexEmbedder } from '../../../stages/vallex/embeddings.ts';
import { decodeNar } from '../../../stages/vallex/nar.ts';
import { argmax, sampleToken } from '../../../stages/vallex/sampler.ts';
import { synthesizeVallex } from '../../../stages/vallex/synth.ts';
import { MODEL_LANGUAGE_ID, modelLanguageFromPromptFile, Utf8ByteTokenizer } from '../../../stages/vallex/tokenizer.ts';
import { openVallexModels } from './reference-models.ts';

describe('tokenizer and language ids', () => {
  it('maps UTF-8 bytes b to 1 + b, deterministic and inside the 2048 vocabulary', () => {
    const t = new Utf8ByteTokenizer();
    expect(t.encode('Hi é', 'en')).toEqual([1 + 72, 1 + 105, 1 + 32, 1 + 0xc3, 1 + 0xa9]);
    expect(t.encode('你', 'zh').every((id) => id >= 1 && id < 2048)).toBe(true);
    expect(MODEL_LANGUAGE_ID).toEqual({ en: 0, zh: 1, ja: 2 });
    expect([0, 1, 2].map(modelLanguageFromPromptFile)).toEqual([1, 2, 0]);
  });
});

describe('sampler', () => {
  it('picks EOS when the logits force it, argmax with top-k 1, and is reproducible per seed', () => {
    const forced = new Float32Array(1025).fill(-5);
    forced[AUDIO_EOS] = 50;
    expect(sampleToken(forced, new SeededRandom(1))).toBe(AUDIO_EOS);
    const logits = Float32Array.from({ length: 1025 }, (_, i) => Math.sin(i * 1.7) * 2);
    expect(sampleToken(logits, new SeededRandom(9), { topK: 1 })).toBe(argmax(logits));
    const draw = (seed: number) => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 20 }, () => sampleToken(logits, r));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it('samples in proportion to softmax(logits / temperature), only among the top k', () => {
    const r = new SeededRandom(3);
    const logits = [0, Math.log(3), -100];
    let ones = 0;
    for (let i = 0; i < 4000; i++) ones += sampleToken(logits, r) === 1 ? 1 : 0;
    expect(ones / 4000).toBeCloseTo(0.75, 1);
    let hot = 0;
    for (let i = 0; i < 4000; i++) hot += sampleToken(logits, r, { temperature: 1e3 }) === 2 ? 1 : 0;
    expect(hot / 4000).toBeGreaterThan(0.25); // near uniform over 3
    for (let i = 0; i < 200; i++) expect(sampleToken(logits, r, { topK: 2, temperature: 1e3 })).not.toBe(2);
  });
});

describe('AR mask', () => {
  it('text sees text only; audio sees text and earlier audio', () => {
    const m = arAttentionMask(2, 5);
    const rows = Array.from({ length: 5 }, (_, r) => Array.from(m.subarray(r * 5, r * 5 + 5)).join(''));
    expect(rows).toEqual(['00111', '00111', '00011', '00001', '00000']);
  });
});

describe('VALL-E X reference models', () => {
  let ar: Model, nar: Model, codec: Model;
  let embedder: SeededVallexEmbedder;
  beforeAll(async () => {
    [ar, nar, codec] = await openVallexModels();
    embedder = SeededVallexEmbedder.forModel(ar);
  });
  afterAll(async () => {
    await Promise.all([ar, nar, codec].map((s) => s?.release()));
  });
  const text = Array.from({ length: 6 }, (_, i) => 10 + i * 7);
  const languages = text.map(() => 0);

  it('the cached loop gives the same greedy tokens as re-running the whole sequence each step', async () => {
    const prompt = [5, 900, 17];
    const cached = await decodeAr(ar, embedder, { text, languages, promptCodes: prompt, maxNewTokens: 6 }, { topK: 1 });
    // Independent check: no cache, the whole text ‖ BOS ‖ prompt ‖ generated sequence every step.
    const tokens = [AUDIO_BOS, ...prompt];
    const d = embedder.dim;
    const pastKv = ar.session.inputMetadata.find((m) => m.name === 'past_kv') as unknown as { shape: number[] };
    const [layers, , , heads, , hd] = pastKv.shape;
    for (let step = 0; step < cached.codes.length; step++) {
      const x = embedder.arText(text, languages);
      const y = embedder.arAudio(tokens, 0);
      const xy = new Float32Array(x.length + y.length);
      xy.set(x);
      xy.set(y, x.length);
      const s = xy.length / d;
      const out = await ar.run({
        xy_pos: f32(xy, [1, s, d]),
        mask: bool(arAttentionMask(text.length, s), [s, s]),
        past_kv: f32(new Float32Array(0), [layers, 2, 1, heads, 0, hd]),
        offset: i64([0], []),
      });
      const next = argmax(float32Data(out.logits, 'logits'));
      expect(next).toBe(cached.codes[step]);
      tokens.push(next);
    }
    expect(cached.codes.length).toBeGreaterThan(0);
  });

  it('is reproducible for a seed, stops at max length, and stops at EOS once the model pushes it', async () => {
    const run = (seed: number, maxNewTokens = 12, promptCodes: number[] = [1, 2, 3]) =>
      decodeAr(ar, embedder, { text, languages, promptCodes, maxNewTokens }, { seed, temperature: 1 });
    const a = await run(7);
    expect((await run(7)).codes).toEqual(a.codes);
    expect((await run(8)).codes).not.toEqual(a.codes);
    expect(a).toMatchObject({ stoppedBy: 'max-length' });
    expect(a.codes).toHaveLength(12);
    expect(a.codes.every((c) => c >= 0 && c < 1024)).toBe(true);
    // The reference AR raises the EOS logit past position eosAfter (1400): a 1460-frame prompt ends it.
    const long = await run(
      7,
      100,
      Array.from({ length: 1460 }, (_, i) => (i * 37) % 1024),
    );
    expect(long.stoppedBy).toBe('eos');
    expect(long.codes.length).toBeLessThan(100);
  });

  it('NAR fills codebooks 2–8 greedily; the codec gives 320 samples per frame', async () => {
    const prompt = Array.from({ length: 8 }, (_, c) =>
      Int32Array.from({ length: 4 }, (_, t) => (c * 100 + t * 13) % 1024),
    );
    const first = [3, 500, 77, 1000, 12];
    const codes = await decodeNar(nar, embedder, { text, languages, prompt, firstCodebook: first });
    expect(codes).toHaveLength(8);
    expect(Array.from(codes[0])).toEqual(first);
    for (const row of codes) expect(row).toHaveLength(5);
    expect(codes.slice(1).every((row) => row.every((v) => v >= 0 && v < 1024))).toBe(true);
    expect(await decodeNar(nar, embedder, { text, languages, prompt, firstCodebook: first })).toEqual(codes);
    const audio = await decodeCodes(codec, codes);
    expect(audio).toHaveLength(320 * 5);
    expect(audio.every(Number.isFinite)).toBe(true);
  });

  it('synthesises sentence by sentence; audio = 320 × Σ frames at 24 kHz; fixed vs sliding prompt', async () => {
    const prompt = {
      codes: Array.from({ length: 8 }, (_, c) => Int32Array.from({ length: 6 }, (_, t) => (c * 31 + t * 7) % 1024)),
      text: 'Hi.',
      language: 'en' as const,
    };
    const script = 'Hello there. Bye now!';
    const fixed = await synthesizeVallex({ ar, nar, codec, embedder }, script, { prompt, seed: 2, maxLengthFactor: 1 });
    expect(fixed.sampleRate).toBe(24000);
    expect(fixed.sentences.map((s) => s.sentence)).toEqual(['Hello there.', 'Bye now!']);
    const frames = fixed.sentences.reduce((a, s) => a + s.codes[0].length, 0);
    expect(frames).toBeGreaterThan(0);
    expect(fixed.audio).toHaveLength(320 * frames);
    // max length: 1 × (prompt text + sentence) tokens
    expect(fixed.sentences[0].codes[0].length).toBeLessThanOrEqual(3 + 12);
    const again = await synthesizeVallex({ ar, nar, codec, embedder }, script, { prompt, seed: 2, maxLengthFactor: 1 });
    expect(again.audio).toEqual(fixed.audio);
    const sliding = await synthesizeVallex({ ar, nar, codec, embedder }, script, {
      prompt,
      seed: 2,
      maxLengthFactor: 1,
      promptMode: 'sliding',
    });
    expect(sliding.sentences[0].codes).toEqual(fixed.sentences[0].codes);
    expect(sliding.sentences[1].codes).not.toEqual(fixed.sentences[1].codes);
  });
});
