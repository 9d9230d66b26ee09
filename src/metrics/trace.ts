/**
 * Chrome trace-event output (the JSON Perfetto and chrome://tracing open): one complete span
 * ("ph":"X") per stage per chunk, one track (tid) per stage instance, named by metadata events.
 */

export interface TraceEvent {
  name: string;
  /** Category; `chunk` for work spans, `__metadata` for track names. */
  cat?: string;
  ph: 'X' | 'M' | 'i';
  /** Microseconds since the run started. */
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

/** Collects spans during a run; tracks are numbered in the order stages first appear. */
export class TraceRecorder {
  private readonly events: TraceEvent[] = [];
  private readonly tracks = new Map<string, number>();
  private readonly origin: number;

  constructor(origin = performance.now()) {
    this.origin = origin;
  }

  private track(name: string): number {
    let tid = this.tracks.get(name);
    if (tid === undefined) {
      tid = this.tracks.size + 1;
      this.tracks.set(name, tid);
      this.events.push({ name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid: 1, tid, args: { name } });
      this.events.push({
        name: 'thread_sort_index',
        cat: '__metadata',
        ph: 'M',
        ts: 0,
        pid: 1,
        tid,
        args: { sort_index: tid },
      });
    }
    return tid;
  }

  /** A span from `startMs` to `endMs` (performance.now() clock) on the track `track`. */
  span(track: string, name: string, startMs: number, endMs: number, args?: Record<string, unknown>): void {
    const tid = this.track(track);
    this.events.push({
      name,
      cat: 'chunk',
      ph: 'X',
      ts: Math.round((startMs - this.origin) * 1000),
      dur: Math.max(0, Math.round((endMs - startMs) * 1000)),
      pid: 1,
      tid,
      args,
    });
  }

  list(): readonly TraceEvent[] {
    return this.events;
  }
}
