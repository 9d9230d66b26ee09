/**
 * Silero VAD for the chunker (chunking.splitAt: vad): the bundled model opened on the CPU for the
 * audio source, as a SpeechProbe over 16 kHz signals. The source's own provider list does not
 * apply: a VAD on short windows is cheapest on the CPU, where a GPU round trip costs more than it.
 */
import { MANIFESTS } from '../../models/manifests/index.ts';
import { pretrainedModelPath } from '../../models/pretrained.ts';
import type { SpeechProbe } from '../../src/chunking/index.ts';
import { DEFAULT_NODE_SETTINGS } from '../../src/core/settings.ts';
import type { StageCreateContext } from '../../src/core/stage.ts';
import { openModel } from '../../src/inference/model.ts';
import { CONTEXT, FRAME, SEQUENCE_FORM, SR, speechProbabilities } from './probabilities.ts';

export interface OpenedProbe {
  probe: SpeechProbe;
  release(): Promise<void>;
}

export async function openSpeechProbe(ctx: StageCreateContext): Promise<OpenedProbe> {
  const file = pretrainedModelPath('silero-vad')!;
  const sequence = await SEQUENCE_FORM.path(file, (line) => ctx.log(`chunking: ${line}`, 'warning'));
  const model = await openModel({
    stage: ctx.id,
    path: sequence ?? file,
    contract: sequence ? SEQUENCE_FORM.contract : MANIFESTS['silero-vad'],
    // Not the source's own settings: one CPU thread, whatever the pipeline asks of its models.
    settings: { ...DEFAULT_NODE_SETTINGS, provider: ['cpu'] },
    // Which provider it took is no news (always the CPU); a warning still is.
    log: (line, level) => {
      if (level === 'warning') ctx.log(`chunking: ${line}`, level);
    },
    warmup: sequence ? SEQUENCE_FORM.warmup : { dims: { B: 1, N: CONTEXT + FRAME }, feeds: { sr: SR } },
  });
  return {
    probe: (signal, warmupFrames) => speechProbabilities(model, signal, Math.ceil(signal.length / FRAME), warmupFrames),
    release: () => model.release(),
  };
}
