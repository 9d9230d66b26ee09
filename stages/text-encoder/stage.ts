/**
 * The `text-encoder` stage: the whole prompt (one text packet) → one `text-embeddings` packet
 * [2, L, D] = [negative, prompt]. Rows are cached on disk (content-cache.ts) when the node's
 * `cache` setting is on — the default for this kind — so a prompt is encoded once per model.
 *
 * The embeddings condition the whole clip, and a prompt has no duration of its own: the video's
 * length is fixed later (dit's `frames`, vae's `fps`). So the packet is chunk 0 of the prompt's
 * clip with the empty range [0, 0) and `last: true`; the VAE is the stage that puts the video on
 * the clock.
 */
import { defer } from 'rxjs';
import { ContentCache, defaultCacheDir } from '../../src/cache/content-cache.ts';
import type { PortPacket, StageCreateContext, TransformInstance } from '../../src/core/stage.ts';
import type { StageItem } from '../../src/core/item.ts';
import type { TensorPacket } from '../../src/core/types.ts';
import { openStageModel } from '../shared/open-model.ts';
import { i64 } from '../shared/tensors.ts';
import { encodePrompts } from './embeddings.ts';
import type { TextEncoderOptions } from './index.ts';
import { tokenizePrompt, wordHashTokenizer } from './tokenizer.ts';

/** Encoders run on a miss of both rows at once: warm up on that batch. */
const WARMUP_BATCH = 2;

export async function createTextEncoderStage(
  options: TextEncoderOptions,
  ctx: StageCreateContext,
): Promise<TransformInstance> {
  // The tokenization of "" (EOS, then padding): ids any T5 vocabulary holds.
  const emptyRow = tokenizePrompt(wordHashTokenizer, '', options.maxTokens).ids;
  const model = await openStageModel(ctx, 'encoder', 'text-encoder', {
    warmup: {
      dims: { B: WARMUP_BATCH, L: options.maxTokens },
      feeds: {
        input_ids: i64(Array.from({ length: WARMUP_BATCH }, () => emptyRow).flat(), [WARMUP_BATCH, options.maxTokens]),
      },
    },
  });
  const cache = ctx.settings.cache ? new ContentCache(defaultCacheDir()) : undefined;
  // Once per clip (an instance shared by a batch's samples in flight serves several clips).
  const toldCacheHit = new Set<string>();
  const toldTruncation = new Set<string>();

  async function encode(item: StageItem): Promise<PortPacket> {
    const prompt = item.whole.text('prompt');
    const encoded = await encodePrompts(model, {
      prompt: prompt.text,
      negativePrompt: options.negativePrompt,
      maxTokens: options.maxTokens,
      cache,
    });
    const clip = prompt.chunk.clipId;
    if (encoded.fromCache[1] && !toldCacheHit.has(clip)) {
      toldCacheHit.add(clip);
      ctx.log(`prompt embeddings from cache (${cache!.dir})`);
    }
    if (encoded.truncatedTokens > 0 && !toldTruncation.has(clip)) {
      toldTruncation.add(clip);
      ctx.log(
        `prompt truncated to ${options.maxTokens} tokens; ${encoded.truncatedTokens} token(s) dropped`,
        'warning',
      );
    }
    const packet: TensorPacket = {
      kind: 'tensor',
      chunk: { clipId: prompt.chunk.clipId, index: 0, start: 0, end: 0, last: true },
      name: 'text-embeddings',
      tensor: encoded.embeddings,
      meta: { maxTokens: options.maxTokens },
    };
    return { port: 'embeddings', packet };
  }

  return {
    process: (item) => defer(() => encode(item)),
    dispose: () => model.release(),
  };
}
