/**
 * The GPU thread: owns every WebGPU session of the process (Dawn crashes when two threads use
 * WebGPU sessions) and runs their calls one at a time, in arrival order, for every stage worker
 * and clip of the process. Sessions are shared by model and settings. A stage whose `batch:`
 * setting is on gets its calls batched here (Triton's rule: up to `max` requests or `delayMs`),
 * when its model's inputs and outputs all lead with a free batch axis.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-common';
import type { TensorData } from '../../core/types.ts';
import { epochNow } from '../../runtime/compute-clock.ts';
import { serializeError } from '../../runtime/worker-protocol.ts';
import { DynamicBatcher } from '../batcher.ts';
import { useCreationLockBuffer } from '../creation-lock.ts';
import { fromOrt, toOrt } from '../ort-tensors.ts';
import { openHere } from '../session-factory.ts';
import { SessionPool } from '../session-pool.ts';
import { concatBatch, splitBatch } from '../tensor-batch.ts';
import { GraphBuilder } from '../../onnx/builder.ts';
import { gpuStandIn, vulkanLoaderProblem, WEBGPU_PROVIDER } from './gpu-availability.ts';
import { markGpuThread } from './gpu-client.ts';
import type { FromGpu, GpuSpan, GpuThreadData, ToGpu } from './protocol.ts';

markGpuThread();
useCreationLockBuffer((workerData as GpuThreadData).creationLock);

type RunRequest = Extract<ToGpu, { type: 'run' }>;
interface Ran {
  outputs: Record<string, TensorData>;
  span: GpuSpan;
}

interface Entry {
  session: InferenceSession;
  users: number;
  /** Calls batched when the stage asked for it and the model allows it. */
  batcher?: DynamicBatcher<RunRequest, Ran>;
  inflight: number;
  idle?: () => void;
}

const entries = new Map<string, Promise<Entry | { reason: string }>>();

/** Calls waiting for the GPU, in arrival order; one runs at a time. */
const waiting: { entry: Entry; requests: RunRequest[]; done: (r: Ran[] | Error) => void }[] = [];
let running = false;

function reply(port: MessagePort, message: FromGpu, transfer: ArrayBuffer[] = []): void {
  try {
    port.postMessage(message, transfer);
  } catch {
    // An output buffer that cannot be moved (held by ONNX Runtime) is copied instead.
    port.postMessage(message);
  }
}

function buffersOf(outputs: Record<string, TensorData>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const t of Object.values(outputs)) if (t.data.buffer instanceof ArrayBuffer) buffers.add(t.data.buffer);
  return [...buffers];
}

/** Whether every input and output has a free first axis: calls can then be stacked along it. */
function batchable(session: InferenceSession): boolean {
  return [...session.inputMetadata, ...session.outputMetadata].every(
    (m) => m.isTensor && m.shape.length > 0 && (typeof m.shape[0] !== 'number' || m.shape[0] === -1),
  );
}

async function open(port: MessagePort, message: Extract<ToGpu, { type: 'open' }>): Promise<void> {
  const key = SessionPool.keyOf({ ...message.spec, provider: message.chain });
  let pending = entries.get(key);
  if (!pending) {
    pending = openHere(message.spec, message.chain).then((opened): Entry | { reason: string } => {
      if ('reason' in opened) return { reason: opened.reason };
      const batch = message.spec.batch;
      const entry: Entry = { session: opened.session, users: 0, inflight: 0 };
      if (batch && batch.max > 1 && batchable(opened.session)) {
        entry.batcher = new DynamicBatcher<RunRequest, Ran>({
          max: batch.max,
          delayMs: batch.delayMs,
          run: (requests) => dispatch(entry, requests),
        });
      }
      return entry;
    });
    entries.set(key, pending);
  }
  try {
    const entry = await pending;
    if ('reason' in entry) {
      entries.delete(key);
      return reply(port, { type: 'unavailable', id: message.id, reason: entry.reason });
    }
    entry.users++;
    const { session } = entry;
    reply(port, {
      type: 'opened',
      id: message.id,
      key,
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      inputMetadata: session.inputMetadata,
      outputMetadata: session.outputMetadata,
    });
  } catch (err) {
    entries.delete(key);
    reply(port, { type: 'failed', id: message.id, error: serializeError(err) });
  }
}

/** Queues one GPU call for `requests` (one, or a batch); resolves with a result per request. */
function dispatch(entry: Entry, requests: RunRequest[]): Promise<Ran[]> {
  return new Promise<Ran[]>((resolve, reject) => {
    waiting.push({ entry, requests, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
    void drain();
  });
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let call = waiting.shift(); call; call = waiting.shift()) {
      call.entry.inflight++;
      try {
        call.done(await runCall(call.entry.session, call.requests));
      } catch (err) {
        call.done(err instanceof Error ? err : new Error(String(err)));
      } finally {
        if (--call.entry.inflight === 0) call.entry.idle?.();
      }
    }
  } finally {
    running = false;
  }
}

