/**
 * Speech segments from per-frame speech probabilities, by silero-vad's own rule
 * (`get_speech_timestamps`): speech starts at a frame ≥ `threshold`; once below `negThreshold`
 * (threshold − 0.15) for `minSilence` samples it ends where the silence began; segments shorter
 * than `minSpeech` are dropped; each kept segment is padded by `pad` on both sides (overlaps merge).
 * Frames arrive one at a time.
 * Positions are 16 kHz sample indices of the clip.
 */
export interface GateRule {
  threshold: number;
  negThreshold: number;
  minSpeech: number;
  minSilence: number;
  pad: number;
}

export type Span = readonly [start: number, end: number];

export class SpeechGate {
  /** Closed segments, before padding. */
  private readonly closed: [number, number][] = [];
  private start: number | undefined;
  private silenceFrom: number | undefined;
  /** End of the last frame pushed. */
  position = 0;

  constructor(private readonly rule: GateRule) {}

  /** The frame [at, at + length) had speech probability `p`. */
  push(p: number, at: number, length: number): void {
    const { threshold, negThreshold, minSilence } = this.rule;
    if (p >= threshold) {
      this.silenceFrom = undefined;
      this.start ??= at;
    } else if (p < negThreshold && this.start !== undefined) {
      this.silenceFrom ??= at;
      if (at - this.silenceFrom >= minSilence) this.close(this.silenceFrom);
    }
    this.position = at + length;
  }

  /** The clip ended at `end`: an open segment ends there. */
  finish(end: number): void {
    if (this.start !== undefined) this.close(end);
  }

  private close(end: number): void {
    if (end - this.start! > this.rule.minSpeech) this.closed.push([this.start!, end]);
    this.start = undefined;
    this.silenceFrom = undefined;
  }

  /**
   * Speech known so far, padded and merged: the closed segments, and an open one that is already
   * long enough to keep (it runs on past `position`; `openUntil` stands for its end).
   */
  spans(openUntil: number): Span[] {
    const raw: [number, number][] = [...this.closed];
    if (this.start !== undefined && this.position - this.start > this.rule.minSpeech) raw.push([this.start, openUntil]);
    const out: [number, number][] = [];
    for (const [s, e] of raw) {
      const a = Math.max(0, s - this.rule.pad);
      const b = e + this.rule.pad;
      const last = out[out.length - 1];
      if (last && a <= last[1]) last[1] = Math.max(last[1], b);
      else out.push([a, b]);
    }
    return out;
  }
}

/** `spans` cut to [from, to). */
export function clipSpans(spans: readonly Span[], from: number, to: number): Span[] {
  const out: Span[] = [];
  for (const [s, e] of spans) {
    const a = Math.max(s, from);
    const b = Math.min(e, to);
    if (b > a) out.push([a, b]);
  }
  return out;
}
