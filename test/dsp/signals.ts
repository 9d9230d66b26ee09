/** Test signals for the DSP suites: sines, harmonic tones and seeded noise at a given rate. */

export function sine(options: {
  freq: number;
  rate: number;
  samples: number;
  amplitude?: number;
  phase?: number;
}): Float32Array {
  const { freq, rate, samples, amplitude = 0.5, phase = 0 } = options;
  const x = new Float32Array(samples);
  for (let i = 0; i < samples; i++) x[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate + phase);
  return x;
}

/** Harmonics 1 … count of `f0` with amplitudes 1/h and scattered phases, scaled to peak ≈ amplitude. */
export function harmonicTone(f0: number, rate: number, samples: number, count = 6, amplitude = 0.3): Float32Array {
  const x = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    let s = 0;
    for (let h = 1; h <= count; h++) if (f0 * h < rate / 2) s += Math.sin((2 * Math.PI * f0 * h * i) / rate + h) / h;
    x[i] = amplitude * s;
  }
  return x;
}

/** Uniform noise in [−amplitude, amplitude] from a fixed-seed LCG (reproducible). */
export function noise(samples: number, seed = 1, amplitude = 0.5): Float32Array {
  const x = new Float32Array(samples);
  let state = seed >>> 0;
  for (let i = 0; i < samples; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    x[i] = amplitude * (2 * (state / 2 ** 32) - 1);
  }
  return x;
}

/**
 * Amplitude and phase (radians) of the `freq` component of x[from … to), by projection on
 * sin/cos; exact when the span holds a whole number of periods.
 */
export function toneComponent(
  x: ArrayLike<number>,
  freq: number,
  rate: number,
  from: number,
  to: number,
): { amplitude: number; phase: number } {
  let s = 0,
    c = 0;
  for (let i = from; i < to; i++) {
    const a = (2 * Math.PI * freq * i) / rate;
    s += x[i] * Math.sin(a);
    c += x[i] * Math.cos(a);
  }
  const n = to - from;
  return { amplitude: (2 / n) * Math.hypot(s, c), phase: Math.atan2(c, s) };
}

export const dB = (ratio: number): number => 20 * Math.log10(ratio);
