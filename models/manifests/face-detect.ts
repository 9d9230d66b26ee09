import type { ModelManifest } from '../manifest.ts';
import type { FaceDetectHyper } from '../families/face-detect.ts';

export const faceDetect: ModelManifest<FaceDetectHyper> = {
  family: 'face-detect',
  summary: 'Ultra-Light face detector (RFB-320): 320×240 RGB → per-prior face scores and boxes',
  mirrors:
    'Linzaer/Ultra-Light-Fast-Generic-Face-Detector-1MB version-RFB-320.onnx (shared/models/face-detector-rfb-320.onnx)',
  inputs: [{ name: 'input', dtype: 'float32', shape: [1, 3, 240, 320], doc: 'RGB, (x − 127)/128' }],
  outputs: [
    { name: 'scores', dtype: 'float32', shape: [1, 4420, 2], doc: '[background, face]; threshold 0.7' },
    { name: 'boxes', dtype: 'float32', shape: [1, 4420, 4], doc: 'x1, y1, x2, y2 in [0, 1]; NMS IoU 0.3' },
  ],
  receptiveField: {
    before: 0,
    after: 0,
    unit: 'video frames',
    exact: true,
    doc: 'one frame at a time; boxes are smoothed over 5 frames outside the model',
  },
  granularity: { value: 1, unit: 'video frame', doc: 'fixed 320×240 input' },
  scales: { tiny: { channels: [8, 16, 16, 32, 32, 32] }, medium: { channels: [16, 32, 64, 64, 128, 128] } },
  referenceNotes: 'plain stride-2 conv backbone instead of RFB blocks; same feature maps, anchors and box decoding',
};
