/**
 * Where the bundled reference models live and how a pipeline gets one: `models/build/<scale>/
 * <family>.onnx`, built on first use (no manual step on a fresh machine) and rebuilt when the
 * generator's output changed since the file was written.
 *
 * Checking a model means building it again (the rvc model takes ~35 ms, and loading the generator
 * more): every stage worker did it at its start. A stamp beside the model (`<family>.onnx.checked`)
 * records the model file it checked (size, modification time) and a hash of the sources the
 * generator is made of (models/, src/onnx/, src/core/: their contents, not their times, which
 * installs and copies do not keep). While both still hold, the check stands, in any thread or process.
 */
import { createHash } from 'node:crypto';
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

/** A hash of the generator's sources (once per thread): every module under models/, src/onnx/, src/core/. */
let generatorHash: Promise<string> | undefined;
export function generatorSourcesHash(): Promise<string> {
  generatorHash ??= (async () => {
    const hash = createHash('sha256');
    for (const folder of ['./', '../src/onnx/', '../src/core/']) {
      const dir = fileURLToPath(new URL(folder, import.meta.url));
      const names = (await readdir(dir, { recursive: true }).catch(() => [] as string[]))
        .filter((name) => /\.[cm]?[jt]s$/.test(name) && !name.endsWith('.d.ts'))
        .sort();
      const texts = await Promise.all(names.map((name) => readFile(join(dir, name)).catch(() => undefined)));
      names.forEach((name, i) => texts[i] && hash.update(`${folder}${name}\0`).update(texts[i]));
    }
    return hash.digest('hex');
  })();
  return generatorHash;
}

const stampOf = (path: string) => `${path}.checked`;
/** What the stamp says: the model file's size and modification time, and the generator's hash. */
const stampText = (s: { size: number; mtimeMs: number }, generator: string) => `${s.size} ${s.mtimeMs} ${generator}\n`;

/** Whether the model file at `path` is the one a check stamped, by the generator of hash `generator`. */
export async function checkStands(path: string, generator: string): Promise<boolean> {
  const model = await stat(path).catch(() => undefined);
  if (!model) return false;
  return (await readFile(stampOf(path), 'utf8').catch(() => '')) === stampText(model, generator);
}

/** Stamps the model file at `path` as checked; a folder that cannot take it only means checking again. */
export async function stampChecked(path: string, generator: string): Promise<void> {
  const model = await stat(path).catch(() => undefined);
  if (model) await writeFile(stampOf(path), stampText(model, generator)).catch(() => undefined);
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
      const generator = await generatorSourcesHash();
      if (await checkStands(path, generator)) return path;
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
      await stampChecked(path, generator);
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
