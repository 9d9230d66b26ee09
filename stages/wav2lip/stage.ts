/**
 * The wav2lip stage: speech chunks + the face stream (frames and boxes, looped under the speech on
 * the same grid) → lip-synced frames for exactly the chunk's owned time range, at the face
 * video's fps.
 *
 * Timeline: output frame i stands at its centre, (i + 0.5)/fps s; chunk [start, end) renders the
 * frames whose centre lies in it, so chunks tile the clip with no drift and a clip of D seconds
 * gets round(D·fps) frames. Frame i shows frame i of the face stream (frame i mod N of the face
 * video: the source loops it, and the runtime stops it where the speech ends) with its box, found
 * in the face chunk of the same index or a neighbour — the speech's cuts move to pauses, the face's
 * stay on whole frames of the grid, so the frames of one speech chunk may lie on either side of a
 * face chunk's edge. Driven by the mel window [int(i·80/fps), +16) of the clip's Wav2Lip mel
 * (80 frames/s, frame m centred on 16 kHz sample 200·m); near the clip end the window is
 * right-aligned to the mel's end, as Wav2Lip does. A window reaches 0.2 s past its frame, so the
 * audio is taken with the next chunk's head (and a little of the previous chunk's tail for the
 * STFT's centring): the item carries one neighbour each side. The context window starts on a grid
 * where both the input rate and 16 kHz / hop 200 have whole samples, so the mel frames computed on
 * it are the clip's own frames.
 */
import { defer } from 'rxjs';
import { InputError } from '../../src/core/errors.ts';
import type { StageItem } from '../../src/core/item.ts';
import type { PortPacket, StageCreateContext, TransformInstance } from '../../src/core/stage.ts';
import type { VideoPacket } from '../../src/core/types.ts';
import { resample, resampledLength, wav2lipMel } from '../../src/dsp/index.ts';
import { audioWindow } from '../shared/audio-window.ts';
import type { Box } from '../shared/face-boxes.ts';
import { openStageModel } from '../shared/open-model.ts';
import { checkedFrames, frameAt, heldFrameIndex, holdsFrame } from '../shared/video-frames.ts';
import { wav2lipFaceInput } from './faces.ts';
import type { Wav2lipOptions } from './index.ts';
import { lipSyncFrames, type LipSyncFrame, type LipSyncModel } from './runner.ts';
import { melWindowStart, WAV2LIP_MEL_FPS, WAV2LIP_MEL_STEP } from './windows.ts';

const MEL_RATE = 16000;
const MEL_HOP = MEL_RATE / WAV2LIP_MEL_FPS;
/** Seconds of audio beyond the samples a mel frame reads, for the resampler's edges. */
const MARGIN = 0.05;
/** Face inputs kept per worker for a loop held whole (per held frame and box): a still image is cropped once. */
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

/** One face chunk with its boxes. */
interface FaceChunk {
  video: VideoPacket;
  boxes: Int32Array;
}

/** The face chunks of the item and its neighbours, each checked against its boxes. */
function faceChunks(item: StageItem): FaceChunk[] {
  return [...item.before, item, ...item.after].flatMap((view) => {
    if (!view.has('frames')) return [];
    const video = checkedFrames(view.video('frames'), 'frames');
    const { tensor } = view.tensor('boxes', { rank: 2 });
    if (tensor.dims[1] !== 4 || tensor.dims[0] !== video.frameCount)
      throw new InputError(
        `input "boxes" of chunk ${view.chunk.index}: expected [${video.frameCount}, 4] boxes from face-detect (one per face frame); got [${tensor.dims.join(', ')}]`,
      );
    return [{ video, boxes: tensor.data as Int32Array }];
  });
}

/** Face frame i of the stream and its box, from whichever chunk at hand holds it. */
function faceFrame(chunks: readonly FaceChunk[], i: number): { chunk: FaceChunk; at: number; box: Box } {
  const chunk = chunks.find((c) => holdsFrame(c.video, i));
  if (!chunk) {
    const first = chunks[0].video.startFrame;
    const last = chunks.at(-1)!.video;
    const ended = last.startFrame + last.frameCount;
    if (last.chunk.last && i >= ended)
      throw new InputError(
        `input "frames": the face video ended at frame ${ended}, before the speech: it is looped under the speech only ` +
          'when stages that loop it (face-detect, wav2lip) are all that read it — give its other readers a separate input',
      );
    throw new InputError(
      `input "frames": face frame ${i} is not in the face chunks at hand (frames ${first}–${last.startFrame + last.frameCount - 1}); ` +
        'the speech strays more than a chunk from the face grid: make chunking.silenceSearchSeconds smaller than chunking.seconds',
    );
  }
  const at = i - chunk.video.startFrame;
  const b = chunk.boxes;
  return { chunk, at, box: [b[4 * at], b[4 * at + 1], b[4 * at + 2], b[4 * at + 3]] };
}

export async function createWav2lipStage(o: Wav2lipOptions, ctx: StageCreateContext): Promise<TransformInstance> {
  const model = await openStageModel(ctx, 'generator', 'wav2lip', {
    warmup: { dims: { B: Math.min(o.batchSize, 4) } },
  });
  const held = new HeldFaceInputs();
  return {
    process: (item) => defer(() => renderChunk(model, o, item, held)),
    dispose: () => model.release(),
  };
}

/**
 * Model inputs of a loop held whole, per clip, held frame and box: CACHE_FRAMES in all. A clip
 * that finds the cache full ends the least recently used other clip's entries; a shared instance
 * (a batch's samples in flight) takes clips in turns, so more than the latest one is kept.
 */
