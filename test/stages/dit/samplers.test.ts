/**
 * The samplers against their published algorithms, on a small fixed schedule: 20 train steps,
 * 4 inference steps, a 4-value sample and one 4-value model output per step. The expected values
 * are derived here in float64 from the diffusers formulas, written out again step by step (no
 * helper of the implementation is called for them):
 *
 * Schedule (CogVideoX, scheduling_ddim_cogvideox.py __init__, shift s = 3):
 *   β_i = (√0.00085 + (√0.012 − √0.00085)·i/19)²,  ᾱ_t = Π_{i≤t} (1 − β_i)
 *   ᾱ ← ᾱ / (s + (1 − s)·ᾱ)                                        SNR shift
 *   √ᾱ ← (√ᾱ − √ᾱ_19)·√ᾱ_0 / (√ᾱ_0 − √ᾱ_19)                         zero terminal SNR: ᾱ_19 = 0
 *   ᾱ_19 ← 2^-24   (DPMSolverMultistep / EulerDiscrete under rescale_betas_zero_snr)
 * Trailing timesteps: round(arange(20, 0, −20/4)) − 1 = [20, 15, 10, 5] − 1 = [19, 14, 9, 4].
 *
 * DPM-Solver++(2M) (scheduling_dpmsolver_multistep.py, dpmsolver++, order 2, midpoint, final σ 0):
 *   α_i = √ᾱ_{t_i}, σ_i = √(1 − ᾱ_{t_i}), λ_i = ln α_i − ln σ_i;  α_4 = 1, σ_4 = 0, λ_4 = +∞
 *   x0_i = α_i·x_i − σ_i·v_i;  h_i = λ_{i+1} − λ_i
 *   steps 0 and 3 (first order):  x_{i+1} = (σ_{i+1}/σ_i)·x_i − α_{i+1}·(e^{−h_i} − 1)·x0_i
 *   steps 1 and 2 (2M):  r = (λ_i − λ_{i−1})/h_i,  D = x0_i + (x0_i − x0_{i−1})/(2r),
 *                        x_{i+1} = (σ_{i+1}/σ_i)·x_i − α_{i+1}·(e^{−h_i} − 1)·D
 *   so the last step returns x0_3 exactly (σ_4 = 0, e^{−∞} = 0).
 *
 * Euler (scheduling_euler_discrete.py, v_prediction, s_churn 0, final σ 0):
 *   σ_i = √((1 − ᾱ_{t_i})/ᾱ_{t_i}), σ_4 = 0;  init_noise_sigma = max σ = σ_0 = √(2^24 − 1)
 *   model input = x̃_i / √(σ_i² + 1)
 *   x0_i = v_i·(−σ_i/√(σ_i² + 1)) + x̃_i/(σ_i² + 1);  d = (x̃_i − x0_i)/σ_i;  x̃_{i+1} = x̃_i + d·(σ_{i+1} − σ_i)
 */
import { describe, expect, it } from 'vitest';
import { ditOptions } from '../../../stages/dit/index.ts';
import { cogvideoxAlphasCumprod } from '../../../stages/dit/noise-schedule.ts';
import { createSampler, type Sampler, type SamplerKind, type SamplerStep } from '../../../stages/dit/sampler.ts';
import { gaussianNoise } from '../../../stages/shared/seeded-noise.ts';
import { maxAbsDiff } from '../text-to-video/sessions.ts';

const TRAIN = 20;
const STEPS = 4;
const SAMPLE = [0.8, -0.3, 1.5, 0.05];
const MODEL_OUTPUTS = [
  [0.6, -1.1, 0.2, 0.9],
  [-0.4, 0.7, 1.3, -0.2],
  [0.15, -0.5, 0.8, 0.35],
  [1.0, 0.1, -0.6, 0.45],
];

