/**
 * A named export of a module beside the caller's, for definitions that point a worker thread at
 * their implementation (TransformDefinition.createIn) without importing it themselves.
 */
import { extname } from 'node:path';

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
  const extension = extname(new URL(from).pathname);
  return { url: new URL(`${relative}${extension}`, from).href, name };
}
