/**
 * With `skipSilence`, which frames the rvc stage converts: the speech spans of an item (a `vad`
 * track, in its chunks and its neighbours'), widened by a margin and cut to the chunk's owned
 * frames; the context each range is converted with; and the samples that pass through instead.
 */
import type { ChunkView, StageItem } from '../../src/core/item.ts';
import { CONTENT_FPS } from '../content-encoder/stage.ts';

/**
 * The feature frames [a, b) to convert within the chunk's owned frames: the speech spans of the
 * item's chunks (its neighbours' too: a span near an edge reaches across it), widened by `margin`
 * seconds, merged where less than `joinGap` frames apart, and cut to `owned`.
 */
export function speechFrames(
  item: StageItem,
  margin: number,
  owned: { first: number; end: number },
  joinGap: number,
): [number, number][] {
  const spans: [number, number][] = [];
  for (const view of [item.prev, item as ChunkView, item.next]) {
    if (!view?.has('speech')) continue;
    const p = view.tensor('speech', { dtype: 'int32', rank: 2 });
    const perSecond = Number(p.meta?.sampleRate ?? 16000);
    for (let i = 0; i < p.tensor.dims[0]; i++) {
      const s = Number(p.tensor.data[2 * i]) / perSecond - margin;
      const e = Number(p.tensor.data[2 * i + 1]) / perSecond + margin;
      spans.push([Math.floor(s * CONTENT_FPS), Math.ceil(e * CONTENT_FPS)]);
    }
  }
  spans.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1] + joinGap) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  // Merged before they are cut: the chunks on both sides of an edge then agree on where a range runs.
  return merged
    .map(([a, b]): [number, number] => [Math.max(owned.first, a), Math.min(owned.end, b)])
    .filter(([a, b]) => b > a);
}

/**
 * The sample ranges of [0, length) that pass through when `converted` ranges are converted: the
 * rest, and the fades at a converted range's ends (they mix both).
 */
export function passedRanges(converted: readonly [number, number][], length: number, fade: number): [number, number][] {
  const out: [number, number][] = [];
  let at = 0;
  for (const [a, b] of converted) {
    if (a > at) out.push([at, Math.min(length, a + fade)]);
    at = Math.max(at, b - (b < length ? fade : 0));
  }
  if (at < length) out.push([at, length]);
  return out.filter(([a, b]) => b > a);
}

/**
 * The feature frames [lo, hi) that range [a, b) of `owned` is converted over, within the item's
 * `window`: `context` frames beyond an edge where the range meets a pause, `pad` (the chunk's own
 * context) where it was cut at the chunk's edge — speech going on into the next chunk, which
 * converts its part with the same context, so the two join as a whole-clip conversion would.
 */
export function conversionWindow(
  [a, b]: [number, number],
  owned: { first: number; end: number },
  [windowFirst, windowEnd]: [number, number],
  frames: { pad: number; context: number },
): [number, number] {
  const before = a > owned.first ? frames.context : frames.pad;
  const after = b < owned.end ? frames.context : frames.pad;
  return [Math.max(windowFirst, a - before), Math.min(windowEnd, b + after)];
}
