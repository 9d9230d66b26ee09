/**
 * The feed recorder keeps at most `max` runs per thread, spread over all of them (every other one
 * dropped and the stride doubled when full), in run order — so a model that runs many times per
 * chunk is calibrated on the whole clip, not on its first steps.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecordedFeeds, recordingRuns } from '../../src/inference/feed-recorder.ts';

const dir = mkdtempSync(join(tmpdir(), 'reel-feeds-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function record(runs: number, max: number): Promise<number[]> {
  const sub = mkdtempSync(join(dir, 'r-'));
  const run = recordingRuns({ dir: sub, max }, async () => 'ran');
  for (let i = 0; i < runs; i++)
    expect(await run({ x: { dtype: 'float32', dims: [1], data: Float32Array.of(i) } })).toBe('ran');
  expect(readdirSync(sub).length).toBeLessThanOrEqual(max);
  return readRecordedFeeds(sub).map((f) => (f.x.data as Float32Array)[0]);
}

describe('recordingRuns', () => {
  it('keeps every run while there are no more than max', async () => {
    expect(await record(3, 4)).toEqual([0, 1, 2]);
    expect(await record(4, 4)).toEqual([0, 1, 2, 3]);
  });

  it('spreads max runs over a long stream, evenly and in order', async () => {
    expect(await record(8, 4)).toEqual([0, 2, 4, 6]);
    expect(await record(20, 4)).toEqual([0, 8, 16]);
    expect(await record(1000, 32)).toEqual(Array.from({ length: 32 }, (_, i) => 32 * i));
  });
});
