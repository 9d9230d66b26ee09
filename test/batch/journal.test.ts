/**
 * The resume journal on real files: records survive a reopen, a torn tail is dropped (and cut off
 * so the next append starts clean), and `check` skips a sample only when its pipeline, inputs and
 * every output byte are as recorded.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintFile, pipelineHash } from '../../src/batch/fingerprint.ts';
import { BatchJournal, type SampleRecord } from '../../src/batch/journal.ts';

let root: string;
let outDir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'reel-journal-'));
  outDir = join(root, 'out');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const journalFile = () => join(outDir, '.reel-batch', 'journal.jsonl');

function doneRecord(id: string, extra: Partial<SampleRecord> = {}): SampleRecord {
  return {
    id,
    status: 'done',
    pipelineHash: 'p1',
    inputs: {},
    outputs: {},
    finishedAt: new Date().toISOString(),
    ...extra,
  };
}

/** A sample `alice` with two inputs and one rendered output, recorded as done. */
async function renderedAlice(journal: BatchJournal) {
  const inputs = { voice: join(root, 'voice.wav'), face: join(root, 'face mp4 ü.mp4') };
  await writeFile(inputs.voice, randomBytes(3000));
  await writeFile(inputs.face, randomBytes(5000));
  const video = join(outDir, 'alice', 'video.mp4');
  await mkdir(join(outDir, 'alice'), { recursive: true });
  await writeFile(video, randomBytes(4096));
  const first = await journal.check('alice', 'p1', inputs);
  await journal.record(
    doneRecord('alice', {
      inputs: first.inputs!,
      outputs: { video: { path: join('alice', 'video.mp4'), ...(await fingerprintFile(video)) } },
    }),
  );
  return { inputs, video, first };
}

