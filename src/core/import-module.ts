/**
 * Imports a module by URL, TypeScript included. reel itself may run compiled (dist/, plain Node,
 * no loader) while a user's stage kind is a `.ts` file (`use: ./gain.ts`): tsx's loader is then
 * registered just before that import, once, and only when such a file is asked for — so a run of
 * built-in kinds never pays for it.
 */

/** A `.ts`, `.mts` or `.cts` file, by URL or path (a query or fragment after it allowed). */
const TYPESCRIPT_FILE = /\.(ts|mts|cts)([?#].*)?$/;

/** This module is TypeScript itself only when a loader (tsx, vitest) already handles `.ts`. */
const TYPESCRIPT_LOADS = TYPESCRIPT_FILE.test(import.meta.url);

let registered: Promise<void> | undefined;

function registerTypeScript(): Promise<void> {
  registered ??= (async () => {
    // A kind's own imports of rxjs and zod (hundreds of modules each) would go through tsx's hooks,
    // about twice as slow: Node's loader takes them first. (reel itself, compiled, imports them from
    // dist/vendor/; the names are resolved here so that the build leaves this import alone.)
    const native = (name: string) => Promise.resolve().then(() => import(import.meta.resolve(name)));
    await Promise.all(['rxjs', 'zod'].map((name) => native(name).catch(() => undefined)));
    const { register } = await import('tsx/esm/api');
    register();
  })();
  return registered;
}

/** Whether importing `url` needs tsx's loader that this thread has not got yet. */
export function needsTypeScriptLoader(url: string): boolean {
  return !TYPESCRIPT_LOADS && TYPESCRIPT_FILE.test(url);
}

export async function importModule(url: string): Promise<Record<string, unknown>> {
  if (needsTypeScriptLoader(url)) await registerTypeScript();
  return (await import(url)) as Record<string, unknown>;
}
