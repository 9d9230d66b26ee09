/** A command's long work with SIGINT/SIGTERM wired to it (the precision commands' recordings). */
import { CancelledError } from '../core/errors.ts';
import { abortOnSignals } from '../runtime/signals.ts';

/**
 * Runs `work` with SIGINT/SIGTERM wired to its signal: Ctrl-C stops it, its temporary feeds are
 * removed (record-feeds.ts), and the command ends with one line and exit 130 (143 for SIGTERM).
 */
export async function interruptible<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signals = abortOnSignals();
  try {
    return await work(signals.signal);
  } catch (err) {
    if (signals.received() && err instanceof CancelledError)
      throw Object.assign(new CancelledError(`${what}: cancelled by ${signals.received()}; nothing was written`), {
        exitCode: signals.exitCode(),
      });
    throw err;
  } finally {
    signals.dispose();
  }
}
