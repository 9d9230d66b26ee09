/**
 * Gain curves for the crossfade at a chunk seam. Which one is right depends on how alike the two
 * chunks' versions of the overlap are:
 *
 * - Both chunks ran the *same* model over the *same* input there, so their outputs are (nearly)
 *   identical — fully correlated. Gains must then sum to 1 (constant amplitude), or the seam gets
 *   louder: with equal-power gains g_in² + g_out² = 1, the sum g_in + g_out reaches √2 (+3 dB) at
 *   the middle. `linear` and `raised-cosine` (sin², smooth at both ends, so no slope corner a
 *   listener hears as a click) sum to 1, and are applied as `prev + g·(next − prev)`, which returns
 *   `prev` bit-exactly when the two agree: an identity stage through chunk + stitch reproduces its
 *   input exactly.
 * - `equal-power` (sin/cos) keeps loudness constant only for *uncorrelated* content — two
 *   independent takes, e.g. a stochastic model re-sampling noise per chunk. It is offered for that.
 *
 * Defaults: audio `raised-cosine`, frames/latents `linear` (DESIGN.md says equal-power for audio;
 * that would add a 3 dB bump at every seam of a deterministic model, hence the deviation).
 */
export type SeamFade = 'linear' | 'raised-cosine' | 'equal-power';

export const SEAM_FADES: readonly SeamFade[] = ['linear', 'raised-cosine', 'equal-power'];

/** Gain of the incoming chunk at unit i of an n-unit fade, sampled at unit centres (symmetric). */
export function fadeInGain(fade: SeamFade, i: number, n: number): number {
  const x = (i + 0.5) / n;
  switch (fade) {
    case 'linear':
      return x;
    case 'raised-cosine':
      return Math.sin((Math.PI / 2) * x) ** 2;
    case 'equal-power':
      return Math.sin((Math.PI / 2) * x);
  }
}

/** Gain of the outgoing chunk at unit i of an n-unit fade. */
export function fadeOutGain(fade: SeamFade, i: number, n: number): number {
  return fade === 'equal-power' ? Math.cos((Math.PI / 2) * ((i + 0.5) / n)) : 1 - fadeInGain(fade, i, n);
}