/** CogVideoX ᾱ over TRAIN steps, as in the header; `finiteEnd` sets the last value to 2^-24. */
function referenceAlphaBar(finiteEnd: boolean): number[] {
  const [a, b] = [Math.sqrt(0.00085), Math.sqrt(0.012)];
  const shift = 3;
  const ac: number[] = [];
  let prod = 1;
  for (let i = 0; i < TRAIN; i++) {
    prod *= 1 - (a + ((b - a) * i) / (TRAIN - 1)) ** 2;
    ac.push(prod / (shift + (1 - shift) * prod));
  }
  const root = ac.map(Math.sqrt);
  const [r0, rT] = [root[0], root[TRAIN - 1]];
  const rescaled = root.map((r) => (((r - rT) * r0) / (r0 - rT)) ** 2);
  if (finiteEnd) rescaled[TRAIN - 1] = 2 ** -24;
  return rescaled;
}
const TIMESTEPS = [19, 14, 9, 4];

/** |a − b| ≤ tol·max(1, |b|) element-wise (the sampler holds float32, the reference float64). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 2e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    expect(Math.abs(actual[k] - expected[k])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[k])));
  }
}

const f32 = (values: readonly number[]) => Float32Array.from(values);

describe('dpm-solver++: DPM-Solver++(2M) for v-prediction', () => {
  it('takes first-order, 2M, 2M, first-order steps as written out in the header', () => {
    const ac = referenceAlphaBar(true);
    const alpha = [...TIMESTEPS.map((t) => Math.sqrt(ac[t])), 1];
    const sigma = [...TIMESTEPS.map((t) => Math.sqrt(1 - ac[t])), 0];
    const lambda = alpha.map((a, i) => Math.log(a) - Math.log(sigma[i]));
    expect(lambda[4]).toBe(Number.POSITIVE_INFINITY);

    const sampler = createSampler('dpm-solver++', { steps: STEPS, trainSteps: TRAIN });
    expect(sampler.timesteps).toEqual(TIMESTEPS);
    expect(sampler.initNoiseSigma).toBe(1);
    expect(sampler.predictionType).toBe('v_prediction');

    let x = SAMPLE.slice();
    let ours: Float32Array = f32(SAMPLE);
    const x0s: number[][] = [];
    for (let i = 0; i < STEPS; i++) {
      const v = MODEL_OUTPUTS[i];
      const x0 = x.map((xk, k) => alpha[i] * xk - sigma[i] * v[k]);
      x0s.push(x0);
      const h = lambda[i + 1] - lambda[i];
      let d = x0;
      if (i === 1 || i === 2) {
        const r = (lambda[i] - lambda[i - 1]) / h;
        d = x0.map((x0k, k) => x0k + (x0k - x0s[i - 1][k]) / (2 * r));
      }
      x = x.map((xk, k) => (sigma[i + 1] / sigma[i]) * xk - alpha[i + 1] * (Math.exp(-h) - 1) * d[k]);

      expect(sampler.scaleModelInput(ours, i)).toBe(ours);
      const step = sampler.step(f32(v), i, ours);
      expectClose(step.predOriginal, x0);
      expectClose(step.prevSample, x);
      ours = step.prevSample;
    }
    expectClose(ours, x0s[3]); // the clean end: the last x0 itself
  });

  /** α_i and σ_i of step i's noise level, read back from addNoise (pinned below). */
  const level = (sampler: Sampler, i: number) => [
    sampler.addNoise(f32([1]), f32([0]), i)[0],
    sampler.addNoise(f32([0]), f32([1]), i)[0],
  ];
  /** How far a step lands from the first-order (DDIM) point α_{i+1}·x0 + σ_{i+1}·ε̂, ε̂ = (x − α_i·x0)/σ_i. */
  const offFirstOrder = (sampler: Sampler, i: number, x: Float32Array, step: SamplerStep) => {
    const [a, s] = level(sampler, i);
    const epsilon = x.map((xk, k) => (xk - a * step.predOriginal[k]) / s);
    return maxAbsDiff(step.prevSample, sampler.addNoise(step.predOriginal, epsilon, i + 1));
  };

  it('first step: the first-order (DDIM) step, onto the next noise level along the predicted x0 and ε', () => {
    const n = 2048;
    const [x, v] = [gaussianNoise(n, 11), gaussianNoise(n, 12)];
    const sampler = createSampler('dpm-solver++', { steps: 10 });
    const first = sampler.step(v, 0, x);
    expect(offFirstOrder(sampler, 0, x, first)).toBeLessThan(1e-5);
    // cogvideox-ddim's first step differs only by the 2^-24 end (α_0 = 2^-12 instead of 0).
    const ddim = createSampler('cogvideox-ddim', { steps: 10 }).step(v, 0, x).prevSample;
    expect(maxAbsDiff(first.prevSample, ddim)).toBeLessThan(2e-3);
    expect(maxAbsDiff(first.prevSample, ddim)).toBeGreaterThan(1e-6);
  });

  it('second step: extrapolates the x0 history, so it leaves the first-order point unless x0 stays put', () => {
    const n = 2048;
    const x = gaussianNoise(n, 21);
    const secondStep = (secondOutput: (first: SamplerStep, sampler: Sampler) => Float32Array) => {
      const sampler = createSampler('dpm-solver++', { steps: 10 });
      const first = sampler.step(gaussianNoise(n, 22), 0, x);
      return offFirstOrder(
        sampler,
        1,
        first.prevSample,
        sampler.step(secondOutput(first, sampler), 1, first.prevSample),
      );
    };
    expect(secondStep(() => gaussianNoise(n, 23))).toBeGreaterThan(1e-3);
    // The v whose x0 is the first step's: α_1·x_1 − σ_1·v = x0_0, so D1 = 0 and 2M is first order.
    const sameX0 = (first: SamplerStep, sampler: Sampler) => {
      const [a, s] = level(sampler, 1);
      return first.prevSample.map((xk, k) => (a * xk - first.predOriginal[k]) / s);
    };
    expect(secondStep(sameX0)).toBeLessThan(1e-4);
  });

  it('keeps its history: steps must come in order, one sampler per run', () => {
    const sampler = createSampler('dpm-solver++', { steps: 4 });
    const x = f32(SAMPLE);
    expect(() => sampler.step(x, 1, x)).toThrow(/expected step 0, got 1/);
    sampler.step(x, 0, x);
    expect(() => sampler.step(x, 0, x)).toThrow(/expected step 1, got 0/);
  });
});

