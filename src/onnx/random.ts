/**
 * Seeded weights. Each parameter draws from its own stream, keyed by the model seed and the
 * parameter's full name, so adding a layer never changes another layer's weights and every
 * build yields the same bytes.
 */

/** FNV-1a over UTF-16 code units: a stable 32-bit hash of a name. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: small, fast, and good enough for weight noise. Returns floats in [0, 1). */
export function uniformStream(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` normal samples with standard deviation `std`, from the stream named `key`. */
export function normalWeights(key: string, count: number, std: number): Float32Array {
  const next = uniformStream(hashName(key));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    // Box–Muller; 1 − u keeps the log argument in (0, 1].
    const r = Math.sqrt(-2 * Math.log(1 - next())) * std;
    const theta = 2 * Math.PI * next();
    out[i] = r * Math.cos(theta);
    if (i + 1 < count) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}
