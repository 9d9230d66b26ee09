/**
 * The fault-injection corpus: media and surroundings that are damaged or hostile at run time — the
 * counterpart of the broken-pipeline corpus (test/config/broken-pipelines.test.ts). Each case
 * damages a copy of a valid sample in a temp folder, runs `reel run` as a user would, and expects
 * the exit code and one error line naming the file, what is wrong and the fix — and nothing left
 * behind: no --out folder (nor anything in it: an output, a hidden `.partial`, the lock), no run
 * folder or temp file in TMPDIR.
 *
 * Pinned elsewhere, so not repeated here: a NaN or ±Inf sample (test/media/non-finite.test.ts); a
 * WAV cut mid-data, a text file named .wav, an empty script, an input of the wrong kind
 * (test/cli/run-inputs.test.ts); the decoders on damaged files and awkward names
 * (test/media/badInput.test.ts); the header arithmetic of cut and understated WAVs
 * (test/media/wav-truncation.test.ts); --trace/--metrics on a device, a link, an input or an
 * output, and an output onto its own input (test/cli/write-plan.test.ts); stdout on /dev/full and
 * an out-of-range speakerId (test/cli/careless-flags.test.ts); a model of the wrong family
 * (test/e2e/pipelines.test.ts); a missing model file (test/config/broken-pipelines.test.ts).
 * Left out: a 4000×4000 and a 1×1 face (both render, in ~30 s and ~8 s of talking-head); an
 * unreadable file where the tests run as root (chmod 000 does not stop root: skipped then); a
 * read-only mount (making one needs root); stdout closed with `>&-` (Node reopens it on /dev/null,
 * which reel cannot tell from a `> /dev/null` asked for).
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../models/reference.ts';
import { isTelemetryNoise } from '../../src/inference/ort-debug-files.ts';
import { REPO_ROOT, runCli, runReelBinary } from '../helpers/cli.ts';
import { tempDir } from './makeMedia.ts';

const S = path.join(REPO_ROOT, 'samples/talking-head');
const VOICE = `${S}/short/voice.wav`;

/** A copy of `file` changed by `damage`, as `name` in the suite's folder. */
type Fault = (dir: string) => string | Promise<string>;

function damaged(name: string, from: string, damage: (bytes: Buffer) => Buffer | string): Fault {
  return (dir) => {
    const file = path.join(dir, name);
    writeFileSync(file, damage(readFileSync(from)));
    return file;
  };
}

const voiceConvert = (audio: string) => ['run', 'pipelines/voice-convert.yaml', '--input', `audio=${audio}`];
const talkingHead = (face: string) => [
  'run',
  'pipelines/talking-head.yaml',
  '--profile',
  'fast',
  '--input',
  `script=${S}/short/script.txt`,
  '--input',
  `voice=${VOICE}`,
  '--input',
  `face=${face}`,
];
const withModel = (model: string) => [...voiceConvert(VOICE), '--set', `stages.convert.model=${model}`];

/** Where the RIFF `data` chunk's size is, in a WAV written by ffmpeg or the samples script. */
const dataSizeAt = (wav: Buffer) => wav.indexOf('data') + 4;

const uid = process.getuid?.() ?? 0;

/**
 * [name, the fault (its path is `{file}` below), the command line for that path (`--out` is added
 * unless it names its own), exit code, parts of the one error line].
 */
const cases: [name: string, fault: Fault, args: (file: string) => string[], exit: number, has: string[]][] = [
  [
    'WAV whose header declares less than the audio it holds',
    damaged('understated.wav', VOICE, (b) => {
      const w = Buffer.from(b);
      w.writeUInt32LE(96, dataSizeAt(w));
      return w;
    }),
    voiceConvert,
    2,
    ['--input audio: {file}: has a wrong header', 'declares 0.003 s', 'ffmpeg -ignore_length 1'],
  ],
  [
    'WAV one sample short of its declared length',
    damaged('one sample short.wav', VOICE, (b) => b.subarray(0, b.length - 2)),
    voiceConvert,
    2,
    ['--input audio: {file}: is truncated', 'bytes of audio but the file holds', 'copy or export it again'],
  ],
  ['zero-byte file', damaged('zero.wav', VOICE, () => ''), voiceConvert, 2, ['--input audio: {file}: file is empty']],
  [
    'a folder named like a WAV',
    (dir) => {
      mkdirSync(path.join(dir, 'folder.wav'));
      return path.join(dir, 'folder.wav');
    },
    voiceConvert,
    2,
    ['--input audio: {file}: is a folder, not a file'],
  ],
  [
    'a missing file',
    (dir) => path.join(dir, 'never recorded.wav'),
    voiceConvert,
    2,
    ['--input audio: {file}: no such file'],
  ],
  [
    'an mp4 cut in half as the face',
    damaged('face cut.mp4', `${S}/medium/face.mp4`, (b) => b.subarray(0, b.length >> 1)),
    talkingHead,
    2,
    ['--input face: {file}: is truncated', '"mdat" box runs to byte', 'copy it again', 'ffmpeg -i IN -c copy OUT.mp4'],
  ],
  [
    'a text file named .png as the face',
    damaged('face.png', VOICE, () => 'not a picture\n'.repeat(30)),
    talkingHead,
    2,
    ['--input face: {file}: not a picture ffmpeg can read', 'has no size', 'Invalid PNG signature'],
  ],
  [
    'a model file of garbage bytes',
    damaged('garbage.onnx', VOICE, () => Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) & 255))),
    withModel,
    2,
    [
      '--set stages.convert.model={file}: stage "convert" model file {file}: not an ONNX model',
      'omit "model" to use the bundled reference model',
    ],
  ],
  [
    'a model file cut in half (an interrupted download)',
    async (dir) => {
      const whole = readFileSync(await ensureReferenceModel('rvc'));
      const file = path.join(dir, 'rvc half.onnx');
      writeFileSync(file, whole.subarray(0, whole.length >> 1));
      return file;
    },
    withModel,
    2,
    ['stage "convert" model file {file}: is cut short', 'but the file holds', 'export the model again'],
  ],
  [
    '--out is a file',
    damaged('out.txt', VOICE, () => 'my notes'),
    (file) => [...voiceConvert(VOICE), '--out', file],
    2,
    ['--out {file}: is a file, not a folder'],
  ],
  [
    '--out under a file',
    damaged('notes.txt', VOICE, () => 'my notes'),
    (file) => [...voiceConvert(VOICE), '--out', path.join(file, 'out')],
    2,
    ['--out {file}/out: cannot create it: {file} is a file, not a folder', 'give --out a folder you can write to'],
  ],
];
// Node's mkdir -p never returns under /proc (and it reports a read-only file system as ENOENT).
if (existsSync('/proc/self/stat'))
  cases.push([
    '--out where no folder can be made (/proc)',
    () => '/proc/reel-fault-injection/out',
    (file) => [...voiceConvert(VOICE), '--out', file],
    2,
    ['--out {file}: cannot create', 'takes no new folders', 'give --out a folder you can write to'],
  ]);

