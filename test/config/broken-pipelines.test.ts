/**
 * The corpus of broken pipelines: each must fail validation with exit code 2 and exactly the
 * expected problems, one line each, naming file:line:col (where the problem has a place), what is
 * wrong and, where there is one, the fix.
 */
import { describe, expect, it } from 'vitest';
import { runCli, runReelBinary } from '../helpers/cli.ts';

const DIR = 'test/fixtures/pipelines/broken';
const BASE = 'test/fixtures/pipelines/tts-minimal.yaml';

interface Expected {
  /** `line:col` in the file, or null for a problem of the file as a whole / of a flag. */
  at: string | null;
  /** Substrings the line must contain (the what and the fix). */
  has: string[];
}

const cases: [name: string, args: string[], expected: Expected[]][] = [
  ['syntax error', [`${DIR}/syntax-error.yaml`], [{ at: '5:1', has: ['YAML syntax', 'end with a }'] }]],
  ['tab indentation', [`${DIR}/tab-indent.yaml`], [{ at: '4:1', has: ['Tabs are not allowed'] }]],
  ['duplicate key', [`${DIR}/duplicate-key.yaml`], [{ at: '9:3', has: ['keys must be unique'] }]],
  [
    'wrong value type',
    [`${DIR}/wrong-type.yaml`],
    [{ at: '8:18', has: ['"stages.acoustic.concurrency"', 'expected number', '"two"'] }],
  ],
  [
    'unknown top-level key',
    [`${DIR}/unknown-key.yaml`],
    [{ at: '5:1', has: ['unknown key "stagse"', 'did you mean "stages"?'] }],
  ],
  [
    'unknown stage kind',
    [`${DIR}/unknown-kind.yaml`],
    [{ at: '7:10', has: ['unknown stage kind "fastpich"', 'did you mean "fastpitch"?'] }],
  ],
  [
    'unknown option',
    [`${DIR}/unknown-option.yaml`],
    [{ at: '9:16', has: ['unknown option "pase"', 'did you mean "pace"?'] }],
  ],
  [
    'option out of range',
    [`${DIR}/option-out-of-range.yaml`],
    [{ at: '10:23', has: ['"stages.denoiser.options.steps"', 'must be ≥ 1'] }],
  ],
  [
    'option not in enum',
    [`${DIR}/enum-wrong.yaml`],
    [{ at: '10:27', has: ['"dpm-solver" is not allowed', '"cogvideox-ddim", "ddim"'] }],
  ],
  [
    'missing required key',
    [`${DIR}/missing-use.yaml`],
    [{ at: '7:5', has: ['missing required key "use"', '"stages.acoustic"'] }],
  ],
  ['cycle', [`${DIR}/cycle.yaml`], [{ at: '9:3', has: ['cycle: convert → content → convert'] }]],
  [
    'type-mismatched edge',
    [`${DIR}/type-mismatch.yaml`],
    [{ at: '8:20', has: ['input "latents" expects tensor:latents, got audio', '"inputs.speech"'] }],
  ],
  [
    'dangling wire',
    [`${DIR}/dangling-wire.yaml`],
    [{ at: '11:16', has: ['names no stage "acoustc"', 'did you mean "acoustic"?'] }],
  ],
  [
    'unknown input port',
    [`${DIR}/unknown-port.yaml`],
    [
      { at: '11:11', has: ['has no input port "mels"', 'did you mean "mel"?'] },
      { at: '9:3', has: ['input "mel" (tensor:mel) is not wired', 'add it under "in:"'] },
    ],
  ],
  [
    'unknown output port',
    [`${DIR}/unknown-output-port.yaml`],
    [{ at: '11:16', has: ['has no output port "spect"', '"mel"'] }],
  ],
  [
    'required port not wired',
    [`${DIR}/unwired-port.yaml`],
    [{ at: '9:3', has: ['input "mel" (tensor:mel) is not wired'] }],
  ],
  [
    'input never used',
    [`${DIR}/unused-input.yaml`],
    [{ at: '5:3', has: ['input "voice" is never used', 'or remove it'] }],
  ],
  [
    'input wired like a stage',
    [`${DIR}/input-as-stage.yaml`],
    [{ at: '8:17', has: ['inputs are wired as "inputs.script"'] }],
  ],
  [
    'name collision',
    [`${DIR}/name-collision.yaml`],
    [{ at: '6:3', has: ['"script" is already the name of an input'] }],
  ],
  ['no outputs', [`${DIR}/no-outputs.yaml`], [{ at: '7:1', has: ['declares no outputs'] }]],
  [
    'missing model file (path with a space)',
    [`${DIR}/missing-model.yaml`],
    [{ at: '8:12', has: ['no such file', 'my models/fastpitch.onnx', 'relative to the pipeline file'] }],
  ],
  [
    'unknown model slot',
    [`${DIR}/model-on-source-less.yaml`],
    [{ at: '11:14', has: ['no model slot "synth"', '"synthesizer"'] }],
  ],
  [
    'unknown output format',
    [`${DIR}/bad-output-format.yaml`],
    [{ at: '9:20', has: ['"mp3" is not allowed', 'did you mean "mp4"?'] }],
  ],
  [
    'unknown provider in a list',
    [`${DIR}/bad-provider.yaml`],
    [{ at: '8:26', has: ['"gpu" is not allowed', '"tensorrt", "cuda", "webgpu", "cpu"'] }],
  ],
  [
    'input reading another input wrongly',
    [`${DIR}/input-from.yaml`],
    [
      { at: '6:25', has: ['from: there is no input "vidoe"', 'did you mean "video"?'] },
      { at: '7:24', has: ['an input cannot read its own file'] },
      { at: '8:26', has: ['input "voice" itself reads another input\'s file; name the input that is bound ("vidoe")'] },
      { at: '9:24', has: ['a text input cannot read the file of the video input "video"'] },
      { at: '7:3', has: ['input "echo" is never used'] },
      { at: '8:3', has: ['input "prompt" is never used'] },
      { at: '9:3', has: ['input "notes" is never used'] },
    ],
  ],
  ['wrong format version', [`${DIR}/wrong-version.yaml`], [{ at: '1:10', has: ['"version"', 'expected 1'] }]],
  [
    'several problems at once',
    [`${DIR}/several-problems.yaml`],
    [
      { at: '9:22', has: ['"stages.acoustic.options.pace"', 'must be ≤ 4'] },
      { at: '9:26', has: ['unknown option "speakr"', 'did you mean "speaker"?'] },
      { at: '13:31', has: ['"stages.vocoder.options.contextFrames"', 'must be ≥ 0'] },
    ],
  ],
  [
    'concurrency on a stateful stage',
    [`${DIR}/concurrency-stateful.yaml`],
    [
      {
        at: '10:18',
        has: ['stage "decoder": kind "vae" cannot run with concurrency 2', 'carries state', 'use concurrency: 1'],
      },
    ],
  ],
  [
    'cache on a kind that takes none',
    [`${DIR}/cache-not-taken.yaml`],
    [
      {
        at: '11:5',
        has: ['stage "vocoder": kind "hifigan" takes no "cache" setting', 'only "text-encoder" does', 'remove it'],
      },
    ],
  ],
  ['YAML alias bomb', [`${DIR}/alias-bomb.yaml`], [{ at: null, has: ['aliases expand too far'] }]],
  ['empty file', [`${DIR}/empty.yaml`], [{ at: null, has: ['is empty'] }]],
  ['comment-only file', [`${DIR}/comment-only.yaml`], [{ at: null, has: ['must be a mapping', 'empty document'] }]],
  ['not a mapping', [`${DIR}/not-a-mapping.yaml`], [{ at: '1:1', has: ['must be a mapping', 'got a list'] }]],
  ['binary file', [`${DIR}/binary.yaml`], [{ at: null, has: ['not a text file'] }]],
  ['missing file', [`${DIR}/does-not-exist.yaml`], [{ at: null, has: ['no such file', 'check the path'] }]],
  ['folder instead of file', [DIR], [{ at: null, has: ['is a folder'] }]],
  [
    'unknown profile',
    [BASE, '--profile', 'fsat'],
    [{ at: null, has: ['unknown profile "fsat"', 'did you mean "fast"?'] }],
  ],
  [
    'profile that sets a bad value',
    [BASE, '--profile', 'broken'],
    [
      {
        at: null,
        has: ['profile "broken" (test/fixtures/pipelines/tts-minimal.yaml:23:', 'expected number, got "lots"'],
      },
    ],
  ],
  ['--set without =', [BASE, '--set', 'nokey'], [{ at: null, has: ['--set nokey', 'expected KEY=VALUE'] }]],
  [
    '--set through a number',
    [BASE, '--set', 'stages.vocoder.options.contextFrames.deep=1'],
    [{ at: null, has: ['--set stages.vocoder.options.contextFrames.deep=1', 'expected number, got a mapping'] }],
  ],
  ['--set with invalid YAML', [BASE, '--set', 'stages.vocoder.options=[1'], [{ at: null, has: ['not valid YAML'] }]],
  [
    '--set an unknown option',
    [BASE, '--set', 'stages.vocoder.options.contextFrame=3'],
    [{ at: null, has: ['unknown option "contextFrame"', 'did you mean "contextFrames"?'] }],
  ],
];

describe('broken pipelines', () => {
  it('the corpus has at least 25 broken pipeline files', async () => {
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(DIR)).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('%s → exit 2 with one line per problem', async (_name, args, expected) => {
    const r = await runCli(['validate', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(expected.length);
    const file = args[0];
    expected.forEach((e, i) => {
      const line = lines[i];
      if (e.at) expect(line.startsWith(`${file}:${e.at}: `), `"${line}" should start with ${file}:${e.at}`).toBe(true);
      else expect(line).not.toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`));
      for (const part of e.has) expect(line).toContain(part);
      expect(line).not.toMatch(/\n|\bat .*\.ts:\d+/); // one line, no stack frames
    });
  });

  it('the real binary prints the same lines, no stack trace, exit 2', () => {
    const r = runReelBinary(['validate', `${DIR}/cycle.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `${DIR}/cycle.yaml:9:3: cycle: convert → content → convert — a stage cannot consume its own output, directly or through others`,
    );
    const bomb = runReelBinary(['validate', `${DIR}/alias-bomb.yaml`]);
    expect(bomb.code).toBe(2);
    expect(bomb.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
