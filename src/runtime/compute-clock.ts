/**
 * Times what a stage instance computes on an item: from the start of `process` to its completion,
 * less the time it is parked waiting for room downstream (a generator between two chunks). Each
 * stretch of work is one segment; the trace draws one span per segment, so waiting never shows as
 * work. Times are `performance.timeOrigin + performance.now()` (epoch ms), comparable across threads.
 */
export interface ComputeSegment {
  /** Epoch ms. */
  start: number;
  end: number;
  /** Chunk index of the last packet emitted in the segment, if any (a generator's output chunk). */
  emitted?: number;
}

export const epochNow = (): number => performance.timeOrigin + performance.now();

export class ComputeClock {
  private since: number | undefined;
  private emitted: number | undefined;

  constructor(private readonly onSegment: (segment: ComputeSegment) => void) {}

  /** The item starts, or work resumes after a wait. */
  start(): void {
    this.since ??= epochNow();
  }

  /** A packet went out (its chunk labels the segment). */
  markEmitted(index: number): void {
    this.emitted = index;
  }

  /** Work stops: the item is done, failed, or parks for room. */
  stop(): void {
    if (this.since === undefined) return;
    const segment: ComputeSegment = {
      start: this.since,
      end: epochNow(),
      ...(this.emitted === undefined ? {} : { emitted: this.emitted }),
    };
    this.since = undefined;
    this.emitted = undefined;
    this.onSegment(segment);
  }
}

/**
 * A span measured on any thread in epoch ms (a compute segment, a call on the GPU thread), on this
 * thread's `performance.now()` clock.
 */
export function localSegment<S extends { start: number; end: number }>(s: S): S {
  return { ...s, start: s.start - performance.timeOrigin, end: s.end - performance.timeOrigin };
}
