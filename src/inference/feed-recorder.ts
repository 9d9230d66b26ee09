/**
 * Records what a model is fed while a pipeline runs: calibration data for INT8 (`reel models
 * quantize --calibrate`) and the shared inputs of a precision comparison (`reel models compare`)
 * are a stage's real feeds on the user's samples, chunked as the pipeline chunks them.
 *
 * Switched on by `REEL_RECORD_FEEDS` (JSON `{ dir, models, max }`), which stage workers inherit, so
 * a model opened in any thread records. Each run's feeds of `models[k]` are one v8-serialized file
 * in `dir/k`; each thread keeps at most `max` per model, spread over its runs (warm-up runs are not
 * recorded). `readRecordedFeeds` takes the first `max` in name order.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serialize, deserialize } from 'node:v8';
import { threadId } from 'node:worker_threads';
import type { TensorData } from '../core/types.ts';
import { fromOrt, isTensorData, type Feed } from './ort-tensors.ts';

export const RECORD_FEEDS_ENV = 'REEL_RECORD_FEEDS';

/** What the environment asks to record. */
export interface FeedRecordingRequest {
  /** Folder the feed files go to, one subfolder per model (its index in `models`). */
  dir: string;
  /** The model files whose runs are recorded (compared resolved). */
  models: string[];
  /** Runs recorded per model and thread at most. */
  max: number;
}

/** Where one model's runs go. */
export interface FeedRecording {
  dir: string;
  max: number;
}

/** The folder `recordingRuns` writes `request.models[index]`'s feeds to. */
export const recordedFeedsDir = (request: Pick<FeedRecordingRequest, 'dir'>, index: number): string =>
  join(request.dir, String(index));

export type RecordedFeeds = Record<string, TensorData>;

/** The recording asked for in the environment, if it is of `modelPath`. */
export function feedRecordingFor(modelPath: string): FeedRecording | undefined {
  const raw = process.env[RECORD_FEEDS_ENV];
  if (!raw) return undefined;
  const request = JSON.parse(raw) as FeedRecordingRequest;
  const index = request.models.findIndex((m) => resolve(m) === resolve(modelPath));
  if (index < 0) return undefined;
  const dir = recordedFeedsDir(request, index);
  mkdirSync(dir, { recursive: true });
  return { dir, max: request.max };
}

/**
 * A run function that records its feeds first. Each thread keeps at most `max` runs spread evenly
 * over all of its runs: it records every `stride`-th run, and when `max` are kept it drops every
 * other one and doubles the stride — so a token-by-token model's recording reaches past the first
 * chunk's steps, and the same runs are kept on every run of the same clip.
 */
export function recordingRuns<R>(
  rec: FeedRecording,
  run: (feeds: Readonly<Record<string, Feed>>) => Promise<R>,
): (feeds: Readonly<Record<string, Feed>>) => Promise<R> {
  let index = 0;
  let stride = 1;
  const kept: string[] = [];
  return (feeds) => {
    if (index % stride === 0) {
      if (kept.length === rec.max) {
        // Keep runs 0, 2·stride, 4·stride, …: every other one of those kept.
        for (const [i, file] of kept.entries()) if (i % 2 === 1) rmSync(file, { force: true });
        const survivors = kept.filter((_, i) => i % 2 === 0);
        kept.splice(0, kept.length, ...survivors);
        stride *= 2;
      }
      if (index % stride === 0) {
        const plain: RecordedFeeds = {};
        for (const [name, t] of Object.entries(feeds)) plain[name] = isTensorData(t) ? t : fromOrt(t);
        const file = join(
          rec.dir,
          `${String(process.pid).padStart(8, '0')}-${String(threadId).padStart(4, '0')}-${String(index).padStart(9, '0')}.feeds`,
        );
        writeFileSync(file, serialize(plain));
        kept.push(file);
      }
    }
    index++;
    return run(feeds);
  };
}

/** The recorded feeds in `dir`, the first `max` in name order. */
export function readRecordedFeeds(dir: string, max = Number.POSITIVE_INFINITY): RecordedFeeds[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return []; // the model never ran
  }
  return files
    .filter((f) => f.endsWith('.feeds'))
    .sort()
    .slice(0, max)
    .map((f) => deserialize(readFileSync(join(dir, f))) as RecordedFeeds);
}
