/**
 * Every reference family quantized to INT8 runs in its shipped pipeline: each pipeline (and the
 * talking-head profiles that bring in the other families) runs once recording every model's feeds,
 * each model is quantized statically from ranges measured on them (tiny reference models; the face
 * detector is the real RFB-320), the variant passes its family's contract (comparePrecisions checks
 * it before writing), and the pipeline then runs on all the INT8 models at once. Silero VAD, a
 * recurrent model with nothing to quantize, is refused with its ops named, not written half-quantized.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { comparePrecisions, precisionCsv, precisionHtml } from '../../src/precision/precision-table.ts';
import { recordFeeds } from '../../src/precision/record-feeds.ts';
import { runReelBinary } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reel-int8-pipelines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TH = 'samples/talking-head/short';
const CASES: {
  name: string;
  pipeline: string;
  profile?: string;
  inputs: string[];
  families: string[];
  refused: string[];
  set?: string[];
}[] = [
  {
    name: 'voice-convert --profile pauses',
    pipeline: 'pipelines/voice-convert.yaml',
    profile: 'pauses',
    inputs: [`audio=${TH}/voice.wav`],
    families: ['silero-vad', 'content-encoder', 'rvc'],
    refused: ['silero-vad'],
  },
  {
    name: 'talking-head',
    pipeline: 'pipelines/talking-head.yaml',
    inputs: [`script=${TH}/script.txt`, `face=${TH}/face.png`, `voice=${TH}/voice.wav`],
    families: ['vallex-codec', 'vallex-ar', 'vallex-nar', 'content-encoder', 'rvc', 'face-detect', 'wav2lip'],
    refused: [],
    // Random AR weights decode to the length guard: 4 codes per token keeps the runs short.
    set: ['stages.tts.options.maxLengthFactor=4'],
  },
  {
    name: 'talking-head --profile fast',
    pipeline: 'pipelines/talking-head.yaml',
    profile: 'fast',
    inputs: [`script=${TH}/script.txt`, `face=${TH}/face.png`, `voice=${TH}/voice.wav`],
    families: ['fastpitch', 'hifigan'],
    refused: [],
  },
  {
    name: 'text-to-video',
    pipeline: 'pipelines/text-to-video.yaml',
    inputs: ['prompt=samples/text-to-video/a-lighthouse/prompt.txt'],
    families: ['text-encoder', 'dit', 'vae'],
    refused: [],
  },
];

describe('INT8 variants of every family in their pipelines', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.families.join(', ')}`, async () => {
      const work = join(dir, c.name.replaceAll(/\W+/g, '-'));
      const recorded = await recordFeeds({
        pipeline: c.pipeline,
        inputs: c.inputs,
        profile: c.profile,
        set: c.set,
        max: 2,
      });
      const rows = await comparePrecisions(recorded, work, ['int8']);
      for (const family of c.families) expect(rows.map((r) => r.family)).toContain(family);

      const refused = rows.filter((r) => !r.file);
      expect(refused.map((r) => r.family).sort()).toEqual(c.refused);
      for (const r of refused) expect(r.refused).toMatch(/no node to quantize|nothing to quantize|not handled/);

      // The bench's precision CSV and HTML section carry every row, a refused one with its reason.
      const csv = parse(precisionCsv(rows), { columns: true }) as Record<string, string>[];
      const perLine = rows.flatMap((r) => Array(r.comparison?.outputs.length ?? 1).fill(r.family) as string[]);
      expect(csv.map((r) => r.family).sort()).toEqual(perLine.sort());
      for (const r of csv) expect(r.refused === '').toBe(r.snr_db !== '');
      const lines = rows.reduce((n, r) => n + (r.comparison?.outputs.length ?? 1), 0);
      expect(precisionHtml(rows).match(/<tr[ >]/g)?.length).toBe(lines + 1);
      expect(csv).toHaveLength(lines);

      const built = rows.filter((r) => r.file);
      for (const r of built) {
        expect(r.bytes[1]!, `${r.stage} variant is smaller`).toBeLessThan(r.bytes[0]);
        const snr = Math.min(...r.comparison!.outputs.map((o) => o.snrDb));
        // Random-weight tiny models have wide activations; noise would be ≤ 0 dB.
        expect(snr, `${r.stage} ${r.family} SNR`).toBeGreaterThan(3);
      }
      const multi = new Set(
        recorded.filter((m, _, all) => all.filter((n) => n.stage === m.stage).length > 1).map((m) => m.stage),
      );
      const sets = built.flatMap((r) => [
        '--set',
        `stages.${r.stage}.model${multi.has(r.stage) ? `.${r.slot}` : ''}=${r.file}`,
      ]);
      const out = join(work, 'out');
      const run = runReelBinary(
        [
          'run',
          c.pipeline,
          ...c.inputs.flatMap((i) => ['--input', i]),
          ...(c.profile ? ['--profile', c.profile] : []),
          ...(c.set ?? []).flatMap((s) => ['--set', s]),
          ...sets,
          '--out',
          out,
        ],
        { timeoutMs: 120_000 },
      );
      expect(run.code, run.stderr).toBe(0);
      const written = run.stdout.split('\n').filter((l) => /: \//.test(l));
      expect(written.length).toBeGreaterThan(0);
      for (const line of written) expect(statSync(line.slice(line.indexOf(': ') + 2)).size).toBeGreaterThan(1000);
    }, 180_000);
  }
});
