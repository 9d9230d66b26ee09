/**
 * Where a stage instance runs: in the main thread (sources, sinks, transforms, and everything in
 * sequential mode) or in its own worker thread (inference stages in pipelined mode). The node
 * runner sees only this interface.
 */
import type { PortPacket, StageCreateContext, StageDefinition } from '../core/stage.ts';
import type { DriverEvents, WorkItem } from './operator-driver.ts';

export interface StageHost {
  /** Items submitted and not yet done. */
  readonly inflight: number;
  submit(item: WorkItem): void;
  /** No more items will come. */
  end(): void;
  /** Files a sink wrote; valid after `commit`. */
  files(): readonly string[];
  /** Sinks: move the finished output into place (every sink of the run has finished). */
  commit(): Promise<void>;
  /**
   * Stop now and release everything the instance holds (sessions, workers, child processes).
   * `hung`: the instance stopped answering (stage timeout); do not wait for it to clean up.
   */
  dispose(hung?: boolean): Promise<void>;
}

/** A source instance: pulled one packet at a time; `undefined` once exhausted. */
export interface SourceHost {
  pull(): Promise<PortPacket | undefined>;
  dispose(): Promise<void>;
}

/** The serialisable part of a create context; the host adds `signal` and `log`. */
export type HostContext = Omit<StageCreateContext, 'signal' | 'log' | 'outputRoom'>;

export interface HostSpec {
  def: StageDefinition;
  options: Readonly<Record<string, unknown>>;
  context: HostContext;
  outputPorts: readonly string[];
  log: (line: string) => void;
  /** Resolves when the node's downstream queues have room (see StageCreateContext.outputRoom). */
  outputRoom?: () => Promise<void>;
  /** Whether a packet is also held by another consumer (so it must be copied, not moved). */
  shared?: (packet: PortPacket['packet']) => boolean;
}

export type HostEvents = DriverEvents;
