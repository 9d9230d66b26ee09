/**
 * Where the bundled reference models live and how a pipeline gets one: `models/build/<scale>/
 * <family>.onnx`, built on first use (no manual step on a fresh machine) and rebuilt when the
 * generator's output changed since the file was written.
 *
 * Checking a model means building it again (the rvc model takes ~35 ms, and loading the generator
 * more): every stage worker did it at its start. A stamp beside the model (`<family>.onnx.checked`)
 * records the model file it checked; while it is newer than every source the generator is made of
 * (models/, src/onnx/, src/core/), the check stands, in any thread or process.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../src/core/errors.ts';
import { PROJECT_ROOT } from '../src/core/project-root.ts';
import type { Scale } from './manifest.ts';
import { type FamilyId, isFamilyId } from './manifests/index.ts';
import { writeFileAtomic } from './write-atomic.ts';

/** `<project>/models/build`, also when this module runs compiled from dist/models/. */
export const REFERENCE_BUILD_DIR = join(PROJECT_ROOT, 'models', 'build');

/** Path of a reference model; does no I/O. */
export function referenceModelPath(family: FamilyId, scale: Scale = 'tiny'): string {
  return join(REFERENCE_BUILD_DIR, scale, `${family}.onnx`);
}

const ensured = new Map<string, Promise<string>>();

/** The newest modification time among the generator's sources (once per thread). */
let generatorTime: Promise<number> | undefined;
function newestGeneratorSource(): Promise<number> {
  generatorTime ??= (async () => {
    let newest = 0;
    for (const folder of ['./', '../src/onnx/', '../src/core/']) {
      const dir = fileURLToPath(new URL(folder, import.meta.url));
      const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
      for (const name of names) {
        if (!/\.[cm]?[jt]s$/.test(name)) continue;
        const s = await stat(join(dir, name)).catch(() => undefined);
        if (s) newest = Math.max(newest, s.mtimeMs);
      }
    }
    return newest;
  })();
  return generatorTime;
}

const stampOf = (path: string) => `${path}.checked`;
/** What the stamp says of the model file: its size and modification time. */
const stampText = (s: { size: number; mtimeMs: number }) => `${s.size} ${s.mtimeMs}\n`;

/**
 * Whether the model file at `path` is the one a check stamped, after the generator's sources last
 * changed (`generatorTime`, ms).
 */
export async function checkStands(path: string, generatorTime: number): Promise<boolean> {
  const [model, stamp] = await Promise.all([
    stat(path).catch(() => undefined),
    stat(stampOf(path)).catch(() => undefined),
  ]);
  if (!model || !stamp || stamp.mtimeMs <= generatorTime) return false;
  return (await readFile(stampOf(path), 'utf8').catch(() => '')) === stampText(model);
}

/** Stamps the model file at `path` as checked; a folder that cannot take it only means checking again. */
export async function stampChecked(path: string): Promise<void> {
  const model = await stat(path).catch(() => undefined);
  if (model) await writeFile(stampOf(path), stampText(model)).catch(() => undefined);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** The model's path, after writing it if it is missing or out of date. Safe under concurrency. */
export function ensureReferenceModel(family: FamilyId, scale: Scale = 'tiny'): Promise<string> {
  const path = referenceModelPath(family, scale);
  let pending = ensured.get(path);
  if (!pending) {
    pending = (async () => {
      if (await checkStands(path, await newestGeneratorSource())) return path;
      const { buildReferenceModel } = await import('./generate.ts');
      const bytes = buildReferenceModel(family, scale);
      const existing = await readFile(path).catch(() => undefined);
      if (!existing || !sameBytes(existing, bytes)) {
        await writeFileAtomic(path, bytes).catch((err: NodeJS.ErrnoException) => {
          throw new ModelError(
            path,
            `the bundled ${family} reference model is built on first use, but it cannot be written here (${err.code ?? err.message}) — run "reel models build" once where the project folder is writable, or give the stage your own model: file`,
            { cause: err },
          );
        });
      }
      await stampChecked(path);
      return path;
    })();
    ensured.set(path, pending);
    pending.catch(() => ensured.delete(path));
  }
  return pending;
}

/**
 * When `file` is the path of a bundled reference model, writes it if missing or out of date (as a
 * stage does when it opens it); any other path is left alone. For whoever reads a model file
 * before any stage has opened it: the batch journal's and the queue's pipeline hashes.
 */
export async function ensureIfReferenceModel(file: string): Promise<void> {
  const scale = basename(dirname(file));
  const family = basename(file, '.onnx');
  if (dirname(dirname(file)) !== REFERENCE_BUILD_DIR || (scale !== 'tiny' && scale !== 'medium')) return;
  if (isFamilyId(family) && file === referenceModelPath(family, scale)) await ensureReferenceModel(family, scale);
}
