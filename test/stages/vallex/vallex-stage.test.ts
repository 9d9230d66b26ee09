/** vallex stage: 24 kHz chunks on the grid, `last` once, seamless incremental codec decoding, paced output. */
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../../models/reference.ts';
import { InputError } from '../../../src/core/errors.ts';
import type { AudioPacket, ChunkInfo, Packet } from '../../../src/core/types.ts';
import { resample } from '../../../src/dsp/index.ts';
import { SeededVallexEmbedder } from '../../../stages/vallex/embeddings.ts';
import { promptCodesFromAudio } from '../../../stages/vallex/prompt-codes.ts';
import { synthesizeVallex } from '../../../stages/vallex/synth.ts';
import { vallex } from '../../../stages/vallex/index.ts';
import {
  memoryAudioSink,
  memoryAudioSource,
  memoryTextSource,
  receivedPackets,
  registerClip,
} from '../../fixtures/stages/memory-clips.ts';
import { clipItems, createTransform, processAll } from '../../helpers/stage-harness.ts';
import { concatFloat, maxAbsDiff, runStages } from '../talking-head/stage-harness.ts';
import { openVallexModels } from './reference-models.ts';

const SCRIPT = 'Hi there. How are you? Fine.';
const PROMPT_RATE = 16000;
const S = 0.5;
const OPTIONS = { seed: 3, topK: 50 };
const prompt = Float32Array.from(
  { length: PROMPT_RATE * 0.5 },
  (_, i) => (0.4 * Math.sin((2 * Math.PI * 180 * i) / PROMPT_RATE) * (1 + Math.sin(i / 900))) / 2,
);

/** The one item of a clip whose inputs are all whole (what the runtime gives a vallex stage). */
function wholeItem(ports: Record<string, (chunk: ChunkInfo) => Packet>) {
  const chunk: ChunkInfo = { clipId: 'clip', index: 0, start: 0, end: 0, last: true };
  const whole = Object.fromEntries(Object.entries(ports).map(([port, make]) => [port, make(chunk)]));
  return clipItems([{ chunk, ports: {} }], undefined, whole)[0];
}

const inputs = {
  text: (chunk: ChunkInfo): Packet => ({ kind: 'text', chunk, text: SCRIPT }),
  prompt: (chunk: ChunkInfo): Packet => ({
    kind: 'audio',
    chunk,
    sampleRate: PROMPT_RATE,
    channels: 1,
    startSample: 0,
    data: prompt,
  }),
  promptText: (chunk: ChunkInfo): Packet => ({ kind: 'text', chunk, text: 'Hello.' }),
};

/** Chunk k = [k·S, …) at 24 kHz, exact lengths, dense indices, `last` on the final one only; the joined audio. */
function expectGrid(packets: AudioPacket[]): Float32Array {
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
  return audio;
}

/** The same sentences decoded once, whole. */
async function wholeDecode(): Promise<Awaited<ReturnType<typeof synthesizeVallex>>> {
  const [ar, nar, codec] = await openVallexModels();
  try {
    const codes = promptCodesFromAudio(resample(prompt, { inputRate: PROMPT_RATE, outputRate: 24000 }));
    return await synthesizeVallex({ ar, nar, codec, embedder: SeededVallexEmbedder.forModel(ar) }, SCRIPT, {
      ...OPTIONS,
      prompt: { codes, text: 'Hello.', language: 'en' },
    });
  } finally {
    await Promise.all([ar, nar, codec].map((m) => m.release()));
  }
}

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

