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
import { ContentCache, defaultCacheDir } from '../../src/cache/content-cache.ts';
import type { StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import type { TensorPacket } from '../../src/core/types.ts';
import { fromWholeInputs } from '../shared/chunk-items.ts';
import { openStageModel } from '../shared/stage-model.ts';
import { encodePrompts } from './embeddings.ts';
import { tokenizePrompt, wordHashTokenizer } from './tokenizer.ts';

export interface TextEncoderStageOptions {
  maxTokens: number;
  negativePrompt: string;
}

/** Encoders run on a miss of both rows at once: warm up on that batch. */
const WARMUP_BATCH = 2;

export async function createTextEncoderStage(options: TextEncoderStageOptions, ctx: StageCreateContext): Promise<StageInstance> {
  const model = await openStageModel(ctx, 'encoder', 'text-encoder', {
    warmupFeeds: () => {
      // The tokenization of "" (EOS, then padding): ids any T5 vocabulary holds.
      const row = tokenizePrompt(wordHashTokenizer, '', options.maxTokens).ids.map(BigInt);
      const data = BigInt64Array.from(Array.from({ length: WARMUP_BATCH }, () => row).flat());
      return { input_ids: { dtype: 'int64', dims: [WARMUP_BATCH, options.maxTokens], data } };
    },
  });
  // The kind's default is on (the graph builder sets it); a context without settings keeps it.
  const cache = (ctx.settings?.cache ?? true) ? new ContentCache(defaultCacheDir()) : undefined;
  const handle = { session: model.session, path: model.path };
  let toldCacheHit = false;
  let toldTruncation = false;

  return {
    operator: fromWholeInputs(['prompt'], async function* (wholes) {
      const prompt = wholes.prompt;
      if (prompt.kind !== 'text') {
        throw new Error(`stage "${ctx.id}": input "prompt" expects a text packet, got ${prompt.kind}`);
      }
      const encoded = await encodePrompts(handle, { prompt: prompt.text, negativePrompt: options.negativePrompt, maxTokens: options.maxTokens, cache });
      if (encoded.fromCache[1] && !toldCacheHit) {
        toldCacheHit = true;
        ctx.log(`stage "${ctx.id}": prompt embeddings from cache (${cache!.dir})`);
      }
      if (encoded.truncatedTokens > 0 && !toldTruncation) {
        toldTruncation = true;
        ctx.log(`stage "${ctx.id}": prompt truncated to ${options.maxTokens} tokens; ${encoded.truncatedTokens} token(s) dropped`);
      }
      const packet: TensorPacket = {
        kind: 'tensor',
        chunk: { clipId: prompt.chunk.clipId, index: 0, start: 0, end: 0, last: true },
        name: 'text-embeddings',
        tensor: encoded.embeddings,
        meta: { maxTokens: options.maxTokens },
      };
      yield { port: 'embeddings', packet };
    }),
    dispose: () => model.release(),
  };
}
