/**
 * `reel models build [--scale tiny|medium] [--out DIR]` and `reel models inspect <model.onnx>`.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { buildReferenceModels } from '../../../models/generate.ts';
import { REFERENCE_BUILD_DIR } from '../../../models/reference.ts';
import { inspectModel, type TensorInfo } from '../../onnx/inspect.ts';
import type { CliIo } from '../io.ts';

export async function modelsBuildCommand(opts: { scale: 'tiny' | 'medium'; out?: string }, io: CliIo): Promise<number> {
  const outDir = opts.out ?? path.join(REFERENCE_BUILD_DIR, opts.scale);
  const there = await stat(outDir).catch(() => undefined);
  if (there && !there.isDirectory())
    throw new UsageError(`--out ${outDir}: is a file, not a folder — give a folder (it is created if missing)`);
  const written = await buildReferenceModels({ scale: opts.scale, outDir });
  for (const file of written) io.out(file);
  return 0;
}

const tensor = (t: TensorInfo) => `  ${t.name.padEnd(24)} ${t.dtype.padEnd(8)} [${t.shape.join(', ')}]`;

export async function modelsInspectCommand(file: string, io: CliIo): Promise<number> {
  const info = await inspectModel(file);
  const inputs = info.inputs.filter((i) => !info.initializerInputs.includes(i.name));
  io.out(
    [
      `${file}`,
      `  size ${info.sizeBytes} bytes, ${info.parameterCount} parameters, ${info.nodeCount} nodes, opset ${info.opset}, IR ${info.irVersion}${info.producer ? `, producer ${info.producer}` : ''}`,
      'inputs:',
      ...inputs.map(tensor),
      ...(info.initializerInputs.length
        ? [
            `  (${info.initializerInputs.length} more graph inputs have initializers — weights listed as inputs by an old exporter; not required feeds)`,
          ]
        : []),
      'outputs:',
      ...info.outputs.map(tensor),
    ].join('\n'),
  );
  return 0;
}
