/**
 * Prompt reclaiming of chunk buffers. Chunks are ArrayBuffers outside V8's heap; V8 collects the
 * dead ones only after external memory has grown by tens of megabytes since its last collection,
 * so a run's peak RSS carries that headroom on top of the chunks actually alive — a 1-minute clip
 * ends before the first such collection, a 10-minute one does not, and peak RSS seems to grow
 * with clip length. Collecting once `reclaimBytes` of buffers have been allocated since the last
 * collection keeps the peak at (live chunks + reclaimBytes) whatever the clip's length. 8 MiB
 * (16 MiB left 10-minute runs ~4% higher against 1-minute ones). Collections are mostly minor
 * ones, which cost about a millisecond: VALL-E X's decoding loop replaces a KV-cache buffer at
 * every step, and full collections that often took ~10% of a talking-head run. A stage worker
 * also checks after each item, since the timer cannot fire during a chunk's synchronous work.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

type Collect = (options?: { type?: 'minor' | 'major' }) => void;
let collect: Collect | undefined;

function collector(): Collect {
  if (!collect) {
    // `gc` is only exposed with --expose-gc; the flag can be set at run time and the function
    // taken from a fresh context (it is installed on new contexts' globals).
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as Collect;
  }
  return collect;
}

let base = 0;
let threshold = 8 * 2 ** 20;
let minorsSinceMajor = 0;
/**
 * Shared-memory bytes this thread has been handed since the last collection. A worker that
 * receives a chunk in a SharedArrayBuffer holds a handle to it, which V8 counts neither in
 * `arrayBuffers` nor as a reason to collect: a worker that allocates little of its own (the VAD
 * reading 16 kHz chunks in place) would keep every chunk it was handed alive. Past
 * SHARED_RECLAIM_FACTOR × the threshold of them, a minor collection frees the handles that died
 * young (in such a worker, all of them: nothing else collects). Not a full cycle: counted like
 * the thread's own buffers, they made voice-convert 600 s's converters collect so often that the
 * run took 0.2–0.7 s longer (2 cores), for no less memory.
 */
let sharedSince = 0;
const SHARED_RECLAIM_FACTOR = 4;

/** Counts shared-memory payloads this thread was handed (see sharedSince). */
export function noteSharedBytes(bytes: number): void {
  sharedSince += bytes;
}
/** Minor collections between two full ones. */
const MINORS_PER_MAJOR = 4;

/**
 * Collects now if buffer memory grew by the threshold since the last collection (no-op until
 * started). Most dead chunk buffers die young — a model's output read once, a KV cache replaced
 * at the next decoding step — and a minor collection (about a millisecond) frees them; every
 * few times a full one takes those that lived long enough to be promoted.
 */
export function reclaimBuffersIfGrown(): void {
  if (!collect) return;
  const now = process.memoryUsage().arrayBuffers;
  if (now - base < threshold) {
    if (sharedSince < SHARED_RECLAIM_FACTOR * threshold) return;
    sharedSince = 0;
    collect({ type: 'minor' });
    base = process.memoryUsage().arrayBuffers;
    return;
  }
  sharedSince = 0;
  if (minorsSinceMajor < MINORS_PER_MAJOR) {
    minorsSinceMajor++;
    collect({ type: 'minor' });
  } else {
    minorsSinceMajor = 0;
    collect();
  }
  base = process.memoryUsage().arrayBuffers;
}

/** Samples buffer memory every `intervalMs` and collects when it grew by `reclaimBytes`. */
export function startBufferReclaim(options: { reclaimBytes?: number; intervalMs?: number } = {}): () => void {
  threshold = options.reclaimBytes ?? 8 * 2 ** 20;
  collector();
  base = process.memoryUsage().arrayBuffers;
  const timer = setInterval(reclaimBuffersIfGrown, options.intervalMs ?? 50);
  timer.unref();
  return () => clearInterval(timer);
}
