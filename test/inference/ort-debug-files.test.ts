/** ONNX Runtime's empty mat-debug-<pid>.log files do not pile up in TMPDIR. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../models/reference.ts';
import { sweepDebugLogs } from '../../src/inference/ort-debug-files.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

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
      env: { ...process.env, TMPDIR: dir },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect((await readdir(dir)).filter((n) => n.startsWith('mat-debug-'))).toEqual([]);
  });

  it("sweeps the empty ones of gone processes, and keeps live processes' and any with content", async () => {
    const base = await mkdtemp(join(tmpdir(), 'reel-ort-sweep-'));
    await writeFile(join(base, 'mat-debug-111.log'), '');
    await writeFile(join(base, 'mat-debug-222.log'), 'something worth reading');
    await writeFile(join(base, 'mat-debug-333.log'), '');
    await writeFile(join(base, 'mat-debug-x.log'), '');
    const alive = (pid: number) => pid === 333;
    expect(await sweepDebugLogs(alive, base)).toEqual(['mat-debug-111.log']);
    expect((await readdir(base)).sort()).toEqual(['mat-debug-222.log', 'mat-debug-333.log', 'mat-debug-x.log']);
  });
});
