/**
 * Contract checks against real sessions: reference models pass their own family's contract, a
 * model of another family fails with expected vs found, and the real face detector from
 * ../shared passes the face-detect contract although its old exporter lists weights as inputs.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { MANIFESTS } from '../../models/manifests/index.ts';
import { ensureReferenceModel } from '../../models/reference.ts';
import { ContractError } from '../../src/core/errors.ts';
import { assertContract, contractProblems } from '../../src/inference/contract-check.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const open = async (file: string) => ort.InferenceSession.create(file, { logSeverityLevel: 3, intraOpNumThreads: 1 });
const FACE_DETECTOR = path.resolve(REPO_ROOT, '../shared/models/face-detector-rfb-320.onnx');

describe('contract check', () => {
  it('every reference model passes its own family contract', async () => {
    for (const family of Object.keys(MANIFESTS) as (keyof typeof MANIFESTS)[]) {
      const session = await open(await ensureReferenceModel(family, 'tiny'));
      expect(() => assertContract(session, MANIFESTS[family], { stage: 's', model: family })).not.toThrow();
      await session.release();
    }
  });

  it('a model of the wrong family fails with one line per mismatch, expected vs found', async () => {
    const file = await ensureReferenceModel('hifigan', 'tiny');
    const session = await open(file);
    const err = (() => {
      try {
        assertContract(session, MANIFESTS.wav2lip, { stage: 'lipsync', model: file });
      } catch (e) {
        return e as ContractError;
      }
    })();
    await session.release();
    expect(err).toBeInstanceOf(ContractError);
    const lines = err!.lines();
    expect(lines).toContain(
      `${file}: does not match the wav2lip contract of stage "lipsync": input "mel_spectrogram" (float32 [B, 1, 80, 16]) is missing; the model's inputs are "spec"`,
    );
    expect(
      lines.some((l) =>
        l.endsWith('input "spec" (float32 [B, 80, T]) is not part of the wav2lip contract; the stage cannot feed it'),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.includes('output "output" (float32 [B, 3, 96, 96]) is missing'))).toBe(true);
  });

  it('reports dtype, rank and fixed-dimension mismatches', () => {
    const contract = MANIFESTS.wav2lip;
    const problems = contractProblems(contract, {
      inputs: [
        { name: 'mel_spectrogram', dtype: 'float16', shape: ['B', 1, 80, 16] },
        { name: 'video_frames', dtype: 'float32', shape: ['B', 6, 96] },
      ],
      outputs: [{ name: 'output', dtype: 'float32', shape: [-1, 3, 64, 64] }],
    });
    expect(problems).toEqual([
      'input "mel_spectrogram": expected float32 [B, 1, 80, 16], found float16 [B, 1, 80, 16] (dtype)',
      'input "video_frames": expected float32 [B, 6, 96, 96], found float32 [B, 6, 96] (rank 3, not 4)',
      'output "output": expected float32 [B, 3, 96, 96], found float32 [?, 3, 64, 64] (axis 2 is 64, not 96)',
    ]);
  });

  it.skipIf(!existsSync(FACE_DETECTOR))(
    'the real Ultra-Light detector passes the face-detect contract despite weights listed as inputs',
    async () => {
      const session = await open(FACE_DETECTOR);
      expect(() =>
        assertContract(session, MANIFESTS['face-detect'], { stage: 'faces', model: FACE_DETECTOR }),
      ).not.toThrow();
      await session.release();
    },
  );
});
