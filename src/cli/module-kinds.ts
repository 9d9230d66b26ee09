/**
 * Stage kinds of the user's own, named by file: `use: ./kinds/gain.ts` in a pipeline loads that
 * module (relative to the pipeline file) and takes the transform it exports. The kind runs like a
 * built-in one — in a worker thread too, since its definition carries the module's URL.
 */
import { importModule } from '../core/import-module.ts';
import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LoadedPipeline } from '../config/load.ts';
import { ConfigError, type Issue } from '../core/errors.ts';
import type { StageDefinition } from '../core/stage.ts';

/** `use:` values that name a module file rather than a built-in kind. */
export function isModuleKind(use: string): boolean {
  return /^(\.{1,2}\/|\/)/.test(use) && /\.(ts|js|mjs)$/.test(use);
}

function definitionsIn(module: Record<string, unknown>): StageDefinition[] {
  return Object.values(module).filter(
    (v): v is StageDefinition =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as StageDefinition).kind === 'string' &&
      (v as StageDefinition).role === 'transform',
  );
}

/** The kinds the pipeline's stages name by file, keyed by their `use:` value. */
export async function loadModuleKinds(loaded: LoadedPipeline): Promise<Record<string, StageDefinition>> {
  const kinds: Record<string, StageDefinition> = {};
  const issues: Issue[] = [];
  for (const [id, stage] of Object.entries(loaded.doc.stages ?? {})) {
    const use = stage?.use;
    if (typeof use !== 'string' || !isModuleKind(use) || use in kinds) continue;
    const location = loaded.locations.value(['stages', id, 'use']);
    const file = isAbsolute(use) ? use : resolve(loaded.dir, use);
    const problem = (message: string) => issues.push({ location, message: `stage "${id}": ${message}` });
    if (
      !(await access(file).then(
        () => true,
        () => false,
      ))
    ) {
      problem(`stage kind module ${use} not found (looked at ${file}); the path is relative to the pipeline file`);
      continue;
    }
    const url = pathToFileURL(file).href;
    let found: StageDefinition[];
    try {
      found = definitionsIn(await importModule(url));
    } catch (err) {
      problem(`stage kind module ${use} failed to load: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    if (found.length !== 1) {
      problem(`stage kind module ${use} must export exactly one transform (defineTransform), found ${found.length}`);
      continue;
    }
    kinds[use] = Object.freeze({ ...found[0], module: found[0].module ?? url }) as StageDefinition;
  }
  if (issues.length) throw new ConfigError(issues);
  return kinds;
}
