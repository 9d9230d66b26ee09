/**
 * What `reel batch` shows while it works on a terminal: a status line (samples finished of the
 * total once listing has ended, seconds of media rendered, RTF, time so far, ETA) and one line per
 * sample in flight (its media seconds so far), redrawn in place by log-update;
 * each finished sample's line stays in the scrollback above them. Off a terminal the command
 * prints only the finished lines (or JSON events), so logs and pipes get no control codes.
 */
import { createLogUpdate } from 'log-update';
import type { BatchEvent, SampleOutcome } from './run-batch.ts';

export interface BatchView {
  startedAt: number;
  counts: Record<SampleOutcome['status'], number>;
  /** Samples in flight: since when, which attempt, media seconds written so far. */
  running: Map<string, { since: number; attempt: number; seconds: number }>;
  /** Samples in the batch, once listing has ended. */
  total?: number;
  /** Media of the samples rendered so far, seconds. */
  mediaSeconds: number;
}

export function emptyView(now = performance.now()): BatchView {
  return { startedAt: now, counts: { done: 0, skipped: 0, failed: 0 }, running: new Map(), mediaSeconds: 0 };
}

/** The view after one event (mutated in place, returned for convenience). */
export function applyEvent(view: BatchView, event: BatchEvent, now = performance.now()): BatchView {
  switch (event.type) {
    case 'started':
      view.running.set(event.id, { since: now, attempt: event.attempt, seconds: 0 });
      break;
    case 'progress': {
      const running = view.running.get(event.id);
      if (running) running.seconds = Math.max(running.seconds, event.seconds);
      break;
    }
    case 'listed':
      view.total = event.total;
      break;
    case 'finished':
      view.running.delete(event.outcome.id);
      view.counts[event.outcome.status]++;
      if (event.outcome.status === 'done') view.mediaSeconds += event.outcome.mediaSeconds ?? 0;
      break;
  }
  return view;
}

/**
 * Time left, ms, once the total is known and a sample has been rendered: the samples left at the
 * pace of the rendered ones so far (already-done ones cost nothing and are not counted).
 */
export function etaMs(view: BatchView, now = performance.now()): number | undefined {
  const { done, skipped, failed } = view.counts;
  const rendered = done + failed;
  if (view.total === undefined || rendered === 0) return undefined;
  const left = view.total - done - skipped - failed;
  return ((now - view.startedAt) / rendered) * left;
}

/** A duration for a person: `4.9 s`, or `2m05s` from a minute up. */
export const clock = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${(ms / 1000).toFixed(1)} s`;
};

/** The lines drawn in place: the status line, then one per sample in flight. */
export function statusLines(view: BatchView, now = performance.now()): string[] {
  const { done, skipped, failed } = view.counts;
  const finished = done + skipped + failed;
  const elapsed = now - view.startedAt;
  const of = view.total === undefined ? '' : `/${view.total}`;
  const media =
    view.mediaSeconds > 0
      ? `, ${view.mediaSeconds.toFixed(1)} s of media, RTF ${(elapsed / 1000 / view.mediaSeconds).toFixed(2)}`
      : '';
  const eta = etaMs(view, now);
  const head =
    `reel batch: ${finished}${of} finished (${done} done, ${skipped} already done, ${failed} failed), ` +
    `${view.running.size} running${media}, ${clock(elapsed)}${eta === undefined ? '' : `, ETA ${clock(eta)}`}`;
  const lines = [...view.running].map(([id, r]) => {
    const seconds = r.seconds > 0 ? `  ${r.seconds.toFixed(1)} s of media` : '';
    return `  ▸ ${id}  ${clock(now - r.since)}${seconds}${r.attempt > 1 ? `  (attempt ${r.attempt})` : ''}`;
  });
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
