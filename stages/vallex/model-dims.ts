/**
 * A session's declared input shapes, for the numbers a runner must match (VALL-E X's width,
 * layers, heads): the file declares its own, so a real export and the tiny reference both work.
 */
import type * as ort from 'onnxruntime-node';
import { ModelError } from '../../src/core/errors.ts';

/** Declared shape of input `name`; symbolic axes are strings. */
export function inputShape(session: ort.InferenceSession, name: string, model = 'model'): ReadonlyArray<number | string> {
  const meta = session.inputMetadata.find((m) => m.name === name);
  if (!meta || !meta.isTensor) throw new ModelError(model, `input "${name}" missing; the model takes ${session.inputNames.join(', ')}`);
  return meta.shape;
}

/** Axis `axis` of input `name`, which must be a fixed number. */
export function fixedAxis(session: ort.InferenceSession, name: string, axis: number, model = 'model'): number {
  const shape = inputShape(session, name, model);
  const v = shape[axis < 0 ? shape.length + axis : axis];
  if (typeof v !== 'number') throw new ModelError(model, `input "${name}" axis ${axis} is "${String(v)}": expected a fixed size`);
  return v;
}
