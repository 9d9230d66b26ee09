/**
 * Discovering a batch's samples from real files in temporary folders: the folder layouts, the
 * binding rule's problems (empty, missing, ambiguous), CSV and JSON Lines manifests, order, and
 * that a large folder is read as it is consumed.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { listSamples, type PipelineInputSpec, type SampleEntry } from '../../src/batch/samples.ts';

const TALKING: PipelineInputSpec[] = [
  { name: 'voice', type: 'audio' },
  { name: 'face', type: 'video' },
];
const VOICE_ONLY: PipelineInputSpec[] = [{ name: 'audio', type: 'audio' }];

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp folder holding `files` (relative paths; a path ending in `/` is an empty folder). */
function samplesDir(files: readonly string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'reel-samples-'));
  made.push(root);
  for (const file of files) {
    const full = path.join(root, file);
    if (file.endsWith('/')) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, `bytes of ${file}`);
    }
  }
  return root;
}

async function collect(samples: string, inputs: readonly PipelineInputSpec[]): Promise<SampleEntry[]> {
  const entries: SampleEntry[] = [];
  for await (const entry of listSamples(samples, inputs)) entries.push(entry);
  return entries;
}

/** `id → inputs` of the jobs, `id → message` of the problems, in listing order. */
function summary(entries: readonly SampleEntry[]): [string, Record<string, string> | string][] {
  return entries.map((e) => (e.kind === 'job' ? [e.job.id, e.job.inputs] : [e.problem.id, e.problem.message]));
}

describe('sample folders (layout A)', () => {
  it('binds files by stem, ignoring case, hidden and unrelated files, for names with spaces, unicode and a leading dash', async () => {
    const dir = samplesDir([
      '-dash/voice.wav',
      '-dash/face.mp4',
      'with space/Voice.WAV',
      'with space/FACE.mov',
      'with space/.DS_Store',
      'with space/notes.md',
      'ünïcødé 名前/voice.flac',
      'ünïcødé 名前/face.mkv',
      'ünïcødé 名前/face.mkv.bak',
    ]);
    const entries = await collect(dir, TALKING);
    expect(summary(entries)).toEqual([
      ['-dash', { voice: path.join(dir, '-dash/voice.wav'), face: path.join(dir, '-dash/face.mp4') }],
      [
        'ünïcødé 名前',
        { voice: path.join(dir, 'ünïcødé 名前/voice.flac'), face: path.join(dir, 'ünïcødé 名前/face.mkv') },
      ],
      ['with space', { voice: path.join(dir, 'with space/Voice.WAV'), face: path.join(dir, 'with space/FACE.mov') }],
    ]);
    const first = entries[0] as Extract<SampleEntry, { kind: 'job' }>;
    expect(first.job.origin).toBe(`${path.join(dir, '-dash')}/`);
    expect(first.job.set).toEqual([]);
    expect(path.isAbsolute(first.job.inputs.voice as string)).toBe(true);
  });

  it("leaves out an input that reads another input's file (`from:`) when the sample has none for it", async () => {
    const DUB: PipelineInputSpec[] = [
      { name: 'video', type: 'video' },
      { name: 'script', type: 'text' },
      { name: 'voice', type: 'audio', from: 'video' },
    ];
    const dir = samplesDir([
      'own voice/video.mp4',
      'own voice/script.txt',
      'given/video.mp4',
      'given/script.txt',
      'given/voice.wav',
      'no script/video.mp4',
    ]);
    expect(summary(await collect(dir, DUB))).toEqual([
      [
        'given',
        {
          video: path.join(dir, 'given/video.mp4'),
          script: path.join(dir, 'given/script.txt'),
          voice: path.join(dir, 'given/voice.wav'),
        },
      ],
      ['no script', 'missing input script: no script.* file — add script.txt'],
      ['own voice', { video: path.join(dir, 'own voice/video.mp4'), script: path.join(dir, 'own voice/script.txt') }],
    ]);
  });

  it('reports an empty folder, a missing input and an ambiguous input as that sample’s problem', async () => {
    const dir = samplesDir([
      'empty/',
      'only-dotfiles/.keep',
      'no-face/voice.wav',
      'typo/voice.wav',
      'typo/fac.mp4',
      'two-voices/voice.wav',
      'two-voices/voice.mp3',
      'two-voices/face.mp4',
      'good/voice.wav',
      'good/face.mp4',
    ]);
    const byId = Object.fromEntries(summary(await collect(dir, TALKING)));
    expect(byId.empty).toBe('holds no input files — put voice.*, face.* in it');
    expect(byId['only-dotfiles']).toBe('holds no input files — put voice.*, face.* in it');
    expect(byId['no-face']).toBe('missing input face: no face.* file — add face.mp4');
    expect(byId.typo).toBe('missing input face: no face.* file — add face.mp4 (found fac.* — rename it to face.*?)');
    expect(byId['two-voices']).toBe('ambiguous: voice.mp3 and voice.wav both bind input voice — keep one');
    expect(byId.good).toEqual({ voice: path.join(dir, 'good/voice.wav'), face: path.join(dir, 'good/face.mp4') });
  });

  it('follows a link to a shared file and reports a broken one', async () => {
    const dir = samplesDir(['shared/face.mp4', 'a/voice.wav', 'b/voice.wav']);
    symlinkSync(path.join(dir, 'shared/face.mp4'), path.join(dir, 'a/face.mp4'));
    symlinkSync(path.join(dir, 'gone.mp4'), path.join(dir, 'b/face.mp4'));
    const byId = Object.fromEntries(summary(await collect(dir, TALKING)));
    expect(byId.a).toEqual({ voice: path.join(dir, 'a/voice.wav'), face: path.join(dir, 'a/face.mp4') });
    expect(byId.b).toBe('face.mp4 is a link to a file that does not exist — fix or replace it');
  });
});

