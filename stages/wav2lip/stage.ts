/**
 * The wav2lip stage: speech chunks + the whole face loop {frames, boxes} → lip-synced frames for
 * exactly the chunk's owned time range, at the face video's fps (or `fps`).
 *
 * Timeline: output frame i stands at its centre, (i + 0.5)/fps s; chunk [start, end) renders the
 * frames whose centre lies in it, so chunks tile the clip with no drift and a clip of D seconds
 * gets round(D·fps) frames. Frame i shows face frame i mod N (a still image: N = 1) with its box,
 * driven by the mel window [int(i·80/fps), +16) of the clip's Wav2Lip mel (80 frames/s, frame m
 * centred on 16 kHz sample 200·m); near the clip end the window is right-aligned to the mel's end,
 * as Wav2Lip does. A window reaches 0.2 s past its frame, so the audio is taken with the next
 * chunk's head (and a little of the previous chunk's tail for the STFT's centring). The context
 * window starts on a grid where both the input rate and 16 kHz / hop 200 have whole samples, so the
 * mel frames computed on it are the clip's own frames.
 */
import type { StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import type { Packet, VideoPacket } from '../../src/core/types.ts';
import { resample, resampledLength, wav2lipMel } from '../../src/dsp/index.ts';
import { withNeighbours, type Neighbourhood } from '../shared/chunk-items.ts';
import { openStageModel } from '../shared/stage-model.ts';
import { TalkingHeadError } from '../shared/errors.ts';
import type { Box } from '../shared/face-boxes.ts';
import { audioPacket, audioWindow } from '../shared/audio-window.ts';
import { frameAt, videoPacket } from '../shared/video-frames.ts';
import { wav2lipFaceInput, WAV2LIP_FACE } from './faces.ts';
import { lipSyncFrames, type LipSyncFrame } from './runner.ts';
import { melWindowStart, WAV2LIP_MEL_FPS, WAV2LIP_MEL_STEP } from './windows.ts';

export interface Wav2lipStageOptions {
  fps: number | null;
  batchSize: number;
  melStep: number;
}

const MEL_RATE = 16000;
const MEL_HOP = MEL_RATE / WAV2LIP_MEL_FPS;
/** Seconds of audio beyond the samples a mel frame reads, for the resampler's edges. */
const MARGIN = 0.05;
/** Face inputs are cached per face frame for loops up to this many frames. */
const CACHE_FRAMES = 64;
const EPS = 1e-9;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Output frames [first, end) whose centres lie in [start, end) s. */
export function ownedVideoFrames(start: number, end: number, fps: number): { first: number; end: number } {
  return { first: Math.max(0, Math.ceil(start * fps - 0.5 - EPS)), end: Math.max(0, Math.ceil(end * fps - 0.5 - EPS)) };
}

function boxesOf(packet: Packet | undefined, frames: number, stage: string): Box[] {
  if (!packet || packet.kind !== 'tensor' || packet.tensor.dims.length !== 2 || packet.tensor.dims[1] !== 4) {
    throw new TalkingHeadError(`stage "${stage}": input "boxes" must be a [frames, 4] tensor from face-detect; got ${packet ? packet.kind : 'nothing'}`);
  }
  if (packet.tensor.dims[0] !== frames) throw new TalkingHeadError(`stage "${stage}": ${packet.tensor.dims[0]} face boxes for ${frames} face frames; expected one box per frame`);
  const d = packet.tensor.data;
  return Array.from({ length: frames }, (_, i) => [0, 1, 2, 3].map((k) => Number(d[4 * i + k])) as Box);
}

export async function createWav2lipStage(o: Wav2lipStageOptions, ctx: StageCreateContext): Promise<StageInstance> {
  if (o.melStep !== WAV2LIP_MEL_STEP) throw new TalkingHeadError(`stage "${ctx.id}": melStep ${o.melStep}: the Wav2Lip contract takes ${WAV2LIP_MEL_STEP} mel frames per window`);
  const warm = Math.min(o.batchSize, 4);
  const model = await openStageModel(ctx, 'generator', 'wav2lip', {
      warmupFeeds: () => ({
        mel_spectrogram: { dtype: 'float32', dims: [warm, 1, 80, WAV2LIP_MEL_STEP], data: new Float32Array(warm * 80 * WAV2LIP_MEL_STEP) },
        video_frames: { dtype: 'float32', dims: [warm, 6, WAV2LIP_FACE, WAV2LIP_FACE], data: new Float32Array(warm * 6 * WAV2LIP_FACE * WAV2LIP_FACE) },
      }),
    });
  let face: { packet: Packet; boxes: Box[]; inputs: Map<number, Float32Array> } | undefined;

  const process = async (n: Neighbourhood) => {
    const { chunk } = n.cur;
    const video = videoPacket(n.wholes.frames, `stage "${ctx.id}" input "frames"`);
    if (face?.packet !== video) face = { packet: video, boxes: boxesOf(n.wholes.boxes, video.frameCount, ctx.id), inputs: new Map() };
    const fps = o.fps ?? video.fps;
    const owned = ownedVideoFrames(chunk.start, chunk.end, fps);
    const count = Math.max(0, owned.end - owned.first);
    const packet: VideoPacket = { kind: 'video', chunk, width: video.width, height: video.height, fps, startFrame: owned.first, frameCount: count, data: new Uint8Array(0) };
    if (count === 0) return [{ port: 'frames', packet }];

    // The audio window: every mel frame the chunk's windows read, with STFT and resampler margins.
    const rate = audioPacket(n.cur.ports.audio, `stage "${ctx.id}" input "audio"`).sampleRate;
    const grid = (WAV2LIP_MEL_FPS / gcd(WAV2LIP_MEL_FPS, rate)) / WAV2LIP_MEL_FPS; // s: whole samples at both rates
    const firstMel = melWindowStart(owned.first, fps);
    const lastMel = melWindowStart(owned.end - 1, fps) + WAV2LIP_MEL_STEP;
    const available = n.prev ? n.prev.chunk.start : chunk.start;
    // Near the clip's end the last windows are right-aligned ([clip mel frames − 16, end)): they may
    // start before the chunk's own first window, so the audio window must reach back 0.2 s more.
    const nearEnd = chunk.last || n.next?.chunk.last === true;
    const rightAligned = nearEnd ? (n.next?.chunk.end ?? chunk.end) - WAV2LIP_MEL_STEP / WAV2LIP_MEL_FPS - 400 / MEL_RATE - 2 * MARGIN : Infinity;
    const wanted = Math.min((firstMel * MEL_HOP - 400) / MEL_RATE - MARGIN, rightAligned);
    const ws = Math.min(Math.floor(chunk.start / grid + EPS), Math.max(Math.ceil(available / grid - EPS), Math.floor(wanted / grid + EPS))) * grid;
    const cur = audioPacket(n.cur.ports.audio, 'audio');
    const curSamples = cur.data.length / cur.channels;
    const before = cur.startSample - Math.round(ws * rate);
    const after = Math.max(0, Math.ceil((((lastMel - 1) * MEL_HOP + 401) / MEL_RATE + MARGIN) * rate) - (cur.startSample + curSamples));
    const w = audioWindow(n, 'audio', before, after);
    if (w.ownStart !== before) throw new TalkingHeadError(`stage "${ctx.id}": chunk ${chunk.index}'s previous chunk lacks the ${before} samples of context expected`);
    let wav = rate === MEL_RATE ? w.data : resample(w.data, { inputRate: rate, outputRate: MEL_RATE });
    let clipMelFrames = w.atClipEnd ? 1 + Math.floor(resampledLength(w.startSample + w.data.length, rate, MEL_RATE) / MEL_HOP) : Infinity;
    if (w.atClipStart && w.atClipEnd && clipMelFrames < WAV2LIP_MEL_STEP) {
      // A whole clip shorter than one 0.2 s window ("Hi."): its window is padded with silence.
      const padded = new Float32Array((WAV2LIP_MEL_STEP - 1) * MEL_HOP);
      padded.set(wav);
      wav = padded;
      clipMelFrames = WAV2LIP_MEL_STEP;
    }
    const mel = wav2lipMel(wav);
    const melBase = Math.round(ws * WAV2LIP_MEL_FPS); // clip mel frame of the window's frame 0
    if (clipMelFrames < WAV2LIP_MEL_STEP || mel.frames < WAV2LIP_MEL_STEP) {
      throw new TalkingHeadError(`stage "${ctx.id}": Wav2Lip needs at least ${WAV2LIP_MEL_STEP / WAV2LIP_MEL_FPS} s of audio; chunk ${chunk.index} has ${(w.data.length / rate).toFixed(3)} s at hand`);
    }

    const items: LipSyncFrame[] = [];
    for (let i = owned.first; i < owned.end; i++) {
      const m = Math.min(melWindowStart(i, fps), clipMelFrames - WAV2LIP_MEL_STEP);
      const index = i % video.frameCount;
      const frame = frameAt(video, index);
      const box = face.boxes[index];
      let faceInput = face.inputs.get(index);
      if (!faceInput && video.frameCount <= CACHE_FRAMES) face.inputs.set(index, (faceInput = wav2lipFaceInput(frame, box)));
      // Clamped only when a neighbour is too short to hold the window (chunks under 0.2 s).
      items.push({ frame, box, faceInput, melStart: Math.max(0, Math.min(m - melBase, mel.frames - WAV2LIP_MEL_STEP)) });
    }
    packet.data = new Uint8Array(video.width * video.height * 3 * count);
    await lipSyncFrames(model.session, items, mel, { batchSize: o.batchSize, into: packet.data });
    return [{ port: 'frames', packet }];
  };

  return { operator: withNeighbours(['frames', 'boxes'], process), dispose: () => model.release() };
}
