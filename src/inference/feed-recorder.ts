/**
 * Records what a model is fed while a pipeline runs: calibration data for INT8 (`reel models
 * quantize --calibrate`) and the shared inputs of a precision comparison (`reel models compare`)
 * are a stage's real feeds on the user's samples, chunked as the pipeline chunks them.
 *
 * Switched on by `REEL_RECORD_FEEDS` (JSON `{ dir, model, max }`), which stage workers inherit, so
 * a model opened in any thread records. Each run's feeds are one v8-serialized file in `dir`; each
 * thread writes at most `max` (warm-up runs are not recorded). `readRecordedFeeds` takes the first
 * `max` in name order.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serialize, deserialize } from 'node:v8';
import { threadId } from 'node:worker_threads';
import type { TensorData } from '../core/types.ts';
import { fromOrt, isTensorData, type Feed } from './ort-tensors.ts';

export const RECORD_FEEDS_ENV = 'REEL_RECORD_FEEDS';

export interface FeedRecording {
  /** Folder the feed files go to. */
  dir: string;
  /** The model file whose runs are recorded (compared resolved). */
  model: string;
  /** Runs recorded per thread at most. */
  max: number;
}

export type RecordedFeeds = Record<string, TensorData>;

/** The recording asked for in the environment, if it is of `modelPath`. */
export function feedRecordingFor(modelPath: string): FeedRecording | undefined {
  const raw = process.env[RECORD_FEEDS_ENV];
  if (!raw) return undefined;
  const rec = JSON.parse(raw) as FeedRecording;
  return resolve(rec.model) === resolve(modelPath) ? rec : undefined;
}

/** A run function that records its feeds first (each thread its own files, up to `max`). */
export function recordingRuns<R>(
  rec: FeedRecording,
  run: (feeds: Readonly<Record<string, Feed>>) => Promise<R>,
): (feeds: Readonly<Record<string, Feed>>) => Promise<R> {
  let written = 0;
  return (feeds) => {
    if (written < rec.max) {
      const plain: RecordedFeeds = {};
      for (const [name, t] of Object.entries(feeds)) plain[name] = isTensorData(t) ? t : fromOrt(t);
      const name = `${String(process.pid).padStart(8, '0')}-${String(threadId).padStart(4, '0')}-${String(written).padStart(6, '0')}.feeds`;
      writeFileSync(join(rec.dir, name), serialize(plain));
      written++;
    }
    return run(feeds);
  };
}

/** The recorded feeds in `dir`, the first `max` in name order. */
export function readRecordedFeeds(dir: string, max = Number.POSITIVE_INFINITY): RecordedFeeds[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.feeds'))
    .sort()
    .slice(0, max)
    .map((f) => deserialize(readFileSync(join(dir, f))) as RecordedFeeds);
}
