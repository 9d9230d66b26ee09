/**
 * Opening a manifest for streaming: a file that cannot be opened is a usage error raised before the
 * first row (a read stream would only report it later, and through `pipe` not at all).
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { UsageError } from '../core/errors.ts';

export async function openManifest(file: string): Promise<ReadStream> {
  const stream = createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  }).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`${file}: cannot read the manifest (${err.code ?? err.message})`, { cause: err });
  });
  return stream;
}
