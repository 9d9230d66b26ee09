// `npm run build`, and `prepare` (so `npm install` runs it): compiles src/, stages/ and models/ to
// dist/ with tsc, so that `reel` and its stage workers start without compiling TypeScript (tsx
// costs ~0.6 s per process and again per worker). Plain JavaScript: it runs before anything is built.
//
// tsc runs with --noCheck: the build only strips types (every file compiles on its own, see
// isolatedModules); `npm test` is where types are checked, and a type error must not fail an install.
// The output goes to a temporary folder that replaces dist/ only when complete, stamp included, so a
// failed or interrupted build never leaves a half dist/ that bin/reel.js would take as fresh.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedVersion, STAMP_NAME, VENDOR_VERSIONS } from '../bin/fresh-dist.js';

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
vendor(staging);
const stamp = join(staging, STAMP_NAME);
writeFileSync(stamp, `built ${started.toISOString()} by scripts/build.js\n`);
utimesSync(stamp, started, started);

const previous = join(root, `dist.old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, previous);
renameSync(staging, dist);
rmSync(previous, { recursive: true, force: true });
process.stdout.write(`reel build: compiled to dist/ in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s\n`);

/**
 * rxjs and zod as one file each (dist/vendor/), and the compiled modules' imports of them pointed
 * there. Their packages are hundreds of ES modules: loading them took ~140 ms of every stage
 * worker's start and of every reel process (a bundle: ~15 ms and ~55 ms). Code outside dist/ (a
 * kind of the user's) keeps its own copy; the runtime never checks `instanceof` across them: rxjs
 * interoperates by shape (subscribe), a zod schema is used through its own methods. Without esbuild
 * (tsx's, always installed with reel) the imports stay as they are.
 */
function vendor(out) {
  let esbuild;
  for (const from of [import.meta.url, join(root, 'node_modules/tsx/package.json')]) {
    try {
      esbuild = createRequire(from)('esbuild');
      break;
    } catch {}
  }
  if (!esbuild) return;
  const packages = { rxjs: "export * from 'rxjs';", zod: "export * from 'zod'; export { default } from 'zod';" };
  const vendored = join(out, 'vendor');
  const versions = {};
  try {
    for (const [name, contents] of Object.entries(packages)) {
      esbuild.buildSync({
        stdin: { contents, resolveDir: root, sourcefile: `${name}-vendor.js` },
        bundle: true,
        format: 'esm',
        // Their ES module builds (with platform 'node', rxjs's exports map gives its CommonJS one).
        platform: 'neutral',
        mainFields: ['module', 'main'],
        conditions: ['es2015', 'import'],
        target: 'node20',
        outfile: join(vendored, `${name}.js`),
        logLevel: 'silent',
      });
      versions[name] = installedVersion(root, name);
    }
  } catch (err) {
    // Not bundled (no esbuild binary for this platform, say): the compiled modules keep importing
    // the packages, as slower but the same.
    rmSync(vendored, { recursive: true, force: true });
    process.stdout.write(`reel build: rxjs and zod not bundled (${String(err.message ?? err).split('\n')[0]})\n`);
    return;
  }
  // bin/fresh-dist.js takes dist/ for stale when the installed packages are other versions.
  writeFileSync(join(vendored, VENDOR_VERSIONS), `${JSON.stringify(versions)}\n`);
  const names = Object.keys(packages).join('|');
  const bare = new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(\\s*|\\bimport\\s+)(['"])(${names})\\2`, 'g');
  const leftover = new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(\\s*|\\bimport\\s+)(['"])(${names})/`);
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (file !== vendored) visit(file);
      } else if (entry.name.endsWith('.js')) {
        const text = readFileSync(file, 'utf8');
        // A subpath (rxjs/operators) would load the package beside its bundle: one copy only.
        if (leftover.test(text))
          fail(`${relative(out, file)} imports a subpath of rxjs or zod; import from the package itself`);
        const rewritten = text.replace(bare, (_, lead, quote, name) => {
          const to = relative(dirname(file), join(vendored, `${name}.js`)).replaceAll('\\', '/');
          return `${lead}${quote}${to.startsWith('.') ? to : `./${to}`}${quote}`;
        });
        if (rewritten !== text) writeFileSync(file, rewritten);
      }
    }
  };
  visit(out);
}
