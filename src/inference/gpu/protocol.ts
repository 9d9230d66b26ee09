/**
 * Messages between a thread that uses a GPU session (a stage worker, or the main thread) and the
 * GPU thread that owns every WebGPU session of the process. Each user thread has its own
 * MessagePort to the GPU thread; requests carry an id the answer repeats. Feeds travel as plain
 * tensor data (copied: the stage may still hold them); outputs come back in the transfer list.
 */
import type { InferenceSession } from 'onnxruntime-common';
import type { TensorData } from '../../core/types.ts';
import type { ProviderName } from '../provider-probe.ts';
import type { SessionSpec } from '../session-factory.ts';
import type { SerializedError } from '../../runtime/worker-protocol.ts';

/** One model call as the GPU thread ran it. Times are epoch ms (comparable across threads). */
export interface GpuSpan {
  /** The stage that asked (the run's `tag`). */
  stage: string;
  /** The GPU thread started the call (or the batch holding it). */
  start: number;
  end: number;
  /** From the request leaving its thread to the start of the call, ms: waiting for the GPU thread. */
  queuedMs: number;
  /** Requests run together in this call (dynamic batching); 1 = alone. */
  batch: number;
}

export interface SessionShape {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata: readonly InferenceSession.ValueMetadata[];
  outputMetadata: readonly InferenceSession.ValueMetadata[];
}

export type ToGpu =
  /** Create (or share) a session on `chain` (the chain from the GPU provider on). */
  | { type: 'open'; id: number; spec: SessionSpec; chain: readonly ProviderName[] }
  | {
      type: 'run';
      id: number;
      /** The session's key (SessionPool.keyOf). */
      key: string;
      stage: string;
      feeds: Record<string, TensorData>;
      /** Epoch ms when the request left its thread. */
      sent: number;
    }
  | { type: 'release'; id: number; key: string };

export type FromGpu =
  | ({ type: 'opened'; id: number; key: string } & SessionShape)
  /** The provider did not load: `reason` for the log line (a fault of the model itself is `failed`). */
  | { type: 'unavailable'; id: number; reason: string }
  | { type: 'failed'; id: number; error: SerializedError }
  | { type: 'ran'; id: number; outputs: Record<string, TensorData>; span: GpuSpan }
  | { type: 'released'; id: number };

/** workerData of the GPU thread. */
export interface GpuThreadData {
  main: string;
  creationLock: SharedArrayBuffer;
}
