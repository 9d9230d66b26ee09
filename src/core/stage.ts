/**
 * The stage contract (v2): what a stage kind declares and what a running stage does. Three roles.
 *
 * - A **source** is pulled: the runtime asks for its next packet only when every edge downstream
 *   has room, so decoding pauses while consumers are busy.
 * - A **transform** maps one item to an Observable of output packets: `process(item)`. The item is
 *   done when that Observable completes — the runtime never guesses. Items are composed with RxJS
 *   (`mergeMap` with the node's concurrency, outputs released in input order) under demand from the
 *   flow control.
 * - A **sink** writes items, then finishes, then commits (or aborts).
 *
 * A kind declares what an item holds (`item`): neighbouring chunks, inputs taken whole (`whole` on
 * a port), whether it carries state from chunk to chunk. The runtime supplies all of it, so a
 * stage never buffers its own neighbours, and a stateless transform can run on several chunks at
 * once. `stages/<kind>/index.ts` each export one definition; `stages/index.ts` lists the built-ins.
 */
import { importFunction, type ModuleExport } from './module-export.ts';
import type { Observable } from 'rxjs';
import type { z } from 'zod';
import type { StageItem } from './item.ts';
import type { NodeSettings } from './settings.ts';
import type { Packet, PortType } from './types.ts';

export interface PortSpec {
  type: PortType;
  doc: string;
  /** May be left unwired, or go without a packet for some chunks (e.g. a reference voice). */
  optional?: boolean;
  /**
   * The stage needs this input whole, as one packet (a script, a voice prompt, a face loop): the
   * source sends it unchunked when every consumer wants it whole, and every item of the clip
   * carries it in `item.whole`.
   */
  whole?: boolean;
  /**
   * The stage takes this input repeated for as long as its other inputs run (a face video looped
   * over the speech): a source whose every consumer says so, and whose stream some stage ends by
   * another input, loops it — and stops once no consumer takes more.
   */
  loop?: boolean;
}

/** A model file a stage loads, by slot. `family` names the contract in `models/manifests`. */
export interface ModelSlot {
  family: string;
  doc: string;
}

/** What one item of a transform or sink holds, beyond its own chunk. */
export interface ItemSpec {
  /**
   * Neighbouring chunks of the same clip the item carries (a receptive field, a mel window that
   * reaches into the next chunk). Item k is started once chunk k + after has arrived (or the clip
   * ended). @defaultValue { before: 0, after: 0 }
   */
  neighbours?: { before: number; after: number };
  /**
   * The stage carries state from chunk to chunk (a conv cache, a sentence loop): its items run one
   * at a time, in order, on one instance, and `concurrency` above 1 is refused. @defaultValue false
   */
  stateful?: boolean;
  /** Chunk boundaries must fall on multiples of this many seconds (a hop, a frame). */
  granularitySeconds?: number;
  /**
   * Every item costs about the same for its length of media, the first included (but for running
   * cold), and none waits for room while it works (no generator): the core budget may then add
   * replicas while the first item runs, judging the waiting chunks by how long it has run, and take
   * one finished item as a measure instead of two. Not for a kind whose first item does other work
   * than the rest (a face detector that searches the first frame and tracks after it).
   * @defaultValue false
   */
  evenCost?: boolean;
}

export type LogLevel = 'info' | 'warning';

