/**
 * Calibration tables: the activation ranges `reel models quantize --calibrate` measured, kept so a
 * stage (`precision: int8` + `calibration: FILE`) or TensorRT can use them without running the
 * calibration again.
 * - `<name>.ranges.json`: reel's own — the model it was measured on (sha256), the method, the
 *   samples, and each tensor's min and max.
 * - `<name>.calibration.cache`: TensorRT's native table (what `trt_int8_use_native_calibration_table`
 *   reads): a header line, then `tensor: scale` per tensor, the float32 scale max(|min|, |max|) / 127
 *   as 8 big-endian hex digits (symmetric int8, as TensorRT quantizes activations).
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../core/errors.ts';
import type { ActivationRanges, TensorRange } from '../onnx/precision/types.ts';

export const RANGES_FORMAT = 'reel-activation-ranges';

export interface RangesFile {
  format: typeof RANGES_FORMAT;
  version: 1;
  /** sha256 of the float32 model the ranges belong to. */
  model: string;
  method: string;
  /** Model runs the ranges were measured on. */
  runs: number;
  /** How they were made (pipeline, stage, inputs), for people. */
  source: string;
  ranges: Record<string, TensorRange>;
}

/** The ranges file's text: tensors in name order, so equal ranges give equal bytes. */
export function rangesJson(file: Omit<RangesFile, 'format' | 'version'>): string {
  const ranges: Record<string, TensorRange> = {};
  for (const name of Object.keys(file.ranges).sort()) ranges[name] = file.ranges[name];
  return `${JSON.stringify({ format: RANGES_FORMAT, version: 1, ...file, ranges }, null, 1)}\n`;
}

export async function readRangesFile(path: string): Promise<{ file: RangesFile; ranges: ActivationRanges }> {
  let parsed: RangesFile;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as RangesFile;
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError([
      {
        file: path,
        message: `cannot read activation ranges (${why}); write them with reel models quantize --calibrate`,
      },
    ]);
  }
  if (parsed?.format !== RANGES_FORMAT || typeof parsed.ranges !== 'object')
    throw new ConfigError([
      {
        file: path,
        message: `is not a reel activation-ranges file (no "format": "${RANGES_FORMAT}"); write one with reel models quantize --calibrate`,
      },
    ]);
  return { file: parsed, ranges: new Map(Object.entries(parsed.ranges)) };
}

/** float32 `x` as 8 hex digits, big-endian (TensorRT's table). */
function float32Hex(x: number): string {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x, false);
  return view.getUint32(0, false).toString(16).padStart(8, '0');
}

/** TensorRT's native calibration table for `ranges`. */
export function tensorRtCalibrationCache(ranges: ActivationRanges): string {
  const lines = ['TRT-8601-EntropyCalibration2'];
  for (const name of [...ranges.keys()].sort()) {
    const { min, max } = ranges.get(name)!;
    lines.push(`${name}: ${float32Hex(Math.max(Math.abs(min), Math.abs(max), 1e-12) / 127)}`);
  }
  return `${lines.join('\n')}\n`;
}
