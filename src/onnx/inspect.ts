/**
 * `reel models inspect`: what an ONNX file declares — feeds, outputs, opset, parameter count,
 * size — read from the protobuf directly, so it works without creating a session and on
 * models whose operators this onnxruntime build lacks.
 */
import { readFile, stat } from 'node:fs/promises';
import { ModelError } from '../core/errors.ts';
import { decodeModelSummary, type ModelSummary, type TensorInfo } from './decode.ts';

export type { TensorInfo };

export interface ModelInfo extends ModelSummary {
  path: string;
  sizeBytes: number;
}

/** A protobuf message, and so an ONNX file without external data, is at most 2 GiB. */
const MAX_PROTOBUF_BYTES = 2 ** 31;

export async function inspectModel(path: string): Promise<ModelInfo> {
  let bytes: Uint8Array;
  try {
    // A device or a pipe (/dev/zero) would be read for ever: only regular files are models.
    const info = await stat(path);
    if (!info.isFile() && !info.isDirectory())
      throw new ModelError(path, 'cannot read model: not a regular file (a device, pipe or socket)');
    if (info.size > MAX_PROTOBUF_BYTES)
      throw new ModelError(
        path,
        `cannot read model: ${(info.size / 2 ** 30).toFixed(1)} GiB is more than an ONNX protobuf holds (2 GiB); a larger model keeps its weights in external data files`,
      );
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof ModelError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a model file' : String(err);
    throw new ModelError(path, `cannot read model: ${why}`, { cause: err });
  }
  if (bytes.length === 0) throw new ModelError(path, 'empty file, not an ONNX model');
  try {
    return { path, sizeBytes: bytes.length, ...decodeModelSummary(bytes) };
  } catch (err) {
    throw new ModelError(
      path,
      `not a valid ONNX model (${(err as Error).message}); expected a protobuf ModelProto as written by torch.onnx.export or reel models build`,
      { cause: err },
    );
  }
}
