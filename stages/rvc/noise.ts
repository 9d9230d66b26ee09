/**
 * RVC's `rnd` input drawn by absolute frame position: frame a of the clip (10 ms) always gets the
 * same 192 normals for a given seed, whichever chunk (and context) it is synthesised in — the
 * condition for chunked output to equal the whole-clip output. (Seeding per chunk, as a one-shot
 * client may, would change every frame's noise with the chunking.)
 */
import { RVC_NOISE_CHANNELS } from './synthesizer.ts';
import { SeededRandom } from '../shared/seeded-random.ts';

/** [192, frames] channel-major noise for clip frames [firstFrame, firstFrame + frames), × scale. */
export function rvcNoiseAt(seed: number, firstFrame: number, frames: number, scale: number): Float32Array {
  const out = new Float32Array(RVC_NOISE_CHANNELS * frames);
  for (let t = 0; t < frames; t++) {
    const random = new SeededRandom((Math.imul(seed + 1, 0x01000193) ^ (firstFrame + t)) >>> 0);
    for (let c = 0; c < RVC_NOISE_CHANNELS; c++) out[c * frames + t] = random.normal() * scale;
  }
  return out;
}
