/**
 * A pipeline file costs bounded time and memory whatever is in it or behind its path: 110k keys in
 * one map are checked in one pass (the YAML library's own check compares every pair: over a
 * minute), and a device or a pipe is read only up to the size limit.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
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

  it('reads /dev/zero only up to the limit, and refuses it', async () => {
    const r = await runCli(['validate', '/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      '/dev/zero: is larger than 1048576 bytes; a pipeline file is at most that — is this the right file?',
    );
  });
});