/** Facts the runtime hands a stage instance when it is created. */
export interface StageCreateContext {
  /** The stage's id in the pipeline (the YAML key). For logs of the runtime; stages need not name themselves. */
  id: string;
  /** Resolved absolute model file per slot. */
  models: Readonly<Record<string, string>>;
  /** Every execution setting of the node (provider, strict, threads, TensorRT, warmup, batch, cache). */
  settings: NodeSettings;
  signal: AbortSignal;
  /**
   * A line for whoever runs the pipeline. `warning` marks one that says the result is not what was
   * asked for (a fallback box, a provider not the first choice, a truncated prompt): the CLI
   * prefixes it with `warning:` and the stage's id, and a batch keeps it in its report.
   */
  log: (line: string, level?: LogLevel) => void;
  /** A folder private to this run, removed by the runtime when the run ends or is cancelled. */
  tempDir?: string;
  /**
   * Resolves when the stage's downstream queues have room for one more packet. A transform that
   * emits many chunks from one item (a TTS) awaits it before each further chunk (see `paced`), so
   * it never runs ahead of its consumers; the runtime counts the wait as blocked, not compute.
   */
  outputRoom: () => Promise<void>;
  /**
   * Reports how far a long item has come (a denoising loop: step `done` of `total`), for `reel
   * run`'s progress and the trace (a span per step, between two reports: report 0 as the loop
   * starts). `of` names what the steps are of when there are several loops (`window 2 of 3`).
   * Optional: a stage may never call it; the runtime may not provide it.
   */
  progress?: (done: number, total: number, of?: string) => void;
  /** Sources: the file bound to the node's pipeline input (`--input NAME=PATH`). */
  inputPath?: string;
  /** The pipeline's chunking: sources cut on its grid, generating stages emit on it. */
  chunking?: { seconds: number; silenceSearchSeconds: number; splitAt?: 'vad' };
  /** Sources: every consumer wants this input whole — send one packet, not chunks. */
  wholeInput?: boolean;
  /** Sources: chunk boundaries must fall on multiples of this many seconds (consumers' hops). */
  granularitySeconds?: number;
  /**
   * Sources: every consumer takes the input looped (PortSpec.loop) and another input ends the
   * stream: loop it until the runtime stops pulling.
   */
  loopInput?: boolean;
  /** Sinks: the pipeline output name the node writes (its `binding`). */
  outputName?: string;
  /** Sinks: the run's output folder (`--out DIR`); written under a temp name until committed. */
  outDir?: string;
}

export interface PortPacket {
  port: string;
  packet: Packet;
}

export interface SourceInstance {
  /** The packets, pulled one at a time: `next()` is called only when every downstream edge has room. */
  packets: AsyncIterable<PortPacket>;
  /**
   * The clip's length, seconds, when the source knows it before decoding (a probed file): the run
   * uses it to tell how much work is left (a replica is not worth starting for the last chunks).
   */
  seconds?: number;
  /**
   * What of the input sets the cost of its items downstream, when known before decoding: its
   * sample rate and channels, its frame size and rate (e.g. `1280×720 at 25 fps`). Part of the key
   * under which a run remembers its stages' costs for the next run (cost-memory.ts).
   */
  format?: string;
  dispose(): Promise<void>;
}

export interface TransformInstance {
  /**
   * Works on one item; completes when the item is done. Emits packets on the kind's output ports
   * for the item's own time range (a generating stage: for every chunk it makes). An emitted
   * packet is handed over — its buffer may move to another thread — so a stage keeps copies, not
   * views, of what it emitted. Errors go to the Observable's error channel (a throw inside
   * `defer`/`from` does), with no stage name: the runtime adds it.
   */
  process(item: StageItem): Observable<PortPacket>;
  /** Release sessions and anything else held. Called once, also after a failure. */
  dispose(): Promise<void>;
}

export interface SinkInstance {
  /** Takes one item; resolves when the sink can take the next one. */
  write(item: StageItem): Promise<void>;
  /** Every item was written: flush and close the output (still under its temp name). */
  finish(): Promise<void>;
  /** Move the finished output onto its final name; called once every sink of the run has finished. */
  commit(): Promise<void>;
  /** Stop and remove what was written; safe at any point, also after `finish`, and more than once. */
  abort(): Promise<void>;
  /** The files written (final names), read after `commit`. */
  files(): readonly string[];
}

interface DefinitionBase<Schema extends z.ZodType> {
  kind: string;
  /** One line: what it does, for `reel graph`, `reel kinds` and docs. */
  summary: string;
  inputs: Readonly<Record<string, PortSpec>>;
  outputs: Readonly<Record<string, PortSpec>>;
  /** Strict zod object; every field has `.default()` and a `.describe()` that states its unit. */
  options: Schema;
  /** Model slots; the first is the one a plain-string `model:` refers to. */
  models?: Readonly<Record<string, ModelSlot>>;
  /**
   * URL of the module that exports this definition (`import.meta.url`), so that a worker thread
   * can load it: required of `thread: 'worker'` kinds. A kind named by file in a pipeline gets its
   * file's URL when it sets none.
   */
  module?: string;
  /** Pipeline settings the kind takes beyond the common ones (only `cache` today). */
  accepts?: { cache?: boolean };
}

