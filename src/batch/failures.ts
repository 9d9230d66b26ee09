/** How a sample's failure is told and whether it may pass on another try. */
import { ConfigError, InputError, MediaError, ReelError, StageError } from '../core/errors.ts';

/** Runtime failures may pass on a second try; a bad input, file or model never does. */
export function retryable(err: unknown): boolean {
  const cause = err instanceof StageError ? err.cause : err;
  return !(cause instanceof InputError || cause instanceof MediaError || cause instanceof ConfigError);
}

export function oneLine(err: unknown): string {
  if (err instanceof ReelError) return err.lines().join('; ');
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}
