/** Careless command lines get one line naming the flag and the fix, exit 2 — never a raw error. */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, runReelBinary } from '../helpers/cli.ts';

const VOICE = 'samples/talking-head/short/voice.wav';
const dir = mkdtempSync(path.join(tmpdir(), 'reel-careless-'));

describe('careless command lines', () => {
  const cases: [string, string[], string][] = [
    [
      'an input given twice',
      ['run', 'pipelines/voice-convert.yaml', '--input', `audio=${VOICE}`, '--input', 'audio=other.wav'],
      `--input audio is given twice (${path.resolve(VOICE)} and other.wav) — give each input once`,
    ],
    [
      'a profile named like an Object property',
      ['validate', 'pipelines/voice-convert.yaml', '--profile', '__proto__'],
      'pipelines/voice-convert.yaml: unknown profile "__proto__" — expected a profile named "pauses", "gpu"',
    ],
    [
      '--set into a stage the pipeline does not have',
      ['validate', 'pipelines/voice-convert.yaml', '--set', 'stages.convertt.options.pitchShift=2'],
      '--set stages.convertt.options.pitchShift=2: cannot set "stages.convertt.options.pitchShift": this pipeline has no stage "convertt" — did you mean "convert"?',
    ],
    [
      'bench --csv onto its own input',
      ['bench', 'pipelines/voice-convert.yaml', '--input', `audio=${VOICE}`, '--csv', VOICE, '--clip-seconds', '5'],
      `--csv ${VOICE}: is input "audio" of this run; writing it would replace that file — give --csv another path`,
    ],
    [
      'bench --html onto a device',
      ['bench', 'pipelines/voice-convert.yaml', '--input', `audio=${VOICE}`, '--html', '/dev/null'],
      '--html /dev/null: is a device — give the path of a new or regular file',
    ],
    [
      'bench --mode misspelt',
      ['bench', 'pipelines/voice-convert.yaml', '--input', `audio=${VOICE}`, '--mode', 'sequental'],
      '--mode sequental: expected pipelined and/or sequential — did you mean "sequential"?',
    ],
    [
      'run --mode misspelt: the suggestion comes from the values of the flag',
      ['run', 'pipelines/voice-convert.yaml', '--mode', 'sequental'],
      `error: option '--mode <mode>' argument 'sequental' is invalid. expected pipelined or sequential — did you mean "sequential"?\n(run "reel --help" for usage)`,
    ],
    [
      'run --provider gpu: a part of a value is enough to point at it',
      ['run', 'pipelines/voice-convert.yaml', '--provider', 'gpu'],
      `error: option '--provider <name>' argument 'gpu' is invalid. expected cpu, cuda, tensorrt or webgpu — did you mean "webgpu"?\n(run "reel --help" for usage)`,
    ],
    [
      'graph -o into a missing folder: refused before anything is drawn',
      ['graph', 'pipelines/text-to-video.yaml', '-o', path.join(dir, 'no', 'g.md')],
      `-o ${path.join(dir, 'no', 'g.md')}: folder ${path.join(dir, 'no')} does not exist — create it first`,
    ],
    ['schema -o a folder', ['schema', '-o', dir], `-o ${dir}: is a folder — give the path of a new or regular file`],
    [
      'schema -o into a missing folder',
      ['schema', '-o', path.join(dir, 'no', 's.json')],
      `-o ${path.join(dir, 'no', 's.json')}: folder ${path.join(dir, 'no')} does not exist — create it first`,
    ],
  ];
  for (const [what, args, line] of cases) {
    it(what, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(line);
    });
  }

  it('models build --out a file, and a pipeline file of two YAML documents', async () => {
    const file = path.join(dir, 'two docs.yaml');
    writeFileSync(file, 'version: 1\n---\nname: x\n');
    const build = await runCli(['models', 'build', '--out', file]);
    expect(build.code).toBe(2);
    expect(build.stderr.trim()).toBe(
      `--out ${file}: is a file, not a folder — give a folder (it is created if missing)`,
    );
    const docs = await runCli(['validate', file]);
    expect(docs.code).toBe(2);
    expect(docs.stderr.trim()).toBe(
      `${file}:2:1: a second YAML document starts here; a pipeline file holds one — remove this \`---\` line and what follows, or put it in its own file`,
    );
  });
});

describe('reel --version', () => {
  it('prints the versions of reel, Node.js and ONNX Runtime', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    const ort = JSON.parse(readFileSync('node_modules/onnxruntime-node/package.json', 'utf8'));
    expect(r.stdout.trim()).toBe(`reel ${pkg.version} (node ${process.version}, onnxruntime-node ${ort.version})`);
  });
});

describe('a standard output that cannot be written', () => {
  it('is one line and exit 1, not a stack trace (stdout on /dev/full)', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/reel.js'), 'schema'], {
        cwd: REPO_ROOT,
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe('reel: cannot write to standard output (ENOSPC); what was printed is incomplete');
    } finally {
      closeSync(full);
    }
  });
});

describe('careless inputs to a model', () => {
  it('a speaker id the model lacks: one line with the speakers it has, no native ONNX Runtime log', () => {
    // A real process: ONNX Runtime's own log would go to its stderr, past any captured output.
    const r = runReelBinary([
      'run',
      'pipelines/voice-convert.yaml',
      '--input',
      `audio=${VOICE}`,
      '--out',
      path.join(dir, 'speaker'),
      '--set',
      'stages.convert.options.speakerId=99',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /stage "convert": .*rvc\.onnx: speakerId 99 is out of range: this model has \d+ speakers? \(ids 0–\d+\); set the stage's speakerId option to one of them\n$/,
    );
    expect(r.stderr).not.toMatch(/onnxruntime|Gather/);
  });

  it('models inspect on a device or a pipe: refused at once, not read for ever', async () => {
    const r = await runCli(['models', 'inspect', '/dev/zero']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('/dev/zero: cannot read model: not a regular file (a device, pipe or socket)');
  });
});
