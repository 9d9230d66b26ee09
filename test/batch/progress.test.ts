/** The in-place status of `reel batch`: counts by outcome and one line per sample in flight. */
import { describe, expect, it } from 'vitest';
import { applyEvent, emptyView, etaMs, statusLines } from '../../src/batch/progress.ts';
import type { SampleOutcome } from '../../src/batch/run-batch.ts';

const outcome = (id: string, status: SampleOutcome['status'], mediaSeconds?: number): SampleOutcome => ({
  id,
  origin: id,
  status,
  reason: '',
  attempts: 1,
  mediaSeconds,
  outputs: [],
});

describe('batch status lines', () => {
  it('counts finished samples by outcome and lists the ones in flight with their time and attempt', () => {
    const view = emptyView(0);
    applyEvent(view, { type: 'started', id: 'alice', attempt: 1, reason: 'new' }, 0);
    applyEvent(view, { type: 'started', id: 'bob', attempt: 1, reason: 'new' }, 500);
    applyEvent(view, { type: 'finished', outcome: outcome('alice', 'done') }, 2000);
    applyEvent(view, { type: 'finished', outcome: outcome('carol', 'skipped') }, 2100);
    applyEvent(view, { type: 'started', id: 'bob', attempt: 2, reason: 'new' }, 3000);
    expect(statusLines(view, 4200)).toEqual([
      'reel batch: 2 finished (1 done, 1 already done, 0 failed), 1 running, 4.2 s',
      '  ▸ bob  1.2 s  (attempt 2)',
    ]);
    applyEvent(view, { type: 'finished', outcome: outcome('bob', 'failed') }, 90_000);
    expect(statusLines(view, 95_000)).toEqual([
      'reel batch: 3 finished (1 done, 1 already done, 1 failed), 0 running, 1m35s',
    ]);
  });

  it('shows the total once listed, the media rendered with its RTF, the ETA, and the seconds of each clip in flight', () => {
    const view = emptyView(0);
    applyEvent(view, { type: 'started', id: 'a', attempt: 1, reason: 'new' }, 0);
    applyEvent(view, { type: 'started', id: 'b', attempt: 1, reason: 'new' }, 0);
    applyEvent(view, { type: 'progress', id: 'b', seconds: 5 }, 1000);
    expect(etaMs(view, 1000)).toBeUndefined(); // nothing rendered yet, total unknown
    applyEvent(view, { type: 'finished', outcome: outcome('old', 'skipped', 30) }, 1000);
    applyEvent(view, { type: 'finished', outcome: outcome('a', 'done', 10) }, 2000);
    applyEvent(view, { type: 'listed', total: 6 }, 2000);
    // 1 rendered in 2 s, 4 left (6 − done − already done): 8 s; already-done media is not counted.
    expect(etaMs(view, 2000)).toBe(8000);
    expect(statusLines(view, 2000)).toEqual([
      'reel batch: 2/6 finished (1 done, 1 already done, 0 failed), 1 running, 10.0 s of media, RTF 0.20, 2.0 s, ETA 8.0 s',
      '  ▸ b  2.0 s  5.0 s of media',
    ]);
  });
});
