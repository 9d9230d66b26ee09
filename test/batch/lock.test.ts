/**
 * The output-folder lock with real processes: a live holder (in this process or another) keeps
 * others out with a one-line message naming it, a dead holder's lock is taken over, and of many
 * takers of one stale lock exactly one wins.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/core/errors.ts';
import { BatchLockedError, lockOutputFolder } from '../../src/batch/lock.ts';

let outDir: string;
beforeEach(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'reel lock ü-'));
});
afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const lockFile = () => join(outDir, '.reel-batch', 'lock');
const LOCK_TS = new URL('../../src/batch/lock.ts', import.meta.url).pathname;

/** A pid that certainly belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function writeStaleLock(pid: number): Promise<void> {
  await mkdir(join(outDir, '.reel-batch'), { recursive: true });
  const holder = { pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z', token: 'dead' };
  await writeFile(lockFile(), `${JSON.stringify(holder)}\n`);
}

/**
 * A separate node process that tries to lock `outDir` when it reads a line on stdin, prints
 * `locked` or `refused <message>`, then holds the lock until its stdin closes and releases it.
 */
function lockerProcess(): { child: ChildProcessWithoutNullStreams; answer: Promise<string> } {
  const script = `
    import { lockOutputFolder } from ${JSON.stringify(LOCK_TS)};
    process.stdin.once('data', async () => {
      try {
        const lock = await lockOutputFolder(${JSON.stringify(outDir)});
        process.stdout.write('locked\\n');
        process.stdin.once('end', async () => { await lock.release(); process.exit(0); });
        process.stdin.resume();
      } catch (err) {
        process.stdout.write('refused ' + err.message + '\\n');
        process.exit(3);
      }
    });
    process.stdout.write('ready\\n');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  let out = '';
  const answer = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('locked') || l.startsWith('refused'));
      if (line) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`locker exited ${code} before answering: ${out}`)));
  });
  answer.catch(() => {});
  return { child, answer };
}

const ready = (child: ChildProcessWithoutNullStreams) =>
  new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
const exited = (child: ChildProcessWithoutNullStreams) =>
  child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));

describe('lockOutputFolder', () => {
  it('refuses a second lock in the same process with a one-line message naming the holder', async () => {
    const lock = await lockOutputFolder(outDir);
    const second = lockOutputFolder(outDir);
    await expect(second).rejects.toBeInstanceOf(BatchLockedError);
    const err = (await second.catch((e) => e)) as BatchLockedError;
    expect(err.message).toBe(
      `output folder ${outDir} is in use by reel batch pid ${process.pid} on ${hostname()} (since ${err.holder.startedAt}): wait for it to finish or stop it, or choose another --out`,
    );
    expect(err.exitCode).toBe(EXIT.usage);
    expect(err.holder.pid).toBe(process.pid);
    await lock.release();
  });

  it('release removes the lock file (and only its own), after which the folder can be locked again', async () => {
    const lock = await lockOutputFolder(outDir);
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).pid).toBe(process.pid);
    await lock.release();
    await expect(readFile(lockFile())).rejects.toThrow(/ENOENT/);
    const again = await lockOutputFolder(outDir);
    await lock.release(); // the first, again: must not remove the second holder's lock
    expect(await readdir(join(outDir, '.reel-batch'))).toEqual(['lock']);
    await again.release();
    expect(await readdir(join(outDir, '.reel-batch'))).toEqual([]);
  });

  it('takes over a lock whose pid is no longer alive', async () => {
    const pid = await deadPid();
    await writeStaleLock(pid);
    const lock = await lockOutputFolder(outDir);
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).pid).toBe(process.pid);
    expect(await readdir(join(outDir, '.reel-batch'))).toEqual(['lock']); // no claim or draft left behind
    await lock.release();
  });

  it('passes over a claimant that died in the middle of taking over a stale lock', async () => {
    const pid = await deadPid();
    await writeStaleLock(pid);
    const stale = await readFile(lockFile(), 'utf8');
    const claimId = createHash('sha256').update(stale).digest('hex').slice(0, 32);
    const claimant = { pid, hostname: hostname(), startedAt: '2020-01-01T00:00:01.000Z', token: 'gone' };
    await writeFile(`${lockFile()}.claim-${claimId}-1`, JSON.stringify(claimant));
    const lock = await lockOutputFolder(outDir);
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).pid).toBe(process.pid);
    expect(await readdir(join(outDir, '.reel-batch'))).toEqual(['lock']);
    await lock.release();
  });

  it('does not mistake a live process for a holder whose pid it reused (Linux: boot id, start time)', async () => {
    await mkdir(join(outDir, '.reel-batch'), { recursive: true });
    const base = { pid: process.pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z' };
    for (const differs of [{ processStart: '1' }, { bootId: 'another-boot' }]) {
      await writeFile(lockFile(), JSON.stringify({ ...base, token: JSON.stringify(differs), ...differs }));
      const lock = await lockOutputFolder(outDir);
      expect(JSON.parse(await readFile(lockFile(), 'utf8')).token).toMatch(/^[0-9a-f]{24}$/);
      await lock.release();
    }
  });

  it('takes over a lock file that does not parse (our locks never appear half-written)', async () => {
    await mkdir(join(outDir, '.reel-batch'), { recursive: true });
    await writeFile(lockFile(), '');
    const lock = await lockOutputFolder(outDir);
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('refuses a lock held on another host, saying how to clear it', async () => {
    await mkdir(join(outDir, '.reel-batch'), { recursive: true });
    const holder = { pid: 4242, hostname: 'render-07', startedAt: '2025-01-01T00:00:00.000Z', token: 'x' };
    await writeFile(lockFile(), JSON.stringify(holder));
    await expect(lockOutputFolder(outDir)).rejects.toThrow(
      `output folder ${outDir} is in use by reel batch pid 4242 on render-07 (since 2025-01-01T00:00:00.000Z): if no reel batch runs there any more, delete ${lockFile()}`,
    );
  });

  it('of many takers of one stale lock in this process, exactly one wins, round after round', async () => {
    const dead = await deadPid();
    for (let round = 0; round < 10; round++) {
      await writeStaleLock(dead);
      const tries = await Promise.allSettled(Array.from({ length: 12 }, () => lockOutputFolder(outDir)));
      const won = tries.filter((t) => t.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const t of tries) if (t.status === 'rejected') expect(t.reason).toBeInstanceOf(BatchLockedError);
      await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    }
  });

  it('keeps a second process out while held, and lets it in after release', async () => {
    const lock = await lockOutputFolder(outDir);
    const first = lockerProcess();
    await ready(first.child);
    first.child.stdin.write('go\n');
    expect(await first.answer).toBe(
      `refused output folder ${outDir} is in use by reel batch pid ${process.pid} on ${hostname()} (since ${
        JSON.parse(await readFile(lockFile(), 'utf8')).startedAt
      }): wait for it to finish or stop it, or choose another --out`,
    );
    await exited(first.child);

    await lock.release();
    const second = lockerProcess();
    await ready(second.child);
    second.child.stdin.write('go\n');
    expect(await second.answer).toBe('locked');
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).pid).toBe(second.child.pid);
    await expect(lockOutputFolder(outDir)).rejects.toThrow(`pid ${second.child.pid}`);
    second.child.stdin.end();
    await exited(second.child);
    await expect(readFile(lockFile())).rejects.toThrow(/ENOENT/);
  });

  it('of several processes taking over one stale lock at once, exactly one wins', async () => {
    await writeStaleLock(await deadPid());
    const lockers = Array.from({ length: 4 }, () => lockerProcess());
    await Promise.all(lockers.map((l) => ready(l.child)));
    for (const l of lockers) l.child.stdin.write('go\n');
    const answers = await Promise.all(lockers.map((l) => l.answer));
    expect(answers.filter((a) => a === 'locked')).toHaveLength(1);
    const winner = lockers[answers.indexOf('locked')]!.child.pid;
    for (const a of answers.filter((a) => a !== 'locked')) expect(a).toContain(`pid ${winner} `);
    for (const l of lockers) l.child.stdin.end();
    await Promise.all(lockers.map((l) => exited(l.child)));
  });
});
