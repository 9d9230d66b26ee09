/** What a batch left in its output folder, read as the tests of `reel batch` check it. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** report.csv rows as { sample: status }. */
export async function statuses(out: string): Promise<Record<string, string>> {
  const [, ...rows] = (await readFile(path.join(out, 'report.csv'), 'utf8')).trim().split('\n');
  return Object.fromEntries(rows.map((row) => row.split(',').slice(0, 2)));
}

/** Every file under `dir`, relative, except the batch's own journal folder. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith('.reel-batch'))
    .sort();
}
