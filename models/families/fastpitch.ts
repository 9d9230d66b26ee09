/**
 * FastPitch, NeMo export contract: `text` [B,T_text], `pitch` (additive shift of the predicted
 * pitch), `pace` → `spect` [B,80,T_spec], `num_frames`, `durs_predicted`, `log_durs_predicted`,
 * `pitch_predicted`. Encoder (masked self-attention) → duration and pitch predictors → pitch
 * embedding → length regulation `reps = ⌊dur/pace + 0.5⌋` done in-graph with CumSum and
 * GatherElements → decoder → mel. Pad id 0 is masked everywhere.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { conv, embedding, layerNorm, linear, transformerBlock } from '../../src/onnx/layers.ts';

export interface FastpitchHyper {
  symbols: number;
  dim: number;
  heads: number;
  ffn: number;
  encoderLayers: number;
  decoderLayers: number;
  predictorChannels: number;
  melBands: number;
  /** Mean duration (frames per token) the reference's duration predictor is biased towards. */
  meanDuration: number;
  maxDuration: number;
}

export function buildFastpitch(h: FastpitchHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('fastpitch', seed);
  const text = b.input('text', 'int64', ['B', 'T_text'], 'symbol ids (english_basic, pad 0)');
  const pitchShift = b.input('pitch', 'float32', ['B', 'T_text'], 'added to the predicted (normalised) pitch');
  const pace = b.input('pace', 'float32', ['B', 'T_text'], 'speaking-rate divisor of durations; 1 = normal');

  const isPad = b.op('Equal', [text, b.constInt([0], [])]);
  const tokenMask = b.cast(b.op('Not', [isPad]), 'float32');
  const tokenMask3 = b.unsqueeze(tokenMask, [2]);
  const keyMask = b.unsqueeze(b.op('Where', [isPad, b.constFloat([-1e9], []), b.constFloat([0], [])]), [1, 2]);

  let enc = b.mul(
    embedding(b, 'encoder.word_emb', b.op('Mod', [text, b.constInt([h.symbols], [])]), h.symbols, h.dim),
    tokenMask3,
  );
  for (let i = 0; i < h.encoderLayers; i++) {
    enc = b.mul(
      transformerBlock(b, `encoder.layers.${i}`, enc, {
        dim: h.dim,
        heads: h.heads,
        ffn: h.ffn,
        additiveMask: keyMask,
      }),
      tokenMask3,
    );
  }

  // Two conv layers (ReLU + LayerNorm) then a projection to one value per token, as in FastPitch.
  const predictor = (name: string): string =>
    b.scope(name, () => {
      let x = b.transpose(enc, [0, 2, 1]);
      let cin = h.dim;
      for (let i = 0; i < 2; i++) {
        const c = b.relu(conv(b, `layers.${i}.conv`, x, { cin, cout: h.predictorChannels, kernel: [3] }));
        x = b.transpose(layerNorm(b, `layers.${i}.norm`, b.transpose(c, [0, 2, 1]), h.predictorChannels), [0, 2, 1]);
        cin = h.predictorChannels;
      }
      const out = linear(b, 'fc', b.transpose(x, [0, 2, 1]), h.predictorChannels, 1, {
        std: 0.1 / Math.sqrt(h.predictorChannels),
      });
      return b.mul(b.squeeze(out, [2]), tokenMask);
    });
  const logDurs = b.add(
    predictor('duration_predictor'),
    b.mul(b.constFloat([Math.log(1 + h.meanDuration)], []), tokenMask),
  );
  const pitchPred = b.add(predictor('pitch_predictor'), pitchShift);
  const pitchEmb = conv(b, 'pitch_emb', b.unsqueeze(pitchPred, [1]), { cin: 1, cout: h.dim, kernel: [3] });
  enc = b.add(enc, b.mul(b.transpose(pitchEmb, [0, 2, 1]), tokenMask3));

  const durs = b.mul(
    b.op('Clip', [
      b.sub(b.op('Exp', [logDurs]), b.constFloat([1], [])),
      b.constFloat([0], []),
      b.constFloat([h.maxDuration], []),
    ]),
    tokenMask,
  );
  const reps = b.cast(b.op('Floor', [b.add(b.div(durs, pace), b.constFloat([0.5], []))]), 'int64');
  const ends = b.op('CumSum', [reps, b.constInt([1], [])]);
  const numFrames = b.squeeze(b.slice(ends, [-1], [2 ** 31 - 1], [1]), [1]);
  const tSpec = b.op('ReduceMax', [numFrames], { keepdims: 0 });
  const frame = b.op('Range', [b.constInt([0], []), tSpec, b.constInt([1], [])]);
  // Token of frame j = number of tokens that end at or before j.
  const ended = b.op('LessOrEqual', [b.unsqueeze(ends, [1]), b.reshape(frame, [1, -1, 1])]);
  const lastToken = b.sub(b.dim(text, 1), b.constInt([1]));
  const token = b.op('Min', [b.op('ReduceSum', [b.cast(ended, 'int64'), b.constInt([2])], { keepdims: 0 }), lastToken]);
  const index = b.op('Expand', [
    b.unsqueeze(token, [2]),
    b.concat([b.dim(token, 0), b.dim(token, 1), b.constInt([h.dim])], 0),
  ]);
  const frameMask = b.cast(b.op('Less', [b.unsqueeze(frame, [0]), b.unsqueeze(numFrames, [1])]), 'float32');
  const frameMask3 = b.unsqueeze(frameMask, [2]);
  const frameKeyMask = b.unsqueeze(b.mul(b.sub(b.constFloat([1], []), frameMask), b.constFloat([-1e9], [])), [1, 2]);

  let dec = b.mul(b.op('GatherElements', [enc, index], { axis: 1 }), frameMask3);
  for (let i = 0; i < h.decoderLayers; i++) {
    dec = b.mul(
      transformerBlock(b, `decoder.layers.${i}`, dec, {
        dim: h.dim,
        heads: h.heads,
        ffn: h.ffn,
        additiveMask: frameKeyMask,
      }),
      frameMask3,
    );
  }
  const mel = b.mul(linear(b, 'proj', layerNorm(b, 'decoder.norm', dec, h.dim), h.dim, h.melBands), frameMask3);

  b.output(
    b.transpose(mel, [0, 2, 1]),
    'spect',
    'float32',
    ['B', h.melBands, 'T_spec'],
    'log-mel, 22.05 kHz, hop 256; frames past num_frames are 0',
  );
  b.output(numFrames, 'num_frames', 'int64', ['B'], 'valid mel frames per item');
  b.output(durs, 'durs_predicted', 'float32', ['B', 'T_text'], 'frames per token before pace and rounding');
  b.output(logDurs, 'log_durs_predicted', 'float32', ['B', 'T_text'], 'log(1 + duration)');
  b.output(pitchPred, 'pitch_predicted', 'float32', ['B', 'T_text'], 'normalised pitch per token, shift included');
  return b.model({ doc: 'reel reference FastPitch (seeded random weights)' });
}
