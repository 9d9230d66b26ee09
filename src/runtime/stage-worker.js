// Entry of a reel worker thread (JavaScript, so that a worker can start before any loader is
// registered): a stage worker (stage-worker-main), or the GPU thread (workerData.main names it,
// relative to this folder). scripts/build.js copies this file beside the compiled modules in dist/:
// there the thread imports them directly and compiles nothing. Beside the TypeScript sources (no
// build, a stale one, REEL_FROM_SOURCE=1, vitest) it registers tsx's loader first, as bin/reel.js does.
import { existsSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const main = workerData?.main ?? './stage-worker-main';
const compiled = new URL(`${main}.js`, import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  // rxjs and zod (which every stage module imports) are loaded first, by Node's own loader:
  // through tsx's hooks their hundreds of files take about twice as long, and worker start-up is
  // paid before the first chunk of every run. Later imports of them resolve to these same modules.
  await Promise.all([import('rxjs'), import('zod')]);
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL(`${main}.ts`, import.meta.url).href);
}
