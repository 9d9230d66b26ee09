/**
 * chunking.splitAt: vad on the real Silero VAD v5: a recording of espeak-ng speech with one noisy
 * pause near each grid point (off the grid by up to 1.1 s). Each cut lands inside its pause, and the
 * cuts do not depend on how the stream arrives. The quietest point (RVC's rule) is the control: the
 * pauses are noise louder than the gaps between words, so it cuts inside speech — the case the
 * pause rule exists for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkAudioStream, chunkGeometry, pauseRule, type CutRule } from '../../../src/chunking/index.ts';
import { vad } from '../../../stages/vad/index.ts';
import { openSpeechProbe, type OpenedProbe } from '../../../stages/vad/speech-probe.ts';
import { speak } from '../../helpers/espeak.ts';
import { testContext } from '../../helpers/stage-harness.ts';

const RATE = 22050;
const CHANNELS = 2;
const CHUNK_SECONDS = 4;
const SEARCH_SECONDS = 1.5;
/** Where each pause's middle sits relative to its grid point, seconds. */
const OFFSETS = [0.9, -1.1, 0.2, -0.5, 1.0];
const PAUSE_SECONDS = 0.6;

let dir: string;
let probe: OpenedProbe;
/** Interleaved stereo at RATE. */
let clip: Float32Array;
/** The placed pauses, units. */
const pauses: [number, number][] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reel-pause-cuts-'));
  const speech = speak(
    'Long recordings are cut into chunks so that memory stays flat. A cut that falls in the middle of a word ' +
      'leaves a seam that a listener can hear, so the chunker looks for a pause near each point of its grid. ' +
      'The quietest point is not always a pause: background noise between sentences can be louder than the ' +
      'short gaps between words, and then the quietest point lies inside the speech.',
    { dir, rate: RATE, wordsPerMinute: 165 },
  );
  const total = Math.round((OFFSETS.length + 1) * CHUNK_SECONDS * RATE);
  const mono = new Float32Array(total);
  let s = 12345;
  let read = 0;
  let at = 0;
  const fillSpeech = (until: number) => {
    for (; at < until; at++, read++) mono[at] = speech[read % speech.length];
  };
  for (const [k, offset] of OFFSETS.entries()) {
    const middle = Math.round(((k + 1) * CHUNK_SECONDS + offset) * RATE);
    const from = middle - Math.round((PAUSE_SECONDS / 2) * RATE);
    const to = from + Math.round(PAUSE_SECONDS * RATE);
    fillSpeech(from);
    for (; at < to; at++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      mono[at] = (s / 2 ** 32 - 0.5) * 0.06;
    }
    pauses.push([from, to]);
  }
  fillSpeech(total);
  clip = new Float32Array(total * CHANNELS);
  for (let i = 0; i < total; i++) {
    clip[2 * i] = mono[i];
    clip[2 * i + 1] = 0.8 * mono[i];
  }
  probe = await openSpeechProbe(testContext(vad));
}, 60_000);

afterAll(async () => {
  await probe?.release();
  rmSync(dir, { recursive: true, force: true });
});

const geometry = chunkGeometry({
  chunkUnits: CHUNK_SECONDS * RATE,
  searchUnits: Math.round(SEARCH_SECONDS * RATE),
  silenceWindowUnits: Math.round(RATE / 100),
});

/** The cuts of a streamed pass in blocks of `block` units. */
async function cuts(rule: CutRule | undefined, block: number): Promise<number[]> {
  function* blocks() {
    for (let at = 0; at < clip.length; at += block * CHANNELS) yield clip.slice(at, at + block * CHANNELS);
  }
  const out: number[] = [];
  for await (const packet of chunkAudioStream(blocks(), {
    geometry,
    clipId: 'c',
    sampleRate: RATE,
    channels: CHANNELS,
    cutRule: rule,
  }))
    if (!packet.chunk.last) out.push(Math.round(packet.chunk.end * RATE));
  return out;
}

const inPause = (cut: number, [from, to]: [number, number]) => cut >= from && cut <= to;

describe('chunking.splitAt: vad', () => {
  it('cuts inside the pause near each grid point, however the stream arrives', async () => {
    const rule = pauseRule({ geometry, sampleRate: RATE, channels: CHANNELS, probe: probe.probe });
    const found = await cuts(rule, 4096);
    expect(found).toHaveLength(OFFSETS.length);
    found.forEach((cut, k) => expect(inPause(cut, pauses[k]), `cut ${k} at ${cut} in ${pauses[k]}`).toBe(true));
    expect(rule.counts).toEqual({ pauses: OFFSETS.length, quietest: 0 });
    const other = pauseRule({ geometry, sampleRate: RATE, channels: CHANNELS, probe: probe.probe });
    expect(await cuts(other, 777)).toEqual(found);
  }, 60_000);

  it('the quietest point, on the same recording, cuts inside speech (the control)', async () => {
    const found = await cuts(undefined, 4096);
    expect(found).toHaveLength(OFFSETS.length);
    expect(found.filter((cut, k) => !inPause(cut, pauses[k])).length).toBeGreaterThanOrEqual(3);
  });
});
