/**
 * A model family's I/O contract: what a stage adapter feeds and reads. Checked against a model
 * file's declared inputs/outputs before any chunk runs, and reproduced exactly by the bundled
 * reference models, so that a user can drop in a real export of the family.
 */
import type { TensorDType } from './types.ts';

/** A dimension: a fixed size, or a symbolic name (`B`, `T`, `T_mel`) that may take any size. */
export type Dim = number | string;

export interface TensorSpec {
  name: string;
  dtype: TensorDType;
  /** One entry per axis; its length is the rank. */
  shape: readonly Dim[];
  /** Why it is there, in the family's own terms. */
  doc?: string;
  /** An input the stage may leave out (e.g. NeMo's optional `speaker`). */
  optional?: boolean;
}

export interface ModelContract {
  /** Family id, e.g. `hifigan`, `wav2lip`. */
  family: string;
  inputs: readonly TensorSpec[];
  outputs: readonly TensorSpec[];
}