export interface SourceDefinition<Schema extends z.ZodType = z.ZodType> extends DefinitionBase<Schema> {
  role: 'source';
  create?: (options: z.infer<Schema>, ctx: StageCreateContext) => Promise<SourceInstance>;
}

export interface TransformDefinition<Schema extends z.ZodType = z.ZodType> extends DefinitionBase<Schema> {
  role: 'transform';
  /**
   * Where it runs in a pipelined run: `worker` for stages whose work blocks a thread (an ONNX
   * session's `run()` does), each instance on a worker thread of its own. @defaultValue 'main'
   */
  thread?: 'main' | 'worker';
  item?: ItemSpec;
  create?: (options: z.infer<Schema>, ctx: StageCreateContext) => Promise<TransformInstance>;
  /**
   * Where `create` is, for worker threads to find without loading this definition's module: a
   * module exporting, under `name`, a function with create's signature (`moduleExport(import.meta.url,
   * './stage', 'createGainStage')`); with no `create` given, it is `create` everywhere. The
   * definition then loads only in the main thread: its options schema, and zod with it, cost each
   * compiled worker ~50 ms of its start. Without it a worker loads `module`.
   */
  createIn?: ModuleExport;
}

export interface SinkDefinition<Schema extends z.ZodType = z.ZodType> extends DefinitionBase<Schema> {
  role: 'sink';
  item?: Pick<ItemSpec, 'neighbours'>;
  create?: (options: z.infer<Schema>, ctx: StageCreateContext) => Promise<SinkInstance>;
}

export type StageDefinition<Schema extends z.ZodType = z.ZodType> =
  | SourceDefinition<Schema>
  | TransformDefinition<Schema>
  | SinkDefinition<Schema>;

export type StageRole = StageDefinition['role'];

/** Keeps the options type tied to the schema at the definition site (options are `z.infer` of it). */
export function defineSource<Schema extends z.ZodType>(
  def: Omit<SourceDefinition<Schema>, 'role'>,
): SourceDefinition<Schema> {
  return Object.freeze({ ...def, role: 'source' as const });
}

/** A transform kind; with `createIn` and no `create`, its create is that export, imported on first use. */
export function defineTransform<Schema extends z.ZodType>(
  def: Omit<TransformDefinition<Schema>, 'role'>,
): TransformDefinition<Schema> {
  type Create = NonNullable<TransformDefinition<Schema>['create']>;
  const { createIn } = def;
  const create: Create | undefined =
    def.create ??
    (createIn &&
      (async (options, ctx) =>
        (await importFunction<Create>(createIn, `the createIn of stage kind "${def.kind}"`))(options, ctx)));
  return Object.freeze({ ...def, ...(create && { create }), role: 'transform' as const });
}

export function defineSink<Schema extends z.ZodType>(
  def: Omit<SinkDefinition<Schema>, 'role'>,
): SinkDefinition<Schema> {
  return Object.freeze({ ...def, role: 'sink' as const });
}

/** Options type of a definition: `StageOptions<typeof rvc>`, never a hand-copied interface. */
export type StageOptions<D extends { options: z.ZodType }> = z.infer<D['options']>;

/** What an item of this kind holds, defaults applied. */
export function itemSpecOf(def: StageDefinition): Required<Pick<ItemSpec, 'stateful' | 'evenCost'>> & {
  neighbours: { before: number; after: number };
  granularitySeconds?: number;
} {
  const item: ItemSpec = def.role === 'source' ? {} : (def.item ?? {});
  return {
    neighbours: item.neighbours ?? { before: 0, after: 0 },
    stateful: item.stateful ?? false,
    evenCost: item.evenCost ?? false,
    ...(item.granularitySeconds ? { granularitySeconds: item.granularitySeconds } : {}),
  };
}
