/**
 * `reel models build [--scale tiny|medium] [--out DIR]` and `reel models inspect <model.onnx>`.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { buildReferenceModels } from '../../../models/generate.ts';
import { REFERENCE_BUILD_DIR } from '../../../models/reference.ts';
import { inspectModel, type ModelInfo, type TensorInfo } from '../../onnx/inspect.ts';
import { FAMILY_IDS, MANIFESTS, type FamilyId } from '../../../models/manifests/index.ts';
import { suggestion } from '../../config/did-you-mean.ts';
import type { TensorSpec } from '../../core/contract.ts';
import { contractProblems, formatShape } from '../../inference/contract-check.ts';
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

/**
 * `--family F`: whether the file fits the family's contract — the run-time check's lines where it
 * does not, then the names, dtypes and axes an export must give (exit 2), or one line saying it fits.
 */
function familyFit(info: ModelInfo, family: FamilyId): { fits: boolean; lines: string[] } {
  const contract = MANIFESTS[family];
  const inputs = info.inputs.filter((i) => !info.initializerInputs.includes(i.name));
  const problems = contractProblems(contract, { inputs, outputs: info.outputs });
  const names = (specs: readonly TensorSpec[]) => specs.map((t) => t.name).join(', ');
  if (problems.length === 0) {
    const has = new Set([...inputs, ...info.outputs].map((t) => t.name));
    const present = (specs: readonly TensorSpec[]) => names(specs.filter((t) => has.has(t.name)));
    const absent = [...contract.inputs, ...contract.outputs].filter((t) => !has.has(t.name)).map((t) => t.name);
    return {
      fits: true,
      lines: [
        `fits the ${family} contract (inputs ${present(contract.inputs)}; outputs ${present(contract.outputs)}${absent.length ? `; without the optional ${absent.join(', ')}` : ''})`,
      ],
    };
  }
  const spec = (t: TensorSpec) =>
    `    ${t.name.padEnd(22)} ${t.dtype.padEnd(8)} ${formatShape(t.shape)}${t.optional ? ' (optional)' : ''}`;
  const dynamic = [...contract.inputs, ...contract.outputs].filter((t) => t.shape.some((d) => typeof d === 'string'));
  return {
    fits: false,
    lines: [
      `does not fit the ${family} contract:`,
      ...problems.map((p) => `  ${p}`),
      'an export that fits has these inputs and outputs (named axes dynamic: torch.onnx.export(..., input_names=, output_names=, dynamic_axes=)):',
      '  inputs:',
      ...contract.inputs.map(spec),
      '  outputs:',
      ...contract.outputs.map(spec),
      ...(dynamic.length
        ? [`  dynamic axes: ${dynamic.map((t) => `${t.name} ${formatShape(t.shape)}`).join('; ')}`]
        : []),
    ],
  };
}

export async function modelsInspectCommand(file: string, io: CliIo, opts: { family?: string } = {}): Promise<number> {
  if (opts.family !== undefined && !(FAMILY_IDS as readonly string[]).includes(opts.family))
    throw new UsageError(
      `--family ${opts.family}: no such model family${suggestion(opts.family, FAMILY_IDS, 'one of')}`,
    );
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
  if (opts.family === undefined) return 0;
  if (!(FAMILY_IDS as readonly string[]).includes(opts.family))
    throw new UsageError(
      `--family ${opts.family}: no such model family${suggestion(opts.family, FAMILY_IDS, 'one of')}`,
    );
  const fit = familyFit(info, opts.family as FamilyId);
  io.out(fit.lines.join('\n'));
  return fit.fits ? 0 : 2;
}