describe('fingerprints', () => {
  it('hashes a file larger than one read as a stream, the same as hashing it whole', async () => {
    const bytes = randomBytes(3 * (1 << 20) + 123);
    const file = join(root, 'big.bin');
    await writeFile(file, bytes);
    expect(await fingerprintFile(file)).toEqual({
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('pipelineHash ignores key order but not values, array order or missing keys', () => {
    const a = pipelineHash({ stages: [{ id: 'x', options: { a: 1, b: [1, 2] } }], out: 'v' });
    expect(pipelineHash({ out: 'v', stages: [{ options: { b: [1, 2], a: 1 }, id: 'x' }] })).toBe(a);
    expect(pipelineHash({ stages: [{ id: 'x', options: { a: 2, b: [1, 2] } }], out: 'v' })).not.toBe(a);
    expect(pipelineHash({ stages: [{ id: 'x', options: { a: 1, b: [2, 1] } }], out: 'v' })).not.toBe(a);
    expect(pipelineHash({ stages: [{ id: 'x', options: { b: [1, 2] } }], out: 'v' })).not.toBe(a);
    expect(pipelineHash({ x: 1 })).not.toBe(pipelineHash({ x: '1' }));
  });
});

describe('BatchJournal', () => {
  it('keeps records across a reopen; the latest record of a sample wins', async () => {
    const journal = await BatchJournal.open(outDir);
    await journal.record(doneRecord('a', { status: 'failed', error: 'decode failed' }));
    await journal.record(doneRecord('b', { wallMs: 1200, mediaSeconds: 5 }));
    await journal.record(doneRecord('a'));
    await journal.close();

    const again = await BatchJournal.open(outDir);
    expect(again.get('a')?.status).toBe('done');
    expect(again.get('b')).toMatchObject({ status: 'done', wallMs: 1200, mediaSeconds: 5 });
    expect(again.get('c')).toBeUndefined();
    expect((await readFile(journalFile(), 'utf8')).trim().split('\n')).toHaveLength(3);
    await again.close();
  });

  it('keeps the warnings of a sample, so that a re-run that skips it still reports them', async () => {
    const journal = await BatchJournal.open(outDir);
    const warnings = ['warning: stage "faces": no face found in 1 frame of 1; using the fallback box [1, 2, 3, 4]'];
    await journal.record(doneRecord('w', { warnings }));
    await journal.close();
    const reopened = await BatchJournal.open(outDir);
    expect(reopened.get('w')?.warnings).toEqual(warnings);
    await reopened.close();
  });

  it('ignores a torn last line and cuts it off, so the next append starts on a clean line', async () => {
    const journal = await BatchJournal.open(outDir);
    await journal.record(doneRecord('a'));
    await journal.close();
    const torn = JSON.stringify(doneRecord('b'));
    await appendFile(journalFile(), torn.slice(0, torn.length - 7));

    const reopened = await BatchJournal.open(outDir);
    expect(reopened.get('a')?.status).toBe('done');
    expect(reopened.get('b')).toBeUndefined();
    await reopened.record(doneRecord('c'));
    await reopened.close();

    const third = await BatchJournal.open(outDir);
    expect(['a', 'b', 'c'].map((id) => third.get(id)?.id)).toEqual(['a', undefined, 'c']);
    expect(third.ignoredLines).toBe(0);
    await third.close();
  });

  it('writes each of many concurrent records as one whole line', async () => {
    const journal = await BatchJournal.open(outDir);
    const ids = Array.from({ length: 40 }, (_, i) => `sample ${i}`);
    await Promise.all(ids.map((id) => journal.record(doneRecord(id, { error: 'x'.repeat(5000) }))));
    await journal.close();
    const again = await BatchJournal.open(outDir);
    expect(ids.filter((id) => again.get(id) === undefined)).toEqual([]);
    expect(again.ignoredLines).toBe(0);
    await again.close();
  });

  it('rejects a record whose output path leaves the output folder', async () => {
    const journal = await BatchJournal.open(outDir);
    const bad = { path: '../elsewhere.mp4', size: 1, sha256: 'a'.repeat(64) };
    await expect(journal.record(doneRecord('a', { outputs: { video: bad } }))).rejects.toThrow(
      /outputs\.video\.path: must be relative to the output folder/,
    );
    await journal.close();
  });

  it('keeps every complete record of a writer killed with SIGKILL mid-stream', async () => {
    const journalTs = new URL('../../src/batch/journal.ts', import.meta.url).pathname;
    const script = `
      import { BatchJournal } from ${JSON.stringify(journalTs)};
      const j = await BatchJournal.open(${JSON.stringify(outDir)});
      for (let i = 0; ; i++) {
        await j.record({ id: 's' + i, status: 'done', pipelineHash: 'p', inputs: {}, outputs: {},
          error: 'y'.repeat(20000), finishedAt: new Date().toISOString() });
        if (i === 20) process.stdout.write('going\\n');
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const journal = await BatchJournal.open(outDir);
    expect(journal.ignoredLines).toBe(0);
    const kept = Array.from({ length: 10_000 }, (_, i) => `s${i}`).filter((id) => journal.get(id));
    expect(kept.length).toBeGreaterThan(20);
    expect(kept).toEqual(kept.map((_, i) => `s${i}`)); // a prefix: nothing lost before the last
    await journal.close();
  });
});

describe('BatchJournal.check', () => {
  it('says new for a sample never recorded, and hands back the inputs it hashed', async () => {
    const journal = await BatchJournal.open(outDir);
    const { first, inputs } = await renderedAlice(journal);
    expect(first).toMatchObject({ skip: false, reason: 'new' });
    expect(first.inputs?.voice).toEqual(await fingerprintFile(inputs.voice));
    await journal.close();
  });

  it('skips a done sample whose inputs and outputs are unchanged, also after a reopen', async () => {
    const journal = await BatchJournal.open(outDir);
    const { inputs } = await renderedAlice(journal);
    expect(await journal.check('alice', 'p1', inputs)).toMatchObject({ skip: true, reason: 'done' });
    await journal.close();
    const again = await BatchJournal.open(outDir);
    expect(await again.check('alice', 'p1', inputs)).toMatchObject({ skip: true, reason: 'done' });
    await again.close();
  });

  it('redoes a sample whose input changed, even at the same size, naming the input', async () => {
    const journal = await BatchJournal.open(outDir);
    const { inputs } = await renderedAlice(journal);
    await writeFile(inputs.voice, randomBytes(3000));
    expect(await journal.check('alice', 'p1', inputs)).toMatchObject({ skip: false, reason: 'inputs changed: voice' });
    const renamed = { voice2: inputs.voice, face: inputs.face };
    expect((await journal.check('alice', 'p1', renamed)).reason).toBe('inputs changed: voice, voice2');
    await journal.close();
  });

  it('says which input cannot be read', async () => {
    const journal = await BatchJournal.open(outDir);
    const { inputs } = await renderedAlice(journal);
    await rm(inputs.face);
    expect(await journal.check('alice', 'p1', inputs)).toEqual({
      skip: false,
      reason: 'input unreadable: face (ENOENT)',
    });
    await journal.close();
  });

  it('redoes a sample whose output is missing', async () => {
    const journal = await BatchJournal.open(outDir);
    const { inputs, video } = await renderedAlice(journal);
    await rm(video);
    expect(await journal.check('alice', 'p1', inputs)).toMatchObject({
      skip: false,
      reason: `output missing: ${join(outDir, 'alice', 'video.mp4')}`,
    });
    await journal.close();
  });

  it('redoes a sample whose output was altered: same size, different bytes; or truncated', async () => {
    const journal = await BatchJournal.open(outDir);
    const { inputs, video } = await renderedAlice(journal);
    const bytes = await readFile(video);
    bytes[2000] ^= 0xff;
    await writeFile(video, bytes);
    const altered = { skip: false, reason: `output altered: ${join(outDir, 'alice', 'video.mp4')}` };
    expect(await journal.check('alice', 'p1', inputs)).toMatchObject(altered);
    await writeFile(video, bytes.subarray(0, 100));
    expect(await journal.check('alice', 'p1', inputs)).toMatchObject(altered);
    await journal.close();
  });

  it('redoes a sample when the pipeline changed, and one that failed before', async () => {
    const journal = await BatchJournal.open(outDir);
    const { inputs } = await renderedAlice(journal);
    expect(await journal.check('alice', 'p2', inputs)).toMatchObject({ skip: false, reason: 'pipeline changed' });
    const failed = doneRecord('alice', { status: 'failed', error: 'stage "tts": out of memory' });
    await journal.record({ ...failed, inputs: (await journal.check('alice', 'p1', inputs)).inputs! });
    expect(await journal.check('alice', 'p1', inputs)).toMatchObject({ skip: false, reason: 'failed before' });
    await journal.close();
  });
});
