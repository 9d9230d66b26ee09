/**
 * `reel models quantize`, `reel models convert --fp16` and `reel models compare`: INT8 and FP16
 * variants of any ONNX model, calibrated on a pipeline's own feeds, and what they cost in speed
 * and accuracy on those feeds.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path, { basename } from 'node:path';
import { writeFileAtomic } from '../../../models/write-atomic.ts';
import { fileProblem } from '../../config/file-problem.ts';
import { ConfigError, ModelError, UsageError } from '../../core/errors.ts';
import { interruptible } from '../interruptible.ts';
import { onnxModelProblem } from '../../onnx/model-file-problem.ts';
import { PrecisionError } from '../../onnx/precision/errors.ts';
import { writePlanIssues } from '../write-plan.ts';
import { decodeOnnxModel } from '../../onnx/edit/decode.ts';
import { encodeOnnxModel } from '../../onnx/edit/encode.ts';
import type { OnnxModel } from '../../onnx/edit/types.ts';
import { quantizeDynamic } from '../../onnx/precision/dynamic.ts';
import { convertFp16 } from '../../onnx/precision/fp16.ts';
import type { CalibrationMethod } from '../../onnx/precision/ranges.ts';
import { quantizeStatic } from '../../onnx/precision/static.ts';
import { opCounts } from '../../onnx/precision/report.ts';
import type { QuantizationReport, SkippedNode } from '../../onnx/precision/types.ts';
import { measureRanges } from '../../precision/calibrate.ts';
import { rangesJson, tensorRtCalibrationCache } from '../../precision/calibration-table.ts';
import { compareModels, formatComparison, comparisonCsv } from '../../precision/compare.ts';
import { recordStageFeeds } from '../../precision/record-feeds.ts';
import { checkVariant } from '../../precision/variant-check.ts';
import type { CliIo } from '../io.ts';

export interface PipelineSampleFlags {
  pipeline?: string;
  input?: string[];
  stage?: string;
  set?: string[];
  profile?: string;
  kinds?: string[];
  /** Model runs recorded at most. */
  runs: string;
}

export interface QuantizeFlags extends PipelineSampleFlags {
  out: string;
  method: 'minmax' | 'percentile' | 'entropy';
  perChannel?: boolean;
  family?: string;
}

