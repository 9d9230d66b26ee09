/** Run folders of processes killed with SIGKILL are swept by the next process; live ones are kept. */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepDeadRunFolders } from '../../src/runtime/run-temp.ts';

async function pidOfExited(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('run folder sweep', () => {
  it('removes the folders of dead processes and keeps its own, live ones and others', async () => {
    const base = await mkdtemp(join(tmpdir(), 'reel-sweep-'));
    const dead = await pidOfExited();
    const sleeper = spawn('sleep', ['30']);
    const names = [
      `reel-run-${dead}-a1`,
      `reel-run-${process.pid}-b2`,
      `reel-run-${sleeper.pid}-c3`,
      'reel-run-Xy12',
      'other',
    ];
    for (const name of names) {
      await mkdir(join(base, name));
      await writeFile(join(base, name, 'chunk.raw'), 'x');
    }
    try {
      expect(await sweepDeadRunFolders(base)).toEqual([`reel-run-${dead}-a1`]);
      expect((await readdir(base)).sort()).toEqual(names.slice(1).sort());
    } finally {
      sleeper.kill();
    }
  });
});
