/**
 * The vad stage: chunk audio → 16 kHz → Silero VAD v5 frame by frame (512 new samples after 64 of
 * context, as silero-vad's OnnxWrapper feeds it; frame f covers clip samples [512f, 512f + 512) at
 * 16 kHz) → SpeechGate → the speech spans inside the chunk's owned range.
 *
 * Each item starts from a zero state `warmupSeconds` before its chunk (in the previous chunk), so
 * items are independent: a stateless stage, replicated like any other, never the run's serial
 * bottleneck. (Carried from chunk to chunk, one instance's 0.15–0.3 ms per frame made it one: a
 * 600 s recording took twice as long on 16 cores.) Warmed up, the state is the carried one's within
 * the first frames; spans can differ from a whole-clip pass only where a chunk starts mid-speech.
 * A span's end is known only `minSilence` after it, and a short segment's fate only once it ends:
 * the detector runs on into the next chunk far enough to decide everything up to this chunk's end.
 * The clip's last frame is zero-padded, as silero-vad pads it.
 */
import { defer } from 'rxjs';
import type { StageItem } from '../../src/core/item.ts';
import type { PortPacket, StageCreateContext, StageOptions, TransformInstance } from '../../src/core/stage.ts';
import type { AudioPacket } from '../../src/core/types.ts';
import { resample } from '../../src/dsp/index.ts';
import { monoSamples } from '../shared/audio-window.ts';
import { openStageModel, type Model } from '../shared/open-model.ts';
import { f32, i64 } from '../shared/tensors.ts';
import { clipSpans, SpeechGate, type GateRule } from './gate.ts';
import type { vad } from './index.ts';

const RATE = 16000;
const FRAME = 512;
const CONTEXT = 64;
/** The `sr` feed, the same for every frame. */
const SR = i64([RATE], []);

/** The packet's audio as 16 kHz mono, exactly the chunk's 16 kHz sample range long. */
function at16k(p: AudioPacket): Float32Array {
  const mono = monoSamples(p);
  const want = Math.round(p.chunk.end * RATE) - Math.round(p.chunk.start * RATE);
  const x = p.sampleRate === RATE ? mono : resample(mono, { inputRate: p.sampleRate, outputRate: RATE });
  if (x.length === want) return x;
  const out = new Float32Array(want);
  out.set(x.subarray(0, want));
  return out;
}

/** What runs frame by frame: the model's state and context, unframed samples, the gate. */
class Detector {
  private state: Float32Array = new Float32Array(2 * 128);
  private context = new Float32Array(CONTEXT);
  /** Samples not yet in a frame. */
  private pending = new Float32Array(0);

  constructor(
    private readonly model: Model,
    readonly gate: SpeechGate,
    /** Clip sample index of the first pending sample (a frame edge). */
    private pendingAt: number,
  ) {}

  /** Appends `samples` (following on) and runs every whole frame; stops once `until` is passed. */
  async feed(samples: Float32Array, until = Number.POSITIVE_INFINITY): Promise<void> {
    const all = new Float32Array(this.pending.length + samples.length);
    all.set(this.pending);
    all.set(samples, this.pending.length);
    let offset = 0;
    while (all.length - offset >= FRAME && this.pendingAt + offset < until) {
      await this.frame(all.subarray(offset, offset + FRAME), this.pendingAt + offset);
      offset += FRAME;
    }
    this.pending = all.slice(offset);
    this.pendingAt += offset;
  }

  /** The clip ends: the last partial frame, zero-padded, then the gate closes at `end`. */
  async finish(end: number): Promise<void> {
    if (this.pending.length > 0) {
      const last = new Float32Array(FRAME);
      last.set(this.pending);
      await this.frame(last, this.pendingAt);
      this.pending = new Float32Array(0);
    }
    this.gate.finish(end);
  }

  private async frame(samples: Float32Array, at: number): Promise<void> {
    const input = new Float32Array(CONTEXT + FRAME);
    input.set(this.context);
    input.set(samples, CONTEXT);
    const out = await this.model.run({
      input: f32(input, [1, CONTEXT + FRAME]),
      state: f32(this.state, [2, 1, 128]),
      sr: SR,
    });
    this.state = out.stateN.data as Float32Array;
    this.context = input.slice(FRAME);
    this.gate.push((out.output.data as Float32Array)[0], at, FRAME);
  }
}

export async function createVadStage(o: StageOptions<typeof vad>, ctx: StageCreateContext): Promise<TransformInstance> {
  const ms = (v: number) => Math.round((v / 1000) * RATE);
  const rule: GateRule = {
    threshold: o.threshold,
    negThreshold: o.negThreshold ?? Math.max(0.01, o.threshold - 0.15),
    minSpeech: ms(o.minSpeechMs),
    minSilence: ms(o.minSilenceMs),
    pad: ms(o.speechPadMs),
  };
  // How far past a chunk's end its spans can still change: a silence being timed, a short segment
  // being measured, a segment starting within the padding.
  const lookahead = rule.minSilence + rule.minSpeech + rule.pad + 2 * FRAME;
  const warmup = Math.round(o.warmupSeconds * RATE);
  const model = await openStageModel(ctx, 'vad', 'silero-vad', {
    warmup: { dims: { B: 1, N: CONTEXT + FRAME }, feeds: { sr: SR } },
  });

  const detect = async (item: StageItem): Promise<PortPacket> => {
    const { chunk } = item;
    const from = Math.round(chunk.start * RATE);
    const to = Math.round(chunk.end * RATE);
    // Frames stay on the clip's 512-sample grid: the warm-up starts on a frame edge inside the
    // previous chunk (the clip's start for the first chunk: then nothing is approximated).
    const prev = item.prev;
    const prevFrom = prev ? Math.round(prev.chunk.start * RATE) : from;
    const start = Math.ceil(Math.max(prevFrom, from - warmup) / FRAME) * FRAME;
    const detector = new Detector(model, new SpeechGate(rule), start);
    if (prev && start < from) await detector.feed(at16k(prev.audio('audio')).subarray(start - prevFrom));
    await detector.feed(at16k(item.audio('audio')).subarray(Math.max(0, start - from)));
    const next = item.next;
    if (chunk.last) await detector.finish(to);
    else if (next) {
      await detector.feed(at16k(next.audio('audio')), to + lookahead);
      if (next.chunk.last && detector.gate.position < to + lookahead)
        await detector.finish(Math.round(next.chunk.end * RATE));
    }
    const { gate } = detector;
    const spans = clipSpans(gate.spans(Math.max(gate.position, to)), from, to);
    const data = new Int32Array(spans.length * 2);
    spans.forEach(([s, e], i) => data.set([s, e], 2 * i));
    return {
      port: 'speech',
      packet: {
        kind: 'tensor',
        chunk,
        name: 'speech-segments',
        tensor: { dtype: 'int32', dims: [spans.length, 2], data },
        meta: { sampleRate: RATE },
      },
    };
  };

  return { process: (item) => defer(() => detect(item)), dispose: () => model.release() };
}
