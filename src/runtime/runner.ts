/**
 * What the scheduler needs from every node, and the pieces runners share: output edges with
 * room checks, fan-out delivery, and the environment of the run.
 */
import { EXIT, ReelError, StageError } from '../core/errors.ts';
import type { PortPacket } from '../core/stage.ts';
import type { ChunkInfo, Packet } from '../core/types.ts';
import type { GraphNode } from '../graph/types.ts';
import { StageMetricsRecorder } from '../metrics/stage-metrics.ts';
import type { TraceRecorder } from '../metrics/trace.ts';
import type { InputQueue } from './input-queue.ts';

export type RunEvent =
  | { type: 'log'; stage: string; line: string }
  | { type: 'chunk'; stage: string; chunk: ChunkInfo; ms: number };

export interface RunnerEnv {
  pipeline: string;
  trace: TraceRecorder;
  /** Ask for a scheduling pass (coalesced). */
  schedule(): void;
  /** End the run with this failure. */
  fail(err: unknown): void;
  emit(event: RunEvent): void;
  /** A chunk taking longer than this inside one stage fails the run; undefined = no limit. */
  stageTimeoutMs?: number;
  /** Packets delivered to more than one consumer, by how many (a worker must copy those). */
  fanout: WeakMap<Packet, number>;
}

export interface Runner {
  readonly node: GraphNode;
  readonly metrics: StageMetricsRecorder;
  /** Every output has been delivered and the downstream edges are closed. */
  readonly finished: boolean;
  /** Works on a chunk right now (beyond chunks it merely holds as lookahead). */
  busy(): boolean;
  /** Start one more chunk if allowed and possible; true if it did. */
  tryStart(allowed: boolean): boolean;
  dispose(): Promise<void>;
  files(): readonly string[];
  /** Sinks: move finished outputs into place; called once every runner has finished. */
  commit(): Promise<void>;
}

/** The input queues a node's output ports feed, by port. */
export class OutputEdges {
  constructor(
    private readonly node: GraphNode,
    private readonly byPort: ReadonlyMap<string, readonly InputQueue[]>,
    private readonly env: RunnerEnv,
  ) {}

  /**
   * Whether one more chunk may start, given `inflight` chunks already inside the stage. Each
   * downstream queue holds at most max(queue, concurrency) packets, counting the chunks this
   * stage is still working on; a stage that holds `lookahead` chunks may always take that many.
   */
  hasRoom(inflight: number, concurrency: number, lookahead: number): boolean {
    for (const queues of this.byPort.values()) {
      for (const queue of queues) {
        const limit = Math.max(queue.capacity, concurrency);
        if (queue.length + inflight >= limit && !(inflight <= lookahead && queue.length < limit)) return false;
      }
    }
    return true;
  }

  deliver(out: PortPacket): void {
    const queues = this.byPort.get(out.port);
    if (!queues) {
      if (Object.keys(this.node.def.outputs).length === 0) return; // a sink's acknowledgement
      if (!(out.port in this.node.def.outputs)) {
        throw new StageError(
          { pipeline: this.env.pipeline, stage: this.node.id, chunkIndex: out.packet.chunk.index },
          `emitted on unknown port "${out.port}" (its ports: ${Object.keys(this.node.def.outputs).join(', ')})`,
        );
      }
      return; // a declared port nobody consumes
    }
    if (queues.length > 1) this.env.fanout.set(out.packet, queues.length);
    // Re-tag with each consumer's own input port name.
    for (const queue of queues) queue.push({ port: queue.port, packet: out.packet });
  }

  close(): void {
    for (const queues of this.byPort.values()) for (const queue of queues) queue.ended = true;
  }
}

/** A failure of one stage on one chunk, in the terms the user sees. */
export function stageError(pipeline: string, stage: string, chunk: ChunkInfo | undefined, cause: unknown): ReelError {
  if (cause instanceof StageError) return cause;
  // Errors that already say all a user needs (a model that does not fit its contract, a provider
  // that is missing, a bad option found at start) keep their lines and exit code.
  if (cause instanceof ReelError && (cause.exitCode === EXIT.usage || cause.code === 'CONTRACT_ERROR' || cause.code === 'PROVIDER_ERROR')) return cause;
  const raw = cause instanceof Error ? cause.message : String(cause);
  // Errors thrown by reel's own layers often name the stage already; say it once.
  const message = raw.startsWith(`stage "${stage}": `) ? raw.slice(`stage "${stage}": `.length) : raw;
  return new StageError(
    { pipeline, stage, chunkIndex: chunk?.index, start: chunk?.start, end: chunk?.end },
    message,
    { cause },
  );
}
