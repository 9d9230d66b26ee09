/**
 * Non-finite samples (NaN, ±Inf) must never pass silently: one NaN fed to a model or a resampler
 * spreads over its whole window, and a stage that then clamps or zeroes it turns seconds of a clip
 * into silence with exit 0. Audio is checked where it enters — decoded from a file, and emitted by
 * a stage — and refused there with the place named.
 */

/** Index of the first NaN or ±Infinity in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is NaN exactly for NaN and ±Infinity; one comparison per sample.
    if (v - v !== 0) return i;
  }
  return -1;
}

/** "NaN", "+Inf" or "-Inf", for messages. */
export function describeNonFinite(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

/**
 * Why a stage's audio output is refused, or undefined when every sample is finite: the first bad
 * sample, its port and its time in the clip. Checked where the packet is made — in a stage
 * worker, off the main thread, for worker stages — or else where the runtime receives it.
 */
export function nonFiniteOutput(
  port: string,
  packet: { data: Float32Array; startSample: number; channels: number; sampleRate: number },
): string | undefined {
  const bad = firstNonFinite(packet.data);
  if (bad < 0) return undefined;
  const seconds = (packet.startSample + Math.floor(bad / packet.channels)) / packet.sampleRate;
  return `emitted a ${describeNonFinite(packet.data[bad]!)} sample on "${port}" at ${seconds.toFixed(3)} s — its model or its input is broken there`;
}
