/**
 * Reproducible randomness for sampling and noise inputs: mulberry32 for uniforms (the same
 * generator the reference-model weights use) and Box–Muller for normals. Seeds are integers so a
 * stage can derive one per chunk (seed + chunk index) and re-running a chunk gives the same bits.
 */
import { uniformStream } from '../../src/onnx/random.ts';

export class SeededRandom {
  private readonly next: () => number;
  private spare: number | undefined;

  constructor(seed: number) {
    // Mix the seed so that neighbouring seeds (0, 1, 2 …) start far apart in the stream.
    this.next = uniformStream(Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** `count` normals × `scale`. */
  normals(count: number, scale = 1): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal() * scale;
    return out;
  }
}
