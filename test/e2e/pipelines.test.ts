/**
 * The shipped pipelines, run as a user runs them: the real `reel` binary, the bundled samples,
 * real ONNX sessions in stage workers, real ffmpeg; outputs checked with ffprobe.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/media/binaries.ts';
import { runReelBinary } from '../helpers/cli.ts';

const S = 'samples/talking-head';

function probe(file: string): {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  duration: string;
  r_frame_rate: string;
  sample_rate?: string;
}[] {
  const out = execFileSync(
    resolveFfmpeg().ffprobe,
    [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type,codec_name,width,height,duration,r_frame_rate,sample_rate',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out).streams;
}

const tmp = (name: string) => mkdtemp(path.join(os.tmpdir(), `reel e2e ${name}-`));

interface TraceEvent {
  ph: string;
  name: string;
  tid: number;
  args?: { name?: string };
}
async function traceTracks(file: string): Promise<string[]> {
  const events = (JSON.parse(await readFile(file, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const names = new Map(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args?.name ?? '']),
  );
  return [...new Set(events.filter((e) => e.ph === 'X').map((e) => names.get(e.tid) ?? ''))].sort();
}

describe('talking-head', () => {
  it('the README command renders a sample to an H.264 + AAC mp4 at the face size, as long as the speech', async () => {
    const out = await tmp('th');
    const r = runReelBinary(
      [
        'run',
        'pipelines/talking-head.yaml',
        '--out',
        out,
        '--input',
        `script=${S}/short/script.txt`,
        '--input',
        `voice=${S}/short/voice.wav`,
        '--input',
        `face=${S}/short/face.png`,
      ],
      { timeoutMs: 120_000 },
    );
    // Every stage got its first choice (cpu): no provider lines without --verbose.
    expect(r.stderr).not.toMatch(/provider cpu/);
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['speech.wav', 'video.mp4']);
    const [video, audio] = ['video', 'audio'].map(
      (t) => probe(path.join(out, 'video.mp4')).find((s) => s.codec_type === t)!,
    );
    expect(video).toMatchObject({ codec_name: 'h264', width: 256, height: 256 });
    expect(audio.codec_name).toBe('aac');
    const [num, den] = video.r_frame_rate.split('/').map(Number); // "25/1"
    const fps = num / den;
    const speech = Number(probe(path.join(out, 'speech.wav'))[0].duration);
    expect(speech).toBeGreaterThan(0.5);
    expect(Math.abs(Number(video.duration) - speech)).toBeLessThanOrEqual(1 / fps);
  });

  it('--profile fast renders through FastPitch + HiFi-GAN instead of VALL-E X (the trace shows it)', async () => {
    const out = await tmp('thf');
    const trace = path.join(out, 'trace.json');
    const r = runReelBinary(
      [
        'run',
        'pipelines/talking-head.yaml',
        '--profile',
        'fast',
        '--out',
        out,
        '--trace',
        trace,
        '--input',
        `script=${S}/short/script.txt`,
        '--input',
        `voice=${S}/short/voice.wav`,
        '--input',
        `face=${S}/medium/face.mp4`,
      ],
      { timeoutMs: 120_000 },
    );
    expect(r.code).toBe(0);
    // Stages that may get replicas have one track per instance: `convert#0`, `convert#1`, …
    const stages = new Set((await traceTracks(trace)).map((track) => track.replace(/#\d+$/, '')));
    expect([...stages]).toEqual(expect.arrayContaining(['acoustic', 'vocoder', 'convert', 'lipsync']));
    expect(stages.has('tts')).toBe(false);
  });

  it('renders a clip whose last chunk is shorter than one 0.2 s Wav2Lip window', async () => {
    // 10.07 s of speech in 2 s chunks: the last chunk holds 0.07 s.
    const out = await tmp('tail');
    const script = path.join(out, 'script.txt');
    const sentences = (await readFile(`${S}/long/script.txt`, 'utf8')).trim().split(/(?<=\.)\s+/);
    await writeFile(script, `${sentences.slice(0, 3).join(' ')}\n`);
    const r = runReelBinary(
      [
        'run',
        'pipelines/talking-head.yaml',
        '--profile',
        'fast',
        '--set',
        'chunking.seconds=2',
        '--out',
        out,
        '--input',
        `script=${script}`,
        '--input',
        `voice=${S}/short/voice.wav`,
        '--input',
        `face=${S}/medium/face.mp4`,
      ],
      { timeoutMs: 120_000 },
    );
    expect(r.stderr).not.toMatch(/needs at least/);
    expect(r.code).toBe(0);
    const speech = Number(probe(path.join(out, 'speech.wav'))[0].duration);
    expect(speech % 2).toBeLessThan(0.2);
  });

  it('a model that does not fit its stage fails before any chunk, one line per mismatch (expected vs found)', async () => {
    const out = await tmp('contract');
    const wrong = path.resolve('models/build/tiny/hifigan.onnx');
    runReelBinary(['models', 'build']);
    const r = runReelBinary([
      'run',
      'pipelines/voice-convert.yaml',
      '--out',
      out,
      '--input',
      `audio=${S}/short/voice.wav`,
      '--set',
      `stages.convert.model=${wrong}`,
    ]);
    expect(r.code).toBe(1);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !/provider cpu/.test(l));
    expect(lines).toContain(
      `${wrong}: does not match the rvc contract of stage "convert": input "phone" (float32 [1, T, D]) is missing; the model's inputs are "spec"`,
    );
    expect(lines.every((l) => l.startsWith(`${wrong}: does not match the rvc contract`))).toBe(true);
    expect(await readdir(out)).toEqual([]);
  });

  it('with strict providers on a machine without GPU libraries: exit 1 naming the stage and the missing library', async () => {
    const out = await tmp('strict');
    const r = runReelBinary([
      'run',
      'pipelines/voice-convert.yaml',
      '--out',
      out,
      '--input',
      `audio=${S}/short/voice.wav`,
      '--set',
      'defaults.provider=[cuda, cpu]',
      '--set',
      'defaults.strict=true',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /stage "(content|convert)": provider cuda did not load \(strict: true\): .*libonnxruntime_providers_\w+\.so/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await readdir(out)).toEqual([]);
  });
});

describe('voice-convert and text-to-video', () => {
  it('voice-convert keeps the length to the sample, and logs one provider line per stage with --verbose', async () => {
    const out = await tmp('vc');
    const r = runReelBinary([
      'run',
      'pipelines/voice-convert.yaml',
      '--out',
      out,
      '--input',
      `audio=${S}/long/voice.wav`,
      '--verbose',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/provider cpu/g)).toHaveLength(2);
    const [input] = probe(`${S}/long/voice.wav`);
    const [output] = probe(path.join(out, 'converted.wav'));
    expect(output.sample_rate).toBe('40000');
    expect(Math.round(Number(output.duration) * 40000)).toBe(Math.round(Number(input.duration) * 40000));
  });

  it('sequential mode (the baseline) writes exactly what pipelined mode writes', async () => {
    const outs = await Promise.all(['pipelined', 'sequential'].map((m) => tmp(m)));
    for (const [i, mode] of ['pipelined', 'sequential'].entries()) {
      const r = runReelBinary([
        'run',
        'pipelines/voice-convert.yaml',
        '--mode',
        mode,
        '--out',
        outs[i],
        '--input',
        `audio=${S}/long/voice.wav`,
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
    const [a, b] = await Promise.all(outs.map((o) => readFile(path.join(o, 'converted.wav'))));
    expect(a.length).toBeGreaterThan(100_000);
    expect(Buffer.compare(a, b)).toBe(0);
  });

  it('text-to-video renders 17 frames at 256×160, 8 fps', async () => {
    const out = await tmp('t2v');
    const r = runReelBinary([
      'run',
      'pipelines/text-to-video.yaml',
      '--out',
      out,
      '--input',
      'prompt=samples/text-to-video/a-lighthouse/prompt.txt',
      '--set',
      'stages.denoiser.options.steps=4',
    ]);
    expect(r.code).toBe(0);
    const [video] = probe(path.join(out, 'video.mp4'));
    expect(video).toMatchObject({ codec_name: 'h264', width: 256, height: 160, r_frame_rate: '8/1' });
    expect(Number(video.duration)).toBeCloseTo(17 / 8, 2);
  });
});
