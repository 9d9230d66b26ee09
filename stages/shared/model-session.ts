/**
 * What the text-to-video functions need of a model: an onnxruntime session (or anything with
 * the same `run`, e.g. a proxy to a session that lives in a worker thread) plus the file it was
 * loaded from, which names the model in errors and keys the embedding cache.
 */
import type * as ort from 'onnxruntime-node';
import { ModelError } from '../../src/core/errors.ts';

export type ModelSession = Pick<ort.InferenceSession, 'run' | 'inputNames' | 'outputNames' | 'inputMetadata'>;

export interface ModelHandle {
  session: ModelSession;
  /** The model file; used in error messages (and, for the text encoder, in the cache key). */
  path: string;
}

/** Fails with every missing name at once, before the first run, rather than deep inside ORT. */
export function requireNames(model: ModelHandle, family: string, inputs: readonly string[], outputs: readonly string[]): void {
  const missingIn = inputs.filter((n) => !model.session.inputNames.includes(n));
  const missingOut = outputs.filter((n) => !model.session.outputNames.includes(n));
  if (missingIn.length === 0 && missingOut.length === 0) return;
  const parts = [
    missingIn.length ? `inputs ${missingIn.map((n) => `"${n}"`).join(', ')} (found ${model.session.inputNames.join(', ') || 'none'})` : '',
    missingOut.length ? `outputs ${missingOut.map((n) => `"${n}"`).join(', ')} (found ${model.session.outputNames.join(', ') || 'none'})` : '',
  ].filter(Boolean);
  throw new ModelError(model.path, `not a ${family} model: missing ${parts.join('; ')}`);
}

/** Runs the model, wrapping a failure in a ModelError that names the file. */
export async function runModel(model: ModelHandle, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
  try {
    return await model.session.run(feeds);
  } catch (error) {
    throw new ModelError(model.path, `run failed: ${(error as Error).message}`, { cause: error });
  }
}

/** The named float32 output of a run, as a Float32Array with its dims. */
export function float32Output(model: ModelHandle, result: ort.InferenceSession.ReturnType, name: string): { data: Float32Array; dims: readonly number[] } {
  const tensor = result[name] as ort.Tensor | undefined;
  if (!tensor || tensor.type !== 'float32') throw new ModelError(model.path, `output "${name}" is missing or not float32`);
  return { data: tensor.data as Float32Array, dims: tensor.dims };
}
