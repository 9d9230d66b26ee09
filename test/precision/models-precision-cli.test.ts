/**
 * The precision commands through the real binary on voice-convert's content encoder (tiny
 * reference model), calibrated on the pipeline's own feeds of a real recording: `quantize
 * --calibrate` writes the INT8 model, its ranges and a TensorRT table, byte for byte the same on a
 * second run; a stage runs the calibrated variant (`precision: int8` + `calibration:`); `compare`
 * measures both on recorded feeds; `convert --fp16` passes the contract; mistakes are one line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReelBinary } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reel-precision-cli-'));
const env = { REEL_VARIANT_DIR: join(dir, 'variants') };
const MODEL = 'models/build/tiny/content-encoder.onnx';
const VOICE = 'samples/talking-head/short/voice.wav';
const calibrate = ['--calibrate', 'pipelines/voice-convert.yaml', '--input', `audio=${VOICE}`];
const reel = (args: string[]) => runReelBinary(args, { env, timeoutMs: 120_000 });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reel models quantize --calibrate', () => {
  it('writes the INT8 model, its ranges and a TensorRT table, the same bytes every time', () => {
    const first = reel(['models', 'quantize', MODEL, '--out', join(dir, 'a.onnx'), ...calibrate]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/passes the content-encoder contract/);
    expect(first.stdout).toMatch(/static INT8 \(QDQ\), minmax ranges of \d+ tensors from \d+ runs? of stage "content"/);
    const again = reel(['models', 'quantize', MODEL, '--out', join(dir, 'b.onnx'), ...calibrate]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir, 'b.onnx')).equals(readFileSync(join(dir, 'a.onnx')))).toBe(true);

    const ranges = JSON.parse(readFileSync(join(dir, 'a.ranges.json'), 'utf8'));
    expect(ranges.format).toBe('reel-activation-ranges');
    const entries = Object.values(ranges.ranges) as { min: number; max: number }[];
    expect(entries.length).toBeGreaterThan(5);
    for (const r of entries) expect(r.max).toBeGreaterThanOrEqual(r.min);
    const table = readFileSync(join(dir, 'a.calibration.cache'), 'utf8').trim().split('\n');
    expect(table[0]).toMatch(/^TRT-\d+-EntropyCalibration2$/);
    expect(table.length).toBe(entries.length + 1);
    for (const line of table.slice(1)) expect(line).toMatch(/^\S+: [0-9a-f]{8}$/);
  });

  it('a stage runs its calibrated INT8 variant, and the output keeps its length', () => {
    const base = ['run', 'pipelines/voice-convert.yaml', '--input', `audio=${VOICE}`, '--verbose'];
    const int8 = reel([
      ...base,
      '--out',
      join(dir, 'int8'),
      '--set',
      'stages.content.precision=int8',
      '--set',
      `stages.content.calibration=${join(dir, 'a.ranges.json')}`,
    ]);
    expect(int8.code, int8.stderr).toBe(0);
    expect(int8.stdout + int8.stderr).toMatch(
      /stage "content": int8 static \(minmax ranges\) variant of content-encoder\.onnx/,
    );
    const fp32 = reel([...base, '--out', join(dir, 'fp32')]);
    expect(fp32.code, fp32.stderr).toBe(0);
    const size = (name: string) => readFileSync(join(dir, name, 'converted.wav')).length;
    expect(size('int8')).toBe(size('fp32'));
  });

  it('compare runs both on the recorded feeds (also of a stage running a variant): time per run and the difference', () => {
    const csv = join(dir, 'compare.csv');
    const r = reel([
      'models',
      'compare',
      MODEL,
      join(dir, 'a.onnx'),
      '--pipeline',
      'pipelines/voice-convert.yaml',
      '--input',
      `audio=${VOICE}`,
      '--csv',
      csv,
      // The stage runs an FP16 variant: its feeds are still recorded as the given model's.
      '--set',
      'stages.content.precision=fp16',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/time per run \(median, 1 thread\): [\d.]+ ms → [\d.]+ ms/);
    const snr = Number(/features .* SNR +([\d.]+) dB/.exec(r.stdout)?.[1]);
    // Measured 16 dB on the random-weight tiny model (wide activations); noise would be ≤ 0 dB.
    expect(snr).toBeGreaterThan(8);
    const [header, row] = readFileSync(csv, 'utf8').trim().split('\n');
    expect(header).toBe('stage,model_a,model_b,runs,ms_a,ms_b,speedup,output,max_abs,mean_abs,snr_db,psnr_db');
    expect(row.startsWith('content,')).toBe(true);
  });
});

describe('reel models convert --fp16 and mistakes', () => {
  it('writes a float16 model that passes its family contract', () => {
    const r = reel([
      'models',
      'convert',
      MODEL,
      '--fp16',
      '--out',
      join(dir, 'fp16.onnx'),
      '--family',
      'content-encoder',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/float32 inputs and outputs kept/);
    expect(r.stdout).toMatch(/\d+ nodes in float16/);
  });

  it('refuses with one line and exit 2: the input as --out, a model no stage loads, ranges without int8', () => {
    const same = reel(['models', 'quantize', MODEL, '--out', MODEL]);
    expect(same.code).toBe(2);
    expect(same.stderr.trim().split('\n')).toHaveLength(1);
    expect(same.stderr).toMatch(/is the input model/);

    const nobody = reel([
      'models',
      'quantize',
      'models/build/tiny/hifigan.onnx',
      '--out',
      join(dir, 'h.onnx'),
      ...calibrate,
    ]);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toMatch(
      /no stage of .*voice-convert\.yaml loads this model; name the stage .* --stage \(one of /,
    );

    const unused = reel([
      'validate',
      'pipelines/voice-convert.yaml',
      '--set',
      `stages.content.calibration=${join(dir, 'a.ranges.json')}`,
    ]);
    expect(unused.code).toBe(2);
    expect(unused.stderr).toMatch(/calibration ranges are for precision: int8, but the stage runs at fp32/);
  });
});