describe('euler: Euler on the probability-flow ODE in σ-space', () => {
  it('scales the input and steps as written out in the header', () => {
    const ac = referenceAlphaBar(true);
    const sigma = [...TIMESTEPS.map((t) => Math.sqrt((1 - ac[t]) / ac[t])), 0];
    const sampler = createSampler('euler', { steps: STEPS, trainSteps: TRAIN });
    expect(sampler.timesteps).toEqual(TIMESTEPS);
    expect(sampler.initNoiseSigma).toBeCloseTo(Math.sqrt(2 ** 24 - 1), 9);
    expect(sampler.initNoiseSigma).toBeCloseTo(sigma[0], 9);

    let x = SAMPLE.map((s) => s * sigma[0]); // unit noise × init_noise_sigma
    let ours: Float32Array = f32(SAMPLE).map((s) => s * sampler.initNoiseSigma);
    for (let i = 0; i < STEPS; i++) {
      const v = MODEL_OUTPUTS[i];
      const s = sigma[i];
      expectClose(
        sampler.scaleModelInput(ours, i),
        x.map((xk) => xk / Math.sqrt(s ** 2 + 1)),
      );
      const x0 = x.map((xk, k) => v[k] * (-s / Math.sqrt(s ** 2 + 1)) + xk / (s ** 2 + 1));
      x = x.map((xk, k) => xk + ((xk - x0[k]) / s) * (sigma[i + 1] - s));
      const step = sampler.step(f32(v), i, ours);
      expectClose(step.predOriginal, x0, 5e-6);
      expectClose(step.prevSample, x, 5e-6);
      ours = step.prevSample;
    }
  });

  it('is DDIM in σ-space (Karras et al. 2022): on the same grid, x̃ = x/√ᾱ gives DDIM’s step', () => {
    // 10 of 1000 steps: DDIM's integer stride (100) lands on the next trailing timestep and its last
    // step on ᾱ = 1, i.e. σ = 0 — the grid Euler uses. Exact from the second step on; the first
    // differs by the 2^-24 that Euler puts at the zero-SNR end (DDIM keeps ᾱ_999 = 0).
    const ac = cogvideoxAlphasCumprod(1000, 3);
    const euler = createSampler('euler', { steps: 10 });
    const ddim = createSampler('cogvideox-ddim', { steps: 10 });
    const n = 1024;
    for (let i = 1; i < 10; i++) {
      const [x, v] = [gaussianNoise(n, 30 + i), gaussianNoise(n, 60 + i)];
      const [a, aNext] = [ac[euler.timesteps[i]], i + 1 < 10 ? ac[euler.timesteps[i + 1]] : 1];
      const xTilde = x.map((xk) => xk / Math.sqrt(a));
      expect(maxAbsDiff(euler.scaleModelInput(xTilde, i), x)).toBeLessThan(1e-5);
      const e = euler.step(v, i, xTilde);
      const d = ddim.step(v, i, x);
      expect(maxAbsDiff(e.predOriginal, d.predOriginal)).toBeLessThan(1e-5);
      expect(
        maxAbsDiff(
          e.prevSample.map((xk) => xk * Math.sqrt(aNext)),
          d.prevSample,
        ),
      ).toBeLessThan(2e-5);
    }
  });

  it('whole runs with one model: Euler ends where DDIM does, but for the 2^-24 end', () => {
    const n = 1024;
    const noise = gaussianNoise(n, 40);
    const model = (input: Float32Array, t: number) => input.map((z, k) => 0.5 * Math.tanh(z) + 0.3 * Math.cos(k + t));
    const run = (sampler: Sampler) => {
      let x: Float32Array = noise.map((e) => e * sampler.initNoiseSigma);
      for (const [i, t] of sampler.timesteps.entries())
        x = sampler.step(model(sampler.scaleModelInput(x, i), t), i, x).prevSample;
      return x;
    };
    const gap = maxAbsDiff(
      run(createSampler('euler', { steps: 10 })),
      run(createSampler('cogvideox-ddim', { steps: 10 })),
    );
    expect(gap).toBeLessThan(2e-3);
  });
});

