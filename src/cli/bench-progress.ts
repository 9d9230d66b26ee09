/**
 * What `reel bench` shows on a terminal while it works: one status line on stderr, redrawn in
 * place — which run of how many, and that run's own progress as `reel run` words it (media seconds
 * of the clip, chunk, denoising step, RTF, ETA), read from the child run's `--progress json`
 * events — with each finished run's row printed above it. Off a terminal only the rows are printed.
 */
import { createLogUpdate } from 'log-update';
import { applyRunEvent, runStatusLine, type RunProgressView } from './run-progress.ts';

/** A step event names no sink: applyRunEvent takes it without one. */
const NO_SINKS: ReadonlySet<string> = new Set();

export interface BenchProgress {
  /** A child run begins: `label` says which (`run 3/8: 30 s pipelined #1`). */
  start(label: string): void;
  /** A line of the child run's stderr; true when it was a progress event (not for the user). */
  childLine(line: string): boolean;
  /** Prints a finished run's row (on stdout) above the status line. */
  row(print: () => void): void;
  stop(): void;
}

/** The view after one of `reel run --progress json`'s events; false for any other line. */
export function applyChildEvent(view: RunProgressView, line: string, now = performance.now()): boolean {
  if (!line.startsWith('{"type":')) return false;
  let event: {
    type?: string;
    seconds?: number;
    total?: number | null;
    chunks?: number;
    stage?: string;
    done?: number;
    of?: string;
  };
  try {
    event = JSON.parse(line);
  } catch {
    return false;
  }
  if (event.type === 'progress' && typeof event.seconds === 'number') {
    view.seconds = event.seconds;
    view.total = event.total ?? undefined;
    view.chunks = event.chunks ?? view.chunks;
    view.first ??= { at: now, seconds: event.seconds };
    return true;
  }
  if (event.type === 'step' && typeof event.done === 'number' && typeof event.total === 'number') {
    const of = typeof event.of === 'string' ? { of: event.of } : {};
    const step = { type: 'step', stage: String(event.stage), done: event.done, total: event.total, ...of } as const;
    return applyRunEvent(view, NO_SINKS, step, now);
  }
  return false;
}

export function benchProgress(terminal: boolean, stream: NodeJS.WriteStream = process.stderr): BenchProgress {
  let view: RunProgressView = { startedAt: performance.now(), seconds: 0, chunks: 0 };
  let label = 'reel bench';
  if (!terminal)
    return {
      start: () => undefined,
      childLine: (l) => applyChildEvent(view, l),
      row: (print) => print(),
      stop: () => {},
    };
  const log = createLogUpdate(stream);
  const draw = () => log(runStatusLine(view, performance.now(), label));
  const timer = setInterval(draw, 250).unref();
  return {
    start(what) {
      view = { startedAt: performance.now(), seconds: 0, chunks: 0 };
      label = `reel bench: ${what}`;
      draw();
    },
    childLine(line) {
      const progress = applyChildEvent(view, line);
      if (progress) draw();
      return progress;
    },
    row(print) {
      log.clear();
      print();
      draw();
    },
    stop() {
      clearInterval(timer);
      log.clear();
    },
  };
}
