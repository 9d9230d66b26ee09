/**
 * Silero VAD v5 in sequence form: the same weights, run on T frames of S sub-streams in one call.
 * The exported model takes one 32 ms frame per call and pays for its many tiny ops on each (about
 * 0.14–0.7 ms a frame here). Its STFT and conv encoder do not depend on the state, so the sequence
 * form runs them as MatMuls over all S·T frames at once, then the model's LSTM node over the whole
 * sequence, then its head: 0.011 ms a frame (sequence-form.ts derives it).
 *
 * Derived from the model's own graph (its padding and LSTM weight nodes copied as they are, its
 * convolutions' weights read from it), so a re-trained Silero v5 export works too. A graph of
 * another shape gives undefined, and the stage runs frame by frame (the contract's form).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../../models/write-atomic.ts';
import type { ModelContract } from '../../src/core/contract.ts';
import { modelFileHash } from '../../src/inference/model-file-hash.ts';
import { variantDir } from '../../src/precision/variant-dir.ts';

/** What the sequence form takes and gives. */
export const SEQUENCE_CONTRACT: ModelContract = {
  family: 'silero-vad (sequence form)',
  inputs: [
    {
      name: 'frames',
      dtype: 'float32',
      shape: ['S', 'T', 576],
      doc: 'T frames of S sub-streams: 64 samples of context + 512',
    },
    { name: 'state', dtype: 'float32', shape: [2, 'S', 128], doc: 'LSTM state before the first frame' },
  ],
  outputs: [
    { name: 'probs', dtype: 'float32', shape: ['S', 'T'], doc: 'speech probability of each frame' },
    { name: 'stateN', dtype: 'float32', shape: [2, 'S', 128], doc: 'the state after the last frame' },
  ],
};

/** Bumped when the same model would give a different sequence form. */
const FORM_VERSION = 2;
/** Files known not to have one (by digest), so that a replica does not decode them again. */
const noForm = new Set<string>();

/**
 * The sequence form of the model in `file`, built on first use and kept beside the precision
 * variants (content-addressed by the model's bytes); undefined when its graph is not v5's. A form
 * that cannot be built, written or loaded, or that does not give the model's probabilities on a
 * test signal, is not used: `warn` says why, and the stage runs the model frame by frame.
 */
export async function sequenceFormOf(
  file: string,
  warn: (line: string) => void = () => undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const digest = await modelFileHash(file);
  if (noForm.has(digest)) return undefined;
  const key = createHash('sha256').update(`reel-vad-sequence ${FORM_VERSION} ${digest}`).digest('hex').slice(0, 24);
  const out = join(variantDir(env), `${basename(file, '.onnx')}.sequence.${key}.onnx`);
  if (await stat(out).catch(() => undefined)) return out;
  try {
    // The derivation (and the ONNX editing it needs) loads only to build a form.
    const [{ sileroSequenceForm, formAgrees }, { decodeOnnxModel }] = await Promise.all([
      import('./sequence-form.ts'),
      import('../../src/onnx/edit/decode.ts'),
    ]);
    const bytes = await readFile(file);
    const form = sileroSequenceForm(decodeOnnxModel(bytes));
    if (!form) {
      noForm.add(digest);
      return undefined;
    }
    // Checked against the model itself before it is kept: a form that loads but computes
    // something else (a re-export shaped a little differently) must never replace it.
    const disagreement = await formAgrees(bytes, form);
    if (disagreement) throw new Error(disagreement);
    await writeFileAtomic(out, form);
    return out;
  } catch (err) {
    noForm.add(digest);
    warn(
      `${basename(file)}: no sequence form (${(err as Error).message.split('\n')[0]}); the VAD runs frame by frame, several times slower`,
    );
    return undefined;
  }
}
