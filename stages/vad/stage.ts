/**
 * The vad stage: chunk audio → 16 kHz → Silero VAD v5 frame by frame (512 new samples after 64 of
 * context, as silero-vad's OnnxWrapper feeds it; frame f covers clip samples [512f, 512f + 512) at
 * 16 kHz) → SpeechGate → the speech spans inside the chunk's owned range.
 *
 * Each item starts from a zero state `warmupSeconds` before its chunk (in the previous chunk), so
 * items are independent: a stateless stage, replicated like any other, never the run's serial
 * bottleneck. (Carried from chunk to chunk, one instance's 0.15–0.3 ms per frame made it one: a
 * 600 s recording took twice as long on 16 cores.) Warmed up, the state is the carried one's within
 * the first frames; spans can differ from a whole-clip pass only where a chunk or one of its
 * sub-streams (below) starts mid-speech.
 * A span's end is known only `minSilence` after it, and a short segment's fate only once it ends:
 * the detector runs on into the next chunk far enough to decide everything up to this chunk's end.
 * The clip's last frame is zero-padded, as silero-vad pads it. The frames of an item run in the
 * model's sequence form (sequence-model.ts: the encoder on every frame at once, then the LSTM
 * over them), exactly as frame after frame: 0.011 ms a frame here against 0.7 ms one frame per call.
 * A model without that form (not shaped like v5) runs as up to 8 sub-streams batched in one call,
 * each warmed up the same way (speechProbabilities).
 */
import { defer } from 'rxjs';
import type { StageItem } from '../../src/core/item.ts';
import type { PortPacket, StageCreateContext, StageOptions, TransformInstance } from '../../src/core/stage.ts';
import { openStageModel } from '../shared/open-model.ts';
import { clipSpans, SpeechGate, type GateRule } from './gate.ts';
import type { vad } from './index.ts';
import { at16kPrefix, at16kSuffix } from './at16k.ts';
import { CONTEXT, FRAME, RATE, SEQUENCE_FORM, SR, speechProbabilities } from './probabilities.ts';
import { ReusedFloat32 } from './reused-buffer.ts';

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
  const warmupFrames = Math.ceil(warmup / FRAME);
  const model = await openStageModel(ctx, 'vad', 'silero-vad', {
    warmup: { dims: { B: 1, N: CONTEXT + FRAME }, feeds: { sr: SR } },
    alternate: SEQUENCE_FORM,
  });

  // The item's signal and the model's input, reused from item to item (reused-buffer.ts).
  const signalBuffer = new ReusedFloat32();
  const inputBuffer = new ReusedFloat32();

  const detect = async (item: StageItem): Promise<PortPacket> => {
    const { chunk } = item;
    const from = Math.round(chunk.start * RATE);
    const to = Math.round(chunk.end * RATE);
    // Frames stay on the clip's 512-sample grid: the warm-up starts on a frame edge inside the
    // previous chunk (the clip's start for the first chunk: then nothing is approximated).
    const prev = item.prev;
    const prevFrom = prev ? Math.round(prev.chunk.start * RATE) : from;
    const start = Math.ceil(Math.max(prevFrom, from - warmup) / FRAME) * FRAME;
    // The signal from `start`: the warm-up, this chunk, and the next chunk (for the lookahead).
    const parts: Float32Array[] = [];
    if (prev && start < from) parts.push(at16kSuffix(prev.audio('audio'), start - prevFrom));
    parts.push(at16kSuffix(item.audio('audio'), Math.max(0, start - from)));
    const next = chunk.last ? undefined : item.next;
    // Of the next chunk, the frames the lookahead reaches and one more (a last chunk shorter than
    // that comes whole: where the clip ends is then known).
    const reach = start + Math.ceil((to + lookahead - start) / FRAME) * FRAME + FRAME - to;
    if (next) parts.push(at16kPrefix(next.audio('audio'), reach));
    const length = parts.reduce((n, p) => n + p.length, 0);
    // Frames to run, as a detector fed chunk after chunk would: at the clip's end, the last partial
    // frame zero-padded and the gate closed there; before it, the whole frames that start before
    // the lookahead's end — and if the clip ends before that, its end as at the clip's end.
    const whole = Math.floor(length / FRAME);
    let frames: number;
    let finishAt: number | undefined;
    if (chunk.last) [frames, finishAt] = [Math.ceil(length / FRAME), to];
    else {
      frames = next ? Math.min(whole, Math.ceil((to + lookahead - start) / FRAME)) : whole;
      if (next?.chunk.last && start + frames * FRAME < to + lookahead) {
        [frames, finishAt] = [Math.ceil(length / FRAME), start + length];
      }
    }
    const gate = new SpeechGate(rule);
    // The parts fill the whole signal: no zeroing first.
    const probabilities = await signalBuffer.with(
      length,
      (signal) => {
        let at = 0;
        for (const part of parts) {
          signal.set(part, at);
          at += part.length;
        }
        return speechProbabilities(model, signal, frames, warmupFrames, inputBuffer);
      },
      false,
    );
    probabilities.forEach((p, k) => gate.push(p, start + k * FRAME, FRAME));
    if (finishAt !== undefined) gate.finish(finishAt);
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
