/**
 * `reel validate` must never create an inference session or start ffmpeg. A child process runs
 * the CLI with spawn/exec instrumented and reports every child process started and whether
 * onnxruntime's native binding was loaded.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';

const PROBE = path.join(REPO_ROOT, 'test/fixtures/probe-side-effects.ts');

function probe(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', PROBE, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as { code: number; spawned: string[]; onnxruntimeLoaded: boolean };
}

describe('reel validate side effects', () => {
  it('starts no process and loads no onnxruntime for the shipped pipelines', () => {
    for (const file of ['pipelines/talking-head.yaml', 'pipelines/text-to-video.yaml']) {
      const r = probe(['validate', file]);
      expect(r.code).toBe(0);
      expect(r.spawned).toEqual([]);
      expect(r.onnxruntimeLoaded).toBe(false);
    }
  });

  it('the probe does see a child process when one is started (the check can fail)', () => {
    const r = probe(['--probe-selftest']);
    expect(r.spawned).toEqual(['node']);
    expect(probe(['--probe-ort-selftest']).onnxruntimeLoaded).toBe(true);
  });
});
