/**
 * Model-facing logic of the talking-head stage kinds (rvc, content-encoder, vallex, fastpitch,
 * hifigan, face-detect, wav2lip): pure functions over typed arrays and onnxruntime sessions,
 * written against shared/reference/model-contracts.md and the manifests in models/. The stage files wire
 * them into operators.
 */
export { TalkingHeadError } from './errors.ts';
export { openSession, runOutputs, SESSION_OPTIONS, f32, i64, bool, int64Values, type Feeds } from './session.ts';
export { SeededRandom } from './seeded-random.ts';
export { resizeBilinear, cropImage, type Image } from './image-resize.ts';
export { inputShape, fixedAxis } from './model-dims.ts';
export { splitSentences } from './sentences.ts';

export { ENGLISH_BASIC, ARPABET, PAD_ID, symbolId } from './fastpitch-symbols.ts';
export { englishCleaners, numberToWords, ordinalToWords } from './english-cleaners.ts';
export { fastpitchSymbolIds, type FastpitchTextOptions } from './fastpitch-text.ts';
export { tokenRepeats, regulatedFrames, frameToToken } from './length-regulation.ts';
export { runFastpitch, synthesizeScript, concatMels, type Mel, type FastpitchOptions, type FastpitchResult } from './fastpitch-runner.ts';
export { vocodeChunked, vocoderWindows, HIFIGAN_HOP, type VocoderChunking } from './hifigan-chunks.ts';

export { iou, faceCandidates, nonMaxSuppression, toPixels, padBox, smoothBoxes, type Box, type Detection, type BoxPadding } from './face-boxes.ts';
export { detectorInput, detectFaces, trackFaces, DETECTOR_WIDTH, DETECTOR_HEIGHT, type FaceTrack, type FaceTrackOptions, type RgbFrame } from './face-detector.ts';

export { melWindowStart, melWindowStarts, melWindow, WAV2LIP_MEL_FPS, WAV2LIP_MEL_STEP } from './wav2lip-windows.ts';
export { wav2lipFaceInput, pasteFace, WAV2LIP_FACE } from './wav2lip-faces.ts';
export { lipSync, type LipSyncInput } from './wav2lip-runner.ts';

export { rvcInputSignal, encodeContent, CONTENT_RATE, CONTENT_MIN_SAMPLES, type ContentFeatures } from './content-features.ts';
export { rvcPitchInputs, voicedMedian, autoPitchShift, type RvcPitch } from './rvc-pitch.ts';
export { upsampleFeatures, alignedFrames } from './rvc-features.ts';
export { reflectPad, rvcCutPoints, rvcSegments, RVC_WINDOW, type RvcSegment, type RvcSegmentOptions } from './rvc-segments.ts';
export { synthesizeRvc, RVC_NOISE_CHANNELS, type RvcFrames, type RvcSynthOptions } from './rvc-synthesizer.ts';
export { convertVoice, type RvcSessions, type VoiceConversion, type VoiceConversionOptions } from './rvc-runner.ts';

export {
  Utf8ByteTokenizer, MODEL_LANGUAGE_ID, PROMPT_FILE_LANGUAGE_ID, VALLEX_TEXT_VOCAB, modelLanguageFromPromptFile,
  type VallexLanguage, type VallexTokenizer,
} from './vallex-tokenizer.ts';
export { sampleToken, argmax, type SamplerOptions } from './vallex-sampler.ts';
export { SeededVallexEmbedder, addSinePositions, AUDIO_BOS, AUDIO_EOS, CODEBOOKS, type VallexEmbedder } from './vallex-embeddings.ts';
export { decodeAr, arAttentionMask, type ArDecodeInput, type ArDecodeOptions, type ArDecodeResult } from './vallex-ar.ts';
export { decodeNar, type NarDecodeInput } from './vallex-nar.ts';
export { decodeCodes, VALLEX_RATE, VALLEX_HOP } from './vallex-codec.ts';
export { synthesizeVallex, type VallexModels, type VallexOptions, type VallexPrompt, type VallexSentence, type VallexSpeech } from './vallex-synth.ts';

// Stage operators (the `create` of each declaration in stages/<kind>.ts) and their stream helpers.
export { createContentEncoderStage, ownedContentFrames, CONTENT_FPS } from './content-encoder-stage.ts';
export { createRvcStage } from './rvc-stage.ts';
export { rvcNoiseAt } from './rvc-noise.ts';
export { createVallexStage } from './vallex-stage.ts';
export { promptCodesFromAudio } from './vallex-prompt-codes.ts';
export { vallexSentences } from './vallex-synth.ts';
export { createFastpitchStage, normalisedPitchShift } from './fastpitch-stage.ts';
export { createHifiganStage } from './hifigan-stage.ts';
export { createFaceDetectStage } from './face-detect-stage.ts';
export { createWav2lipStage, ownedVideoFrames } from './wav2lip-stage.ts';
export { lipSyncFrames, type LipSyncFrame } from './wav2lip-runner.ts';
export { GridChunker, type GridChunk } from './grid-chunks.ts';
export { FrameQueue } from './frame-queue.ts';
export { audioWindow, monoSamples, type AudioWindow } from './neighbour-audio.ts';
export { melFramesOf, melPacket, MEL_FPS } from './mel-packets.ts';
