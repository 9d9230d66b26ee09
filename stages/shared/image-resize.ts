/**
 * Bilinear resize of interleaved images with OpenCV's INTER_LINEAR geometry (pixel centres:
 * src = (dst + 0.5)·in/out − 0.5, clamped at the borders), the resize both the face detector's
 * and Wav2Lip's reference code call. No antialiasing on downscale, as in cv2. Values stay float
 * (cv2 rounds uint8 results; the models then divide, so the rounding is not reproduced).
 */
import { InputError } from '../../src/core/errors.ts';

/** Interleaved pixels, row-major, `channels` values per pixel. */
export interface Image<T extends ArrayLike<number> = ArrayLike<number>> {
  data: T;
  width: number;
  height: number;
  channels: number;
}

/** Per output index along one axis: the two source indices and the weight of the second. */
export function axisTaps(outSize: number, inSize: number): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(outSize),
    i1 = new Int32Array(outSize),
    w = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    let s = (d + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    const lo = Math.min(Math.floor(s), inSize - 1);
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, inSize - 1);
    w[d] = Math.min(s - lo, 1);
  }
  return { i0, i1, w };
}

export function resizeBilinear(src: Image, width: number, height: number): Image<Float32Array> {
  if (
    !(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0) ||
    src.width <= 0 ||
    src.height <= 0
  ) {
    throw new InputError(
      `cannot resize ${src.width}×${src.height} to ${width}×${height}: sizes must be positive integers`,
    );
  }
  const { channels: c } = src;
  const xs = axisTaps(width, src.width);
  const ys = axisTaps(height, src.height);
  const out = new Float32Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y] * src.width,
      r1 = ys.i1[y] * src.width,
      wy = ys.w[y];
    for (let x = 0; x < width; x++) {
      const c0 = xs.i0[x],
        c1 = xs.i1[x],
        wx = xs.w[x];
      const o = (y * width + x) * c;
      for (let k = 0; k < c; k++) {
        const top = src.data[(r0 + c0) * c + k] * (1 - wx) + src.data[(r0 + c1) * c + k] * wx;
        const bottom = src.data[(r1 + c0) * c + k] * (1 - wx) + src.data[(r1 + c1) * c + k] * wx;
        out[o + k] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return { data: out, width, height, channels: c };
}

/** Rows y0..y1−1, columns x0..x1−1 of `src` (inclusive-exclusive pixel box, inside the image). */
export function cropImage(src: Image, x0: number, y0: number, x1: number, y1: number): Image<Float32Array> {
  const w = x1 - x0,
    h = y1 - y0,
    c = src.channels;
  if (w <= 0 || h <= 0 || x0 < 0 || y0 < 0 || x1 > src.width || y1 > src.height) {
    throw new InputError(`box [${x0}, ${y0}, ${x1}, ${y1}] is empty or outside the ${src.width}×${src.height} image`);
  }
  const out = new Float32Array(w * h * c);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * src.width + x0) * c;
    for (let i = 0; i < w * c; i++) out[y * w * c + i] = src.data[from + i];
  }
  return { data: out, width: w, height: h, channels: c };
}
