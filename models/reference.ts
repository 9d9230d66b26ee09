/**
 * Where the bundled reference models live and how a pipeline gets one: `models/build/<scale>/
 * <family>.onnx`, built on first use (no manual step on a fresh machine) and rebuilt when the
 * generator's output changed since the file was written.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ModelError } from '../src/core/errors.ts';
import { PROJECT_ROOT } from '../src/core/project-root.ts';
import { buildReferenceModel } from './generate.ts';
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** The model's path, after writing it if it is missing or out of date. Safe under concurrency. */
export function ensureReferenceModel(family: FamilyId, scale: Scale = 'tiny'): Promise<string> {
  const path = referenceModelPath(family, scale);
  let pending = ensured.get(path);
  if (!pending) {
    pending = (async () => {
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
