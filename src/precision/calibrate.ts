/**
 * Activation ranges of a model on recorded feeds: the model with every tensor static INT8 needs
 * exposed as an output (addOutputs) runs once per feed set here, on the CPU, and a RangeCollector
 * takes each run's values. Feeds run in their recorded order, so the same feeds give the same
 * ranges.
 */
import * as ort from 'onnxruntime-node';
import type { RecordedFeeds } from '../inference/feed-recorder.ts';
import { encodeOnnxModel } from '../onnx/edit/encode.ts';
import { feedsFor } from './compare.ts';
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
    for (const recorded of feeds) {
      const out = await session.run(feedsFor(session, recorded, path), wanted);
      collector.observe(out as Record<string, ort.Tensor>);
    }
  } finally {
    await session.release();
  }
  return collector.ranges();
}
