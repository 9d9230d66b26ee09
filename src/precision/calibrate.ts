/**
 * Activation ranges of a model on recorded feeds: the model with every tensor static INT8 needs
 * exposed as an output (addOutputs) runs once per feed set here, on the CPU, and a RangeCollector
 * takes each run's values. Feeds run in their recorded order, so the same feeds give the same
 * ranges.
 */
import * as ort from 'onnxruntime-node';
import { ModelError } from '../core/errors.ts';
import type { RecordedFeeds } from '../inference/feed-recorder.ts';
import { toOrt } from '../inference/ort-tensors.ts';
import { encodeOnnxModel } from '../onnx/edit/encode.ts';
import type { OnnxModel } from '../onnx/edit/types.ts';
import { activationTensorsToCalibrate, addOutputs } from '../onnx/precision/calibrate.ts';
import { RangeCollector, type CalibrationMethod } from '../onnx/precision/ranges.ts';
import type { StaticQuantizeOptions, TensorRange } from '../onnx/precision/types.ts';

export async function measureRanges(
  model: OnnxModel,
  feeds: readonly RecordedFeeds[],
  method: CalibrationMethod,
  options: StaticQuantizeOptions = {},
  path = 'model',
): Promise<Map<string, TensorRange>> {
  const wanted = activationTensorsToCalibrate(model, options);
  // Nothing to quantize: quantizeStatic refuses the model, naming its ops.
  if (wanted.length === 0) return new Map();
  const session = await ort.InferenceSession.create(encodeOnnxModel(addOutputs(model, wanted)), {
    executionProviders: ['cpu'],
    // The exposed tensors must be the ones the quantized graph will see: no fusion may remove them.
    graphOptimizationLevel: 'disabled',
  });
  const collector = new RangeCollector(method);
  try {
    for (const [i, recorded] of feeds.entries()) {
      const tensors: Record<string, ort.Tensor> = {};
      for (const name of session.inputNames) {
        const t = recorded[name];
        if (!t)
          throw new ModelError(
            path,
            `calibration run ${i + 1} has no feed "${name}" (recorded: ${Object.keys(recorded).join(', ')})`,
          );
        tensors[name] = toOrt(t);
      }
      const out = await session.run(tensors, wanted);
      collector.observe(out as Record<string, ort.Tensor>);
    }
  } finally {
    await session.release();
  }
  return collector.ranges();
}
