/** The model-facing logic of the text-to-video stage kinds (text-encoder, dit, vae). */
export { type ModelHandle, type ModelSession } from './model-session.ts';
export { tokenizePrompt, wordHashTokenizer, type PromptTokenizer, type TokenizedPrompt } from './tokenizer.ts';
export { encodePrompts, type EncodePromptsOptions, type PromptEmbeddings } from './text-embeddings.ts';
export { modelFileHash } from './model-file-hash.ts';
export { alphasCumprod, betaSchedule, rescaleZeroTerminalSnr, type NoiseScheduleConfig } from './noise-schedule.ts';
export { createScheduler, trailingTimesteps, type DdimScheduler, type SchedulerKind, type SchedulerStep } from './ddim-scheduler.ts';
export { combineGuidance, dynamicGuidanceScale, guidanceScaleAt, usesGuidance } from './guidance.ts';
export { gaussianNoise, seededUniform } from './seeded-noise.ts';
export { decodedFrameCount, latentDims, temporalRuns, type TemporalRun, type VideoSize } from './latent-geometry.ts';
export { denoiseLatents, initialLatents, type DenoiseHooks, type DenoiseOptions, type DenoiseProgress } from './denoise.ts';
export { axisBlendWeights, planTileAxis, type TileAxis } from './spatial-tiles.ts';
export { convCacheChannels, decodeLatentRuns, decodeLatents, type DecodedRun, type VaeDecodeHooks, type VaeDecodeOptions, type VaeRunProgress } from './vae-decode.ts';
export { framesToRgb, type RgbFrames } from './frames-to-rgb.ts';
