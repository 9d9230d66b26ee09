/**
 * Chunking of long clips: the geometry, the offline plan, cuts at silence (RVC's rule) and the
 * streaming chunker that sources cut their input with. Units are sample frames, video frames or
 * latent frames throughout.
 */
export { chunkGeometry, type ChunkGeometry, type ChunkGeometryOptions } from './geometry.ts';
export { gridCuts, planChunks, type PlannedChunk } from './plan.ts';
export { quietestCut, silenceCuts, silenceLookaheadUnits, type QuietestCutInput, type SignalView } from './silence.ts';
export { quietestRule, type CutInput, type CutRule } from './cut-rule.ts';
export { pauseRule, type PauseRuleOptions, type SpeechProbe } from './pause-cut.ts';
export { Rechunker, type ChunkSlice } from './rechunker.ts';
export { audioPacketFromChunk, chunkAudioStream, type ChunkAudioOptions } from './chunk-audio.ts';
