/**
 * Decoded frames [B, 3, F, H, W] in [−1, 1] → packed RGB24 (frame, row, column, channel), the
 * layout of a VideoPacket. As diffusers' VaeImageProcessor: `(x / 2 + 0.5).clamp(0, 1)`, then
 * `(images * 255).round()` to uint8.
 */
import type { TensorData } from '../../src/core/types.ts';

export interface RgbFrames {
  width: number;
  height: number;
  frameCount: number;
  /** frameCount × height × width × 3 bytes. */
  data: Uint8Array;
}

export function framesToRgb(frames: TensorData, item = 0): RgbFrames {
  const [B, C, F, H, W] = frames.dims;
  if (frames.dtype !== 'float32' || frames.dims.length !== 5 || C !== 3) {
    throw new RangeError(`frames must be float32 [B, 3, F, H, W], got ${frames.dtype} [${frames.dims.join(', ')}]`);
  }
  if (!Number.isInteger(item) || item < 0 || item >= B) throw new RangeError(`batch item ${item} outside 0..${B - 1}`);
  const src = frames.data as Float32Array;
  const plane = H * W;
  const data = new Uint8Array(F * plane * 3);
  const base = item * 3 * F * plane;
  for (let c = 0; c < 3; c++) {
    for (let f = 0; f < F; f++) {
      const from = base + (c * F + f) * plane;
      const to = f * plane * 3 + c;
      for (let p = 0; p < plane; p++) {
        const v = src[from + p] / 2 + 0.5;
        data[to + 3 * p] = Math.round((v < 0 ? 0 : Math.min(v, 1)) * 255);
      }
    }
  }
  return { width: W, height: H, frameCount: F, data };
}
