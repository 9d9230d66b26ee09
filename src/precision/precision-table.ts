/**
 * What precision costs, per stage: each model of a pipeline at FP16 and at INT8 (static, its
 * ranges measured on the same recorded feeds) against its float32 self — time per run and output
 * difference on those feeds (`reel bench --compare-precision`). A model that cannot be quantized
 * meaningfully gets a row that says why instead of numbers.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../../models/write-atomic.ts';
import { ReelError } from '../core/errors.ts';
import { escapeHtml } from '../metrics/report-html.ts';
import { decodeOnnxModel } from '../onnx/edit/decode.ts';
import { encodeOnnxModel } from '../onnx/edit/encode.ts';
import { convertFp16 } from '../onnx/precision/fp16.ts';
import { quantizeStatic } from '../onnx/precision/static.ts';
import { measureRanges } from './calibrate.ts';
import { compareModels, decibels, figureCells, type Comparison } from './compare.ts';
import type { RecordedStage } from './record-feeds.ts';
import { checkVariant } from './variant-check.ts';

export type VariantPrecision = 'fp16' | 'int8';

export interface PrecisionRow {
  stage: string;
  slot: string;
  family: string;
  precision: VariantPrecision;
  /** The variant file written (absent when refused). */
  file?: string;
  /** Sizes in bytes: float32 model, variant. */
  bytes: [number, number?];
  comparison?: Comparison;
  /** Why there is no variant. */
  refused?: string;
}

/** Variants of every recorded model into `dir`, each compared with its float32 model on the recorded feeds. */
export async function comparePrecisions(
  recorded: readonly RecordedStage[],
  dir: string,
  precisions: readonly VariantPrecision[] = ['fp16', 'int8'],
): Promise<PrecisionRow[]> {
  const rows: PrecisionRow[] = [];
  for (const m of recorded) {
    const bytes = new Uint8Array(await readFile(m.file));
    for (const precision of precisions) {
      const row: PrecisionRow = { stage: m.stage, slot: m.slot, family: m.family, precision, bytes: [bytes.length] };
      rows.push(row);
      if (m.feeds.length === 0) {
        row.refused = 'the stage ran no chunk';
        continue;
      }
      try {
        const model = decodeOnnxModel(bytes);
        const built =
          precision === 'fp16'
            ? convertFp16(model).model
            : quantizeStatic(model, await measureRanges(model, m.feeds, { method: 'minmax' }, {}, m.file)).model;
        const out = encodeOnnxModel(built);
        const file = path.join(dir, `${m.stage}.${m.slot}.${precision}.onnx`);
        await checkVariant(out, file, m.family);
        await writeFileAtomic(file, out);
        row.file = file;
        row.bytes[1] = out.length;
        row.comparison = await compareModels(m.file, file, m.feeds);
      } catch (err) {
        // One model that fails (refused, or an ONNX Runtime error) is a row, not the end of a bench.
        row.refused = err instanceof ReelError ? err.message : `failed: ${(err as Error).message.split('\n')[0]}`;
      }
    }
  }
  return rows;
}

const dB = (x: number) => decibels(x, 1);

/** One line per row and output, for the terminal. */
export function precisionLines(rows: readonly PrecisionRow[]): string[] {
  return rows.flatMap((r) => {
    const head = `${r.stage}${r.slot === 'model' ? '' : `.${r.slot}`} ${r.precision}`;
    if (!r.comparison) return [`${head}: not built — ${r.refused}`];
    const c = r.comparison;
    return c.outputs.map(
      (o) =>
        `${head}: ${c.msA.toFixed(2)} → ${c.msB.toFixed(2)} ms per run (${(c.msA / c.msB).toFixed(2)}×), ${o.output} SNR ${dB(o.snrDb)} dB, PSNR ${dB(o.psnrDb)} dB, max |Δ| ${o.maxAbs.toPrecision(3)}`,
    );
  });
}

export function precisionCsv(rows: readonly PrecisionRow[]): string {
  const records = rows.flatMap((r): Record<string, string | number>[] => {
    const base = {
      stage: r.stage,
      slot: r.slot,
      family: r.family,
      precision: r.precision,
      bytes_fp32: r.bytes[0],
      bytes_variant: r.bytes[1] ?? '',
    };
    if (!r.comparison)
      return [
        {
          ...base,
          runs: 0,
          ms_fp32: '',
          ms_variant: '',
          speedup: '',
          output: '',
          max_abs: '',
          mean_abs: '',
          snr_db: '',
          psnr_db: '',
          refused: r.refused ?? '',
        },
      ];
    const c = r.comparison;
    return c.outputs.map((o) => {
      const { runs, ms_a, ms_b, ...rest } = figureCells(c, o, 1);
      return { ...base, runs, ms_fp32: ms_a, ms_variant: ms_b, ...rest, refused: '' };
    });
  });
  return stringify(records, { header: true });
}

/** The HTML report's precision section. */
export function precisionHtml(rows: readonly PrecisionRow[]): string {
  const cells = rows.flatMap((r) => {
    const who = `<td>${escapeHtml(r.stage)}</td><td>${escapeHtml(r.family)}</td><td>${r.precision}</td>`;
    if (!r.comparison) return [`<tr class="refused">${who}<td colspan="6">${escapeHtml(r.refused ?? '')}</td></tr>`];
    const c = r.comparison;
    return c.outputs.map(
      (o) =>
        `<tr>${who}<td>${c.msA.toFixed(2)} → ${c.msB.toFixed(2)}</td><td>${(c.msA / c.msB).toFixed(2)}×</td><td>${escapeHtml(o.output)}</td><td>${dB(o.snrDb)}</td><td>${dB(o.psnrDb)}</td><td>${o.maxAbs.toPrecision(3)}</td></tr>`,
    );
  });
  return `<h2>Precision</h2>
<p class="note">Each model's FP16 and INT8 (static, ranges measured on these feeds) variants against float32 on the stage's recorded feeds of the shortest clip; one intra-op thread, median time per run.</p>
<table class="precision"><thead><tr><th>stage</th><th>family</th><th>variant</th><th>ms per run</th><th>speed</th><th>output</th><th>SNR dB</th><th>PSNR dB</th><th>max |Δ|</th></tr></thead>
<tbody>${cells.join('\n')}</tbody></table>`;
}
