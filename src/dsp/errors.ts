/**
 * The one error class of the DSP layer: a parameter outside what an algorithm supports. Messages
 * name the parameter, the value received and the range accepted, so a stage can wrap it in a
 * StageError or a ConfigError without rewording.
 */
import { ReelError } from '../core/errors.ts';

export class DspError extends ReelError {
  override readonly code = 'DSP_ERROR';
}

/** Throws a DspError unless `value` is a finite number satisfying `ok`. */
export function requireParam(name: string, value: number, ok: (v: number) => boolean, expected: string): void {
  if (!Number.isFinite(value) || !ok(value)) {
    throw new DspError(`${name} = ${value}: expected ${expected}`);
  }
}

export const isPositiveInteger = (v: number): boolean => Number.isInteger(v) && v > 0;
