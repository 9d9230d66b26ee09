/**
 * Streaming resampling of interleaved PCM: one StreamingResampler per channel (they see the same
 * pushes, so they always return the same number of samples), re-interleaved.
 */
import { StreamingResampler } from '../../src/dsp/index.ts';

export class InterleavedResampler {
  private readonly channels: StreamingResampler[];

  constructor(inputRate: number, outputRate: number, channels: number) {
    this.channels = Array.from({ length: channels }, () => new StreamingResampler({ inputRate, outputRate }));
  }

  push(block: Float32Array): Float32Array {
    return this.interleave(this.channels.map((r, c) => r.push(this.channel(block, c))));
  }

  flush(): Float32Array {
    return this.interleave(this.channels.map((r) => r.flush()));
  }

  private channel(block: Float32Array, c: number): Float32Array {
    const n = this.channels.length;
    if (n === 1) return block;
    const out = new Float32Array(block.length / n);
    for (let i = 0; i < out.length; i++) out[i] = block[i * n + c];
    return out;
  }

  private interleave(parts: Float32Array[]): Float32Array {
    const n = parts.length;
    if (n === 1) return parts[0];
    const frames = parts[0].length;
    const out = new Float32Array(frames * n);
    for (let c = 0; c < n; c++) for (let i = 0; i < frames; i++) out[i * n + c] = parts[c][i];
    return out;
  }
}
