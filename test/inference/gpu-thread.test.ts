/**
 * The `webgpu` provider and the GPU thread, on a machine without a GPU. Asked for, `webgpu` falls
 * back to the CPU with one line naming why (no Vulkan loader, or no adapter), and `strict` refuses.
 * With the CPU standing in for the GPU (`REEL_GPU_STAND_IN=cpu`), the routing is the real one:
 * the session lives on the process's GPU thread, its calls are sent there and come back with the
 * outputs a session of this thread gives, each call reported as a span; a stage with `batch:` gets
 * its waiting calls stacked into one, each caller getting its own rows back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MANIFESTS } from '../../models/manifests/index.ts';
import { ensureReferenceModel } from '../../models/reference.ts';
import type { NodeSettings } from '../../src/core/settings.ts';
import type { TensorData } from '../../src/core/types.ts';
import { ProviderError } from '../../src/core/errors.ts';
import { BUILTIN_SETTINGS } from '../../src/graph/settings.ts';
import { onGpuSpan } from '../../src/inference/gpu/gpu-client.ts';
import { gpuThreadStarted, stopGpuThread } from '../../src/inference/gpu/gpu-thread.ts';
import type { GpuSpan } from '../../src/inference/gpu/protocol.ts';
import { openModel, type Model } from '../../src/inference/model.ts';
import { createSession, type SessionSpec } from '../../src/inference/session-factory.ts';

let model: string;
const opened: Model[] = [];

const settings = (over: Partial<NodeSettings> = {}): NodeSettings => ({
  ...BUILTIN_SETTINGS,
  provider: ['webgpu', 'cpu'],
  ...over,
});

async function open(stage: string, over: Partial<NodeSettings> = {}): Promise<{ model: Model; lines: string[] }> {
  const lines: string[] = [];
  const m = await openModel({
    stage,
    path: model,
    contract: MANIFESTS.hifigan,
    settings: settings(over),
    log: (line) => lines.push(line),
  });
  opened.push(m);
  return { model: m, lines };
}

/** A log-mel input of `frames` frames, different for each `seed`. */
function spec(frames: number, seed: number): TensorData {
  const data = new Float32Array(80 * frames);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37 + seed) * 2 - 4;
  return { dtype: 'float32', dims: [1, 80, frames], data };
}

beforeAll(async () => {
  model = await ensureReferenceModel('hifigan', 'tiny');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((m) => m.release()));
});

describe('webgpu on a machine without a GPU', () => {
  const sessionSpec = (over: Partial<SessionSpec> = {}): SessionSpec => ({
    stage: 'vocoder',
    model,
    provider: ['webgpu', 'cpu'],
    strict: false,
    deviceId: 0,
    threads: BUILTIN_SETTINGS.threads,
    tensorrt: {},
    ...over,
  });

  it('[webgpu, cpu] lands on cpu, saying in one line why WebGPU was not taken and what to install', async () => {
    const c = await createSession(sessionSpec());
    try {
      expect(c.provider).toBe('cpu');
      expect(c.attempts.map((a) => [a.provider, a.ok])).toEqual([
        ['webgpu', false],
        ['cpu', true],
      ]);
      expect(c.logLine.split('\n')).toHaveLength(1);
      // This machine has no Vulkan loader, or (where a package pulled one in) no GPU behind it.
      expect(c.logLine).toMatch(
        /^stage "vocoder": provider cpu \(not webgpu: (no Vulkan loader \(libvulkan\.so\.1 not found\)|no WebGPU adapter \(.+\)).*Vulkan ICD.*README section "GPU \(WebGPU\)"\)$/,
      );
      expect(c.logLine).not.toContain('onnxruntime_src');
    } finally {
      await c.session.release();
    }
  });

  it('strict: true refuses, naming the stage, the reason and the fix', async () => {
    const err = await createSession(sessionSpec({ strict: true })).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toMatch(
      /^stage "vocoder": provider webgpu did not load \(strict: true\): no (Vulkan loader|WebGPU adapter).* — give the machine a GPU that WebGPU reaches, or set strict: false to fall back$/,
    );
  });
});

