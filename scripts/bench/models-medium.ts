/**
 * Medium reference models: build time, file size, and median run time per ~1 s chunk on one
 * CPU thread. Usage: npx tsx scripts/bench/models-medium.ts [family...]
 */
import * as ort from 'onnxruntime-node';
import { buildReferenceModel } from '../../models/generate.ts';
import { FAMILY_IDS, MANIFESTS, isFamilyId, type FamilyId } from '../../models/manifests/index.ts';
import { vaeCacheChannels } from '../../models/families/vae.ts';
import { feedsFor } from '../../test/models/feeds.ts';

// About one second of media (or one typical step) per family.
const CHUNK: Record<FamilyId, number> = {
  'content-encoder': 16000,
  rvc: 100,
  'vallex-ar': 1,
  'vallex-nar': 150,
  'vallex-codec': 75,
  fastpitch: 20,
  hifigan: 86,
  wav2lip: 8,
  'face-detect': 1,
  'text-encoder': 226,
  dit: 2,
  vae: 2,
  'silero-vad': 576,
};

const families = process.argv.slice(2).filter(isFamilyId);
const rows: string[] = ['family,bytes,build_ms,run_ms_median,chunk'];
for (const family of families.length ? families : FAMILY_IDS) {
  const t0 = performance.now();
  const bytes = buildReferenceModel(family, 'medium');
  const buildMs = performance.now() - t0;
  const session = await ort.InferenceSession.create(bytes, {
    logSeverityLevel: 3,
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const h = MANIFESTS[family].scales.medium as Record<string, number>;
  const dims = family === 'vae' ? { cache: vaeCacheChannels(h as never) } : family === 'dit' ? { dim: h.textDim } : h;
  const { feeds } = feedsFor(family, CHUNK[family], dims);
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const s = performance.now();
    await session.run(feeds);
    if (i > 0) times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  rows.push([family, bytes.length, buildMs.toFixed(0), times[1].toFixed(1), CHUNK[family]].join(','));
  await session.release();
}
process.stdout.write(`${rows.join('\n')}\n`);
