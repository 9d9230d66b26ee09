// `npm run build`, and `prepare` (so `npm install` runs it): compiles src/, stages/ and models/ to
// dist/ with tsc, so that `reel` and its stage workers start without compiling TypeScript (tsx
// costs ~0.6 s per process and again per worker). Plain JavaScript: it runs before anything is built.
//
// tsc runs with --noCheck: the build only strips types (every file compiles on its own, see
// isolatedModules); `npm test` is where types are checked, and a type error must not fail an install.
// The output goes to a temporary folder that replaces dist/ only when complete, stamp included, so a
// failed or interrupted build never leaves a half dist/ that bin/reel.js would take as fresh.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP_NAME } from '../bin/fresh-dist.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');

function fail(line) {
  process.stderr.write(`reel build: ${line}\n`);
  process.exit(1);
}

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // A production install (--omit=dev) has no compiler: reel then runs its sources through tsx.
  process.stdout.write('reel build: typescript is not installed, so no dist/ is built; reel runs from its sources\n');
  process.exit(0);
}

// Sources edited while tsc runs must leave dist/ stale: the stamp gets the time the build started.
const started = new Date();
const staging = join(root, `dist.building-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
const compiled = spawnSync(
  process.execPath,
  [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', staging, '--noCheck'],
  { cwd: root, stdio: 'inherit' },
);
if (compiled.status !== 0) {
  rmSync(staging, { recursive: true, force: true });
  fail(
    `tsc failed (exit ${compiled.status ?? compiled.signal}); dist/ was left as it was and reel runs from its sources`,
  );
}

// Type declarations for the library (`import … from 'reel'`, src/index.ts): types only, no check.
const declared = spawnSync(
  process.execPath,
  [
    tsc,
    '-p',
    join(root, 'tsconfig.build.json'),
    '--outDir',
    staging,
    '--noCheck',
    '--declaration',
    '--emitDeclarationOnly',
  ],
  { cwd: root, stdio: 'inherit' },
);
if (declared.status !== 0) {
  rmSync(staging, { recursive: true, force: true });
  fail(`tsc (declarations) failed (exit ${declared.status ?? declared.signal}); dist/ was left as it was`);
}

// The worker entry is JavaScript already; worker-host loads it from beside its own compiled copy.
copyFileSync(join(root, 'src/runtime/stage-worker.js'), join(staging, 'src/runtime/stage-worker.js'));
const stamp = join(staging, STAMP_NAME);
writeFileSync(stamp, `built ${started.toISOString()} by scripts/build.js\n`);
utimesSync(stamp, started, started);

const previous = join(root, `dist.old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, previous);
renameSync(staging, dist);
rmSync(previous, { recursive: true, force: true });
process.stdout.write(`reel build: compiled to dist/ in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s\n`);
