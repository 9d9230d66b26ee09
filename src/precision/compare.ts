/**
 * Two models of one contract on the same recorded feeds: each output's difference (max and mean
 * absolute error, SNR and PSNR in dB against the first model) and each model's time per run. Both
 * run here on the CPU with one intra-op thread (reel's per-stage default), after one warm-up run,
 * so the times compare the graphs, not the thread counts.
 */
import { stringify } from 'csv-stringify/sync';
import * as ort from 'onnxruntime-node';
import { ModelError } from '../core/errors.ts';
import type { RecordedFeeds } from '../inference/feed-recorder.ts';
import { toOrt } from '../inference/ort-tensors.ts';

export interface OutputDifference {
  output: string;
  maxAbs: number;
  meanAbs: number;
  /** 10·log10(Σ ref² / Σ (ref − x)²), dB: what audio is judged by. Infinity when equal. */
  snrDb: number;
  /** 20·log10(peak-to-peak of ref) − 10·log10(MSE), dB: what frames are judged by. */
  psnrDb: number;
}

export interface Comparison {
  runs: number;
  /** Median time per run, ms. */
  msA: number;
  msB: number;
  outputs: OutputDifference[];
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

async function open(path: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
  } catch (err) {
    throw new ModelError(path, `does not load in ONNX Runtime: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** The session's inputs from one recorded run, by name; an input the stage never fed is an error naming `path`. */
export function feedsFor(
  session: ort.InferenceSession,
  recorded: RecordedFeeds,
  path: string,
): Record<string, ort.Tensor> {
  const tensors: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    if (!recorded[name]) throw new ModelError(path, `has input "${name}", which the recorded stage never fed`);
    tensors[name] = toOrt(recorded[name]);
  }
  return tensors;
}

interface Sums {
  maxAbs: number;
  abs: number;
  ref2: number;
  err2: number;
  n: number;
  lo: number;
  hi: number;
}

export async function compareModels(a: string, b: string, feeds: readonly RecordedFeeds[]): Promise<Comparison> {
  const sa = await open(a);
  const sb = await open(b).catch(async (err: unknown) => {
    await sa.release();
    throw err;
  });
  try {
    const shared = sa.outputNames.filter((n) => sb.outputNames.includes(n));
    if (shared.length === 0)
      throw new ModelError(
        b,
        `shares no output name with ${a} (${sa.outputNames.join(', ')}); compare two variants of one model`,
      );
    const sums = new Map<string, Sums>(
      shared.map((n) => [n, { maxAbs: 0, abs: 0, ref2: 0, err2: 0, n: 0, lo: Infinity, hi: -Infinity }]),
    );
    const times: [number[], number[]] = [[], []];
    await sa.run(feedsFor(sa, feeds[0], a));
    await sb.run(feedsFor(sb, feeds[0], b));
    /** One timed run of session `k` (0: a, 1: b) on the recorded feeds. */
    const timed = async (k: 0 | 1, recorded: RecordedFeeds): Promise<Record<string, ort.Tensor>> => {
      const [session, path] = k === 0 ? [sa, a] : [sb, b];
      const f = feedsFor(session, recorded, path);
      const t = performance.now();
      const out = (await session.run(f)) as Record<string, ort.Tensor>;
      times[k].push(performance.now() - t);
      return out;
    };
    for (const recorded of feeds) {
      const outs = [await timed(0, recorded), await timed(1, recorded)];
      for (const name of shared) {
        const ref = outs[0][name].data as ArrayLike<number | bigint>;
        const got = outs[1][name].data as ArrayLike<number | bigint>;
        if (ref.length !== got.length)
          throw new ModelError(b, `output "${name}" has ${got.length} values where ${a} gives ${ref.length}`);
        const s = sums.get(name)!;
        for (let i = 0; i < ref.length; i++) {
          const r = Number(ref[i]);
          const e = Number(got[i]) - r;
          s.maxAbs = Math.max(s.maxAbs, Math.abs(e));
          s.abs += Math.abs(e);
          s.ref2 += r * r;
          s.err2 += e * e;
          s.lo = Math.min(s.lo, r);
          s.hi = Math.max(s.hi, r);
        }
        s.n += ref.length;
      }
    }
    return {
      runs: feeds.length,
      msA: median(times[0]),
      msB: median(times[1]),
      outputs: shared.map((output) => {
        const s = sums.get(output)!;
        const mse = s.err2 / Math.max(1, s.n);
        return {
          output,
          maxAbs: s.maxAbs,
          meanAbs: s.abs / Math.max(1, s.n),
          snrDb: s.err2 === 0 ? Infinity : 10 * Math.log10(s.ref2 / s.err2),
          psnrDb: mse === 0 ? Infinity : 20 * Math.log10(Math.max(s.hi - s.lo, 1e-12)) - 10 * Math.log10(mse),
        };
      }),
    };
  } finally {
    await sa.release();
    await sb.release();
  }
}

/** A dB figure to `digits` places; equal outputs give inf, a silent reference −inf. */
export const decibels = (x: number, digits: number): string =>
  Number.isFinite(x) ? x.toFixed(digits) : x > 0 ? 'inf' : '-inf';

const db = (x: number) => (x === Number.POSITIVE_INFINITY ? 'equal' : `${decibels(x, 1)} dB`);

/** One output's figures as CSV cells: times and speed-up to 3 places, dB to `digits`. */
export function figureCells(c: Comparison, o: OutputDifference, digits: number) {
  return {
    runs: c.runs,
    ms_a: c.msA.toFixed(3),
    ms_b: c.msB.toFixed(3),
    speedup: (c.msA / c.msB).toFixed(3),
    output: o.output,
    max_abs: o.maxAbs,
    mean_abs: o.meanAbs,
    snr_db: decibels(o.snrDb, digits),
    psnr_db: decibels(o.psnrDb, digits),
  };
}

export function formatComparison(c: Comparison, names: { a: string; b: string; stage: string }): string {
  const rows = c.outputs.map(
    (o) =>
      `  ${o.output.padEnd(16)} max |Δ| ${o.maxAbs.toPrecision(3).padStart(9)}  mean |Δ| ${o.meanAbs.toPrecision(3).padStart(9)}  SNR ${db(o.snrDb).padStart(8)}  PSNR ${db(o.psnrDb).padStart(8)}`,
  );
  return [
    `${names.b} against ${names.a} on ${c.runs} recorded run${c.runs === 1 ? '' : 's'} of stage "${names.stage}":`,
    `  time per run (median, 1 thread): ${c.msA.toFixed(2)} ms → ${c.msB.toFixed(2)} ms (${(c.msA / c.msB).toFixed(2)}× the speed)`,
    ...rows,
  ].join('\n');
}

export function comparisonCsv(c: Comparison, names: { a: string; b: string; stage: string }): string {
  const cells = c.outputs.map((o) => ({
    stage: names.stage,
    model_a: names.a,
    model_b: names.b,
    ...figureCells(c, o, 2),
  }));
  return stringify(cells, { header: true });
}
