/**
 * Where the bundled reference models live and how a pipeline gets one: `models/build/<scale>/
 * <family>.onnx`, built on first use (no manual step on a fresh machine) and rebuilt when the
 * generator's output changed since the file was written.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/core/project-root.ts';
import { buildReferenceModel } from './generate.ts';
import type { Scale } from './manifest.ts';
import type { FamilyId } from './manifests/index.ts';
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
      if (!existing || !sameBytes(existing, bytes)) await writeFileAtomic(path, bytes);
      return path;
    })();
    ensured.set(path, pending);
    pending.catch(() => ensured.delete(path));
  }
  return pending;
}
