/** Errors of reading and editing whole ONNX models. */
import { ReelError } from '../../core/errors.ts';

/** Bytes that are not a ModelProto reel can edit (malformed, external data, a missing graph). */
export class ModelProtoError extends ReelError {
  override readonly code = 'MODEL_PROTO_ERROR';
}