describe('loose files (layout B)', () => {
  it('groups <sample>.<input>.<ext>, mixes with subfolders, and flags a file that names no sample', async () => {
    const dir = samplesDir([
      'alice.voice.wav',
      'alice.FACE.mp4',
      'bob.voice.wav',
      'mr. x.voice.wav',
      'mr. x.face.webm',
      'carol/voice.wav',
      'carol/face.mp4',
      'carol.voice.wav',
      'voice.wav',
      'README.md',
    ]);
    expect(summary(await collect(dir, TALKING))).toEqual([
      ['alice', { voice: path.join(dir, 'alice.voice.wav'), face: path.join(dir, 'alice.FACE.mp4') }],
      ['bob', 'missing input face: no bob.face.* file — add bob.face.mp4'],
      ['carol', { voice: path.join(dir, 'carol/voice.wav'), face: path.join(dir, 'carol/face.mp4') }],
      [
        `carol (${path.join(dir, 'carol.voice.wav')})`,
        `sample name "carol" is already used by ${path.join(dir, 'carol')}/ — give each sample its own name`,
      ],
      ['mr. x', { voice: path.join(dir, 'mr. x.voice.wav'), face: path.join(dir, 'mr. x.face.webm') }],
      [
        'voice.wav',
        'binds input voice but names no sample — rename it <sample>.voice.wav or move it into a sample subfolder',
      ],
    ]);
  });

  it('makes each media file its own sample for a single-input pipeline, in natural order', async () => {
    const dir = samplesDir([
      'talk 10.wav',
      'talk 2.mp4',
      'talk 1.wav',
      '-intro.flac',
      'ünï.opus',
      'dup.wav',
      'dup.mp3',
      'bob.audio.m4a',
      'notes.txt',
      'cover.png',
      '.hidden.wav',
    ]);
    expect(summary(await collect(dir, VOICE_ONLY))).toEqual([
      ['-intro', { audio: path.join(dir, '-intro.flac') }],
      ['bob', { audio: path.join(dir, 'bob.audio.m4a') }],
      ['dup', 'ambiguous: dup.mp3 and dup.wav both bind input audio — keep one'],
      ['talk 1', { audio: path.join(dir, 'talk 1.wav') }],
      ['talk 2', { audio: path.join(dir, 'talk 2.mp4') }],
      ['talk 10', { audio: path.join(dir, 'talk 10.wav') }],
      ['ünï', { audio: path.join(dir, 'ünï.opus') }],
    ]);
  });
});

