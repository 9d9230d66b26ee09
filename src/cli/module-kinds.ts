/**
 * Stage kinds of the user's own, from modules:
 * - by file: `use: ./kinds/gain.ts` in a stage loads that module (relative to the pipeline file)
 *   and takes the one transform it exports;
 * - by name: a library of kinds listed under `kinds: [./my-kinds.ts]` in the pipeline (relative to
 *   it) or given with `--kinds FILE` (relative to the working folder) adds every transform each
 *   module exports, under its own `kind` name, for `use: gain`.
 * The kinds run like built-in ones — in a worker thread too, since a definition carries its
 * module's URL. A name that is already a kind (built in, or from another module) is refused.
 */
import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LoadedPipeline } from '../config/load.ts';
import type { SourceLocation } from '../core/types.ts';
import { ConfigError, UsageError, type Issue } from '../core/errors.ts';
import { importModule } from '../core/import-module.ts';
import type { StageDefinition } from '../core/stage.ts';

/** `use:` values that name a module file rather than a kind. */
export function isModuleKind(use: string): boolean {
  return /^(\.{1,2}\/|\/)/.test(use) && /\.(ts|mts|js|mjs)$/.test(use);
}

/** The transforms a module exports, each once (`export default gain` beside `export const gain`). */
function definitionsIn(module: Record<string, unknown>): StageDefinition[] {
  const values = [...new Set(Object.values(module))];
  return values.filter(
    (v): v is StageDefinition =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as StageDefinition).kind === 'string' &&
      (v as StageDefinition).role === 'transform',
  );
}

/** The transforms a module exports (each carrying the module's URL), or the problem, one line. */
async function transformsOf(file: string, shown: string): Promise<StageDefinition[] | string> {
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (!exists) return `stage kind module ${shown} not found (looked at ${file})`;
  const url = pathToFileURL(file).href;
  try {
    const found = definitionsIn(await importModule(url));
    return found.map((def) => Object.freeze({ ...def, module: def.module ?? url }) as StageDefinition);
  } catch (err) {
    return `stage kind module ${shown} failed to load: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** A module of kinds as a pipeline or the command line names it. */
interface KindLibrary {
  /** As written (`./my-kinds.ts`). */
  shown: string;
  file: string;
  location?: SourceLocation;
}

/**
 * Every transform of `libraries`, keyed by kind name, checked against `taken` (the built-in kinds)
 * and each other. Problems go to `issues`.
 */
async function libraryKinds(
  libraries: readonly KindLibrary[],
  taken: Readonly<Record<string, StageDefinition>>,
  issues: Issue[],
): Promise<Record<string, StageDefinition>> {
  const kinds: Record<string, StageDefinition> = {};
  const from = new Map<string, string>();
  const loaded = new Set<string>();
  for (const library of libraries) {
    // The same module named twice (in kinds: and with --kinds) is one library.
    if (loaded.has(library.file)) continue;
    loaded.add(library.file);
    const problem = (message: string) => issues.push({ location: library.location, message });
    const found = await transformsOf(library.file, library.shown);
    if (typeof found === 'string') {
      problem(found);
      continue;
    }
    if (found.length === 0) problem(`stage kind module ${library.shown} exports no transform (defineTransform)`);
    for (const def of found) {
      if (Object.hasOwn(taken, def.kind))
        problem(`stage kind module ${library.shown}: kind "${def.kind}" is a built-in kind — give yours another name`);
      else if (from.has(def.kind))
        problem(`stage kind module ${library.shown}: kind "${def.kind}" is also defined by ${from.get(def.kind)}`);
      else {
        kinds[def.kind] = def;
        from.set(def.kind, library.shown);
      }
    }
  }
  return kinds;
}

/** `--kinds FILE` modules (relative to the working folder) as libraries; a missing one is exit 2. */
export async function commandLineKinds(
  files: readonly string[],
  taken: Readonly<Record<string, StageDefinition>>,
): Promise<Record<string, StageDefinition>> {
  const issues: Issue[] = [];
  const kinds = await libraryKinds(
    files.map((shown) => ({ shown, file: resolve(shown) })),
    taken,
    issues,
  );
  if (issues.length) throw new UsageError(`--kinds: ${issues.map((i) => i.message).join('; ')}`);
  return kinds;
}

/**
 * The kinds a pipeline brings: those of its `kinds:` modules and of `--kinds` (`cliKinds`) by name,
 * and those its stages name by file, keyed by their `use:` value.
 */
export async function loadModuleKinds(
  loaded: LoadedPipeline,
  taken: Readonly<Record<string, StageDefinition>>,
  cliKinds: readonly string[] = [],
): Promise<Record<string, StageDefinition>> {
  const issues: Issue[] = [];
  const listed = (loaded.doc.kinds ?? []).map((shown, i) => ({
    shown,
    file: isAbsolute(shown) ? shown : resolve(loaded.dir, shown),
    location: loaded.locations.value(['kinds', i]),
  }));
  const given = cliKinds.map((file) => ({ shown: `${file} (--kinds)`, file: resolve(file) }));
  const named = await libraryKinds([...listed, ...given], taken, issues);

  const byFile: Record<string, StageDefinition> = {};
  for (const [id, stage] of Object.entries(loaded.doc.stages ?? {})) {
    const use = stage?.use;
    if (typeof use !== 'string' || !isModuleKind(use) || use in byFile) continue;
    const location = loaded.locations.value(['stages', id, 'use']);
    const problem = (message: string) => issues.push({ location, message: `stage "${id}": ${message}` });
    const found = await transformsOf(isAbsolute(use) ? use : resolve(loaded.dir, use), use);
    if (typeof found === 'string') problem(`${found}; the path is relative to the pipeline file`);
    else if (found.length !== 1)
      problem(`stage kind module ${use} must export exactly one transform (defineTransform), found ${found.length}`);
    else byFile[use] = found[0];
  }
  if (issues.length) throw new ConfigError(issues);
  return { ...named, ...byFile };
}
