/**
 * Throughput of reel's DSP on a long synthetic clip, in seconds of audio processed per second of
 * wall time (single thread), plus the resampler's SNR on sines across the band.
 *
 *   npx tsx scripts/bench/dsp-throughput.ts [--minutes 10]
 *
 * Scripts may print; library code does not.
 */
import { performance } from 'node:perf_hooks';
import { FastPitchMel } from '../../src/dsp/fastpitch-mel.ts';
import { rvcHighPass } from '../../src/dsp/filters.ts';
import { YinPitchTracker } from '../../src/dsp/f0.ts';
import { StreamingResampler, resample } from '../../src/dsp/resample.ts';
import { Wav2LipMel } from '../../src/dsp/wav2lip-mel.ts';

const minutesArg = process.argv.indexOf('--minutes');
const minutes = minutesArg > 0 ? Number(process.argv[minutesArg + 1]) : 10;
const seconds = minutes * 60;

/** A voice-like test clip: a gliding harmonic tone plus a little noise. */
function clip(rate: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * rate));
  let phase = 0;
  let seed = 12345;
  for (let i = 0; i < x.length; i++) {
    const f0 = 150 + 50 * Math.sin((2 * Math.PI * i) / (3 * rate));
    phase += (2 * Math.PI * f0) / rate;
    let s = 0;
    for (let h = 1; h <= 8; h++) s += Math.sin(h * phase) / h;
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    x[i] = 0.2 * s + 0.01 * (seed / 2 ** 32 - 0.5);
  }
  return x;
}

function time(label: string, audioSeconds: number, run: () => unknown): void {
  const t0 = performance.now();
  run();
  const wall = (performance.now() - t0) / 1000;
  console.log(
    `${label.padEnd(44)} ${wall.toFixed(2).padStart(7)} s   ${(audioSeconds / wall).toFixed(0).padStart(6)} × real time`,
  );
}

console.log(`clip: ${minutes} min (${seconds} s of audio), Node ${process.version}\n`);
const x16 = clip(16000);
const x22 = clip(22050);
const x24 = clip(24000);

const wav2lip = new Wav2LipMel();
time('wav2lip mel (16 kHz → 80×T)', seconds, () => wav2lip.compute(x16));
const fastpitch = new FastPitchMel();
time('fastpitch log-mel (22.05 kHz → 80×T)', seconds, () => fastpitch.compute(x22));
const yin = new YinPitchTracker();
time('F0 YIN (16 kHz, hop 160, 50–1100 Hz)', seconds, () => yin.track(x16));
time('RVC high-pass (butter 5 @ 48 Hz, filtfilt)', seconds, () => rvcHighPass(x16));
time('resample 22050 → 16000 (whole)', seconds, () => resample(x22, { inputRate: 22050, outputRate: 16000 }));
time('resample 24000 → 16000 (whole)', seconds, () => resample(x24, { inputRate: 24000, outputRate: 16000 }));
time('resample 16000 → 40000 (whole)', seconds, () => resample(x16, { inputRate: 16000, outputRate: 40000 }));
time('resample 22050 → 16000 (streaming, 1 s chunks)', seconds, () => {
  const stream = new StreamingResampler({ inputRate: 22050, outputRate: 16000 });
  for (let at = 0; at < x22.length; at += 22050) stream.push(x22.subarray(at, at + 22050));
  stream.flush();
});

console.log('\nresampler SNR on a 0.5-amplitude sine (dB), by frequency as a fraction of the lower Nyquist:');
const fractions = [0.01, 0.1, 0.3, 0.5, 0.7, 0.8, 0.85, 0.9];
console.log('rates'.padEnd(16) + fractions.map((f) => f.toFixed(2).padStart(8)).join(''));
for (const [inputRate, outputRate] of [
  [24000, 16000],
  [22050, 16000],
  [44100, 48000],
  [16000, 40000],
  [48000, 16000],
]) {
  const nyquist = Math.min(inputRate, outputRate) / 2;
  const row = fractions.map((fraction) => {
    const freq = fraction * nyquist;
    const x = new Float32Array(inputRate);
    for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * freq * i) / inputRate + 0.3);
    const y = resample(x, { inputRate, outputRate });
    let s = 0,
      e = 0;
    for (let n = outputRate / 20; n < y.length - outputRate / 20; n++) {
      const want = 0.5 * Math.sin((2 * Math.PI * freq * n) / outputRate + 0.3);
      s += want * want;
      e += (y[n] - want) ** 2;
    }
    return (10 * Math.log10(s / e)).toFixed(1).padStart(8);
  });
  console.log(`${inputRate}→${outputRate}`.padEnd(16) + row.join(''));
}
