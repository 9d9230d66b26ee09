/**
 * Prompt reclaiming of chunk buffers. Chunks are ArrayBuffers outside V8's heap; V8 collects the
 * dead ones only after external memory has grown by tens of megabytes since its last collection,
 * so a run's peak RSS carries that headroom on top of the chunks actually alive — a 1-minute clip
 * ends before the first such collection, a 10-minute one does not, and peak RSS seems to grow
 * with clip length. Collecting once `reclaimBytes` of buffers have been allocated since the last
 * collection keeps the peak at (live chunks + reclaimBytes) whatever the clip's length. 8 MiB: a
 * full collection of a small heap costs a few ms, paid about once per 10 s chunk per stage (about
 * 3% of a voice-convert run; 16 MiB left 10-minute runs ~4% higher against 1-minute ones).
 * A stage worker also checks after each item, since the timer cannot fire during a chunk's
 * synchronous processing.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | undefined;

function collector(): () => void {
  if (!collect) {
    // `gc` is only exposed with --expose-gc; the flag can be set at run time and the function
    // taken from a fresh context (it is installed on new contexts' globals).
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  return collect;
}

let base = 0;
let threshold = 8 * 2 ** 20;

/** Collects now if buffer memory grew by the threshold since the last collection (no-op until started). */
export function reclaimBuffersIfGrown(): void {
  if (!collect) return;
  const now = process.memoryUsage().arrayBuffers;
  if (now - base < threshold) return;
  collect();
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
