/** What is wrong with a file a pipeline or a command names (a model, an input), if anything. */
import { stat } from 'node:fs/promises';

export async function fileProblem(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file);
    if (s.isDirectory()) return 'is a folder, not a file';
    if (!s.isFile()) return 'is not a regular file';
    return s.size === 0 ? 'file is empty' : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : `cannot read (${code})`;
  }
}
