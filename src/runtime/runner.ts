/**
 * What the scheduler needs from every node, and the pieces runners share: output edges with
 * room checks, fan-out delivery, and the environment of the run.
 */
import { EXIT, ReelError, StageError } from '../core/errors.ts';
import { nonFiniteOutput } from '../core/finite.ts';
import type { LogLevel, PortPacket, StageDefinition } from '../core/stage.ts';
import type { AudioPacket, ChunkInfo, Packet } from '../core/types.ts';
import type { GraphNode } from '../graph/types.ts';
import type { StageMetricsRecorder } from '../metrics/stage-metrics.ts';
import type { TraceRecorder } from '../metrics/trace.ts';
import { hasRoom, hasRoomForPacket } from './flow-control.ts';
import type { InputQueue } from './input-queue.ts';

export type RunEvent =
  | { type: 'log'; stage: string; line: string; level?: LogLevel }
  /** The core budget's plan, one line: at start, and again when measured costs changed it. */
  | { type: 'budget'; line: string }
  | { type: 'chunk'; stage: string; chunk: ChunkInfo; ms: number }
  /** A stage's report of a long item's progress: step `done` of `total` (a denoising loop). */
  | { type: 'step'; stage: string; done: number; total: number; of?: string }
  /** The clip's length, seconds, once the sources that chunk it know it (before the first chunk). */
  | { type: 'length'; seconds: number };

export interface RunnerEnv {
  pipeline: string;
  trace: TraceRecorder;
  /** Ask for a scheduling pass (coalesced). */
  schedule(): void;
  /** End the run with this failure. */
  fail(err: unknown): void;
  emit(event: RunEvent): void;
  /** An item taking longer than this inside one stage fails the run; undefined = no limit. */
  stageTimeoutMs?: number;
  /** Packets delivered to more than one consumer, by how many (a worker must copy those). */
  fanout: WeakMap<Packet, number>;
}

export interface Runner {
  readonly node: GraphNode;
  readonly metrics: StageMetricsRecorder;
  /** Every output has been delivered and the downstream edges are closed (sinks: finished). */
  readonly finished: boolean;
  /** Works on an item right now (a generator parked for room downstream does not count). */
  busy(): boolean;
  /** Take input and start one more item if `allowed` and possible; true if anything moved. */
  tryStart(allowed: boolean): boolean;
  dispose(): Promise<void>;
  files(): readonly string[];
  /** Sinks: move finished outputs into place; called once every runner has finished. */
  commit(): Promise<void>;
}

/** The input queues a node's output ports feed, by port. */
export class OutputEdges {
  /** Every downstream queue (each is an edge load: its length and capacity). */
  private readonly queues: readonly InputQueue[];

  constructor(
    private readonly node: GraphNode,
    private readonly byPort: ReadonlyMap<string, readonly InputQueue[]>,
    private readonly env: RunnerEnv,
  ) {
    this.queues = [...byPort.values()].flat();
  }

  /** Whether one more item may start, with `inflight` items already started (flow-control.ts). */
  hasRoom(inflight: number, concurrency: number): boolean {
    return hasRoom(this.queues, inflight, concurrency);
  }

  /** Whether a generating item may emit one more packet. */
  hasRoomForPacket(): boolean {
    return hasRoomForPacket(this.queues);
  }

  deliver(out: PortPacket): void {
    const queues = this.byPort.get(out.port);
    if (!queues) {
      if (!(out.port in this.node.def.outputs)) {
        throw new StageError(
          { pipeline: this.env.pipeline, stage: this.node.id, chunkIndex: out.packet.chunk.index },
          `emitted on unknown port "${out.port}" (its ports: ${Object.keys(this.node.def.outputs).join(', ') || 'none'})`,
        );
      }
      return; // a declared port nobody consumes
    }
    if (out.packet.kind === 'audio') this.checkFinite(out.port, out.packet);
    if (queues.length > 1) this.env.fanout.set(out.packet, queues.length);
    // Re-tag with each consumer's own input port name.
    for (const queue of queues) queue.push({ port: queue.port, packet: out.packet });
  }

  close(): void {
    for (const queue of this.queues) queue.ended = true;
  }

  /** Every consumer has finished: nothing this node makes would be taken (a looped input). */
  get unwanted(): boolean {
    return this.queues.length > 0 && this.queues.every((queue) => queue.unwanted);
  }

  /**
   * A NaN or ±Inf sample stops the run here, named, instead of being silenced downstream
   * (core/finite.ts): on the stage worker's verdict when one made the packet, else checked here.
   */
  private checkFinite(port: string, packet: AudioPacket): void {
    const verdict = finiteVerdicts.get(packet);
    const refused = verdict === undefined ? nonFiniteOutput(port, packet) : (verdict ?? undefined);
    if (refused === undefined) return;
    throw new StageError({ pipeline: this.env.pipeline, stage: this.node.id, chunkIndex: packet.chunk.index }, refused);
  }
}

/** Stage workers' checks of the audio packets they posted: null when finite, else the refusing line. */
const finiteVerdicts = new WeakMap<Packet, string | null>();

/** A stage worker's check of a packet it made (nonFiniteOutput): the runtime does not read it again. */
export function noteFiniteVerdict(packet: Packet, verdict: string | null): void {
  finiteVerdicts.set(packet, verdict);
}

/** The verdict noted for a packet: null finite, a string refused, undefined none (for tests). */
export function finiteVerdictOf(packet: Packet): string | null | undefined {
  return finiteVerdicts.get(packet);
}

/** The kind's `create`. runPipeline refuses kinds without one before anything starts; a worker loads its own copy. */
export function creatorOf<D extends StageDefinition>(def: D): NonNullable<D['create']> {
  if (!def.create) throw new Error(`stage kind "${def.kind}" is declared but not implemented yet`);
  return def.create as NonNullable<D['create']>;
}

/** A failure of one stage on one chunk, in the terms the user sees: stage, chunk and time range once. */
export function stageError(pipeline: string, stage: string, chunk: ChunkInfo | undefined, cause: unknown): ReelError {
  if (cause instanceof StageError) return cause;
  // Errors that already say all a user needs (a model that does not fit its contract, a provider
  // that is missing, a bad option found at start) keep their lines and exit code.
  if (
    cause instanceof ReelError &&
    (cause.exitCode === EXIT.usage ||
      cause.code === 'CONTRACT_ERROR' ||
      cause.code === 'PROVIDER_ERROR' ||
      cause.code === 'CANCELLED')
  )
    return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new StageError({ pipeline, stage, chunkIndex: chunk?.index, start: chunk?.start, end: chunk?.end }, message, {
    cause,
  });
}
