/**
 * Messages between the main thread and a stage worker. Packets travel with their payload buffers
 * in the transfer list (see transfer.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import type { ItemData } from '../core/item.ts';
import type { ModuleExport } from '../core/module-export.ts';
import { ReelError } from '../core/errors.ts';
import type { LogLevel, PortPacket } from '../core/stage.ts';
import type { GpuSpan } from '../inference/gpu/protocol.ts';
import type { ComputeSegment } from './compute-clock.ts';
import type { HostContext } from './transform-host.ts';

export interface WorkerInit {
  type: 'init';
  kind: string;
  /** URL of the module exporting the definition (needed without createIn). */
  module?: string;
  /** The definition's createIn: the worker takes `create` from there and loads no definition. */
  createIn?: ModuleExport;
  /** Output ports whose packets the worker makes in shared memory (transfer.ts prepareOutput). */
  sharedOutputs?: readonly string[];
  options: Readonly<Record<string, unknown>>;
  context: HostContext;
  /**
   * The worker is kept warm between clips (a batch's engine): its sessions stay open when the
   * instance is disposed, for the next instance to take.
   */
  pooled?: boolean;
}

/**
 * Whole inputs travel once per clip, not with every item: `item.whole` holds only the packets the
 * worker has not had yet; `ids` names every whole packet of the item (the worker keeps them by
 * id, so an item sees the same packet object each time and a stage may cache what it derives from
 * it); `reset` drops everything kept before (the host's first item); `release` ids are no longer
 * needed after this item (their clip's last use, or a clip the host stopped keeping).
 */
export interface WholeRefs {
  ids: Readonly<Record<string, number>>;
  reset: boolean;
  release: readonly number[];
}

export type ToWorker =
  | WorkerInit
  | { type: 'item'; seq: number; item: ItemData; wholes: WholeRefs }
  /** Dispose the instance; `keep`: the thread lives on for another instance (its sessions kept). */
  | { type: 'dispose'; keep?: boolean }
  /** Answer to `await-room`: the stage's downstream queues have room again. */
  | { type: 'room'; id: number }
  /** Answer to `gpu-port`: this worker's port to the process's GPU thread. */
  | { type: 'gpu-port'; port: MessagePort };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** For reel's own errors: what the CLI needs to report them as they were thrown. */
  code?: string;
  exitCode?: number;
  lines?: string[];
}

export type FromWorker =
  | { type: 'ready' }
  /**
   * `finite`: for audio, the worker's check of its samples (core/finite.ts nonFiniteOutput): null
   * when all are finite, else the line that refuses the packet.
   */
  | { type: 'packet'; seq: number; out: PortPacket; finite?: string | null }
  | { type: 'segment'; seq: number; segment: ComputeSegment }
  | { type: 'done'; seq: number }
  | { type: 'error'; seq?: number; error: SerializedError }
  | { type: 'log'; line: string; level?: LogLevel }
  /** The instance's report of a long item's progress (StageCreateContext.progress). */
  | { type: 'progress'; done: number; total: number; of?: string }
  | { type: 'await-room'; id: number }
  /** The worker's first GPU session asks for a port to the GPU thread (which the main thread owns). */
  | { type: 'gpu-port' }
  /** A model call of the current item, run on the GPU thread. */
  | { type: 'gpu'; seq: number; span: GpuSpan }
  | { type: 'disposed' };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof ReelError)
    return {
      name: err.name,
      message: err.message,
      stack: err.stack,
      code: err.code,
      exitCode: err.exitCode,
      lines: err.lines(),
    };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** A reel error thrown in a worker, rebuilt with its code, exit code and lines. */
class WorkerReelError extends ReelError {
  override readonly code: string;
  override readonly exitCode: number;
  private readonly errorLines: string[];

  constructor(e: SerializedError) {
    super(e.message);
    this.name = e.name;
    this.code = e.code ?? 'REEL_ERROR';
    this.exitCode = e.exitCode ?? 1;
    this.errorLines = e.lines ?? [e.message];
  }

  override lines(): string[] {
    return this.errorLines;
  }
}

export function deserializeError(e: SerializedError): Error {
  const err = e.code ? new WorkerReelError(e) : new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
