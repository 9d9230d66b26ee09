/**
 * What a stage kind is: its ports, its options schema (every field with a default and a unit),
 * the model files it loads, the context a chunk needs, and — once implemented — how to create a
 * running instance. `stages/<kind>.ts` each export one `defineStage(...)`; `stages/index.ts` is the
 * one list of built-in kinds.
 */
import type { OperatorFunction } from 'rxjs';
import type { z } from 'zod';
import type { NodeSettings } from './settings.ts';
import type { Packet, PortType } from './types.ts';

export interface PortSpec {
  type: PortType;
  doc: string;
  /** May be left unwired (e.g. a reference voice that only tunes the pitch). */
  optional?: boolean;
  /**
   * The stage needs this input whole, as one packet (a script, a voice prompt, a face loop): the
   * source sends it unchunked when every consumer wants it whole, and the join does not wait for
   * it after its one packet.
   */
  whole?: boolean;
}

/** A model file a stage loads, by slot. `family` names the contract in `models/manifests`. */
export interface ModelSlot {
  family: string;
  doc: string;
}

/**
 * What a chunk needs beyond its own range, and the unit chunks must be cut on. A stage with a
 * finite receptive field declares it here; the chunk planner adds it and the stitcher trims it.
 */
export interface StageContext {
  /** Seconds of input needed before / after a chunk's owned range. */
  beforeSeconds: number;
  afterSeconds: number;
  /** Frames of video needed before / after (for frame-based stages, e.g. a smoothing window). */
  framesBefore?: number;
  framesAfter?: number;
  /** Chunk boundaries fall on multiples of this many seconds (a hop, a latent frame), if set. */
  granularitySeconds?: number;
  /** The whole input must be seen at once (no chunking through this stage). */
  wholeClip?: boolean;
}

/** Facts the runtime hands a stage instance when it is created. */
export interface StageCreateContext {
  /** The stage's id in the pipeline (the YAML key). */
  id: string;
  /** Resolved absolute model file per slot. */
  models: Readonly<Record<string, string>>;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Source nodes: the file bound to the node's pipeline input (`--input NAME=PATH`). */
  inputPath?: string;
  /** Sink nodes: the pipeline output name the node writes (its `binding`). */
  outputName?: string;
  /** The run's output folder (`--out DIR`); sinks write here, under a temp name until complete. */
  outDir?: string;
  /** A folder private to this run, removed by the runtime when the run ends or is cancelled. */
  tempDir?: string;
  /** The pipeline's chunking (seconds); sources cut their chunks with it. */
  chunking?: { seconds: number; overlapSeconds: number; silenceSearchSeconds: number };
  /** ONNX Runtime threading for this instance (`threads:` in YAML). */
  threads?: { intraOp: number; interOp: number; spinning: boolean };
  /** Execution provider preference list for this instance. */
  provider?: readonly ('tensorrt' | 'cuda' | 'cpu')[];
  /** Every execution setting of the node (provider, strict, threads, TensorRT, warmup, batch, cache). */
  settings?: NodeSettings;
  /**
   * Resolves when this stage's downstream queues have room for one more packet. A stage that
   * generates many chunks from one input (a TTS) awaits it before each chunk, so it never runs
   * further ahead of its consumers than their queues allow.
   */
  outputRoom?: () => Promise<void>;
  /** Sources: every consumer wants this input whole — send one packet, not chunks. */
  wholeInput?: boolean;
  /** Sources: chunk boundaries must fall on multiples of this many seconds (consumers' hops). */
  granularitySeconds?: number;
}

/** A running stage: maps its input packets (by port) to output packets (by port). */
export interface StageInstance {
  /** Consumes packets tagged with their input port, emits packets tagged with their output port. */
  operator: OperatorFunction<PortPacket, PortPacket>;
  dispose(): Promise<void>;
  /**
   * Sources: the packets, pulled one at a time — the runtime calls `next()` only when every
   * downstream edge has room, so decoding pauses while consumers are busy. `operator` is unused.
   */
  packets?: AsyncIterable<PortPacket>;
  /** Sinks: the files written, read once committed (final names, not temp ones). */
  files?: () => readonly string[];
  /**
   * Sinks: move the finished output onto its final name. The runtime calls it only once every
   * sink of the run has finished, so a failed or cancelled run leaves no output at all.
   */
  commit?: () => Promise<void>;
}

export interface PortPacket {
  port: string;
  packet: Packet;
}

export interface StageDefinition<Schema extends z.ZodObject = z.ZodObject> {
  kind: string;
  /** One line: what it does, for `reel graph` and docs. */
  summary: string;
  /** `inference` stages run in a worker with an ONNX session; `source`/`sink` are ffmpeg I/O. */
  role: 'inference' | 'source' | 'sink' | 'transform';
  inputs: Readonly<Record<string, PortSpec>>;
  outputs: Readonly<Record<string, PortSpec>>;
  /** Strict zod object; every field has `.default()` and a `.describe()` that states its unit. */
  options: Schema;
  /** Model slots; the first is the one a plain-string `model:` refers to. */
  models?: Readonly<Record<string, ModelSlot>>;
  context?: (options: z.infer<Schema>) => StageContext;
  /**
   * URL of the module that exports this definition (`import.meta.url`), so that a worker thread can
   * load it. Built-in kinds are found by kind in `stages/index.ts` and need not set it.
   */
  module?: string;
  /**
   * Chunks a stage holds before it emits (a stitcher emits chunk k−1 when k arrives); the runtime
   * lets this many more chunks into it. Default 0: every input chunk yields its outputs before
   * the next is needed.
   */
  lookahead?: number;
  /** Absent until the kind is implemented; the runtime refuses to run such a stage. */
  create?: (options: z.infer<Schema>, ctx: StageCreateContext) => Promise<StageInstance>;
}

/** Keeps the options type tied to the schema at the definition site. */
export function defineStage<Schema extends z.ZodObject>(def: StageDefinition<Schema>): StageDefinition<Schema> {
  return Object.freeze(def);
}
