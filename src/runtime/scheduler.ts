/**
 * The scheduling loop. Demand flows upstream: whenever something changes (a chunk finished, a
 * queue drained, a pull returned) one pass offers every runner a chance to start work, sinks
 * first, so credit freed downstream is used before sources are pulled again.
 *
 * Pipelined mode lets every runner start whenever its own limits allow. Sequential mode — the
 * baseline benchmarks compare against — lets one chunk be worked on by one stage at a time, and
 * pulls a source only when no stage can do anything else: the previous chunk has left every
 * queue, or what is left waits for the next chunk (a join short of its other side, a stage that
 * holds a chunk until its neighbour arrives).
 */
import type { InputQueue } from './input-queue.ts';
import type { Runner } from './runner.ts';

export type ExecutionMode = 'pipelined' | 'sequential';

export class Scheduler {
  private scheduled = false;
  private stopped = false;

  constructor(
    /** Runners in topological order. */
    private readonly runners: readonly Runner[],
    private readonly queues: readonly InputQueue[],
    private readonly mode: ExecutionMode,
    private readonly onFinished: () => void,
    /** A runner threw while being offered work (a stage emitting on an unknown port, a bug). */
    private readonly onError: (err: unknown) => void,
  ) {}

  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      try {
        this.pass();
      } catch (err) {
        this.stopped = true;
        this.onError(err);
      }
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private pass(): void {
    if (this.stopped) return;
    let progressed = true;
    while (progressed && !this.stopped) {
      progressed = false;
      for (let i = this.runners.length - 1; i >= 0; i--) {
        const runner = this.runners[i];
        if (runner.tryStart(this.allowed(runner))) progressed = true;
      }
      if (!progressed && this.mode === 'sequential' && !this.runners.some((r) => r.busy())) {
        // Nothing can start and nothing runs: the chunks still queued wait for the next one.
        for (const runner of this.runners) {
          if (isSource(runner) && runner.tryStart(true)) {
            progressed = true;
            break;
          }
        }
      }
    }
    if (!this.stopped && this.runners.every((runner) => runner.finished)) {
      this.stopped = true;
      this.onFinished();
    }
  }

  private allowed(runner: Runner): boolean {
    if (this.mode === 'pipelined') return true;
    if (this.runners.some((r) => r.busy())) return false;
    if (isSource(runner)) return this.queues.every((queue) => queue.length === 0);
    return true;
  }
}

function isSource(runner: Runner): boolean {
  return runner.node.role === 'source' || Object.keys(runner.node.def.inputs).length === 0;
}
