/**
 * What `reel batch` shows while it works on a terminal: a status line (samples finished, how, how
 * many in flight, time so far) and one line per sample in flight, redrawn in place by log-update;
 * each finished sample's line stays in the scrollback above them. Off a terminal the command
 * prints only the finished lines (or JSON events), so logs and pipes get no control codes.
 */
import { createLogUpdate } from 'log-update';
import type { BatchEvent, SampleOutcome } from './run-batch.ts';

export interface BatchView {
  startedAt: number;
  counts: Record<SampleOutcome['status'], number>;
  /** Samples in flight: since when, and which attempt. */
  running: Map<string, { since: number; attempt: number }>;
}

export function emptyView(now = performance.now()): BatchView {
  return { startedAt: now, counts: { done: 0, skipped: 0, failed: 0 }, running: new Map() };
}

/** The view after one event (mutated in place, returned for convenience). */
export function applyEvent(view: BatchView, event: BatchEvent, now = performance.now()): BatchView {
  if (event.type === 'started') view.running.set(event.id, { since: now, attempt: event.attempt });
  else {
    view.running.delete(event.outcome.id);
    view.counts[event.outcome.status]++;
  }
  return view;
}

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${(ms / 1000).toFixed(1)} s`;
};

/** The lines drawn in place: the status line, then one per sample in flight. */
export function statusLines(view: BatchView, now = performance.now()): string[] {
  const { done, skipped, failed } = view.counts;
  const finished = done + skipped + failed;
  const head =
    `reel batch: ${finished} finished (${done} done, ${skipped} already done, ${failed} failed), ` +
    `${view.running.size} running, ${clock(now - view.startedAt)}`;
  const lines = [...view.running].map(
    ([id, r]) => `  ▸ ${id}  ${clock(now - r.since)}${r.attempt > 1 ? `  (attempt ${r.attempt})` : ''}`,
  );
  return [head, ...lines];
}

/** Draws the view on a terminal stream; `lineOf` is the persistent line of a finished sample. */
export function terminalProgress(
  stream: NodeJS.WriteStream,
  lineOf: (outcome: SampleOutcome) => string,
): { onEvent: (event: BatchEvent) => void; stop: () => void } {
  const log = createLogUpdate(stream);
  const view = emptyView();
  const draw = () => log(statusLines(view).join('\n'));
  const timer = setInterval(draw, 250).unref();
  return {
    onEvent(event) {
      applyEvent(view, event);
      if (event.type === 'finished') log.persist(lineOf(event.outcome));
      draw();
    },
    stop() {
      clearInterval(timer);
      log.clear();
    },
  };
}
