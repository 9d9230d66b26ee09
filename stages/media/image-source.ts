/**
 * image-source: one RGB24 frame of the bound image (or a video's first frame), sent as a single
 * `image` packet — a one-frame VideoPacket, which consumers expecting video take as a still video
 * and repeat at their own fps. The same one packet serves whole and chunked consumers alike: a
 * picture has no duration to cut.
 */
import { MediaError } from '../../src/core/errors.ts';
import type { PortPacket, SourceInstance, StageCreateContext } from '../../src/core/stage.ts';
import { decodeVideo, planVideo, probe } from '../../src/media/index.ts';
import type { ImageSourceOptions } from './sources.ts';
import { chunkInfo, pulledSource, requireInputPath, runClipId } from './source-input.ts';

export async function createImageSource(o: ImageSourceOptions, ctx: StageCreateContext): Promise<SourceInstance> {
  const file = requireInputPath(ctx);
  const info = await probe(file);
  if (!info.video) throw new MediaError(file, 'has no picture (audio only); bind an image (png, jpeg, webp …)');
  const clipId = runClipId(ctx);

  const decode = { fps: o.fps, width: o.width ?? undefined, height: o.height ?? undefined, frames: 1 };

  async function* picture(): AsyncGenerator<PortPacket> {
    const frames = decodeVideo(file, { ...decode, signal: ctx.signal });
    for await (const block of frames) {
      if (block.frameCount < 1) continue;
      const { width, height, fps } = block;
      const chunk = chunkInfo(clipId, 0, 0, 1 / fps, true);
      yield {
        port: 'image',
        packet: { kind: 'video', chunk, width, height, fps, startFrame: 0, frameCount: 1, data: block.data },
      };
      return;
    }
    throw new MediaError(file, 'decoded to no picture');
  }

  const { width, height } = planVideo(info, decode);
  return { ...pulledSource(picture), format: `${width}×${height} picture` };
}
