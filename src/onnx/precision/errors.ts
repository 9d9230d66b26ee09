import { ReelError } from '../../core/errors.ts';

/** A model reel will not convert as asked (nothing to quantize, mostly unquantizable, missing ranges). */
export class PrecisionError extends ReelError {
  override readonly code = 'PRECISION_ERROR';
}
