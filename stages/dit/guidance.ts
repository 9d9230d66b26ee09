/**
 * Classifier-free guidance. The DiT runs once per step on the batch [uncond, cond]; the two
 * predictions are combined as `uncond + g·(cond − uncond)`. CogVideoX ramps g over the sampling
 * ("dynamic CFG"): near 1 at the noisiest timesteps, rising to 1 + g as t → 0.
 *
 * The ramp follows reel's contract (shared/reference/model-contracts.md, CogVideoX-2B):
 * `g_t = 1 + g·(1 − cos(π·((N − t)/N)^5))/2` with t the timestep value and N = 1000 train steps.
 * diffusers' pipeline_cogvideox.py writes `num_inference_steps` for N
 * (`((num_inference_steps - t.item()) / num_inference_steps) ** 5.0`), which with t up to 999 raises
 * a negative number to the 5th power and makes g_t oscillate; the train-step form is the ramp
 * the formula intends and the one the contract fixes.
 */

/** Guidance is applied only above 1, as diffusers' `do_classifier_free_guidance = guidance_scale > 1`. */
export function usesGuidance(guidance: number): boolean {
  return guidance > 1;
}

export function dynamicGuidanceScale(guidance: number, timestep: number, trainSteps = 1000): number {
  const progress = (trainSteps - timestep) / trainSteps;
  return 1 + (guidance * (1 - Math.cos(Math.PI * progress ** 5))) / 2;
}

/** The scale used at `timestep`: the ramp when `dynamic`, else `guidance` itself. */
export function guidanceScaleAt(guidance: number, dynamic: boolean, timestep: number, trainSteps = 1000): number {
  return dynamic ? dynamicGuidanceScale(guidance, timestep, trainSteps) : guidance;
}

/**
 * `uncond + scale·(cond − uncond)` over a batch-2 prediction laid out [uncond…, cond…]
 * (the first half of `batched` is the unconditional row).
 */
export function combineGuidance(batched: Float32Array, scale: number): Float32Array {
  if (batched.length % 2 !== 0)
    throw new RangeError(`a guided prediction holds two equal rows, got ${batched.length} values`);
  const n = batched.length / 2;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = batched[i];
    out[i] = u + scale * (batched[n + i] - u);
  }
  return out;
}
