/**
 * A clip cut into chunks the way a source cuts it on the pipeline grid (chunk k = [k·s, (k+1)·s),
 * the last one ending with the clip), as ChunkPackets for `clipItems`: audio, or a time series
 * (mel band-major [1, 80, T], content features frame-major [1, T, D]) cut at round(t·fps).
 */
import type { ChunkPackets } from '../../../src/core/item.ts';
import type { ChunkInfo, Packet } from '../../../src/core/types.ts';

export function chunkGrid(totalSeconds: number, seconds: number): ChunkInfo[] {
  const count = Math.max(1, Math.ceil(totalSeconds / seconds - 1e-9));
  return Array.from({ length: count }, (_, k) => ({
    clipId: 'clip',
    index: k,
    start: k * seconds,
    end: k === count - 1 ? totalSeconds : (k + 1) * seconds,
    last: k === count - 1,
  }));
}

export function audioChunks(data: Float32Array, rate: number, seconds: number, port = 'audio'): ChunkPackets[] {
  return chunkGrid(data.length / rate, seconds).map((chunk) => {
    const a = Math.round(chunk.start * rate);
    const b = Math.min(data.length, Math.round(chunk.end * rate));
    const packet: Packet = {
      kind: 'audio',
      chunk,
      sampleRate: rate,
      channels: 1,
      startSample: a,
      data: data.slice(a, b),
    };
    return { chunk, ports: { [port]: packet } };
  });
}

export interface Series {
  name: string;
  data: Float32Array;
  frames: number;
  framesPerSecond: number;
  /** Values per frame (80 mel bands, 768 features). */
  width: number;
  /** [1, T, width] (features) rather than [1, width, T] (mel). */
  frameMajor: boolean;
}

/** Frames of chunk [start, end): [round(start·fps), round(end·fps)), or `frameRange` where a kind rounds otherwise. */
export function seriesChunks(
  s: Series,
  chunks: readonly ChunkInfo[],
  port: string,
  frameRange = (c: ChunkInfo) => ({
    first: Math.round(c.start * s.framesPerSecond),
    end: Math.round(c.end * s.framesPerSecond),
  }),
): ChunkPackets[] {
  return chunks.map((chunk) => {
    const { first: a, end } = frameRange(chunk);
    const b = Math.min(s.frames, end);
    const data = new Float32Array(s.width * (b - a));
    if (s.frameMajor) data.set(s.data.subarray(a * s.width, b * s.width));
    else for (let r = 0; r < s.width; r++) data.set(s.data.subarray(r * s.frames + a, r * s.frames + b), r * (b - a));
    const dims = s.frameMajor ? [1, b - a, s.width] : [1, s.width, b - a];
    const packet: Packet = {
      kind: 'tensor',
      chunk,
      name: s.name,
      tensor: { dtype: 'float32', dims, data },
      meta: { framesPerSecond: s.framesPerSecond, startFrame: a },
    };
    return { chunk, ports: { [port]: packet } };
  });
}

/** The packets of several cuts of the same chunks, merged port by port. */
export function mergeChunks(...cuts: ChunkPackets[][]): ChunkPackets[] {
  return cuts[0].map((c, k) => ({ chunk: c.chunk, ports: Object.assign({}, ...cuts.map((cut) => cut[k].ports)) }));
}

export { concatFloat, maxAbsDiff } from '../../helpers/audio-signals.ts';
