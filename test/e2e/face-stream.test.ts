/**
 * The face video streamed under the speech, as a user runs it (the real `reel` binary, real
 * ffmpeg and ONNX sessions): a face shorter than the speech is looped — held whole, or decoded
 * again at each pass, with the same frames either way — and one longer than the speech is cut
 * where the speech ends, its decoder stopped. The output has exactly round(speech × fps) frames.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/media/binaries.ts';
import { runCli, runReelBinary } from '../helpers/cli.ts';

const S = 'samples/talking-head';
const tmp = (name: string) => mkdtemp(path.join(os.tmpdir(), `reel face-stream ${name}-`));

/** Frames decoded from the mp4's video stream, and the WAV's length in seconds. */
function frameCount(file: string): number {
  const out = execFileSync(
    resolveFfmpeg().ffprobe,
    [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'csv=p=0',
      file,
    ],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}

async function wavSeconds(file: string): Promise<number> {
  const bytes = await readFile(file);
  const rate = bytes.readUInt32LE(24);
  const channels = bytes.readUInt16LE(22);
  return (bytes.length - 44) / (2 * channels * rate);
}

function renderTalkingHead(out: string, sample: string, face: string, extra: string[] = []) {
  return runReelBinary(
    [
      'run',
      'pipelines/talking-head.yaml',
      '--profile',
      'fast',
      '--out',
      out,
      '--input',
      `script=${S}/${sample}/script.txt`,
      '--input',
      `voice=${S}/${sample}/voice.wav`,
      '--input',
      `face=${face}`,
      '--set',
      'chunking.seconds=2',
      ...extra,
    ],
    { timeoutMs: 120_000 },
  );
}

describe('the face streamed under the speech', () => {
  it('loops a face shorter than the speech — held whole or decoded again at each pass — to the same frames', async () => {
    const dir = await tmp('loop');
    // 0.6 s of the sample's slow pan under about 1.5 s of speech: looped 2.5 times, over 1 s chunks.
    const face = path.join(dir, 'short face.mp4');
    execFileSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-i', `${S}/medium/face.mp4`, '-t', '0.6', face]);
    const oneSecond = ['--set', 'chunking.seconds=1'];
    const held = renderTalkingHead(path.join(dir, 'held'), 'short', face, oneSecond);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stderr).toMatch(/face: looped under the other inputs, cut where they end: held whole/);
    const streamed = renderTalkingHead(path.join(dir, 'streamed'), 'short', face, [
      ...oneSecond,
      '--set',
      'inputs.face.options.loopHoldMiB=0',
    ]);
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(streamed.stderr).toMatch(
      /face: looped under the other inputs, cut where they end: decoded again at each pass/,
    );
    // Back and forth needs the face held whole: refused at start, exit 2, when it would stream.
    const pingpong = renderTalkingHead(path.join(dir, 'pingpong'), 'short', face, [
      ...oneSecond,
      '--set',
      'inputs.face.options.loop=pingpong',
      '--set',
      'inputs.face.options.loopHoldMiB=0',
    ]);
    expect(pingpong.code).toBe(2);
    expect(pingpong.stderr).toMatch(
      /is played back and forth \(loop: pingpong\), which needs it held whole, but its RGB passes loopHoldMiB 0; raise it \(--set inputs\.face\.options\.loopHoldMiB=\d+\) or use loop: repeat/,
    );
    // Both ways give the same frames and boxes, so the same file.
    const a = await readFile(path.join(dir, 'held', 'video.mp4'));
    const b = await readFile(path.join(dir, 'streamed', 'video.mp4'));
    expect(Buffer.compare(a, b)).toBe(0);
    const seconds = await wavSeconds(path.join(dir, 'held', 'speech.wav'));
    expect(seconds).toBeGreaterThan(1.2);
    expect(frameCount(path.join(dir, 'held', 'video.mp4'))).toBe(Math.round(seconds * 25));
  }, 240_000);

  it('cuts a face longer than the speech where the speech ends, and stops decoding it', async () => {
    const dir = await tmp('cut');
    // A 40 s face video (the sample pan, looped by ffmpeg); the short sample's speech is a few seconds.
    const face = path.join(dir, 'long face.mp4');
    execFileSync(resolveFfmpeg().ffmpeg, [
      '-v',
      'error',
      '-stream_loop',
      '19',
      '-i',
      `${S}/medium/face.mp4`,
      '-c',
      'copy',
      face,
    ]);
    const out = path.join(dir, 'out');
    const metrics = path.join(dir, 'metrics.json');
    const r = renderTalkingHead(out, 'short', face, ['--metrics', metrics]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/went on after/);
    const seconds = await wavSeconds(path.join(out, 'speech.wav'));
    expect(seconds).toBeLessThan(10);
    expect(frameCount(path.join(out, 'video.mp4'))).toBe(Math.round(seconds * 25));
    // The face source stopped a few chunks past the speech (what the queues, the neighbours and the
    // replicas in flight may hold: 7 seen under load), not at its 20 chunks of 2 s.
    const run = JSON.parse(await readFile(metrics, 'utf8')) as {
      mediaSeconds: number;
      stages: { stage: string; packets: number }[];
    };
    expect(run.stages.find((s) => s.stage === 'face')?.packets).toBeLessThanOrEqual(10);
    // The clip's length is the speech's, not the face video's.
    expect(run.mediaSeconds).toBeCloseTo(seconds, 2);
  }, 240_000);
});

