/**
 * The compiled build (scripts/build.js → dist/): `reel` and its stage workers run from it with the
 * sources gone (rxjs and zod bundled in dist/vendor/) and write the same bytes as from source; a `.ts` stage kind still loads in a
 * compiled worker; a dist/ older than any source is not used. All of it on a copy of the project
 * in a temp folder: tests run in parallel, and the real dist/ belongs to `npm install`.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_STAMP, staleDistReason } from '../../bin/fresh-dist.js';
import { REPO_ROOT } from '../helpers/cli.ts';

const VOICE = join(REPO_ROOT, 'samples/talking-head/short/voice.wav');

/** What a project needs to build and run (no tests, no generated models), node_modules linked. */
function copyProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'reel-compiled-'));
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'bin',
    'scripts/build.js',
    'src',
    'stages',
  ]) {
    cpSync(join(REPO_ROOT, entry), join(root, entry), { recursive: true });
  }
  const generated = join(REPO_ROOT, 'models/build');
  cpSync(join(REPO_ROOT, 'models'), join(root, 'models'), {
    recursive: true,
    filter: (from) => from !== generated && !from.startsWith(generated + sep),
  });
  mkdirSync(join(root, 'pipelines'));
  cpSync(join(REPO_ROOT, 'pipelines/voice-convert.yaml'), join(root, 'pipelines/voice-convert.yaml'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

function node(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, REEL_FROM_SOURCE: undefined, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function voiceConvert(root: string, out: string, env: NodeJS.ProcessEnv = {}): Buffer {
  const r = node(
    root,
    ['bin/reel.js', 'run', 'pipelines/voice-convert.yaml', '--input', `audio=${VOICE}`, '--out', out],
    env,
  );
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  return readFileSync(join(out, 'converted.wav'));
}

/** A stage kind in TypeScript (type annotations: plain Node cannot load it), created in a worker. */
const TS_KIND = `
interface LogContext { log: (line: string) => void }
const greeting: string = 'created from TypeScript';
export const greet = {
  kind: 'greet',
  role: 'transform' as const,
  create: async (_options: unknown, ctx: LogContext) => {
    ctx.log(greeting);
    return { process: () => { throw new Error('not used'); }, dispose: async () => {} };
  },
};
`;

/** Starts the TS kind on a worker through the compiled worker host; prints what it logged. */
const TS_KIND_PROBE = `
import { createWorkerHost } from './dist/src/runtime/worker-host.js';
import { DEFAULT_NODE_SETTINGS } from './dist/src/core/settings.js';
const lines = [];
const host = await createWorkerHost({
  def: { kind: 'greet', role: 'transform', module: new URL('./kinds/greet.ts', import.meta.url).href },
  options: {},
  context: { id: 'greet', models: {}, settings: DEFAULT_NODE_SETTINGS },
  log: (line) => lines.push(line),
  outputRoom: async () => {},
  shared: () => false,
});
await host.dispose();
console.log(JSON.stringify(lines));
`;

/** Builds the copy, runs voice-convert from source then (sources removed) from dist/, then breaks the build. */
function buildRunAndBreak(root: string): void {
  const build = node(root, ['scripts/build.js']);
  expect(build.stderr).toBe('');
  expect(build.code).toBe(0);
  expect(existsSync(join(root, 'dist/src/runtime/stage-worker.js'))).toBe(true);
  expect(staleDistReason(root)).toBeUndefined();
  // rxjs and zod load from one file each (their packages are hundreds of modules): no compiled
  // module imports the packages themselves.
  expect(readdirSync(join(root, 'dist/vendor')).sort()).toEqual(['rxjs.js', 'versions.json', 'zod.js']);
  const importsPackage = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](?:rxjs|zod)['"]/;
  const compiledModules = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js') && !f.startsWith(`vendor${sep}`))
    .map((f) => join(root, 'dist', f));
  expect(compiledModules.length).toBeGreaterThan(100);
  expect(compiledModules.filter((f) => importsPackage.test(readFileSync(f, 'utf8')))).toEqual([]);
  const stamp = readFileSync(join(root, DIST_STAMP), 'utf8');

  const fromSource = voiceConvert(root, join(root, 'out-source'), { REEL_FROM_SOURCE: '1' });
  mkdirSync(join(root, 'kinds'));
  writeFileSync(join(root, 'kinds/greet.ts'), TS_KIND);
  writeFileSync(join(root, 'probe.mjs'), TS_KIND_PROBE);
  // Without the sources only dist/ can run: the CLI and both stage workers (content, convert).
  const folders = ['src', 'stages', 'models'];
  for (const folder of folders) renameSync(join(root, folder), join(root, `${folder}.away`));
  const compiled = voiceConvert(root, join(root, 'out-compiled'));
  expect(compiled.length).toBeGreaterThan(44);
  expect(compiled.equals(fromSource)).toBe(true);

  const probe = node(root, ['probe.mjs']);
  expect(probe.stderr).toBe('');
  expect(JSON.parse(probe.stdout)).toEqual(['created from TypeScript']);

  // A failed build keeps the last dist/ whole (its stamp unchanged) and leaves no staging folder;
  // the source that broke it is newer than the stamp, so reel runs from the sources meanwhile.
  rmSync(join(root, 'models'), { recursive: true });
  for (const folder of folders) renameSync(join(root, `${folder}.away`), join(root, folder));
  writeFileSync(join(root, 'src/broken.ts'), 'export const = ;\n');
  const broken = node(root, ['scripts/build.js']);
  expect(broken.code).toBe(1);
  expect(broken.stderr.trim()).toMatch(
    /^reel build: tsc failed \(exit \d\); dist\/ was left as it was and reel runs from its sources$/,
  );
  expect(readFileSync(join(root, DIST_STAMP), 'utf8')).toBe(stamp);
  expect(readdirSync(root).filter((name) => name.startsWith('dist.'))).toEqual([]);
  expect(staleDistReason(root)).toBe(`${join('src', 'broken.ts')} changed after the last build (run npm run build)`);
}

describe('compiled build', () => {
  it('runs from dist/ with the sources removed, byte for byte as from source; a failed build keeps the last dist/', {
    timeout: 240_000,
  }, () => {
    const root = copyProject();
    try {
      buildRunAndBreak(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('staleDistReason (is dist/ fresh?)', () => {
  const hourAgo = new Date(Date.now() - 3_600_000);
  const now = new Date();
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  function project(): string {
    const root = mkdtempSync(join(tmpdir(), 'reel-fresh-'));
    roots.push(root);
    for (const file of [
      'src/cli/main.ts',
      'stages/rvc/index.ts',
      'models/reference.ts',
      'src/runtime/stage-worker.js',
    ]) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), '// source\n');
      utimesSync(join(root, file), hourAgo, hourAgo);
    }
    return root;
  }

  function stamp(root: string): void {
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, DIST_STAMP), 'built\n');
    utimesSync(join(root, DIST_STAMP), now, now);
  }

  it('is fresh when the stamp is newer than every source', () => {
    const root = project();
    stamp(root);
    expect(staleDistReason(root)).toBeUndefined();
  });

  it('is stale without a stamp (never built, or a build that failed)', () => {
    const root = project();
    mkdirSync(join(root, 'dist/src'), { recursive: true });
    expect(staleDistReason(root)).toBe(`${DIST_STAMP} is missing (run npm run build)`);
  });

  it('is stale when a source under src/, stages/ or models/ changed after the build, naming it', () => {
    for (const file of [
      'src/cli/main.ts',
      'stages/rvc/index.ts',
      'models/reference.ts',
      'src/runtime/stage-worker.js',
    ]) {
      const root = project();
      stamp(root);
      const later = new Date(now.getTime() + 1000);
      utimesSync(join(root, file), later, later);
      expect(staleDistReason(root)).toBe(
        `${relative(root, join(root, file))} changed after the last build (run npm run build)`,
      );
    }
  });

  it('is stale when an installed rxjs or zod is not the version dist/vendor bundles', () => {
    const root = project();
    stamp(root);
    mkdirSync(join(root, 'dist/vendor'), { recursive: true });
    writeFileSync(join(root, 'dist/vendor/versions.json'), JSON.stringify({ rxjs: '7.8.2' }));
    writeFileSync(join(root, 'package.json'), '{}');
    mkdirSync(join(root, 'node_modules/rxjs'), { recursive: true });
    writeFileSync(join(root, 'node_modules/rxjs/package.json'), JSON.stringify({ name: 'rxjs', version: '7.8.2' }));
    expect(staleDistReason(root)).toBeUndefined();
    writeFileSync(join(root, 'node_modules/rxjs/package.json'), JSON.stringify({ name: 'rxjs', version: '7.9.0' }));
    expect(staleDistReason(root)).toBe('rxjs 7.9.0 is installed, dist/ bundles 7.8.2 (run npm run build)');
  });

  it('ignores generated reference models and files that are not sources', () => {
    const root = project();
    stamp(root);
    const later = new Date(now.getTime() + 1000);
    for (const file of ['models/build/tiny/rvc.ts', 'src/notes.md']) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), 'x\n');
      utimesSync(join(root, file), later, later);
    }
    expect(staleDistReason(root)).toBeUndefined();
  });
});
