/**
 * A size a model file fixes: axis `axis` of its input or output `name`, when the export declares
 * it as a number (a real export fixes its widths; symbolic axes give undefined).
 */
import type { InferenceSession } from 'onnxruntime-node';

export function declaredAxis(
  session: Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>,
  side: 'input' | 'output',
  name: string,
  axis: number,
): number | undefined {
  const metadata = side === 'input' ? session.inputMetadata : session.outputMetadata;
  const meta = metadata.find((m) => m.name === name);
  const size = meta?.isTensor ? meta.shape[axis < 0 ? meta.shape.length + axis : axis] : undefined;
  return typeof size === 'number' && size > 0 ? size : undefined;
}
