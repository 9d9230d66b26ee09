/**
 * The frames' memory of a video input, planned before any frame is decoded (stages/media/video-memory.ts):
 * a plan past the machine's memory is refused naming the settings that fit, and those settings do fit;
 * a still face far too large for the machine is refused before any work; replicas stop growing at the
 * memory the run may plan for (src/runtime/machine-memory.ts).
 */
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MEMORY_ENV, machineMemoryBytes } from '../../../src/runtime/machine-memory.ts';
import {
  FACE_CHUNKS_IN_FLIGHT,
  VIDEO_CHUNKS_IN_FLIGHT,
  videoMemory,
  videoMemoryProblem,
  type VideoMemoryInput,
} from '../../../stages/media/video-memory.ts';
import { REPO_ROOT, runReelBinary } from '../../helpers/cli.ts';

const GiB = 2 ** 30;
const dir = mkdtempSync(join(tmpdir(), 'reel-video-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const face = (side: number, o: Partial<VideoMemoryInput> = {}): VideoMemoryInput => ({
  width: side,
  height: side,
  fps: 25,
  chunkSeconds: 5,
  searchSeconds: 1,
  wholeFrames: 1,
  ...o,
});

/** The `--set key=value` pairs of a refusal, as an override map. */
function fixesOf(message: string): Record<string, number>[] {
  return message
    .split(', or ')
    .map((part) => Object.fromEntries([...part.matchAll(/--set ([\w.]+)=(\d+)/g)].map((m) => [m[1], Number(m[2])])))
    .filter((fix) => Object.keys(fix).length > 0);
}

describe('video memory plan', () => {
  it('counts the longest chunk (grid step plus pause search each side) in flight, and the input held whole', () => {
    const plan = videoMemory(face(1000));
    const frame = 1000 * 1000 * 3;
    expect(plan.chunkSeconds).toBe(7);
    expect(plan.totalBytes).toBe(VIDEO_CHUNKS_IN_FLIGHT * 7 * 25 * frame + frame);
  });

  it('a streamed face: its own chunks count, its length does not — a 1080p face is refused by chunk size alone', () => {
    const hd = {
      width: 1920,
      height: 1080,
      fps: 25,
      chunkSeconds: 5,
      searchSeconds: 1,
      wholeFrames: 0,
      streamedLoop: true,
    };
    const plan = videoMemory(hd);
    const frame = 1920 * 1080 * 3;
    expect(plan.chunks).toBe(VIDEO_CHUNKS_IN_FLIGHT + FACE_CHUNKS_IN_FLIGHT);
    expect(plan.totalBytes).toBe(plan.chunks * 7 * 25 * frame); // 13.2 GiB, for 30 s or for an hour
    const problem = videoMemoryProblem('video', hd, plan, 8 * GiB)!;
    const [shorter] = fixesOf(problem);
    expect(videoMemory({ ...hd, chunkSeconds: shorter['chunking.seconds'] }).totalBytes).toBeLessThanOrEqual(6 * GiB);
    expect(problem).toMatch(
      /13 in flight: 13\.2 GiB, more than 75 % of this machine's 8\.0 GiB; --set chunking\.seconds=\d/,
    );
  });

  it('fits: no problem; past 75 % of the memory: the chunk length that fits, else a picture size that fits', () => {
    expect(videoMemoryProblem('face', face(256), videoMemory(face(256)), 8 * GiB)).toBeUndefined();

    const v = face(2000);
    const memory = 8 * GiB; // 2000² at 7 s: 9.8 GiB
    const problem = videoMemoryProblem('face', v, videoMemory(v), memory)!;
    expect(problem).toMatch(
      /^2000×2000 frames at 25 fps make video chunks of up to 2\.0 GiB \(7 s: chunking\.seconds 5 and 1 s/,
    );
    const [shorter, smaller] = fixesOf(problem);
    const within = (o: Partial<VideoMemoryInput>) => videoMemory({ ...v, ...o }).totalBytes <= 0.75 * memory;
    expect(shorter['chunking.seconds']).toBeLessThan(5);
    expect(within({ chunkSeconds: shorter['chunking.seconds'] })).toBe(true);
    expect(within({ chunkSeconds: shorter['chunking.seconds'] + 1 })).toBe(false); // the longest that fits
    const [w, h] = [smaller['inputs.face.options.width'], smaller['inputs.face.options.height']];
    expect(w % 2 === 0 && h % 2 === 0 && w < 2000).toBe(true);
    expect(within({ width: w, height: h })).toBe(true);

    // So large that even 1 s chunks do not fit: only a smaller picture is offered.
    const huge = face(8000);
    const fixes = fixesOf(videoMemoryProblem('face', huge, videoMemory(huge), 8 * GiB)!);
    expect(fixes).toHaveLength(1);
    expect(Object.keys(fixes[0])).toEqual(['inputs.face.options.width', 'inputs.face.options.height']);
  });

  it(`${MEMORY_ENV} sets the memory a run plans for`, () => {
    expect(machineMemoryBytes({ [MEMORY_ENV]: '123456789' })).toBe(123456789);
    expect(machineMemoryBytes({})).toBeGreaterThan(0);
  });
});

describe('reel run with a face too large for the machine', () => {
  const TH = 'samples/talking-head/short';
  const args = (faceFile: string, out: string) => [
    'run',
    'pipelines/talking-head.yaml',
    '--profile',
    'fast',
    '--input',
    `script=${TH}/script.txt`,
    '--input',
    `voice=${TH}/voice.wav`,
    '--input',
    `face=${faceFile}`,
    '--out',
    out,
  ];

  it('a 4000×4000 still is refused before any work, naming the file and the settings that fit', () => {
    const still = join(dir, 'a big face.png');
    execFileSync(ffmpegInstaller.path, [
      '-loglevel',
      'error',
      '-y',
      '-i',
      join(REPO_ROOT, TH, 'face.png'),
      '-vf',
      'scale=4000:4000',
      still,
    ]);
    const out = join(dir, 'big');
    const r = runReelBinary(args(still, out), { env: { [MEMORY_ENV]: String(24 * GiB) }, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const line = r.stderr.trim().split('\n').at(-1)!;
    expect(line).toContain(`${still}: 4000×4000 frames at 25 fps make video chunks of up to 7.8 GiB`);
    expect(line).toMatch(
      /more than 75 % of this machine's 24\.0 GiB; --set chunking\.seconds=1, or --set inputs\.face\.options\.width=\d+/,
    );
    expect(r.stdout).toBe('');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('the start line says what the frames will hold; replicas stop at the memory the run may plan for', () => {
    const out = join(dir, 'capped');
    const metrics = join(dir, 'capped.json');
    const r = runReelBinary(
      [...args(join(REPO_ROOT, TH, 'face.png'), out), '--set', 'stages.lipsync.concurrency=auto', '--metrics', metrics],
      { env: { [MEMORY_ENV]: String(400 * 2 ** 20) }, timeoutMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^face: 256×256 at 25 fps: video chunks of ≤ 7 s hold ≤ 33 MiB each, 5 in flight \+ 192 KiB held whole: ≤ 164 MiB of frames, and 33 MiB more for each replica added to a stage that holds them \(machine memory 400 MiB\)$/m,
    );
    // 400 MiB is about what the first instances take: the plan may want more, memory gives none.
    const m = JSON.parse(readFileSync(metrics, 'utf8')) as { stages: { stage: string; replicas: number }[] };
    for (const s of m.stages) expect(s.replicas, s.stage).toBe(1);
  });
});
