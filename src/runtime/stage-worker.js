// Entry of a stage worker thread. Workers start as plain Node, so they register tsx's loader
// (as bin/reel.js does) before importing the TypeScript side; this works the same under vitest
// and under `node bin/reel.js`.
//
// rxjs and zod (which every stage module imports) are loaded first, by Node's own loader: through
// tsx's hooks their hundreds of files take about twice as long, and worker start-up is paid
// before the first chunk of every run. Later imports of them resolve to these same modules.
await Promise.all([import('rxjs'), import('zod')]);
const { register } = await import('tsx/esm/api');
register();
await import('./stage-worker-main.ts');
