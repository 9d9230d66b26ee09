/** The runtime runs any stage kind without knowing the built-ins: nothing under src/runtime imports stages/. */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUNTIME = fileURLToPath(new URL('../../src/runtime/', import.meta.url));

describe('runtime dependencies', () => {
  it('no file under src/runtime imports from stages/', async () => {
    const files = (await readdir(RUNTIME)).filter((f) => /\.[jt]s$/.test(f));
    expect(files.length).toBeGreaterThan(5);
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(RUNTIME + file, 'utf8');
      if (/(from|import\()\s*['"](\.\.\/)+stages\//.test(text)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
