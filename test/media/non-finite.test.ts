/**
 * A NaN or ±Inf sample is refused where audio enters, with the place named — never rendered as
 * silence with exit 0: in a decoded file (the file and the time) and in a stage's output (the
 * stage, the port and the time).
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defer, of } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { firstNonFinite } from '../../src/core/finite.ts';
import { defineTransform } from '../../src/core/stage.ts';
import { decodeAudio } from '../../src/media/decodeAudio.ts';
import { liveStageWorkers, runPipeline } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';
import { runCli } from '../helpers/cli.ts';
import { collect, tempDir } from './makeMedia.ts';

/** A mono 32-bit float WAV (format 3) of `samples` at `rate`. */
function floatWav(file: string, samples: Float32Array, rate: number): string {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.byteLength, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(3, 20); // IEEE float
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(32, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.byteLength, 40);
  writeFileSync(file, Buffer.concat([header, Buffer.from(samples.buffer)]));
  return file;
}

function speechLike(seconds: number, rate: number): Float32Array {
  return Float32Array.from({ length: seconds * rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 180 * i) / rate));
}

describe('non-finite samples', () => {
  const tmp = tempDir('non-finite');
  afterAll(() => tmp.remove());

  it('finds the first NaN or infinity, and nothing in finite data', () => {
    expect(firstNonFinite(new Float32Array([0, 1, -1, 3.4e38]))).toBe(-1);
    expect(firstNonFinite(new Float32Array([0, Number.NaN, 1]))).toBe(1);
    expect(firstNonFinite([1, 2, Number.NEGATIVE_INFINITY])).toBe(2);
  });

  it('refuses a file with one NaN at 12 s of 25 s, naming the file and the time', async () => {
    const samples = speechLike(25, 16000);
    samples[12 * 16000 + 5] = Number.NaN;
    const file = floatWav(tmp.path('one nan.wav'), samples, 16000);
    await expect(collect(decodeAudio(file, { sampleRate: 16000, channels: 1, blockSamples: 4096 }))).rejects.toThrow(
      `${file}: holds a NaN sample at 12.000 s`,
    );
    // As a user meets it: voice-convert refuses, and writes nothing.
    const out = await mkdtemp(join(tmpdir(), 'reel-nan-'));
    const r = await runCli(['run', 'pipelines/voice-convert.yaml', '--input', `audio=${file}`, '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/one nan\.wav: holds a NaN sample at 12\.00\d s/);
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses +Inf too', async () => {
    const samples = speechLike(3, 16000);
    samples[16000] = Number.POSITIVE_INFINITY;
    const file = floatWav(tmp.path('inf.wav'), samples, 16000);
    await expect(collect(decodeAudio(file, { sampleRate: 16000, channels: 1 }))).rejects.toThrow(
      /holds a \+Inf sample at 1\.000 s/,
    );
  });

  it('stops a run whose stage emits a NaN, naming the stage, port and time', async () => {
    const broken = defineTransform({
      kind: 'test-nan-at',
      summary: 'Puts a NaN into chunk 2.',
      module: import.meta.url,
      inputs: { in: { type: 'audio', doc: 'Any audio.' } },
      outputs: { out: { type: 'audio', doc: 'The same, with one NaN in chunk 2.' } },
      options: z.strictObject({}),
      create: async () => ({
        process: (item) =>
          defer(() => {
            const packet = item.audio('in');
            const data = new Float32Array(packet.data);
            if (packet.chunk.index === 2) data[3] = Number.NaN;
            return of({ port: 'out', packet: { ...packet, data } });
          }),
        dispose: async () => {},
      }),
    });
    const graph = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 4, chunkSeconds: 0.5 } },
        nan: { def: broken },
        sink: { def: collectSink, binding: 'result' },
      },
      edges: ['src.audio -> nan.in', 'nan.out -> sink.in'],
    });
    const out = await mkdtemp(join(tmpdir(), 'reel-nan-stage-'));
    await expect(runPipeline(graph, { outDir: out, mode: 'sequential' })).rejects.toThrow(
      /stage "nan".*emitted a NaN sample on "out" at 1\.0\d+ s/,
    );
  });

  it('stops a run whose worker stage emits a NaN the same way (the worker checks its own output)', async () => {
    const graph = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 4, chunkSeconds: 0.5 } },
        nan: { def: spinStage, options: { failAt: 2, failure: 'nan' } },
        sink: { def: collectSink, binding: 'result' },
      },
      edges: ['src.audio -> nan.in', 'nan.out -> sink.in'],
    });
    const out = await mkdtemp(join(tmpdir(), 'reel-nan-worker-'));
    await expect(runPipeline(graph, { outDir: out })).rejects.toThrow(
      /stage "nan".*emitted a NaN sample on "out" at 1\.0\d+ s/,
    );
    expect(liveStageWorkers()).toBe(0);
  });
});
