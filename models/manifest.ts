/**
 * What a model family is, for the engine: its I/O contract (names, dtypes, symbolic axes), its
 * time base (sample rate, hop, frames per second), the unit chunks are cut on, the context a
 * chunk needs, and the hyper-parameters of the bundled reference model at each scale.
 */
import type { ModelContract } from '../src/core/contract.ts';

export type Scale = 'tiny' | 'medium';
export const SCALES: readonly Scale[] = ['tiny', 'medium'];

/** Context a chunk needs beyond its owned range, in `unit` (the model's own input units). */
export interface ReceptiveField {
  before: number;
  after: number;
  unit: string;
  /**
   * True when `before`/`after` bound the dependency exactly (convolutional models: chunked
   * output equals whole-input output in the interior). False when the model attends over its
   * whole input; the numbers are then the recommended padding, not an exact bound.
   */
  exact: boolean;
  doc: string;
}

/** The step chunk boundaries must fall on. */
export interface Granularity {
  value: number;
  unit: string;
  doc: string;
}

export interface ModelManifest<H extends object = object> extends ModelContract {
  /** One line: what the family does in a pipeline. */
  summary: string;
  /** Which real export the contract mirrors (repository, file). */
  mirrors: string;
  /** Audio sample rate the model consumes or produces, Hz. */
  sampleRate?: number;
  /** Output (or input) samples per model frame. */
  hop?: number;
  /** Model frames per second of media. */
  framesPerSecond?: number;
  receptiveField: ReceptiveField;
  granularity: Granularity;
  /** Reference-model hyper-parameters; both scales honour the same contract and receptive field. */
  scales: Readonly<Record<Scale, H>>;
  /** What the reference model simplifies relative to the real family. */
  referenceNotes: string;
}