describe('dub', () => {
  const D = 'samples/dub/talk';
  /** A short script (VALL-E X's token loop is the slow part), in the folder of the run. */
  const shortScript = async (dir: string) => {
    const file = path.join(dir, 'script.txt');
    await writeFile(file, 'Welcome to the show.\n');
    return file;
  };
  const dub = (out: string, extra: string[] = []) =>
    runReelBinary(['run', 'pipelines/dub.yaml', '--out', out, '--input', `video=${D}/video.mp4`, ...extra], {
      timeoutMs: 120_000,
    });

  it("re-speaks the sample video in its own voice (the video's sound by default): the new speech's length", async () => {
    const dir = await tmp('dub');
    const script = ['--input', `script=${await shortScript(dir)}`];
    const own = dub(path.join(dir, 'own'), script);
    expect(own.code, own.stderr).toBe(0);
    const seconds = await wavSeconds(path.join(dir, 'own', 'speech.wav'));
    expect(frameCount(path.join(dir, 'own', 'dubbed.mp4'))).toBe(Math.round(seconds * 25));
    // The voice is the video's own sound track (`from: video`): the same as binding the file by hand…
    const named = dub(path.join(dir, 'named'), [...script, '--input', `voice=${D}/video.mp4`]);
    expect(named.code, named.stderr).toBe(0);
    const speech = (name: string) => readFile(path.join(dir, name, 'speech.wav'));
    expect(Buffer.compare(await speech('own'), await speech('named'))).toBe(0);
    // (That the prompt's sound changes VALL-E X's prompt codes is pinned in test/stages/vallex.)
  }, 240_000);

  it('refuses a video with no sound and no --input voice, naming the fix, before any work', async () => {
    const out = path.join(await tmp('dub-silent'), 'out');
    const r = runReelBinary([
      'run',
      'pipelines/dub.yaml',
      '--out',
      out,
      '--input',
      `video=${S}/medium/face.mp4`,
      '--input',
      `script=${D}/script.txt`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^input "voice" reads the file of input "video": .*face\.mp4: has no audio stream .* — add --input voice=PATH$/,
    );
    // A video missing or unbound is said once, for the video, not again for the voice that reads it.
    for (const [args, line] of [
      [[], 'input "video" is not bound — add --input video=PATH'],
      [['--input', 'video=no such.mp4'], '--input video: no such.mp4: no such file'],
    ]) {
      const missing = await runCli([
        'run',
        'pipelines/dub.yaml',
        '--out',
        out,
        '--input',
        `script=${D}/script.txt`,
        ...args,
      ]);
      expect(missing.code).toBe(2);
      expect(missing.stderr.trim()).toBe(line);
    }
  });
});