describe('addNoise: the sample at a step’s noise level, in each sampler’s space', () => {
  const original = f32([0.5, -1.25, 2, 0]);
  const noise = f32([1, 0.25, -0.5, -2]);

  it.each([
    ['cogvideox-ddim', false], // DDPM add_noise: √ᾱ·x0 + √(1 − ᾱ)·ε, ᾱ_19 = 0
    ['dpm-solver++', true], // α_t·x0 + σ_t·ε on its grid (ᾱ_19 = 2^-24)
  ] as const)('%s: √ᾱ·x0 + √(1 − ᾱ)·ε', (kind, finiteEnd) => {
    const ac = referenceAlphaBar(finiteEnd);
    const sampler = createSampler(kind, { steps: STEPS, trainSteps: TRAIN });
    TIMESTEPS.forEach((t, i) => {
      const expected = Array.from(original, (x, k) => Math.sqrt(ac[t]) * x + Math.sqrt(1 - ac[t]) * noise[k]);
      expectClose(sampler.addNoise(original, noise, i), expected);
    });
    if (!finiteEnd) expect(Array.from(sampler.addNoise(original, noise, 0))).toEqual(Array.from(noise));
  });

  it('euler: x0 + σ·ε, σ = √((1 − ᾱ)/ᾱ)', () => {
    const ac = referenceAlphaBar(true);
    const sampler = createSampler('euler', { steps: STEPS, trainSteps: TRAIN });
    TIMESTEPS.forEach((t, i) => {
      const s = Math.sqrt((1 - ac[t]) / ac[t]);
      expectClose(
        sampler.addNoise(original, noise, i),
        Array.from(original, (x, k) => x + s * noise[k]),
      );
    });
  });

  it('ddim (ε): no SNR shift, no zero-SNR rescale', () => {
    const [a, b] = [Math.sqrt(0.00085), Math.sqrt(0.012)];
    const ac: number[] = [];
    let prod = 1;
    for (let i = 0; i < TRAIN; i++) {
      prod *= 1 - (a + ((b - a) * i) / (TRAIN - 1)) ** 2;
      ac.push(prod);
    }
    const sampler = createSampler('ddim', { steps: STEPS, trainSteps: TRAIN });
    TIMESTEPS.forEach((t, i) => {
      const expected = Array.from(original, (x, k) => Math.sqrt(ac[t]) * x + Math.sqrt(1 - ac[t]) * noise[k]);
      expectClose(sampler.addNoise(original, noise, i), expected);
    });
  });

  // With an oracle model (the true v for the model input), every v-sampler stays on the addNoise
  // trajectory of one (x0, ε) and ends on x0: addNoise, scaleModelInput and step agree.
  it.each(['cogvideox-ddim', 'dpm-solver++', 'euler'] as const)('%s: an oracle run follows addNoise to x0', (kind) => {
    const n = 1024;
    const [x0, eps] = [gaussianNoise(n, 50), gaussianNoise(n, 51)];
    const ac = cogvideoxAlphasCumprod(1000, 3);
    if (kind !== 'cogvideox-ddim') ac[999] = 2 ** -24;
    const sampler = createSampler(kind, { steps: 10 });
    let x = sampler.addNoise(x0, eps, 0);
    // Pure noise at the zero-SNR end (for dpm-solver++ but for α_0·x0 = 2^-12·x0).
    if (kind !== 'euler') expect(maxAbsDiff(x, eps)).toBeLessThan(2 ** -12 * Math.max(...x0.map(Math.abs)) + 1e-6);
    for (const [i, t] of sampler.timesteps.entries()) {
      const v = eps.map((e, k) => Math.sqrt(ac[t]) * e - Math.sqrt(1 - ac[t]) * x0[k]); // get_velocity
      const { prevSample, predOriginal } = sampler.step(v, i, x);
      expect(maxAbsDiff(predOriginal, x0)).toBeLessThan(5e-5);
      const target = i + 1 < 10 ? sampler.addNoise(x0, eps, i + 1) : x0;
      expect(maxAbsDiff(prevSample, target) / Math.max(1, ...target.map(Math.abs))).toBeLessThan(1e-5);
      x = prevSample;
    }
  });
});

describe('the `scheduler` option', () => {
  it('names exactly the samplers there are', () => {
    const kinds: SamplerKind[] = ['cogvideox-ddim', 'ddim', 'dpm-solver++', 'euler'];
    for (const kind of kinds) {
      const sampler = createSampler(ditOptions.parse({ scheduler: kind }).scheduler, { steps: 4 });
      expect(sampler.kind).toBe(kind);
      expect(sampler.timesteps.every(Number.isInteger)).toBe(true); // fed as int64
    }
    expect(() => ditOptions.parse({ scheduler: 'dpm-solver' })).toThrow();
    expect(() => createSampler('heun' as SamplerKind, { steps: 4 })).toThrow(
      'unknown sampler "heun"; one of cogvideox-ddim, ddim, dpm-solver++, euler',
    );
  });

  it('refuses a step index outside the run and mismatched lengths', () => {
    const sampler = createSampler('euler', { steps: 4 });
    const x = f32(SAMPLE);
    expect(() => sampler.step(x, 4, x)).toThrow('step index 4 outside 0..3');
    expect(() => sampler.addNoise(x, x.subarray(1), 0)).toThrow('noise has 3 values, original 4');
  });
});
