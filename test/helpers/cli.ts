/**
 * Runs the CLI in-process with captured output (fast), or as a real child process through
 * bin/reel.js (what a user runs).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`),
    verbose: false,
  });
  return { code, stdout, stderr };
}

export function runReelBinary(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): CliResult & { ms: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/reel.js'), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

/**
 * `reel run pipelines/voice-convert.yaml` on `audio` with 4 s chunks, into `<dir>/<name>/` with
 * its metrics at `<dir>/<name>.json` (the e2e tests of the converter share it).
 */
export function runVoiceConvert(
  dir: string,
  name: string,
  audio: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): CliResult & { ms: number; out: string; metrics: string } {
  const out = path.join(dir, name);
  const metrics = path.join(dir, `${name}.json`);
  const args = ['run', 'pipelines/voice-convert.yaml', '--input', `audio=${audio}`, '--out', out];
  const r = runReelBinary([...args, '--metrics', metrics, '--set', 'chunking.seconds=4', ...extra], {
    timeoutMs: 120_000,
    env,
  });
  return { ...r, out, metrics };
}