describe('fault injection: damaged media and surroundings at run time', () => {
  const tmp = tempDir('faults');
  const tmpdir = tmp.path('TMPDIR');
  const savedTmp = process.env.TMPDIR;
  beforeAll(() => {
    mkdirSync(tmpdir);
    process.env.TMPDIR = tmpdir; // the run folders and temp files of the in-process runs land here
  });
  afterAll(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    tmp.remove();
  });

  /** What a run may not leave in TMPDIR: its run folder, a temp file, ONNX Runtime's debug log. */
  // ONNX Runtime's telemetry may log its own failures (its event store locked by the other tests'
  // processes) at the child's exit, after anything could remove them: the next reel sweeps those.
  const isTelemetryNoiseFile = (file: string) => {
    const content = readFileSync(file, 'utf8');
    return content.length > 0 && isTelemetryNoise(content);
  };
  const leftovers = (dir: string) =>
    readdirSync(dir).filter(
      (n) => /^reel-|\.tmp$|\.partial$/.test(n) || (/^mat-debug-/.test(n) && !isTelemetryNoiseFile(path.join(dir, n))),
    );

  it.each(cases)(
    '%s → one line, nothing left',
    async (name, fault, args, exit, has) => {
      const dir = tmp.path(name.replace(/[^\w]+/g, '-'));
      mkdirSync(dir);
      const file = await fault(dir);
      const before = statSync(file, { throwIfNoEntry: false })?.isFile() ? readFileSync(file) : undefined;
      const argv = args(file);
      const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : path.join(dir, 'out');
      const r = await runCli(argv.includes('--out') ? argv : [...argv, '--out', out]);
      expect(r.code, r.stderr).toBe(exit);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      for (const part of has) expect(lines[0]).toContain(part.replaceAll('{file}', file));
      // No fallback, stack frame or raw ONNX Runtime / ffmpeg text.
      expect(lines[0]).not.toMatch(/internal error|\bat .*\.[jt]s:\d+|ONNXRuntimeError|Load model from|@ 0x/);
      // Nothing written: the --out folder was not made (or is as it was), the damaged file untouched.
      if (out !== file) expect(existsSync(out), `${out} should not exist`).toBe(false);
      if (before) expect(readFileSync(file).equals(before)).toBe(true);
      expect(leftovers(tmpdir)).toEqual([]);
    },
    15_000,
  );

  it.skipIf(uid === 0)('an unreadable input (chmod 000) → one line, nothing left', async () => {
    const file = tmp.path('locked.wav');
    copyFileSync(VOICE, file);
    chmodSync(file, 0);
    const out = tmp.path('locked-out');
    const r = await runCli([...voiceConvert(file), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^--input audio: .*locked\.wav: permission denied/);
    expect(existsSync(out)).toBe(false);
  });

  it('a relative input named with a leading dash, a space and unicode runs through the real binary', () => {
    const dir = tmp.path('awkward');
    mkdirSync(dir);
    const name = '-x voix ü.wav';
    copyFileSync(VOICE, path.join(dir, name));
    const r = runReelBinary(
      ['run', path.join(REPO_ROOT, 'pipelines/voice-convert.yaml'), '--input', `audio=${name}`, '--out', 'out dir'],
      { cwd: dir, env: { TMPDIR: tmpdir } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`converted: ${path.join(dir, 'out dir', 'converted.wav')}`);
    expect(readdirSync(path.join(dir, 'out dir'))).toEqual(['converted.wav']); // no .partial, no lock
    expect(readdirSync(dir).sort()).toEqual([name, 'out dir']);
    expect(leftovers(tmpdir)).toEqual([]);
  });
});
