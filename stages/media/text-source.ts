/**
 * text-source: the bound file as one TextPacket, read and checked by `readTextInput` (UTF-8, no
 * BOM, no binary, at most `maxBytes`) — the same check `reel run` makes before loading models.
 */
import type { PortPacket, SourceInstance, StageCreateContext } from '../../src/core/stage.ts';
import { readTextInput } from '../../src/media/index.ts';
import type { TextSourceOptions } from './sources.ts';
import { chunkInfo, pulledSource, requireInputPath, runClipId } from './source-input.ts';

export async function createTextSource(o: TextSourceOptions, ctx: StageCreateContext): Promise<SourceInstance> {
  const file = requireInputPath(ctx);
  // Read now, so that a bad script fails the run before any model is loaded.
  const text = await readTextInput(file, o.maxBytes);
  const clipId = runClipId(ctx);
  async function* once(): AsyncGenerator<PortPacket> {
    yield { port: 'text', packet: { kind: 'text', chunk: chunkInfo(clipId, 0, 0, 0, true), text } };
  }
  return pulledSource(once);
}