describe('vallex stage (direct)', () => {
  it('streams grid chunks equal to one decode of the whole code stream, each further chunk after room downstream', async () => {
    const logs: string[] = [];
    let roomCalls = 0;
    const stage = await createTransform(vallex, OPTIONS, {
      chunking: { seconds: S, silenceSearchSeconds: 0 },
      log: (line) => logs.push(line),
      outputRoom: async () => void roomCalls++,
    });
    try {
      const out = await processAll(stage, [wholeItem(inputs)]);
      expect(out.every((p) => p.port === 'audio')).toBe(true);
      const packets = out.map((p) => p.packet as AudioPacket);
      // Three sessions on one provider: one line.
      expect(logs.filter((l) => l.includes('provider'))).toHaveLength(1);
      const audio = expectGrid(packets);
      expect(packets.length).toBeGreaterThan(2);
      expect(roomCalls).toBe(packets.length - 1);
      const whole = await wholeDecode();
      expect(whole.sentences).toHaveLength(3);
      expect(audio.length).toBe(whole.audio.length);
      expect(maxAbsDiff(audio, whole.audio)).toBeLessThan(1e-5);
    } finally {
      await stage.dispose();
    }
  });

  it('waits for room before each further chunk: with none, only the first chunk comes out', async () => {
    let asked = 0;
    const stage = await createTransform(vallex, OPTIONS, {
      chunking: { seconds: S, silenceSearchSeconds: 0 },
      outputRoom: () => {
        asked++;
        return new Promise<void>(() => {});
      },
    });
    try {
      const got: AudioPacket[] = [];
      let first!: () => void;
      const arrived = new Promise<void>((resolve) => (first = resolve));
      const sub = stage.process(wholeItem(inputs)).subscribe((p) => {
        got.push(p.packet as AudioPacket);
        first();
      });
      await arrived;
      // Long enough for the (tiny) models to have made every chunk, were they not held back.
      await new Promise((r) => setTimeout(r, 300));
      expect(got).toHaveLength(1);
      expect(asked).toBe(1);
      sub.unsubscribe();
    } finally {
      await stage.dispose();
    }
  });

  it('reports a missing or too short voice prompt as an input error', async () => {
    const stage = await createTransform(vallex, OPTIONS);
    try {
      const run = (ports: Record<string, (chunk: ChunkInfo) => Packet>) =>
        lastValueFrom(stage.process(wholeItem(ports)).pipe(toArray()));
      await expect(run({ text: inputs.text })).rejects.toThrow(InputError);
      await expect(run({ text: inputs.text })).rejects.toThrow(/"prompt"/);
      const short = (chunk: ChunkInfo): Packet => ({
        kind: 'audio',
        chunk,
        sampleRate: 24000,
        channels: 1,
        startSample: 0,
        data: new Float32Array(100),
      });
      await expect(run({ text: inputs.text, prompt: short })).rejects.toThrow(/at least one codec frame/);
    } finally {
      await stage.dispose();
    }
  });
});

describe('vallex stage (through the runtime)', () => {
  it('streams 24 kHz chunks on the grid with last once, equal to one decode of the whole code stream', async () => {
    registerClip('script', { kind: 'text', text: SCRIPT });
    registerClip('transcript', { kind: 'text', text: 'Hello.' });
    registerClip('prompt', { kind: 'audio', data: prompt, sampleRate: PROMPT_RATE });
    const [ar, nar, codec] = await Promise.all(
      (['vallex-ar', 'vallex-nar', 'vallex-codec'] as const).map((f) => ensureReferenceModel(f)),
    );
    const { logs } = await runStages({
      chunkSeconds: S,
      nodes: {
        script: { def: memoryTextSource, options: { key: 'script' } },
        voice: { def: memoryAudioSource, options: { key: 'prompt' } },
        said: { def: memoryTextSource, options: { key: 'transcript' } },
        tts: { def: vallex, options: OPTIONS, models: { ar, nar, codec } },
        sink: { def: memoryAudioSink, binding: 'speech' },
      },
      edges: [
        'script.out -> tts.text',
        'voice.out -> tts.prompt',
        'said.out -> tts.promptText',
        'tts.audio -> sink.in',
      ],
    });
    // Three sessions on one provider: one line.
    expect(logs.filter((l) => l.includes('stage "tts": provider'))).toHaveLength(1);
    const audio = expectGrid(receivedPackets('speech') as AudioPacket[]);
    const whole = await wholeDecode();
    expect(audio.length).toBe(whole.audio.length);
    expect(maxAbsDiff(audio, whole.audio)).toBeLessThan(1e-5);
  });
});
