/**
 * Runs a source node: pulls its next packet only when every downstream edge has room, one pull
 * at a time, so a decoder never runs ahead of the slowest consumer by more than a queue.
 */
import type { PortPacket, SourceDefinition, StageCreateContext } from '../core/stage.ts';
import type { ChunkInfo } from '../core/types.ts';
import type { GraphNode } from '../graph/types.ts';
import { StageMetricsRecorder } from '../metrics/stage-metrics.ts';
import { creatorOf, stageError, type OutputEdges, type Runner, type RunnerEnv } from './runner.ts';

/** A source instance: pulled one packet at a time; `undefined` once exhausted. */
export interface SourceHost {
  /** The clip's length, seconds, when known before decoding. */
  seconds?: number;
  /** What of the input sets its items' cost (SourceInstance.format). */
  format?: string;
  pull(): Promise<PortPacket | undefined>;
  dispose(): Promise<void>;
}

export async function createSourceHost(
  def: SourceDefinition,
  options: unknown,
  ctx: Omit<StageCreateContext, 'signal'>,
): Promise<SourceHost> {
  const abort = new AbortController();
  const instance = await creatorOf(def)(options as never, { ...ctx, signal: abort.signal });
  const iterator = instance.packets[Symbol.asyncIterator]();
  let disposed: Promise<void> | undefined;
  return {
    seconds: instance.seconds,
    format: instance.format,
    async pull() {
      const next = await iterator.next();
      return next.done ? undefined : next.value;
    },
    dispose() {
      // Once: a source stopped early (nobody takes its output) is disposed again with the run,
      // which must then wait for the same teardown (its ffmpeg reaped).
      disposed ??= (async () => {
        abort.abort();
        // return() lets a generator run its finally blocks (kill its ffmpeg child) — but a
        // generator parked in an await would make it wait, so it is not awaited past dispose().
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
        await instance.dispose();
      })();
      return disposed;
    },
  };
}

export class SourceRunner implements Runner {
  readonly metrics: StageMetricsRecorder;
  private host: SourceHost | undefined;
  private pulling = false;
  private exhausted = false;
  private lastChunk: ChunkInfo | undefined;

  constructor(
    readonly node: GraphNode,
    private readonly outputs: OutputEdges,
    private readonly env: RunnerEnv,
  ) {
    this.metrics = new StageMetricsRecorder(node.id, node.kind);
  }

  get finished(): boolean {
    return this.exhausted;
  }

  attach(host: SourceHost): void {
    this.host = host;
  }

  /** The clip's length, seconds, if the source knew it at start. */
  get clipSeconds(): number | undefined {
    return this.host?.seconds;
  }

  /** What of the input sets its items' cost, if the source said (SourceInstance.format). */
  get format(): string | undefined {
    return this.host?.format;
  }

  busy(): boolean {
    return this.pulling;
  }

  tryStart(allowed: boolean): boolean {
    if (this.exhausted || this.pulling || !this.host) return false;
    if (this.outputs.unwanted) {
      // Every consumer has finished (a looped face past the end of the speech): stop decoding.
      this.exhausted = true;
      this.metrics.setState('idle');
      this.outputs.close();
      const host = this.host;
      void host.dispose().catch(() => undefined);
      return true;
    }
    const room = this.outputs.hasRoomForPacket();
    this.metrics.setState(room ? 'working' : 'blocked');
    if (!allowed || !room) return false;
    this.pulling = true;
    const started = performance.now();
    this.host.pull().then(
      (out) => {
        this.pulling = false;
        if (this.exhausted) return; // disposed meanwhile
        if (!out) {
          this.exhausted = true;
          this.metrics.setState('idle');
          this.outputs.close();
        } else {
          const now = performance.now();
          this.lastChunk = out.packet.chunk;
          this.metrics.compute(now - started);
          this.metrics.itemDone(now - started);
          this.env.trace.span(this.node.id, `${this.node.id} #${out.packet.chunk.index}`, started, now, {
            chunk: out.packet.chunk.index,
          });
          try {
            this.outputs.deliver(out);
          } catch (err) {
            // e.g. a packet on an unknown port: the run fails with it, not an unhandled rejection.
            this.env.fail(stageError(this.env.pipeline, this.node.id, out.packet.chunk, err));
          }
        }
        this.env.schedule();
      },
      (err) => {
        this.pulling = false;
        // The chunk it was pulling: the one after the last it gave, of the same length.
        const last = this.lastChunk;
        const next = last && { ...last, index: last.index + 1, start: last.end, end: 2 * last.end - last.start };
        this.env.fail(stageError(this.env.pipeline, this.node.id, next, err));
      },
    );
    return true;
  }

  async commit(): Promise<void> {}

  files(): readonly string[] {
    return [];
  }

  async dispose(): Promise<void> {
    this.exhausted = true;
    await this.host?.dispose();
  }
}
