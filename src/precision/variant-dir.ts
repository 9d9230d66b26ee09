/** Where model variants are kept (precision variants, Silero VAD's sequence form). */
import { defaultCacheDir } from '../cache/content-cache.ts';

/** `$REEL_VARIANT_DIR`, else `variants` beside the content cache (`~/.cache/reel-variants`). */
export function variantDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.REEL_VARIANT_DIR || `${defaultCacheDir(env)}-variants`;
}