describe('the GPU thread, the CPU standing in for the GPU', () => {
  const spans: GpuSpan[] = [];
  let off: () => void;
  beforeAll(() => {
    process.env.REEL_GPU_STAND_IN = 'cpu';
    off = onGpuSpan((span) => spans.push(span));
  });
  afterEach(() => {
    spans.length = 0;
  });
  afterAll(async () => {
    off();
    delete process.env.REEL_GPU_STAND_IN;
    await stopGpuThread();
  });

  it('runs the session on the GPU thread, with the outputs of a session on this thread', async () => {
    const local = await open('local', { provider: ['cpu'] });
    const gpu = await open('vocoder');
    expect(gpu.model.provider).toBe('webgpu');
    expect(gpu.lines).toEqual([
      'stage "vocoder": provider webgpu (on the GPU thread, the CPU standing in: REEL_GPU_STAND_IN)',
    ]);
    expect(gpuThreadStarted()).toBe(true);
    // What the model layer reads of a session (the contract check, warm-up shapes) crossed over.
    expect(gpu.model.inputNames).toEqual(['spec']);
    expect(gpu.model.session.outputMetadata.map((m) => m.name)).toEqual(['audio']);

    const input = spec(24, 1);
    const [a, b] = [await local.model.run({ spec: input }), await gpu.model.run({ spec: input })];
    expect(b.audio.dims).toEqual([1, 1, 24 * 256]);
    expect(Buffer.from(b.audio.data.buffer).equals(Buffer.from(a.audio.data.buffer))).toBe(true);
    // The feed was copied, not moved: the caller still has it.
    expect(input.data.length).toBe(80 * 24);

    // One span per call (the warm-up ran before the listener's test and is in it too), tagged with the stage.
    const mine = spans.filter((s) => s.stage === 'vocoder');
    expect(mine.length).toBeGreaterThanOrEqual(1);
    const last = mine[mine.length - 1];
    expect(last.batch).toBe(1);
    expect(last.end).toBeGreaterThanOrEqual(last.start);
    expect(last.queuedMs).toBeGreaterThanOrEqual(0);
  });

  it('stacks the waiting calls of a stage with batch: into one call, each caller getting its own rows', async () => {
    const local = await open('local', { provider: ['cpu'] });
    const gpu = await open('batched', { batch: { max: 4, delayMs: 2000 }, warmup: 0 });
    const inputs = [0, 1, 2, 3].map((seed) => spec(16, seed));
    const results = await Promise.all(inputs.map((input) => gpu.model.run({ spec: input })));
    const batched = spans.filter((s) => s.stage === 'batched');
    expect(batched.map((s) => s.batch)).toEqual([4, 4, 4, 4]);
    // All four ran in the same call.
    expect(new Set(batched.map((s) => s.start)).size).toBe(1);
    for (const [i, input] of inputs.entries()) {
      const alone = await local.model.run({ spec: input });
      expect(results[i].audio.dims).toEqual([1, 1, 16 * 256]);
      const got = results[i].audio.data as Float32Array;
      const want = alone.audio.data as Float32Array;
      let worst = 0;
      for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs(got[j] - want[j]));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('runs calls whose shapes do not stack one by one', async () => {
    const gpu = await open('uneven', { batch: { max: 2, delayMs: 2000 }, warmup: 0 });
    const results = await Promise.all([gpu.model.run({ spec: spec(10, 0) }), gpu.model.run({ spec: spec(12, 0) })]);
    expect(results.map((r) => r.audio.dims[2])).toEqual([10 * 256, 12 * 256]);
    expect(spans.filter((s) => s.stage === 'uneven').map((s) => s.batch)).toEqual([1, 1]);
  });

  it('reports a broken model file as the model error, not as a provider to fall back from', async () => {
    const err = await openModel({
      stage: 'vocoder',
      path: `${model}.missing.onnx`,
      contract: MANIFESTS.hifigan,
      settings: settings(),
      log: () => undefined,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('MODEL_ERROR');
    expect(err.message).toContain('cannot load model for stage "vocoder"');
  });
});