/** Stacks the feeds of `requests` (when there are several), runs once and splits the outputs. */
async function runCall(session: InferenceSession, requests: RunRequest[]): Promise<Ran[]> {
  const stacked = requests.length > 1 ? stack(requests) : undefined;
  if (requests.length > 1 && !stacked) {
    // Shapes that do not stack (chunks of different lengths) run one by one.
    const results: Ran[] = [];
    for (const request of requests) results.push(...(await runCall(session, [request])));
    return results;
  }
  const feeds = stacked ?? requests[0].feeds;
  const tensors = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, toOrt(t)]));
  const start = epochNow();
  const out = await session.run(tensors);
  const end = epochNow();
  const outputs: Record<string, TensorData> = {};
  for (const [name, t] of Object.entries(out)) outputs[name] = fromOrt(t);
  const span = (r: RunRequest): GpuSpan => ({
    stage: r.stage,
    start,
    end,
    queuedMs: Math.max(0, start - r.sent),
    batch: requests.length,
  });
  if (requests.length === 1) return [{ outputs, span: span(requests[0]) }];
  const sizes = requests.map((r) => Object.values(r.feeds)[0].dims[0]);
  const pieces = Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, splitBatch(t, sizes)]));
  return requests.map((r, i) => ({
    outputs: Object.fromEntries(Object.keys(outputs).map((name) => [name, pieces[name][i]])),
    span: span(r),
  }));
}

function stack(requests: readonly RunRequest[]): Record<string, TensorData> | undefined {
  try {
    const names = Object.keys(requests[0].feeds);
    return Object.fromEntries(names.map((name) => [name, concatBatch(requests.map((r) => r.feeds[name]))]));
  } catch {
    return undefined;
  }
}

async function run(port: MessagePort, message: Extract<ToGpu, { type: 'run' }>): Promise<void> {
  const entry = await entries.get(message.key);
  if (!entry || 'reason' in entry) {
    const error = serializeError(new Error(`no session ${message.key.slice(0, 80)} on the GPU thread`));
    return reply(port, { type: 'failed', id: message.id, error });
  }
  try {
    const [ran] = entry.batcher ? [await entry.batcher.submit(message)] : await dispatch(entry, [message]);
    reply(port, { type: 'ran', id: message.id, outputs: ran.outputs, span: ran.span }, buffersOf(ran.outputs));
  } catch (err) {
    reply(port, { type: 'failed', id: message.id, error: serializeError(err) });
  }
}

async function release(port: MessagePort, message: Extract<ToGpu, { type: 'release' }>): Promise<void> {
  const pending = entries.get(message.key);
  const entry = pending && (await pending);
  if (entry && !('reason' in entry) && --entry.users <= 0) {
    entries.delete(message.key);
    // Releasing a native session under a running call aborts the process: wait for it.
    if (entry.inflight > 0) await new Promise<void>((resolve) => (entry.idle = resolve));
    await entry.session.release();
  }
  reply(port, { type: 'released', id: message.id });
}

function serve(port: MessagePort): void {
  port.on('message', (message: ToGpu) => {
    if (message.type === 'open') void open(port, message);
    else if (message.type === 'run') void run(port, message);
    else if (message.type === 'release') void release(port, message);
  });
}

let warmed: Promise<unknown> | undefined;

/**
 * Opens the GPU device ahead of the first stage session: a one-operator session kept for the
 * thread's life (ONNX Runtime's WebGPU context lives while a session uses it). Failures are left
 * to the real sessions, which report them.
 */
function warm(): void {
  if (warmed || gpuStandIn() || vulkanLoaderProblem()) return;
  const b = new GraphBuilder('warm-up', 'warm-up');
  b.output(b.relu(b.input('x', 'float32', [1])), 'y', 'float32', [1]);
  warmed = import('onnxruntime-node')
    .then((ort) => {
      // The first session of the process makes ONNX Runtime's one environment, and its log level
      // stays the process's: at the default, a later failed CUDA or TensorRT attempt on a stage's
      // thread printed native errors on stderr (seen on the GPU host). As session-factory sets it.
      ort.env.logLevel = 'fatal';
      return ort.InferenceSession.create(b.model(), { executionProviders: [WEBGPU_PROVIDER] });
    })
    .catch(() => undefined);
}

parentPort?.on('message', (message: { type: 'connect'; port: MessagePort } | { type: 'warm' }) => {
  if (message.type === 'connect') serve(message.port);
  else if (message.type === 'warm') warm();
});
