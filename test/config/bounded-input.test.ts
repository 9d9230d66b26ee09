/**
 * A pipeline file costs bounded time and memory whatever is in it or behind its path: 110k keys in
 * one map are checked in one pass (the YAML library's own check compares every pair: over a
 * minute), and a device or a pipe is read only up to the size limit.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('pipeline files of unbounded cost', () => {
  it('checks 110,000 keys of one map in one pass (the test times out otherwise)', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'reel-keys-')), 'many keys.yaml');
    const keys = Array.from({ length: 110_000 }, (_, i) => `"${i.toString(36)}":0`).join(',');
    writeFileSync(file, `version: 1\nname: big\nx: {${keys}}\n`);
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:1:1: missing required key "inputs"`);
  }, 20_000);

  it('names a repeated key where it repeats and where it first was', async () => {
    const r = await runCli(['validate', 'test/fixtures/pipelines/broken/duplicate-key.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'test/fixtures/pipelines/broken/duplicate-key.yaml:9:3: YAML syntax: Map keys must be unique: "acoustic" appears again (first at line 6)',
    );
  });

  it('refuses a key named __proto__ where it is, instead of dropping the stage', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'reel-proto-')), 'proto.yaml');
    const yaml = readFileSync('pipelines/voice-convert.yaml', 'utf8');
    writeFileSync(file, yaml.replace(/^ {2}convert:/m, '  __proto__:').replace('convert.audio', '__proto__.audio'));
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    const line = yaml.split('\n').indexOf('  convert:') + 1;
    expect(r.stderr.trim()).toBe(
      `${file}:${line}:3: the key "__proto__" is reserved (JavaScript would drop it without a word) — rename it`,
    );
  });

  it('reads /dev/zero only up to the limit, and refuses it', async () => {
    const r = await runCli(['validate', '/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      '/dev/zero: is larger than 1048576 bytes; a pipeline file is at most that — is this the right file?',
    );
  });

  it('bounds resource settings: session threads and bench clip lengths', async () => {
    const threads = await runCli([
      'validate',
      'pipelines/voice-convert.yaml',
      '--set',
      'defaults.threads={intraOp: 10000}',
    ]);
    expect(threads.code).toBe(2);
    expect(threads.stderr).toMatch(/"defaults\.threads\.intraOp": number 10000 is too big — must be ≤ 256/);
    const bench = await runCli([
      'bench',
      'pipelines/voice-convert.yaml',
      '--input',
      'audio=samples/talking-head/short/voice.wav',
      '--clip-seconds',
      '5,1e9',
    ]);
    expect(bench.code).toBe(2);
    expect(bench.stderr).toMatch(/--clip-seconds 5,1e9: expected seconds above 0, at most 3600/);
  });
});
