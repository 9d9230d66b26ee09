/**
 * Messages between the main thread and a stage worker. Packets travel with their payload buffers
 * in the transfer list (see transfer.ts).
 */
import type { PortPacket } from '../core/stage.ts';
import type { HostContext } from './stage-host.ts';

export interface WorkerInit {
  type: 'init';
  kind: string;
  /** URL of the module exporting the definition; absent for built-in kinds (stages/index.ts). */
  module?: string;
  options: Readonly<Record<string, unknown>>;
  context: HostContext;
  outputPorts: readonly string[];
}

export type ToWorker =
  | WorkerInit
  | { type: 'item'; seq: number; packets: PortPacket[] }
  | { type: 'end' }
  | { type: 'dispose' };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'packet'; seq: number; out: PortPacket }
  | { type: 'done'; seq: number }
  | { type: 'complete'; files: readonly string[] }
  | { type: 'error'; seq?: number; error: SerializedError }
  | { type: 'log'; line: string }
  | { type: 'disposed' };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

export function deserializeError(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
