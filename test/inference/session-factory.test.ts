/**
 * The provider chain on this CPU-only machine, with real sessions: GPU providers are tried, fail
 * (their libraries are not installed), and the stage lands on CPU with one log line — or, with
 * strict, fails naming the stage and the missing library. TensorRT settings reach the environment
 * each session is created under, and two stages' settings never mix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../models/reference.ts';
import { ModelError, ProviderError } from '../../src/core/errors.ts';
import { BUILTIN_SETTINGS } from '../../src/graph/settings.ts';
import { withCreationLock } from '../../src/inference/creation-lock.ts';
import { createSession, type CreatedSession, type SessionSpec } from '../../src/inference/session-factory.ts';
import { currentTensorRtEnvironment } from '../../src/inference/tensorrt-env.ts';
import { SessionPool } from '../../src/inference/session-pool.ts';

let model: string;
const created: CreatedSession[] = [];
const spec = (over: Partial<SessionSpec> = {}): SessionSpec => ({
  stage: 'vocoder',
  model,
  provider: ['cpu'],
  strict: false,
  deviceId: 0,
  threads: BUILTIN_SETTINGS.threads,
  tensorrt: {},
  ...over,
});
const keep = (c: CreatedSession) => {
  created.push(c);
  return c;
};

beforeAll(async () => {
  model = await ensureReferenceModel('hifigan', 'tiny');
});
afterAll(async () => {
  await Promise.all(created.map((c) => c.session.release()));
});

describe('provider chain', () => {
  it('[tensorrt, cuda, cpu] lands on cpu and says why the GPU providers were not taken, in one line', async () => {
    const c = keep(await createSession(spec({ provider: ['tensorrt', 'cuda', 'cpu'] })));
    expect(c.provider).toBe('cpu');
    expect(c.attempts.map((a) => [a.provider, a.ok])).toEqual([
      ['tensorrt', false],
      ['cuda', false],
      ['cpu', true],
    ]);
    expect(c.logLine.split('\n')).toHaveLength(1);
    expect(c.logLine).toMatch(
      /^stage "vocoder": provider cpu \(not tensorrt: .*libonnxruntime_providers_\w+\.so.* not installed; not cuda: .*\)$/,
    );
    // The session works.
    const ort = await import('onnxruntime-node');
    const out = await c.session.run({ spec: new ort.Tensor('float32', new Float32Array(80 * 10), [1, 80, 10]) });
    expect(out.audio.dims).toEqual([1, 1, 2560]);
  });

  it('strict: true fails on the first provider, naming the stage and the missing library', async () => {
    const err = await createSession(spec({ provider: ['cuda', 'cpu'], strict: true })).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(
      /^stage "vocoder": provider cuda did not load \(strict: true\): .*libonnxruntime_providers_\w+\.so/,
    );
  });

  it('a missing or corrupt model file is a ModelError at once, not a provider fallback', async () => {
    const err = await createSession(spec({ model: '/nonexistent/m.onnx', provider: ['cuda', 'cpu'] })).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.message).toContain('/nonexistent/m.onnx');
  });
});

describe('TensorRT settings', () => {
  it('each session is created under exactly its own ORT_TENSORRT_* environment, restored afterwards', async () => {
    const before = currentTensorRtEnvironment();
    const a = spec({
      stage: 'a',
      provider: ['tensorrt', 'cpu'],
      tensorrt: { fp16: true, engineCache: '/tmp/trt-a', maxWorkspaceBytes: 1 << 30 },
    });
    const b = spec({
      stage: 'b',
      provider: ['tensorrt', 'cpu'],
      tensorrt: {
        int8: true,
        calibrationTable: '/tmp/calib.bin',
        minSubgraphSize: 3,
        profileShapes: { min: 'spec:1x80x8', opt: 'spec:1x80x64', max: 'spec:1x80x256' },
      },
    });
    // Created concurrently: the creation lock keeps the two environments apart.
    const [ca, cb] = (await Promise.all([createSession(a), createSession(b)])).map(keep);
    expect(ca.attempts[0].environment).toEqual({
      ORT_TENSORRT_FP16_ENABLE: '1',
      ORT_TENSORRT_INT8_ENABLE: '0',
      ORT_TENSORRT_ENGINE_CACHE_ENABLE: '1',
      ORT_TENSORRT_CACHE_PATH: '/tmp/trt-a',
      ORT_TENSORRT_TIMING_CACHE_ENABLE: '0',
      ORT_TENSORRT_MAX_WORKSPACE_SIZE: String(1 << 30),
    });
    expect(cb.attempts[0].environment).toEqual({
      ORT_TENSORRT_FP16_ENABLE: '0',
      ORT_TENSORRT_INT8_ENABLE: '1',
      ORT_TENSORRT_INT8_CALIBRATION_TABLE_NAME: '/tmp/calib.bin',
      ORT_TENSORRT_ENGINE_CACHE_ENABLE: '0',
      ORT_TENSORRT_TIMING_CACHE_ENABLE: '0',
      ORT_TENSORRT_MIN_SUBGRAPH_SIZE: '3',
      ORT_TENSORRT_PROFILE_MIN_SHAPES: 'spec:1x80x8',
      ORT_TENSORRT_PROFILE_OPT_SHAPES: 'spec:1x80x64',
      ORT_TENSORRT_PROFILE_MAX_SHAPES: 'spec:1x80x256',
    });
    // The CPU fallback attempt is made without TensorRT variables.
    expect(ca.attempts[1]).toMatchObject({ provider: 'cpu', ok: true, environment: {} });
    expect(currentTensorRtEnvironment()).toEqual(before);
  });

  it('only TensorRT creations take the lock: CPU sessions are made while another thread holds it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = withCreationLock(() => held);
    // Two CPU sessions finish while the lock is held (they would wait for ever if they took it).
    const cpu = (await Promise.all([createSession(spec()), createSession(spec({ stage: 'other' }))])).map(keep);
    expect(cpu.map((c) => c.provider)).toEqual(['cpu', 'cpu']);
    // A TensorRT attempt queues behind the holder, then falls back to CPU once it lets go.
    let trtDone = false;
    const trt = createSession(spec({ provider: ['tensorrt', 'cpu'] })).then((c) => {
      trtDone = true;
      return keep(c);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(trtDone).toBe(false);
    release();
    await holder;
    expect((await trt).provider).toBe('cpu');
  });
});

describe('session sharing', () => {
  it('the same model and settings share one session; different settings get their own', async () => {
    const pool = new SessionPool();
    const s1 = await pool.acquire(spec({ stage: 'x' }));
    const s2 = await pool.acquire(spec({ stage: 'y' }));
    const s3 = await pool.acquire(spec({ stage: 'z', threads: { intraOp: 2, interOp: 1, spinning: false } }));
    expect(s1.session).toBe(s2.session);
    expect(s3.session).not.toBe(s1.session);
    expect(pool.size).toBe(2);
    await pool.release(spec({ stage: 'x' }));
    expect(pool.size).toBe(2);
    await pool.release(spec({ stage: 'y' }));
    expect(pool.size).toBe(1);
    await pool.release(spec({ stage: 'z', threads: { intraOp: 2, interOp: 1, spinning: false } }));
    expect(pool.size).toBe(0);
  });
});