/** `--runs N`: a whole number ≥ 1. */
function parseRuns(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--runs ${text}: expected a whole number of model runs ≥ 1, e.g. --runs 32`);
  return n;
}

/** A model argument that is missing or not ONNX is one line naming it (the file is not decoded). */
async function checkModelFile(file: string): Promise<void> {
  const problem =
    (await fileProblem(file)) ??
    (await onnxModelProblem(file).catch((e: NodeJS.ErrnoException) => `cannot read (${e.code})`));
  if (problem) throw new UsageError(`${file}: ${problem} — give a float32 ONNX model (.onnx)`);
}

/** The model argument, checked, read and decoded. */
async function readModel(file: string): Promise<{ bytes: Uint8Array; model: OnnxModel }> {
  await checkModelFile(file);
  const bytes = new Uint8Array(await readFile(file));
  try {
    return { bytes, model: decodeOnnxModel(bytes) };
  } catch (err) {
    throw new ModelError(file, `cannot be read as an ONNX model: ${(err as Error).message} — export it again`);
  }
}

/** The files a command will write: not the input, in a folder that is there and writable. */
async function checkOutputs(input: string, outputs: readonly { what: string; file: string }[]): Promise<void> {
  const issues = await writePlanIssues(outputs, [], {});
  for (const { what, file } of outputs)
    if (path.resolve(file) === path.resolve(input))
      issues.push({ message: `${what} ${file}: is the input model; write the variant to a new file` });
  if (issues.length) throw new ConfigError(issues);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The ops of the named nodes of `model`. */
function opsOf(names: readonly string[], model: OnnxModel): string[] {
  const ops = new Map(model.graph.nodes.map((n) => [n.name, n.opType]));
  return names.map((name) => ops.get(name) ?? '?');
}

function skippedLines(skipped: readonly SkippedNode[]): string[] {
  const byReason = new Map<string, number>();
  for (const s of skipped) byReason.set(`${s.op}: ${s.reason}`, (byReason.get(`${s.op}: ${s.reason}`) ?? 0) + 1);
  return [...byReason].map(([why, n]) => `  left in float32: ${plural(n, 'node')} (${why})`);
}

/** `model`: the float32 model, whose node names the report uses. */
function reportLines(report: QuantizationReport, model: OnnxModel): string[] {
  return [
    `  quantized ${plural(report.quantized.length, 'node')} (${opCounts(opsOf(report.quantized, model))}), ${Math.round(report.quantizedWeightShare * 100)}% of the weights`,
    ...skippedLines(report.skipped),
  ];
}

export async function modelsQuantizeCommand(file: string, flags: QuantizeFlags, io: CliIo): Promise<number> {
  if (flags.input?.length && !flags.pipeline)
    throw new UsageError(
      '--input binds a pipeline input: give the pipeline to calibrate on with --calibrate PIPELINE.yaml',
    );
  const stem = flags.out.replace(/\.onnx$/i, '');
  await checkOutputs(file, [
    { what: '--out', file: flags.out },
    ...(flags.pipeline
      ? [
          { what: 'the ranges', file: `${stem}.ranges.json` },
          { what: 'the TensorRT table', file: `${stem}.calibration.cache` },
        ]
      : []),
  ]);
  const { bytes, model } = await readModel(file);
  let family = flags.family;
  let built: { model: OnnxModel; report: QuantizationReport };
  const lines: string[] = [];
  if (flags.pipeline) {
    const runs = parseRuns(flags.runs);
    const recorded = await interruptible('reel models quantize', (signal) =>
      recordStageFeeds({
        ...flags,
        pipeline: flags.pipeline!,
        inputs: flags.input ?? [],
        model: file,
        max: runs,
        signal,
      }),
    );
    family ??= recorded.family;
    const method: CalibrationMethod = { method: flags.method };
    const options = { perChannelMatMul: flags.perChannel ?? false };
    const ranges = await measureRanges(model, recorded.feeds, method, options, file);
    built = quantizeStatic(model, ranges, options);
    const source = `${flags.pipeline} stage ${recorded.stage} on ${(flags.input ?? []).join(' ')}`;
    const rangesFile = `${stem}.ranges.json`;
    const trtFile = `${stem}.calibration.cache`;
    await writeFileAtomic(
      rangesFile,
      new TextEncoder().encode(
        rangesJson({
          model: createHash('sha256').update(bytes).digest('hex'),
          method: flags.method,
          runs: recorded.feeds.length,
          source,
          ranges: Object.fromEntries(ranges),
        }),
      ),
    );
    await writeFileAtomic(trtFile, new TextEncoder().encode(tensorRtCalibrationCache(ranges)));
    lines.push(
      `  static INT8 (QDQ), ${flags.method} ranges of ${plural(ranges.size, 'tensor')} from ${plural(recorded.feeds.length, 'run')} of stage "${recorded.stage}"`,
      `  ranges: ${rangesFile} (calibration: for precision: int8), TensorRT table: ${trtFile}`,
    );
  } else {
    try {
      built = quantizeDynamic(model, { perChannel: flags.perChannel ?? false });
    } catch (err) {
      if (!(err instanceof PrecisionError)) throw err;
      throw new ModelError(
        file,
        `${err.message}; quantize its convolutions statically: add --calibrate PIPELINE.yaml --input NAME=PATH`,
      );
    }
    lines.push(
      '  dynamic INT8 (MatMul/Gemm weights int8, activations quantized at run time); give --calibrate to quantize convolutions',
    );
  }
  const out = encodeOnnxModel(built.model);
  await checkVariant(out, flags.out, family);
  await writeFileAtomic(flags.out, out);
  io.out(
    [
      `${flags.out}: ${(bytes.length / 2 ** 20).toFixed(2)} → ${(out.length / 2 ** 20).toFixed(2)} MiB${family ? `, passes the ${family} contract` : ''}`,
      ...lines,
      ...reportLines(built.report, model),
    ].join('\n'),
  );
  return 0;
}

export async function modelsConvertCommand(
  file: string,
  flags: { out: string; fp16?: boolean; family?: string },
  io: CliIo,
): Promise<number> {
  if (!flags.fp16) throw new UsageError('reel models convert: say what to convert to: --fp16');
  await checkOutputs(file, [{ what: '--out', file: flags.out }]);
  const { bytes, model } = await readModel(file);
  const { model: converted, report } = convertFp16(model);
  const out = encodeOnnxModel(converted);
  await checkVariant(out, flags.out, flags.family);
  await writeFileAtomic(flags.out, out);
  io.out(
    [
      `${flags.out}: ${(bytes.length / 2 ** 20).toFixed(2)} → ${(out.length / 2 ** 20).toFixed(2)} MiB, float32 inputs and outputs kept`,
      `  ${plural(report.converted.length, 'node')} in float16, ${plural(report.castsAdded, 'Cast')} added`,
      ...(report.blocked.length
        ? [`  kept in float32: ${opCounts(report.blocked.map((b) => b.op))} (lose range or have no float16 kernel)`]
        : []),
    ].join('\n'),
  );
  return 0;
}

export async function modelsCompareCommand(
  a: string,
  b: string,
  flags: PipelineSampleFlags & { csv?: string },
  io: CliIo,
): Promise<number> {
  if (!flags.pipeline)
    throw new UsageError(
      'reel models compare: give the pipeline whose feeds to compare on: --pipeline PIPELINE.yaml --input NAME=PATH',
    );
  await checkModelFile(a);
  await checkModelFile(b);
  if (flags.csv) await checkOutputs(a, [{ what: '--csv', file: flags.csv }]);
  const max = parseRuns(flags.runs);
  const recorded = await interruptible('reel models compare', (signal) =>
    recordStageFeeds({ ...flags, pipeline: flags.pipeline!, inputs: flags.input ?? [], model: a, max, signal }),
  );
  const result = await compareModels(a, b, recorded.feeds);
  io.out(formatComparison(result, { a: basename(a), b: basename(b), stage: recorded.stage }));
  if (flags.csv) await writeFile(flags.csv, comparisonCsv(result, { a, b, stage: recorded.stage }));
  return 0;
}
