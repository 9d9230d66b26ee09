/**
 * The error of the talking-head model logic: an input the model-facing code cannot work with
 * (a shape, a length, a box). The stage that calls it wraps it in a StageError with its id and
 * chunk index, so messages here say what was given and what was expected, not where.
 */
import { ReelError } from '../../src/core/errors.ts';

export class TalkingHeadError extends ReelError {
  override readonly code = 'TALKING_HEAD_INPUT';
}
