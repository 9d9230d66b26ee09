/**
 * Turns SIGINT/SIGTERM into an AbortSignal for a run. Only the CLI installs it (library code
 * never touches process-wide handlers on its own); a second signal is left to Node's default,
 * so a stuck shutdown can still be killed.
 */
import { EXIT } from '../core/errors.ts';

export interface SignalAbort {
  signal: AbortSignal;
  /** The signal that cancelled the run, if one did. */
  received(): NodeJS.Signals | undefined;
  /** The exit code for the signal received (130 for SIGINT, 143 for SIGTERM). */
  exitCode(): number;
  dispose(): void;
}

export function abortOnSignals(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): SignalAbort {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    received = signal;
    dispose();
    controller.abort(new Error(`received ${signal}`));
  };
  const dispose = () => {
    for (const signal of signals) process.off(signal, handler);
  };
  for (const signal of signals) process.once(signal, handler);
  return {
    signal: controller.signal,
    received: () => received,
    exitCode: () => (received === 'SIGTERM' ? 128 + 15 : EXIT.interrupted),
    dispose,
  };
}
