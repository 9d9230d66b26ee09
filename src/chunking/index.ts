/**
 * Chunked processing of long clips: the planner (geometry, plan, silence cuts), the streaming
 * chunker, and the stitchers. Units are sample frames, video frames or latent frames throughout.
 */
export {
  chunkGeometry,
  chunkGeometryFromSpec,
  RVC_SILENCE_WINDOW_UNITS,
  type ChunkGeometry,
  type ChunkGeometryOptions,
  type GeometryFromSpecOptions,
} from './geometry.ts';
export { extractWindow, gridCuts, placeChunk, planChunks, type PlaceChunkInput, type PlannedChunk } from './plan.ts';
export { quietestCut, silenceCuts, silenceLookaheadUnits, type QuietestCutInput, type SignalView } from './silence.ts';
export { Rechunker, type ChunkWindow } from './rechunker.ts';
export { audioPacketFromWindow, chunkAudio, chunkAudioStream, type ChunkAudioOptions } from './chunk-audio.ts';
export { fadeInGain, fadeOutGain, SEAM_FADES, type SeamFade } from './seam-fade.ts';
export { SeamStitcher, type SeamStitcherOptions, type StitchArray, type StitchPiece } from './seam-stitcher.ts';
export { stitchAudio, stitchTensor, stitchVideo, type StitchOptions, type StitchTensorOptions } from './stitch.ts';
