/** vallex stage on the stream: 24 kHz chunks on the grid, `last` once, seamless incremental codec decoding. */
import { describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../../models/reference.ts';
import type { AudioPacket } from '../../../src/core/types.ts';
import { resample } from '../../../src/dsp/index.ts';
import { openSession } from '../../../stages/shared/session.ts';
import { SeededVallexEmbedder } from '../../../stages/vallex/embeddings.ts';
import { promptCodesFromAudio } from '../../../stages/vallex/prompt-codes.ts';
import { synthesizeVallex } from '../../../stages/vallex/synth.ts';
import { vallex } from '../../../stages/vallex/index.ts';
import { memoryAudioSink, memoryAudioSource, memoryTextSource, receivedPackets, registerClip } from '../../fixtures/stages/memory-clips.ts';
import { concatFloat, maxAbsDiff, runStages } from '../talking-head/stage-harness.ts';

const SCRIPT = 'Hi there. How are you? Fine.';
const PROMPT_RATE = 16000;
const prompt = Float32Array.from({ length: PROMPT_RATE * 0.5 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 180 * i) / PROMPT_RATE) * (1 + Math.sin(i / 900)) / 2);

describe('prompt stand-in codes', () => {
  it('give 8 rows of ⌊N/320⌋ codes in 0..1023 that follow loudness', () => {
    const loud = Float32Array.from({ length: 3200 }, (_, i) => 0.5 * Math.sin(i * 0.2));
    const codes = promptCodesFromAudio(loud);
    expect(codes).toHaveLength(8);
    expect(codes.every((row) => row.length === 10 && row.every((c) => c >= 0 && c < 1024))).toBe(true);
    const quiet = promptCodesFromAudio(loud.map((v) => v / 100));
    expect(quiet[0][3]).toBeLessThan(codes[0][3]);
    expect(promptCodesFromAudio(new Float32Array(3200))[0][0]).toBe(0);
  });
});

describe('vallex stage', () => {
  it('streams 24 kHz chunks on the grid with last once, equal to one decode of the whole code stream', async () => {
    registerClip('script', { kind: 'text', text: SCRIPT });
    registerClip('transcript', { kind: 'text', text: 'Hello.' });
    registerClip('prompt', { kind: 'audio', data: prompt, sampleRate: PROMPT_RATE });
    const [ar, nar, codec] = await Promise.all((['vallex-ar', 'vallex-nar', 'vallex-codec'] as const).map((f) => ensureReferenceModel(f)));
    const S = 0.5;
    const { logs } = await runStages({
      chunkSeconds: S,
      nodes: {
        script: { def: memoryTextSource, options: { key: 'script' } },
        voice: { def: memoryAudioSource, options: { key: 'prompt' } },
        said: { def: memoryTextSource, options: { key: 'transcript' } },
        tts: { def: vallex, options: { seed: 3, topK: 50 }, models: { ar, nar, codec } },
        sink: { def: memoryAudioSink, binding: 'speech' },
      },
      edges: ['script.out -> tts.text', 'voice.out -> tts.prompt', 'said.out -> tts.promptText', 'tts.audio -> sink.in'],
    });
    // Three sessions on one provider: one line.
    expect(logs.filter((l) => l.includes('stage "tts": provider'))).toHaveLength(1);
    const packets = receivedPackets('speech') as AudioPacket[];
    const audio = concatFloat(packets.map((p) => p.data));
    expect(packets.length).toBe(Math.ceil(audio.length / (S * 24000) - 1e-9));
    expect(packets.filter((p) => p.chunk.last)).toHaveLength(1);
    packets.forEach((p, k) => {
      expect(p.chunk.index).toBe(k);
      expect(p.sampleRate).toBe(24000);
      expect(p.chunk.start).toBeCloseTo(k * S, 9);
      expect(p.startSample).toBe(Math.round(k * S * 24000));
      expect(p.data.length).toBe(Math.round(p.chunk.end * 24000) - p.startSample);
      if (!p.chunk.last) expect(p.data.length).toBe(S * 24000);
    });
    expect(packets.at(-1)!.chunk.last).toBe(true);

    // The same sentences decoded once, whole: the incremental decode has no seams.
    const sessions = await Promise.all([ar, nar, codec].map((m) => openSession(m)));
    const codes = promptCodesFromAudio(resample(prompt, { inputRate: PROMPT_RATE, outputRate: 24000 }));
    const whole = await synthesizeVallex(
      { ar: sessions[0], nar: sessions[1], codec: sessions[2], embedder: SeededVallexEmbedder.forModel(sessions[0]) },
      SCRIPT,
      { seed: 3, topK: 50, prompt: { codes, text: 'Hello.', language: 'en' } },
    );
    await Promise.all(sessions.map((s) => s.release()));
    expect(whole.sentences).toHaveLength(3);
    expect(audio.length).toBe(whole.audio.length);
    expect(maxAbsDiff(audio, whole.audio)).toBeLessThan(1e-5);
  });
});
