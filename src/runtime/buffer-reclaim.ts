/**
 * Prompt reclaiming of chunk buffers. Chunks are ArrayBuffers outside V8's heap; V8 collects the
 * dead ones only after external memory has grown by tens of megabytes since its last collection,
 * so a run's peak RSS carries that headroom on top of the chunks actually alive — a 1-minute clip
 * ends before the first such collection, a 10-minute one does not, and peak RSS seems to grow
 * with clip length. Collecting once `reclaimBytes` of buffers have been allocated since the last
 * collection keeps the peak at (live chunks + reclaimBytes) whatever the clip's length. 16 MiB: a
 * full collection of a small heap costs a few ms, paid every one or two 10 s chunks at most.
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

/** Samples buffer memory every `intervalMs` and collects when it grew by `reclaimBytes`. */
export function startBufferReclaim(options: { reclaimBytes?: number; intervalMs?: number } = {}): () => void {
  const reclaimBytes = options.reclaimBytes ?? 16 * 2 ** 20;
  const gc = collector();
  let base = process.memoryUsage().arrayBuffers;
  const timer = setInterval(() => {
    const now = process.memoryUsage().arrayBuffers;
    if (now - base < reclaimBytes) return;
    gc();
    base = process.memoryUsage().arrayBuffers;
  }, options.intervalMs ?? 50);
  timer.unref();
  return () => clearInterval(timer);
}
