/**
 * The scheduling loop. Demand flows upstream: whenever something changes (an item finished, a
 * queue drained, a pull returned) one pass offers every runner a chance to take input and start
 * work, sinks first, so room freed downstream is used before sources are pulled again. What each
 * runner may do is decided by flow-control.ts.
 */
import { mayStart, type ExecutionMode } from './flow-control.ts';
import type { InputQueue } from './input-queue.ts';
import type { Runner } from './runner.ts';

export type { ExecutionMode } from './flow-control.ts';

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
        // Nothing can start and nothing runs: what is still queued waits for the next chunk.
        for (const runner of this.runners) {
          if (runner.node.role === 'source' && runner.tryStart(true)) {
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
    return mayStart(this.mode, runner.node.role, {
      anyBusy: this.runners.some((r) => r.busy()),
      queuesEmpty: this.queues.every((queue) => queue.length === 0),
    });
  }
}
