/**
 * What `reel run` shows while it works: the seconds of media its outputs have reached, of the
 * clip's length when the sources know it, the chunk, the step of a denoising loop in progress, the
 * real-time factor and an ETA. On a terminal
 * (`--progress auto`, the default) one status line is redrawn in place by log-update and cleared at
 * the end; `plain` prints a line per chunk written, `json` one JSON event per chunk (for a program
 * reading stderr); off a terminal `auto` prints nothing, and `--quiet` silences all but errors.
 */
import { createLogUpdate } from 'log-update';
import { clock } from '../batch/progress.ts';
import type { PipelineGraph } from '../graph/types.ts';
import type { RunEvent } from '../runtime/runner.ts';

export type ProgressMode = 'auto' | 'plain' | 'json' | 'none';

export interface RunProgressView {
  startedAt: number;
  /** Media the outputs have reached, seconds. */
  seconds: number;
  /** The clip's length, seconds, when the sources know it. */
  total?: number;
  /** Chunks the outputs have written. */
  chunks: number;
  /** The latest step a stage reported of a long item (a denoising loop), while it is not finished. */
  step?: { stage: string; done: number; total: number; of?: string };
  /** When the outputs wrote their first chunk, and how far it reached: the pace is measured from there, past start-up. */
  first?: { at: number; seconds: number };
}

/** The view after one event of the run (mutated in place); true when an output advanced. */
export function applyRunEvent(
  view: RunProgressView,
  sinks: ReadonlySet<string>,
  event: RunEvent,
  now = performance.now(),
): boolean {
  if (event.type === 'length') view.total = event.seconds;
  if (event.type === 'step') {
    view.step =
      event.done < event.total
        ? { stage: event.stage, done: event.done, total: event.total, ...(event.of && { of: event.of }) }
        : undefined;
    return true;
  }
  if (event.type !== 'chunk' || !sinks.has(event.stage)) return false;
  view.chunks++;
  view.seconds = Math.max(view.seconds, event.chunk.end);
  view.first ??= { at: now, seconds: view.seconds };
  return true;
}

/**
 * Time left, ms: the media left at the pace since the first chunk was written (start-up is paid
 * once, not per second of media); undefined without a length or before a second chunk.
 */
export function runEtaMs(view: RunProgressView, now = performance.now()): number | undefined {
  const { first, total } = view;
  if (total === undefined || !first || view.seconds <= first.seconds) return undefined;
  return ((now - first.at) / (view.seconds - first.seconds)) * Math.max(0, total - view.seconds);
}

/** The status line: `reel run: 12.0 of 60.0 s of media (20%), chunk 3, RTF 0.41, 4.9 s, ETA 19.6 s`. */
export function runStatusLine(view: RunProgressView, now = performance.now(), label = 'reel run'): string {
  const elapsed = now - view.startedAt;
  if (view.chunks === 0 && !view.step) return `${label}: starting, ${clock(elapsed)}`;
  const of = view.total === undefined ? '' : ` of ${view.total.toFixed(1)}`;
  const share = view.total ? ` (${Math.min(100, Math.round((view.seconds / view.total) * 100))}%)` : '';
  const rtf = view.seconds > 0 ? `, RTF ${(elapsed / 1000 / view.seconds).toFixed(2)}` : '';
  const eta = runEtaMs(view, now);
  const step = view.step
    ? `, ${view.step.stage} step ${view.step.done}/${view.step.total}${view.step.of ? ` of ${view.step.of}` : ''}`
    : '';
  return `${label}: ${view.seconds.toFixed(1)}${of} s of media${share}, chunk ${view.chunks}${step}${rtf}, ${clock(elapsed)}${eta === undefined ? '' : `, ETA ${clock(eta)}`}`;
}

export interface RunProgress {
  onEvent(event: RunEvent): void;
  /** Prints a line of the run's own (a log line) above a status line drawn in place. */
  say(line: string): void;
  /** Clears a line drawn in place (before the run's own last lines). */
  stop(): void;
}

/**
 * The progress display of one run in `mode`: `plain` and `json` lines go to `write` (stderr),
 * `auto` redraws one line in place on `stream` (a terminal).
 */
export function runProgress(
  graph: PipelineGraph,
  mode: ProgressMode,
  write: (line: string) => void,
  stream: NodeJS.WriteStream = process.stderr,
): RunProgress {
  const sinks = new Set([...graph.nodes.values()].filter((n) => n.role === 'sink').map((n) => n.id));
  const view: RunProgressView = { startedAt: performance.now(), seconds: 0, chunks: 0 };
  if (mode === 'none') return { onEvent: () => undefined, say: write, stop: () => undefined };
  if (mode === 'plain' || mode === 'json') {
    return {
      say: write,
      onEvent(event) {
        if (!applyRunEvent(view, sinks, event)) return;
        if (mode === 'plain') write(runStatusLine(view));
        else if (event.type === 'step')
          write(
            JSON.stringify({ type: 'step', stage: event.stage, done: event.done, total: event.total, of: event.of }),
          );
        else
          write(
            JSON.stringify({ type: 'progress', seconds: view.seconds, total: view.total ?? null, chunks: view.chunks }),
          );
      },
      stop: () => undefined,
    };
  }
  const log = createLogUpdate(stream);
  const draw = () => log(runStatusLine(view));
  const timer = setInterval(draw, 250).unref();
  let stopped = false;
  return {
    onEvent(event) {
      if (applyRunEvent(view, sinks, event) && !stopped) draw();
    },
    say(line) {
      if (stopped) return write(line);
      log.persist(line);
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      log.clear();
    },
  };
}
