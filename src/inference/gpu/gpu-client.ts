/**
 * The side of the GPU thread that a stage sees: a session whose calls run on the GPU thread. Each
 * thread (a stage worker, or the main thread) has one port to the GPU thread, got once from
 * `gpuPortSource` (a stage worker asks its parent; the main thread connects directly), and a
 * `RemoteSession` per model that looks to the model layer like an ONNX Runtime session.
 */
import type { MessagePort } from 'node:worker_threads';
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { TensorData } from '../../core/types.ts';
import { epochNow } from '../../runtime/compute-clock.ts';
import { deserializeError } from '../../runtime/worker-protocol.ts';
import type { ProviderName } from '../provider-probe.ts';
import type { SessionSpec } from '../session-factory.ts';
import type { FromGpu, GpuSpan, SessionShape, ToGpu } from './protocol.ts';

let onGpuThread = false;

/** Called once by the GPU thread: sessions it creates are made here, not delegated. */
export function markGpuThread(): void {
  onGpuThread = true;
}

export function isGpuThread(): boolean {
  return onGpuThread;
}

type PortSource = () => Promise<MessagePort>;
let portSource: PortSource = async () => (await import('./gpu-thread.ts')).connectGpuThread();

/** A stage worker gets its port from its parent (which owns the GPU thread). */
export function useGpuPortSource(source: PortSource): void {
  portSource = source;
}

const spanListeners = new Set<(span: GpuSpan) => void>();

/** Calls `listener` with every GPU call this thread's sessions make; returns the unsubscribe. */
export function onGpuSpan(listener: (span: GpuSpan) => void): () => void {
  spanListeners.add(listener);
  return () => spanListeners.delete(listener);
}

type Request = ToGpu extends infer M ? (M extends ToGpu ? Omit<M, 'id'> : never) : never;

class GpuClient {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (m: FromGpu) => void; reject: (e: Error) => void }>();
  private ended: Error | undefined;

  constructor(private readonly port: MessagePort) {
    port.on('message', (message: FromGpu) => this.answer(message));
    port.on('close', () => this.end(new Error('the GPU thread ended')));
    // Only a call in flight keeps the process alive (see request).
    port.unref();
  }

  /** `transfer`: buffers the message owns alone, moved to the GPU thread instead of copied. */
  request(message: Request, transfer: ArrayBuffer[] = []): Promise<FromGpu> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise<FromGpu>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.port.ref();
      this.port.postMessage({ ...message, id } as ToGpu, transfer);
    });
  }

  private answer(message: FromGpu): void {
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.port.unref();
    waiter.resolve(message);
  }

  private end(reason: Error): void {
    this.ended = reason;
    for (const waiter of this.pending.values()) waiter.reject(reason);
    this.pending.clear();
  }
}

let client: Promise<GpuClient> | undefined;

function gpuClient(): Promise<GpuClient> {
  client ??= portSource().then((port) => new GpuClient(port));
  return client;
}

/** Tensor conversions (ort-tensors.ts), loaded with ONNX Runtime only once a GPU session is opened. */
type Tensors = typeof import('../ort-tensors.ts');

/** An ONNX Runtime session on the GPU thread, as the model layer uses one. */
class RemoteSession implements SessionShape {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];

  constructor(
    private readonly gpu: GpuClient,
    private readonly tensors: Tensors,
    private readonly key: string,
    private readonly defaultStage: string,
    shape: SessionShape,
  ) {
    this.inputNames = shape.inputNames;
    this.outputNames = shape.outputNames;
    this.inputMetadata = shape.inputMetadata;
    this.outputMetadata = shape.outputMetadata;
  }

  /** As InferenceSession.run(feeds, options): the model layer never asks for a subset of outputs. */
  async run(
    feeds: InferenceSession.FeedsType,
    runOptions?: InferenceSession.RunOptions,
  ): Promise<Record<string, Tensor>> {
    const plain: Record<string, TensorData> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, t] of Object.entries(feeds)) {
      const posted = this.tensors.forPosting(this.tensors.fromOrt(t));
      plain[name] = posted.tensor;
      if (posted.transfer) transfer.push(posted.transfer);
    }
    const stage = runOptions?.tag ?? this.defaultStage;
    const request = { type: 'run', key: this.key, stage, feeds: plain, sent: epochNow() } as const;
    const answer = await this.gpu.request(request, transfer);
    if (answer.type === 'failed') throw deserializeError(answer.error);
    if (answer.type !== 'ran') throw new Error(`GPU thread answered ${answer.type} to a run`);
    for (const listener of spanListeners) listener(answer.span);
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(answer.outputs)) out[name] = this.tensors.toOrt(t);
    return out;
  }

  async release(): Promise<void> {
    await this.gpu.request({ type: 'release', key: this.key });
  }
}

/**
 * Creates the session on the GPU thread (the chain from its GPU provider on): the session, or
 * why the provider did not load there. A problem of the model itself is thrown.
 */
export async function openOnGpuThread(
  spec: SessionSpec,
  chain: readonly ProviderName[],
): Promise<{ session: InferenceSession } | { reason: string }> {
  const [gpu, tensors] = await Promise.all([gpuClient(), import('../ort-tensors.ts')]);
  const answer = await gpu.request({ type: 'open', spec, chain });
  if (answer.type === 'unavailable') return { reason: answer.reason };
  if (answer.type === 'failed') throw deserializeError(answer.error);
  if (answer.type !== 'opened') throw new Error(`GPU thread answered ${answer.type} to an open`);
  const session = new RemoteSession(gpu, tensors, answer.key, spec.stage, answer);
  return { session: session as unknown as InferenceSession };
}
