/**
 * A model's declared input shapes, for the numbers a runner must match (VALL-E X's width, layers,
 * heads): the file declares its own, so a real export and the tiny reference both work.
 */
import { ModelError } from '../../src/core/errors.ts';
import type { Model } from '../shared/open-model.ts';

/** What the VALL-E X runners need of a model: run by the manifest's names; the AR also reads shapes. */
export type RunnableModel = Pick<Model, 'run' | 'path'>;
export type ShapedModel = RunnableModel & Pick<Model, 'session'>;

/** Declared shape of input `name`; symbolic axes are strings. */
export function inputShape(model: Pick<Model, 'session' | 'path'>, name: string): ReadonlyArray<number | string> {
  const inputs = model.session.inputMetadata;
  const meta = inputs.find((m) => m.name === name);
  if (!meta?.isTensor)
    throw new ModelError(
      model.path,
      `input "${name}" missing; the model takes ${inputs.map((m) => m.name).join(', ')}`,
    );
  return meta.shape;
}

/** Axis `axis` of input `name`, which must be a fixed number. */
export function fixedAxis(model: Pick<Model, 'session' | 'path'>, name: string, axis: number): number {
  const shape = inputShape(model, name);
  const v = shape[axis < 0 ? shape.length + axis : axis];
  if (typeof v !== 'number')
    throw new ModelError(model.path, `input "${name}" axis ${axis} is "${String(v)}": expected a fixed size`);
  return v;
}