describe('manifests', () => {
  it('reads a CSV with quoted commas, a name column and per-row --set overrides', async () => {
    const dir = samplesDir(['clips/a, b.wav', 'clips/face "1".mp4', 'clips/-x.wav', 'other.mp4']);
    const csv = path.join(dir, 'manifest.csv');
    writeFileSync(
      csv,
      [
        'Voice,face,name,set,notes',
        '"clips/a, b.wav","clips/face ""1"".mp4","Smith, J.","stages.tts.options.speed=1.2; stages.dit.options.steps=8",x',
        `clips/-x.wav,${path.join(dir, 'other.mp4')},,,`,
        '',
      ].join('\r\n'),
    );
    const entries = await collect(csv, TALKING);
    expect(entries).toEqual([
      {
        kind: 'job',
        job: {
          id: 'Smith, J.',
          inputs: { voice: path.join(dir, 'clips/a, b.wav'), face: path.join(dir, 'clips/face "1".mp4') },
          set: ['stages.tts.options.speed=1.2', 'stages.dit.options.steps=8'],
          origin: 'manifest.csv:2',
        },
      },
      {
        kind: 'job',
        job: {
          id: 'row-2',
          inputs: { voice: path.join(dir, 'clips/-x.wav'), face: path.join(dir, 'other.mp4') },
          set: [],
          origin: 'manifest.csv:3',
        },
      },
    ]);
  });

  it('makes each bad CSV row that row’s problem and goes on', async () => {
    const dir = samplesDir(['a.wav', 'a.mp4']);
    const csv = path.join(dir, 'samples.csv');
    writeFileSync(
      csv,
      [
        'name,voice,face,set',
        'one,a.wav,a.mp4,',
        'two,a.wav,a, b.mp4,', // unquoted comma: one field too many
        'three,missing.wav,a.mp4,',
        'one,a.wav,a.mp4,',
        'four,a.wav,,',
        'five,a.wav,a.mp4,steps',
        'six,it"s.wav,a.mp4,',
        'seven,a.wav,a.mp4,',
        'sub/dir,a.wav,a.mp4,',
      ].join('\n'),
    );
    const entries = await collect(csv, TALKING);
    const rows = entries.map((e) =>
      e.kind === 'job' ? `${e.job.origin} ok ${e.job.id}` : `${e.problem.origin} ${e.problem.id}: ${e.problem.message}`,
    );
    expect(rows.slice(0, 6)).toEqual([
      'samples.csv:2 ok one',
      'samples.csv:3 row-2: row has 5 fields, the header has 4 — quote a field that holds a comma',
      "samples.csv:4 three: input voice: missing.wav not found (paths are relative to the manifest's folder)",
      'samples.csv:5 one (samples.csv:5): sample name "one" is already used by samples.csv:2 — give each sample its own name',
      'samples.csv:6 four: no file for input face — give its path, e.g. face.mp4',
      'samples.csv:7 five: --set steps: expected KEY=VALUE with a dotted key, e.g. --set stages.dit.options.steps=24',
    ]);
    expect(rows[6]).toMatch(/^samples\.csv:8 row-7: unreadable CSV row \(Invalid Opening Quote.*\) — quote a field/);
    expect(rows.slice(7)).toEqual([
      'samples.csv:9 ok seven',
      'samples.csv:10 sub/dir: name "sub/dir" holds a slash — a sample name becomes one folder name — change the name',
    ]);
  });

  it('reads JSON Lines, one object per line, and reports a bad line by its line number', async () => {
    const dir = samplesDir(['v 1.wav', 'f.mp4']);
    const jsonl = path.join(dir, 'batch.jsonl');
    writeFileSync(
      jsonl,
      [
        JSON.stringify({ name: 'ünï', inputs: { voice: 'v 1.wav', face: 'f.mp4' }, set: ['stages.a.options.b=2'] }),
        '',
        '{"inputs": {"voice": "v 1.wav", "face": ',
        JSON.stringify({ inputs: { voic: 'v 1.wav', face: 'f.mp4' } }),
        JSON.stringify({ input: { voice: 'v 1.wav' } }),
        JSON.stringify({ inputs: { voice: 'v 1.wav', face: 'f.mp4' } }),
      ].join('\n'),
    );
    const rows = (await collect(jsonl, TALKING)).map((e) => (e.kind === 'job' ? e.job : e.problem));
    expect(rows[0]).toEqual({
      id: 'ünï',
      inputs: { voice: path.join(dir, 'v 1.wav'), face: path.join(dir, 'f.mp4') },
      set: ['stages.a.options.b=2'],
      origin: 'batch.jsonl:1',
    });
    expect(rows[1]).toMatchObject({ id: 'row-2', origin: 'batch.jsonl:3' });
    expect((rows[1] as { message: string }).message).toMatch(/^not valid JSON \(.*\) — write one object per line$/);
    expect(rows[2]).toEqual({
      id: 'row-3',
      origin: 'batch.jsonl:4',
      message: '"inputs" names unknown input "voic" — did you mean "voice"?',
    });
    expect(rows[3]).toEqual({
      id: 'row-4',
      origin: 'batch.jsonl:5',
      message: 'unknown key "input" — did you mean "inputs"?',
    });
    expect(rows[4]).toMatchObject({ id: 'row-5', origin: 'batch.jsonl:6', set: [] });
  });

  it('refuses a missing manifest, a CSV without a column for an input, and a file of another kind', async () => {
    const dir = samplesDir(['notes.txt']);
    await expect(collect(path.join(dir, 'nope.csv'), TALKING)).rejects.toThrow(UsageError);
    await expect(collect(path.join(dir, 'nope'), TALKING)).rejects.toThrow(/nope: no such folder or manifest/);
    writeFileSync(path.join(dir, 'm.csv'), 'voice,fcae\na.wav,a.mp4\n');
    await expect(collect(path.join(dir, 'm.csv'), TALKING)).rejects.toThrow(
      `${path.join(dir, 'm.csv')}:1: no column for input face — the header needs one column per input (rename column "fcae" to "face"?)`,
    );
    await expect(collect(path.join(dir, 'notes.txt'), TALKING)).rejects.toThrow(
      /not a folder, a \.csv or a \.jsonl manifest/,
    );
  });
});

