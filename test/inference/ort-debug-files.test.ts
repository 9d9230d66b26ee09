/** ONNX Runtime's mat-debug-<pid>.log files, empty or of its telemetry's own failures, do not pile up in TMPDIR. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../models/reference.ts';
import { sweepDebugLogs } from '../../src/inference/ort-debug-files.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

/**
 * A child's environment with its own TMPDIR and home: ONNX Runtime's telemetry keeps one event
 * store per user (under ~/.cache), which the suite's other processes would hold locked.
 */
const isolated = (dir: string): NodeJS.ProcessEnv => ({ ...process.env, TMPDIR: dir, HOME: dir, XDG_CACHE_HOME: dir });

describe("ONNX Runtime's debug logs", () => {
  it('a process that made a session leaves none behind in its TMPDIR', async () => {
    const model = await ensureReferenceModel('hifigan', 'tiny');
    const dir = await mkdtemp(join(tmpdir(), 'reel-ort-tmp-'));
    const script = `
      const { createSession } = await import('./src/inference/session-factory.ts');
      const { DEFAULT_NODE_SETTINGS: s } = await import('./src/core/settings.ts');
      const made = await createSession({ stage: 't', model: ${JSON.stringify(model)}, provider: ['cpu'], strict: false, deviceId: 0, threads: s.threads, tensorrt: {} });
      await made.session.release();`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: isolated(dir),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect((await readdir(dir)).filter((n) => n.startsWith('mat-debug-'))).toEqual([]);
  });

  it('the CLI leaves none behind at its exit, even of a session made outside the session factory', async () => {
    const model = await ensureReferenceModel('hifigan', 'tiny');
    const dir = await mkdtemp(join(tmpdir(), 'reel-ort-tmp-'));
    // What bin/reel.js does before it runs a command.
    const script = `
      const { removeOwnDebugLogAtExit } = await import('./src/cli/main.ts');
      removeOwnDebugLogAtExit();
      const ort = await import('onnxruntime-node');
      await ort.InferenceSession.create(${JSON.stringify(model)});`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: isolated(dir),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect((await readdir(dir)).filter((n) => n.startsWith('mat-debug-'))).toEqual([]);
  });

  it("sweeps gone processes' empty ones and those of telemetry failures only; keeps live processes' and any with more", async () => {
    const base = await mkdtemp(join(tmpdir(), 'reel-ort-sweep-'));
    // As ONNX Runtime's telemetry writes them at exit when processes at once find its event store locked.
    const telemetry = [
      '2026-12-01T12:28:56.058Z|00008912|E|EventsSDK.SQLiteStatement|Failed to query database while executing statement #[0x7f91ec7ab048]: 5 (database is locked)',
      '2026-12-01T12:29:03.625Z|00008857|E|EventsSDK.Storage|Failed to store event 5ad963bd4b3a4118a481401cc0211875:03ae68cd-1219-a168-74b0-a532fbc5270d',
      '',
    ].join('\n');
    await writeFile(join(base, 'mat-debug-111.log'), '');
    await writeFile(join(base, 'mat-debug-222.log'), 'something worth reading');
    await writeFile(join(base, 'mat-debug-333.log'), '');
    await writeFile(join(base, 'mat-debug-444.log'), telemetry);
    await writeFile(join(base, 'mat-debug-555.log'), `${telemetry}and a line of another kind\n`);
    // Telemetry that someone turned on (a warning, not its own failure) is kept too.
    await writeFile(join(base, 'mat-debug-666.log'), '2026-12-01T12:28:56.058Z|00008912|W|EventsSDK.Storage|slow\n');
    await writeFile(join(base, 'mat-debug-x.log'), '');
    const alive = (pid: number) => pid === 333;
    expect((await sweepDebugLogs(alive, base)).sort()).toEqual(['mat-debug-111.log', 'mat-debug-444.log']);
    expect((await readdir(base)).sort()).toEqual([
      'mat-debug-222.log',
      'mat-debug-333.log',
      'mat-debug-555.log',
      'mat-debug-666.log',
      'mat-debug-x.log',
    ]);
  });
});
