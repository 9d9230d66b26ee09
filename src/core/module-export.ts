/**
 * A named export of a module beside the caller's, for definitions that point a worker thread at
 * their implementation (TransformDefinition.createIn) without importing it themselves.
 */
import { extname } from 'node:path';
import { importModule } from './import-module.ts';

/** A module, by URL, and the name of one of its exports. */
export interface ModuleExport {
  url: string;
  name: string;
}

/**
 * Export `name` of the module at `relative` (no extension) beside `from` (the caller's
 * `import.meta.url`), with the caller's own extension: `.ts` beside the sources, `.js` in a build.
 */
export function moduleExport(from: string, relative: string, name: string): ModuleExport {
  // A path written with its extension keeps it.
  const extension = extname(relative) === '' ? extname(new URL(from).pathname) : '';
  return { url: new URL(`${relative}${extension}`, from).href, name };
}

/** The function `at` names, imported (TypeScript too); `of` says whose it is in the error. */
export async function importFunction<F extends (...args: never[]) => unknown>(
  at: ModuleExport,
  of: string,
): Promise<F> {
  const value = (await importModule(at.url))[at.name];
  if (typeof value !== 'function') throw new Error(`module ${at.url} exports no function "${at.name}" (${of})`);
  return value as F;
}
