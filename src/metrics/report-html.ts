/**
 * Small text helpers shared by the bench report's parts: escaping for HTML and SVG text, and the
 * few number formats the report uses (so every part rounds a second the same way).
 */

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Milliseconds as seconds for a reader: `2.40 s`. */
export const seconds = (ms: number, digits = 2): string => `${(ms / 1000).toFixed(digits)} s`;

/** A 0–1 share as a percentage: `83%`. */
export const percent = (share: number): string => `${Math.round(share * 100)}%`;

/**
 * A field the runtime added later (replicas, boundMs, …): typed as present, but a metrics file
 * written before it has no such key, so the report checks before it draws.
 */
export const recorded = (x: number | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** Tick step of 1, 2 or 5 × 10^k giving about `count` ticks over [0, max]. */
export function niceStep(max: number, count = 6): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  return step ?? 10 * magnitude;
}

/** Ticks 0, step, 2·step, … up to and including the first ≥ max. */
export function niceTicks(max: number, count = 6): number[] {
  const step = niceStep(max, count);
  const ticks = [0];
  while (ticks.at(-1)! < max - 1e-9) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}
