/**
 * Seeded standard-normal noise for the initial latents. xoshiro128** seeded through splitmix32 from
 * both 32-bit halves of the seed (so seeds above 2³² still differ), Box–Muller using both outputs
 * of each pair. Deterministic across machines and runs; it is not torch.randn, so a seed here
 * gives different latents than the same seed in diffusers.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Uniform floats in [0, 1) with 32 random bits each. */
export function seededUniform(seed: number): () => number {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  const mix = splitmix32((seed % 0x100000000) ^ (Math.floor(seed / 0x100000000) * 0x27d4eb2d));
  let [a, b, c, d] = [mix(), mix(), mix(), mix()];
  if ((a | b | c | d) === 0) a = 1; // xoshiro's one forbidden state
  return () => {
    const result = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = ((d << 11) | (d >>> 21)) >>> 0;
    return result / 4294967296;
  };
}

export function gaussianNoise(count: number, seed: number): Float32Array {
  const next = seededUniform(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    // 1 − u keeps the log argument in (0, 1].
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const theta = 2 * Math.PI * next();
    out[i] = r * Math.cos(theta);
    if (i + 1 < count) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}
