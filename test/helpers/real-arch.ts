/**
 * Shared by the real-architecture tests: a fixture (test/fixtures/real-arch/, exported by
 * models/export/*.py from a family's own code with random weights) fits its family contract, and a
 * shipped pipeline run with fixtures swapped in gives output of the same shape as with the reference
 * models (each distinct reference run is made once per test file).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { probe } from '../../src/media/probe.ts';
import { REPO_ROOT, runCli, runReelBinary } from './cli.ts';

export const dir = mkdtempSync(join(tmpdir(), 'reel-real-arch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
export const fixture = (name: string) => join(REPO_ROOT, 'test/fixtures/real-arch', name);

/** Sample rate and sample frames of a 16-bit WAV that reel wrote (44-byte header). */
function wavShape(file: string): { rate: number; frames: number } {
  const b = readFileSync(file);
  return { rate: b.readUInt32LE(24), frames: (b.length - 44) / (2 * b.readUInt16LE(22)) };
}

export const TH = 'samples/talking-head/short';

export async function expectFits(name: string, family: string) {
  const inspect = await runCli(['models', 'inspect', fixture(name), '--family', family]);
  expect(inspect.code).toBe(0);
  expect(inspect.stdout).toMatch(new RegExp(`^fits the ${family} contract`, 'm'));
  expect(inspect.stdout).toMatch(/producer pytorch/);
}

export interface Job {
  pipeline: string;
  inputs: string[];
  /** `--set` overrides that swap the fixtures in. */
  sets: Record<string, string>;
  /** The WAV the pipeline writes, compared with the reference run's. */
  wav?: string;
  extra?: string[];
  /** A video the pipeline writes: same frame count as the reference run's, other pictures. */
  video?: string;
  /**
   * How far (a fraction) the WAV's length may stray from the reference run's: an acoustic model
   * with other weights predicts other durations. Absent: the same length to the sample.
   */
  lengthTolerance?: number;
}

/** `job` with the fixtures swapped in gives a WAV of the same rate and length as with the reference models. */
const referenceRuns = new Map<string, string>();

/** The output folder of `args` run with the reference models, made on first use. */
function referenceRun(args: string[]): string {
  const key = JSON.stringify(args);
  let out = referenceRuns.get(key);
  if (!out) {
    out = join(dir, `reference-${referenceRuns.size}`);
    const reference = runReelBinary([...args, '--out', out], { timeoutMs: 120_000 });
    expect(reference.code, reference.stderr).toBe(0);
    referenceRuns.set(key, out);
  }
  return out;
}

/** `reel run` arguments of `job`: without the fixtures (the reference run), and the `--set`s that swap them in. */
export function jobArgs(job: Job): { args: string[]; sets: string[] } {
  const args = ['run', job.pipeline, ...(job.extra ?? []), ...job.inputs.flatMap((input) => ['--input', input])];
  const sets = Object.entries(job.sets).flatMap(([key, file]) => ['--set', `${key}=${fixture(file)}`]);
  return { args, sets };
}

export async function runsLikeReference(tag: string, job: Job) {
  const { args, sets } = jobArgs(job);
  const out = (what: string) => join(dir, `${tag}-${what}`);
  const real = runReelBinary([...args, '--out', out('real'), ...sets], { timeoutMs: 120_000 });
  expect(real.code, real.stderr).toBe(0);
  const referenceDir = referenceRun(args);
  if (job.wav) {
    const a = wavShape(join(out('real'), job.wav));
    const b = wavShape(join(referenceDir, job.wav));
    expect(a.rate).toBe(b.rate);
    if (job.lengthTolerance === undefined) expect(a.frames).toBe(b.frames);
    else expect(Math.abs(a.frames / b.frames - 1)).toBeLessThanOrEqual(job.lengthTolerance);
    expect(a.frames).toBeGreaterThan(a.rate / 2); // some audio, at the pipeline's rate
  }
  if (job.video) {
    const [real, reference] = await Promise.all([
      probe(join(out('real'), job.video)),
      probe(join(referenceDir, job.video)),
    ]);
    expect(real.video?.frameCount).toBeGreaterThan(0);
    const shape = (v: typeof real.video) => [v?.frameCount, v?.width, v?.height, v?.fps];
    expect(shape(real.video)).toEqual(shape(reference.video));
    expect(readFileSync(join(out('real'), job.video)).equals(readFileSync(join(referenceDir, job.video)))).toBe(false);
  }
}

/**
 * talking-head on the short sample. Random AR weights decode to the stage's length guard (16 codes
 * per text token); 4 keeps the runs short and the speech still seconds long.
 */
export const talkingHead = (sets: Record<string, string>, extra: string[] = [], more: Partial<Job> = {}): Job => ({
  pipeline: 'pipelines/talking-head.yaml',
  inputs: [`script=${TH}/script.txt`, `face=${TH}/face.png`, `voice=${TH}/voice.wav`],
  sets,
  wav: 'speech.wav',
  extra: [...extra, '--set', 'stages.tts.options.maxLengthFactor=4'],
  ...more,
});
export const voiceConvert = (sets: Record<string, string>): Job => ({
  pipeline: 'pipelines/voice-convert.yaml',
  inputs: [`audio=${TH}/voice.wav`],
  sets,
  wav: 'converted.wav',
});

export const textToVideo = (sets: Record<string, string>): Job => ({
  pipeline: 'pipelines/text-to-video.yaml',
  inputs: ['prompt=samples/text-to-video/a-lighthouse/prompt.txt'],
  sets,
  video: 'video.mp4',
  extra: ['--profile', 'fast', '--set', 'stages.denoiser.options.steps=2'],
});