describe('order and laziness', () => {
  it('lists in the same order whatever order the files were made in', async () => {
    const names = ['b', 'B', 'a10', 'a9', 'é', 'e', 'z', '-m', '10', '9'];
    const one = samplesDir(names.map((n) => `${n}/audio.wav`));
    const two = samplesDir([...names].reverse().map((n) => `${n}/audio.wav`));
    const ids = async (dir: string) => (await collect(dir, VOICE_ONLY)).map((e) => (e.kind === 'job' ? e.job.id : '?'));
    const order = await ids(one);
    expect(order).toEqual(await ids(two));
    expect(order).toEqual(['-m', '9', '10', 'a9', 'a10', 'b', 'B', 'e', 'é', 'z']);
  });

  it('reads a sample folder only when the consumer asks for that sample', async () => {
    const count = 2000;
    const names = Array.from({ length: count }, (_, i) => `s${String(i).padStart(4, '0')}`);
    const dir = samplesDir(names.map((n) => `${n}/audio.wav`));
    const iterator = listSamples(dir, VOICE_ONLY)[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) expect(((await iterator.next()).value as SampleEntry).kind).toBe('job');
    // Change samples that come later: a listing that had already read them would not see it.
    rmSync(path.join(dir, 's1999/audio.wav'));
    writeFileSync(path.join(dir, 's1000/audio.mp3'), 'second file');
    const rest: SampleEntry[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value);
    expect(rest).toHaveLength(count - 3);
    expect(summary(rest).filter(([, v]) => typeof v === 'string')).toEqual([
      ['s1000', 'ambiguous: audio.mp3 and audio.wav both bind input audio — keep one'],
      ['s1999', 'holds no input files — put audio.* in it'],
    ]);
  });
});
