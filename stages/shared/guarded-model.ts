/**
 * A stage model whose release waits for the run in flight. A failing or cancelled pipeline disposes
 * stages while their operators may still be inside `session.run()` (a TTS mid-sentence): releasing
 * the native session under a running inference aborts the process, so release marks the model
 * closed — later runs throw CancelledError instead of reaching ORT — waits for the current run,
 * then releases the session.
 */
import type { InferenceSession } from 'onnxruntime-common';
import { CancelledError } from '../../src/core/errors.ts';


export interface GuardedModel {
  /** The session, with `run` guarded (pass it to the model runners). */
  session: InferenceSession;
  path: string;
  release(): Promise<void>;
}

export function guardModel(model: { session: InferenceSession; path: string; release(): Promise<void> }, stage: string): GuardedModel {
  let inflight = 0;
  let closed = false;
  let idle: (() => void) | undefined;
  const run = async (...args: Parameters<InferenceSession['run']>) => {
    if (closed) throw new CancelledError(`stage "${stage}": ${model.path} was released; no more runs`);
    inflight++;
    try {
      return await model.session.run(...args);
    } finally {
      if (--inflight === 0) idle?.();
    }
  };
  const session = new Proxy(model.session, {
    get(target, prop) {
      if (prop === 'run') return run;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  let released: Promise<void> | undefined;
  return {
    session,
    path: model.path,
    release: () =>
      (released ??= (async () => {
        closed = true;
        if (inflight > 0) await new Promise<void>((resolve) => (idle = resolve));
        await model.release();
      })()),
  };
}
