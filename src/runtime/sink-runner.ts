/**
 * Runs one sink node in the main thread (its work happens in ffmpeg children or file writes):
 * items built from its joined inputs are written one at a time; when the input ends the sink
 * finishes; the run commits every sink together once all have finished, or aborts them all.
 */
import { StageItem } from '../core/item.ts';
import type { SinkInstance } from '../core/stage.ts';
import type { ChunkInfo } from '../core/types.ts';
import type { GraphNode } from '../graph/types.ts';
import { StageMetricsRecorder } from '../metrics/stage-metrics.ts';
import type { InputQueue } from './input-queue.ts';
import { ItemWindow } from './item-window.ts';
import { stageError, type Runner, type RunnerEnv } from './runner.ts';

export class SinkRunner implements Runner {
  readonly metrics: StageMetricsRecorder;
  private sink: SinkInstance | undefined;
  private readonly window: ItemWindow;
  private writing: ChunkInfo | undefined;
  /** The sink's `signal`: aborted when the run is torn down. */
  readonly abort = new AbortController();
  private finishing = false;
  private done = false;
  private committed = false;
  /** The furthest point of the clip written, seconds: the media this sink has produced. */
  private writtenSeconds = 0;

  constructor(
    readonly node: GraphNode,
    private readonly inputs: readonly InputQueue[],
    private readonly env: RunnerEnv,
  ) {
    this.metrics = new StageMetricsRecorder(node.id, node.kind);
    this.window = ItemWindow.forKind(node.def);
  }

  get finished(): boolean {
    return this.done;
  }

  get mediaSeconds(): number {
    return this.writtenSeconds;
  }

  attach(sink: SinkInstance): void {
    this.sink = sink;
  }

  busy(): boolean {
    return this.writing !== undefined || this.finishing;
  }

  tryStart(allowed: boolean): boolean {
    if (!this.sink || this.done || this.finishing || this.writing) return false;
    for (const queue of this.inputs) this.metrics.queueDepth(queue.length);
    const moved = this.window.takeFrom(this.inputs, allowed);
    if (!allowed) return moved;
    const ready = this.window.take();
    if (ready) {
      this.write(this.sink, new StageItem(ready.item));
      return true;
    }
    this.metrics.setState(this.window.pending > 0 ? 'neighbours' : 'starved');
    if (this.window.ended) {
      this.finish(this.sink);
      return true;
    }
    return moved;
  }

  private write(sink: SinkInstance, item: StageItem): void {
    this.writing = item.chunk;
    this.metrics.setState('working');
    const started = performance.now();
    sink.write(item).then(
      () => {
        const now = performance.now();
        this.writing = undefined;
        this.writtenSeconds = Math.max(this.writtenSeconds, item.chunk.end);
        this.metrics.compute(now - started);
        this.metrics.itemDone(now - started);
        this.env.trace.span(this.node.id, `${this.node.id} #${item.chunk.index}`, started, now, {
          chunk: item.chunk.index,
          clip: item.chunk.clipId,
        });
        this.env.emit({ type: 'chunk', stage: this.node.id, chunk: item.chunk, ms: now - started });
        this.env.schedule();
      },
      (err) => this.env.fail(stageError(this.env.pipeline, this.node.id, item.chunk, err)),
    );
  }

  private finish(sink: SinkInstance): void {
    this.finishing = true;
    sink.finish().then(
      () => {
        this.finishing = false;
        this.done = true;
        this.metrics.setState('idle');
        this.env.schedule();
      },
      (err) => this.env.fail(stageError(this.env.pipeline, this.node.id, undefined, err)),
    );
  }

  async commit(): Promise<void> {
    await this.sink?.commit();
    this.committed = true;
  }

  files(): readonly string[] {
    return this.sink?.files() ?? [];
  }

  /** A sink that was not committed is aborted: no partial file is left under any name. */
  async dispose(): Promise<void> {
    this.abort.abort();
    if (this.sink && !this.committed) await this.sink.abort();
  }
}
