/** The file of remembered stage costs: what survives a reopen, a damaged file, another writer, the cap. */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CostMemory,
  costContext,
  costKey,
  costMemoryFile,
  MAX_REMEMBERED,
  memoryClassGiB,
} from '../../src/runtime/cost-memory.ts';

const folder = () => mkdtemp(join(tmpdir(), 'reel-costs-'));

describe('cost memory', () => {
  it('gives back after a reopen what a run saved, and nothing for a key it never saw', async () => {
    const file = join(await folder(), 'nested', 'stage-costs.json');
    const first = await CostMemory.open(file);
    expect(first.get('a')).toBeUndefined();
    first.set('a', { msPerItem: 250.5, replicas: 410 });
    expect(await first.save()).toBe(true);
    const again = await CostMemory.open(file);
    expect(again.get('a')).toEqual({ msPerItem: 250.5, replicas: 410 });
    expect(again.get('b')).toBeUndefined();
    // Written by rename: no temporary file is left beside it.
    expect(await readdir(join(file, '..'))).toEqual(['stage-costs.json']);
  });

  it('takes a damaged or foreign file as empty, drops malformed entries, and writes a good file over it', async () => {
    const dir = await folder();
    const file = join(dir, 'stage-costs.json');
    await writeFile(file, '{"version": 1, "stages": {');
    const broken = await CostMemory.open(file);
    expect(broken.get('a')).toBeUndefined();
    broken.set('a', { msPerItem: 1, replicas: 2 });
    expect(await broken.save()).toBe(true);
    expect((await CostMemory.open(file)).get('a')).toEqual({ msPerItem: 1, replicas: 2 });

    const good = { msPerItem: 3, replicas: 4, usedAt: 5 };
    const bad = { msPerItem: -1, replicas: 4, usedAt: 5 };
    const none = { msPerItem: 3, replicas: 0, usedAt: 5 };
    const part = { msPerItem: 3, replicas: 1.5, usedAt: 5 };
    await writeFile(file, JSON.stringify({ version: 1, stages: { good, bad, none, part, text: 'x' } }));
    const mixed = await CostMemory.open(file);
    expect(mixed.get('good')).toEqual({ msPerItem: 3, replicas: 4 });
    for (const key of ['bad', 'none', 'part']) expect(mixed.get(key)).toBeUndefined();
    expect(mixed.get('text')).toBeUndefined();
    await writeFile(file, JSON.stringify({ version: 2, stages: { good } }));
    expect((await CostMemory.open(file)).get('good')).toBeUndefined();
  });

  it('keeps what another run wrote since it was opened', async () => {
    const file = join(await folder(), 'stage-costs.json');
    const one = await CostMemory.open(file);
    const other = await CostMemory.open(file);
    other.set('theirs', { msPerItem: 7, replicas: 8 });
    await other.save();
    one.set('mine', { msPerItem: 5, replicas: 6 });
    await one.save();
    const both = await CostMemory.open(file);
    expect(both.get('theirs')).toEqual({ msPerItem: 7, replicas: 8 });
    expect(both.get('mine')).toEqual({ msPerItem: 5, replicas: 6 });
  });

  it(`keeps the ${MAX_REMEMBERED} most recently used entries`, async () => {
    const file = join(await folder(), 'stage-costs.json');
    const stages = Object.fromEntries(
      Array.from({ length: MAX_REMEMBERED }, (_, i) => [`old${i}`, { msPerItem: i, replicas: 1, usedAt: 1000 + i }]),
    );
    await writeFile(file, JSON.stringify({ version: 1, stages }));
    const memory = await CostMemory.open(file);
    expect(memory.get('old0')).toEqual({ msPerItem: 0, replicas: 1 }); // used now: kept
    memory.set('new', { msPerItem: 9, replicas: 9 });
    await memory.save();
    const saved = JSON.parse(await readFile(file, 'utf8')) as { stages: Record<string, unknown> };
    expect(Object.keys(saved.stages)).toHaveLength(MAX_REMEMBERED);
    expect(saved.stages).toHaveProperty('old0');
    expect(saved.stages).toHaveProperty('new');
    // The least recently used went.
    expect(saved.stages).not.toHaveProperty('old1');
    expect(saved.stages).toHaveProperty('old2');
  });

  it('keeps for the next save what is set while a save is being written', async () => {
    const file = join(await folder(), 'stage-costs.json');
    const memory = await CostMemory.open(file);
    memory.set('a', { msPerItem: 1, replicas: 1 });
    const saving = memory.save();
    memory.set('b', { msPerItem: 2, replicas: 2 });
    await saving;
    await memory.save();
    const again = await CostMemory.open(file);
    expect(again.get('a')).toEqual({ msPerItem: 1, replicas: 1 });
    expect(again.get('b')).toEqual({ msPerItem: 2, replicas: 2 });
  });

  it('reports a file it cannot write instead of throwing', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'a-file'), 'not a folder');
    const memory = await CostMemory.open(join(dir, 'a-file', 'stage-costs.json'));
    memory.set('a', { msPerItem: 1, replicas: 1 });
    expect(await memory.save()).toBe(false);
  });

  it('lives in REEL_STATE_DIR, else XDG_STATE_HOME/reel, else ~/.local/state/reel; REEL_REMEMBER_COSTS=0 turns it off', () => {
    expect(costMemoryFile({ REEL_STATE_DIR: '/s', XDG_STATE_HOME: '/x' })).toBe('/s/stage-costs.json');
    expect(costMemoryFile({ XDG_STATE_HOME: '/x' })).toBe('/x/reel/stage-costs.json');
    expect(costMemoryFile({})).toMatch(/\/\.local\/state\/reel\/stage-costs\.json$/);
    expect(costMemoryFile({ REEL_STATE_DIR: '/s', REEL_REMEMBER_COSTS: '0' })).toBeUndefined();
  });

  it('keys on the value, not on the order its members were written in', () => {
    expect(costKey({ a: 1, b: [2, 3] })).toBe(costKey({ b: [2, 3], a: 1 }));
    expect(costKey({ a: 1 })).not.toBe(costKey({ a: 2 }));
  });

  it('measures where the run is: its cores, this machine (CPU model and count, memory), the versions of reel, Node.js and ONNX Runtime', async () => {
    const where = costContext(3);
    expect(where.cores).toBe(3);
    expect(where.machine).toContain(` ×${cpus().length}, ~${memoryClassGiB(totalmem())} GiB`);
    expect(where.machine.startsWith(cpus()[0]?.model.trim() ?? 'unknown CPU')).toBe(true);
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const ort = JSON.parse(await readFile('node_modules/onnxruntime-node/package.json', 'utf8')) as { version: string };
    expect(where.versions).toEqual({ reel: pkg.version, node: process.version, onnxruntime: ort.version });
  });

  it('takes a machine’s memory to the nearest power of two GiB, so that a little more or less is the same machine', () => {
    expect([15.2, 16, 17.5, 22].map((g) => memoryClassGiB(g * 2 ** 30))).toEqual([16, 16, 16, 16]);
    expect([0.5, 3, 24, 125].map((g) => memoryClassGiB(g * 2 ** 30))).toEqual([1, 4, 32, 128]);
  });
});