class HeldFaceInputs {
  /** By clip, the least recently used first. */
  private readonly clips = new Map<string, Map<string, Float32Array>>();
  private size = 0;

  get(clip: string, held: number, box: Box, make: () => Float32Array): Float32Array {
    const inputs = this.clips.get(clip) ?? new Map<string, Float32Array>();
    this.clips.delete(clip);
    this.clips.set(clip, inputs);
    const key = `${held}:${box.join(',')}`;
    let input = inputs.get(key);
    if (input) return input;
    input = make();
    for (const [other, kept] of this.clips) {
      if (this.size < CACHE_FRAMES || other === clip) break;
      this.clips.delete(other);
      this.size -= kept.size;
    }
    if (this.size < CACHE_FRAMES) {
      inputs.set(key, input);
      this.size++;
    }
    return input;
  }
}

/** The chunk's own frames, rendered straight into its output packet. */
async function renderChunk(
  model: LipSyncModel,
  o: Wav2lipOptions,
  item: StageItem,
  held: HeldFaceInputs,
): Promise<PortPacket> {
  const { chunk } = item;
  const faces = faceChunks(item);
  const video = faces.find((f) => f.video.chunk.index === chunk.index)?.video ?? faces[0]?.video;
  if (!video) throw new InputError('input "frames": no face frames arrived with this chunk');
  if (o.fps !== null && o.fps !== video.fps)
    throw new InputError(
      `the option fps ${o.fps} differs from the face video's ${video.fps} fps: set the face input's fps instead (--set inputs.<face>.options.fps=${o.fps})`,
    );
  const fps = video.fps;
  const owned = ownedVideoFrames(chunk.start, chunk.end, fps);
  const count = Math.max(0, owned.end - owned.first);
  const packet: VideoPacket = {
    kind: 'video',
    chunk,
    width: video.width,
    height: video.height,
    fps,
    startFrame: owned.first,
    frameCount: count,
    data: new Uint8Array(0),
  };
  if (count === 0) return { port: 'frames', packet };

  // The audio window: every mel frame the chunk's windows read, with STFT and resampler margins.
  const cur = item.audio('audio');
  const rate = cur.sampleRate;
  const grid = WAV2LIP_MEL_FPS / gcd(WAV2LIP_MEL_FPS, rate) / WAV2LIP_MEL_FPS; // s: whole samples at both rates
  const firstMel = melWindowStart(owned.first, fps);
  const lastMel = melWindowStart(owned.end - 1, fps) + WAV2LIP_MEL_STEP;
  const { prev, next } = item;
  const available = prev ? prev.chunk.start : chunk.start;
  // Near the clip's end the last windows are right-aligned ([clip mel frames − 16, end)): they may
  // start before the chunk's own first window, so the audio window must reach back 0.2 s more.
  const nearEnd = chunk.last || next?.chunk.last === true;
  const rightAligned = nearEnd
    ? (next?.chunk.end ?? chunk.end) - WAV2LIP_MEL_STEP / WAV2LIP_MEL_FPS - 400 / MEL_RATE - 2 * MARGIN
    : Infinity;
  const wanted = Math.min((firstMel * MEL_HOP - 400) / MEL_RATE - MARGIN, rightAligned);
  const ws =
    Math.min(
      Math.floor(chunk.start / grid + EPS),
      Math.max(Math.ceil(available / grid - EPS), Math.floor(wanted / grid + EPS)),
    ) * grid;
  const curSamples = cur.data.length / cur.channels;
  const before = cur.startSample - Math.round(ws * rate);
  const after = Math.max(
    0,
    Math.ceil((((lastMel - 1) * MEL_HOP + 401) / MEL_RATE + MARGIN) * rate) - (cur.startSample + curSamples),
  );
  const w = audioWindow(item, 'audio', before, after);
  if (w.ownStart !== before)
    throw new InputError(`input "audio": the previous chunk lacks the ${before} samples of context expected`);
  let wav = rate === MEL_RATE ? w.data : resample(w.data, { inputRate: rate, outputRate: MEL_RATE });
  let clipMelFrames = w.atClipEnd
    ? 1 + Math.floor(resampledLength(w.startSample + w.data.length, rate, MEL_RATE) / MEL_HOP)
    : Infinity;
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
    throw new InputError(
      `input "audio": Wav2Lip needs at least ${WAV2LIP_MEL_STEP / WAV2LIP_MEL_FPS} s of audio; ${(w.data.length / rate).toFixed(3)} s are at hand`,
    );
  }

  const frames: LipSyncFrame[] = [];
  for (let i = owned.first; i < owned.end; i++) {
    const m = Math.min(melWindowStart(i, fps), clipMelFrames - WAV2LIP_MEL_STEP);
    const face = faceFrame(faces, i);
    const frame = frameAt(face.chunk.video, face.at);
    const { box } = face;
    const faceInput = face.chunk.video.frameMap
      ? held.get(chunk.clipId, heldFrameIndex(face.chunk.video, face.at), box, () => wav2lipFaceInput(frame, box))
      : undefined;
    // Clamped only when a neighbour is too short to hold the window (chunks under 0.2 s).
    frames.push({ frame, box, faceInput, melStart: Math.max(0, Math.min(m - melBase, mel.frames - WAV2LIP_MEL_STEP)) });
  }
  packet.data = new Uint8Array(video.width * video.height * 3 * count);
  await lipSyncFrames(model, frames, mel, { batchSize: o.batchSize, into: packet.data });
  return { port: 'frames', packet };
}
