/**
 * Exclusive use of an output folder by one `reel batch` or `reel run` process:
 * `<outDir>/.reel-batch/lock`, a small JSON file naming the holder (command, pid, host, start
 * time, a random token).
 *
 * Taking a free lock: the holder's file is written and fsync'd under a private name, then
 * hard-linked onto `lock`. link() fails with EEXIST when `lock` exists, exactly like O_EXCL, and
 * the lock appears with its whole content, so no reader ever sees an empty or half-written lock.
 *
 * Taking over a stale lock (its pid is gone from this host): deleting it and creating ours would
 * race — two processes can both judge the old lock stale, and the slower one would then delete the
 * faster one's fresh lock and both would run. Instead a second exclusive step elects one taker per
 * stale lock: a claim file named after the stale lock's content (`lock.claim-<sha256>-<n>`, created
 * by link, so O_EXCL again). Only the winner replaces `lock`, by rename() of its own file onto it
 * (atomic, so there is no moment without a lock for a newcomer to slip into), and only after
 * checking `lock` still holds the stale bytes: nothing else can change it meanwhile, since its
 * holder is dead, the claim keeps other takers out, and link() cannot create over it. The lock's
 * token makes every lock's bytes unique, so a claim can never be mistaken for one on a later lock.
 * A claimant that died mid-takeover is passed over by claiming the next `<n>`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { EXIT, ReelError } from '../core/errors.ts';
import { BATCH_STATE_DIR, syncFolder } from './journal.ts';
import { makeOutputFolder } from './output-folder.ts';

/** Another live `reel batch` holds the output folder (or one on another host may). Exit 2: nothing ran. */
export class BatchLockedError extends ReelError {
  override readonly code = 'BATCH_LOCKED';
  override readonly exitCode = EXIT.usage;

  constructor(
    message: string,
    readonly holder: LockHolder,
  ) {
    super(message);
  }
}

export interface LockHolder {
  /** What holds it: a batch, or a single run (absent in locks of older versions: a batch). */
  command?: 'batch' | 'run';
  pid: number;
  hostname: string;
  /** ISO 8601. */
  startedAt: string;
  /** Random, so every lock file's bytes differ from every other's. */
  token: string;
  /** Linux only: the kernel's boot id and the process's start time in clock ticks since boot, so a
   * pid reused by another process after the holder died (or after a reboot) is not taken for it. */
  bootId?: string;
  processStart?: string;
}

export interface OutputFolderLock {
  /** Removes the lock file if it is still this process's. Safe to call twice. */
  release(): Promise<void>;
}

/** How long to wait for a live claimant to finish taking over a stale lock: 100 × 20 ms. */
const CLAIM_WAIT = { attempts: 100, ms: 20 };

export async function lockOutputFolder(outDir: string, command: 'batch' | 'run' = 'batch'): Promise<OutputFolderLock> {
  const dir = join(outDir, BATCH_STATE_DIR);
  await makeOutputFolder(dir, outDir);
  const lockPath = join(dir, 'lock');
  const me = { command, ...(await describeMe()) };
  const mine = `${JSON.stringify(me)}\n`;
  const draft = join(dir, `lock.${me.pid}.${me.token}.new`);
  await writeSynced(draft, mine);
  try {
    for (let attempt = 0; ; attempt++) {
      if (await linkExclusive(draft, lockPath)) break;
      const seen = await readFile(lockPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined; // released between our link and our read
        throw err;
      });
      if (seen === undefined) continue;
      const holder = parseHolder(seen);
      if (holder && (await isAlive(holder, me))) throw lockedError(outDir, lockPath, holder);
      const taking = await takeOver(lockPath, seen, draft, me);
      if (taking.outcome === 'taken') break;
      if (taking.outcome === 'busy') {
        if (attempt >= CLAIM_WAIT.attempts) throw lockedError(outDir, lockPath, taking.claimant);
        await new Promise((r) => setTimeout(r, CLAIM_WAIT.ms));
      }
    }
  } finally {
    await rm(draft, { force: true });
  }
  await removeOldClaims(dir);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const now = await readFile(lockPath, 'utf8').catch(() => undefined);
      if (now === mine) await rm(lockPath, { force: true });
    },
  };
}

type TakeOver = { outcome: 'taken' } | { outcome: 'changed' } | { outcome: 'busy'; claimant: LockHolder };

/**
 * Replaces the stale lock whose bytes are `stale` with ours. 'taken': done; 'busy': a live process
 * is taking it over right now; 'changed': the lock is no longer the stale one (look again).
 */
async function takeOver(lockPath: string, stale: string, draft: string, me: LockHolder): Promise<TakeOver> {
  const staleId = createHash('sha256').update(stale).digest('hex').slice(0, 32);
  let claim: string;
  for (let n = 1; ; n++) {
    claim = `${lockPath}.claim-${staleId}-${n}`;
    if (await linkExclusive(draft, claim)) break;
    const claimant = parseHolder(await readFile(claim, 'utf8').catch(() => ''));
    if (claimant && (await isAlive(claimant, me))) return { outcome: 'busy', claimant };
  }
  if ((await readFile(lockPath, 'utf8').catch(() => undefined)) !== stale) {
    await rm(claim, { force: true });
    return { outcome: 'changed' };
  }
  await rename(draft, lockPath);
  await syncFolder(dirname(lockPath));
  return { outcome: 'taken' };
}

/** Claims of earlier takeovers, no longer needed once a lock is held: its token is new. */
async function removeOldClaims(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith('lock.claim-')).map((n) => rm(join(dir, n), { force: true })));
}

/** link(2): creates `to` only if nothing has that name. False when something does. */
async function linkExclusive(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Whether the holder may still run. On this host: its pid answers signal 0 (EPERM means it exists
 * under another user) and, where Linux says, it is the same boot and the same process start. On
 * another host there is no way to tell, so it counts as alive and the message says what to do.
 */
async function isAlive(holder: LockHolder, here: LockHolder): Promise<boolean> {
  if (holder.hostname !== here.hostname) return true;
  if (holder.bootId && here.bootId && holder.bootId !== here.bootId) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!holder.processStart) return true;
  const start = await processStartOf(holder.pid);
  return start === undefined || start === holder.processStart;
}

function lockedError(outDir: string, lockPath: string, holder: LockHolder): BatchLockedError {
  const fix =
    holder.hostname === hostname()
      ? 'wait for it to finish or stop it, or choose another --out'
      : `if no reel ${holder.command ?? 'batch'} runs there any more, delete ${lockPath}`;
  return new BatchLockedError(
    `output folder ${outDir} is in use by reel ${holder.command ?? 'batch'} pid ${holder.pid} on ${holder.hostname} (since ${holder.startedAt}): ${fix}`,
    holder,
  );
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    const ok = Number.isInteger(h.pid) && typeof h.hostname === 'string' && typeof h.token === 'string';
    return ok ? (h as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

async function describeMe(): Promise<LockHolder> {
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => undefined))?.trim();
  return {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(12).toString('hex'),
    ...(bootId ? { bootId } : {}),
    ...(await processStartOf(process.pid).then((s) => (s ? { processStart: s } : {}))),
  };
}

/** Field 22 of /proc/<pid>/stat (start time); the command name before it may hold spaces and ')'. */
async function processStartOf(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

async function writeSynced(path: string, text: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}
