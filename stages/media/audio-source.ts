/**
 * audio-source: decodes the bound file (audio, or a video's first audio stream) to Float32 PCM at
 * the file's rate (or `sampleRate`), down-mixed to `channels`, and cuts it into chunks on the
 * pipeline grid with no context: chunk k owns samples [start·r, end·r), the chunks tile the clip
 * exactly, and each boundary is moved to the quietest point within ± `silenceSearchSeconds`
 * (RVC's rule) on a multiple of the consumers' granularity. Decoding is pulled: ffmpeg is paused
 * while the runtime does not ask for the next chunk. Consumers that want the input whole get it
 * as one packet.
 */
import { MediaError } from '../../src/core/errors.ts';
import type { PortPacket, SourceInstance, StageCreateContext } from '../../src/core/stage.ts';
import { chunkAudioStream, chunkGeometry, pauseRule, type ChunkGeometry } from '../../src/chunking/index.ts';
import { decodeAudio, probe, shortDecodeNote, truncatedWavError } from '../../src/media/index.ts';
import { formatSeconds, granuleUnits } from './grid.ts';
import type { AudioSourceOptions } from './sources.ts';
import { chunkInfo, pulledSource, requireInputPath, runClipId } from './source-input.ts';

/**
 * Longest input a stage may take whole (a voice prompt, a reference voice), seconds. Whole
 * inputs are held in memory by every consumer; a prompt is seconds long, so anything past this
 * is a wrongly wired recording rather than a prompt.
 */
export const WHOLE_AUDIO_MAX_SECONDS = 600;

// Decoded blocks of about 0.1–0.4 s: small next to a chunk, large enough to keep pipe overhead low.
const BLOCK_SAMPLES = 8192;

/**
 * The chunker's geometry for a source: chunks on the granule grid, with the silence search
 * narrowed where it would let a chunk shrink below one granule.
 */
export function sourceAudioGeometry(file: string, rate: number, ctx: StageCreateContext): ChunkGeometry {
  const chunking = ctx.chunking ?? { seconds: 10, silenceSearchSeconds: 0 };
  const granule = granuleUnits(file, ctx.granularitySeconds ?? 0, rate);
  const chunkUnits = Math.ceil(Math.max(1, Math.round(chunking.seconds * rate)) / granule) * granule;
  const searchUnits = Math.min(
    Math.floor(chunking.silenceSearchSeconds * rate + 1e-6),
    Math.floor((chunkUnits - granule) / 2),
  );
  return chunkGeometry({
    chunkUnits,
    granularityUnits: granule,
    searchUnits: Math.max(0, searchUnits),
    // RVC measures loudness over 10 ms (160 samples at 16 kHz).
    silenceWindowUnits: Math.max(1, Math.round(rate / 100)),
  });
}

function tooLong(file: string, seconds: number): MediaError {
  return new MediaError(
    file,
    `is ${formatSeconds(seconds)} long, but a stage here takes this input whole (a voice prompt or reference) and at most ` +
      `${formatSeconds(WHOLE_AUDIO_MAX_SECONDS)} is accepted; trim it (ffmpeg -i IN -t 30 OUT.wav) or bind a shorter file`,
  );
}

export async function createAudioSource(o: AudioSourceOptions, ctx: StageCreateContext): Promise<SourceInstance> {
  const file = requireInputPath(ctx);
  const info = await probe(file);
  if (!info.audio)
    throw new MediaError(
      file,
      `has no audio stream (found ${info.isImage ? 'a still image' : 'video only'}); bind a file with sound`,
    );
  const rate = o.sampleRate ?? info.audio.sampleRate;
  if (!(rate > 0)) throw new MediaError(file, "the audio stream has no sample rate; set the source's sampleRate");
  if (info.truncated) throw truncatedWavError(file, info.truncated);
  // What is read: the whole file, or its first maxSeconds.
  const fileSeconds = info.audio?.duration ?? info.duration;
  const duration =
    o.maxSeconds === null ? fileSeconds : fileSeconds === undefined ? undefined : Math.min(o.maxSeconds, fileSeconds);
  if (ctx.wholeInput && duration !== undefined && duration > WHOLE_AUDIO_MAX_SECONDS + 1) throw tooLong(file, duration);
  const clipId = runClipId(ctx);
  const channels = o.channels;
  const geometry = ctx.wholeInput ? undefined : sourceAudioGeometry(file, rate, ctx);
  const limit = o.maxSeconds === null ? Number.POSITIVE_INFINITY : Math.round(o.maxSeconds * rate) * channels;
  async function* blocks(): AsyncGenerator<Float32Array> {
    let values = 0;
    for await (const block of decodeAudio(file, {
      sampleRate: rate,
      channels,
      blockSamples: BLOCK_SAMPLES,
      signal: ctx.signal,
    })) {
      const kept = block.length <= limit - values ? block : block.subarray(0, limit - values);
      values += kept.length;
      if (kept.length > 0) yield kept;
      if (values >= limit) return; // ends the decode: its ffmpeg is stopped
    }
  }

  async function* whole(): AsyncGenerator<PortPacket> {
    const parts: Float32Array[] = [];
    let values = 0;
    for await (const block of blocks()) {
      values += block.length;
      // The container's duration can be missing or wrong; the decoded length is the truth.
      if (values / channels > (WHOLE_AUDIO_MAX_SECONDS + 1) * rate) throw tooLong(file, values / channels / rate);
      parts.push(block);
    }
    if (values === 0) throw new MediaError(file, 'decoded to no audio samples');
    const data = new Float32Array(values);
    let at = 0;
    for (const part of parts.splice(0)) {
      data.set(part, at);
      at += part.length;
    }
    const samples = values / channels;
    const note = shortDecodeNote(file, samples / rate, duration);
    if (note) ctx.log(note, 'warning');
    yield {
      port: 'audio',
      packet: {
        kind: 'audio',
        chunk: chunkInfo(clipId, 0, 0, samples / rate, true),
        sampleRate: rate,
        channels,
        startSample: 0,
        data,
      },
    };
  }

  async function* chunked(): AsyncGenerator<PortPacket> {
    let samples = 0;
    const pauses = ctx.chunking?.splitAt === 'vad' && geometry!.searchUnits > 0 ? await pauseCuts() : undefined;
    try {
      for await (const packet of chunkAudioStream(blocks(), {
        geometry: geometry!,
        clipId,
        sampleRate: rate,
        channels,
        cutRule: pauses?.rule,
        shared: true,
      })) {
        samples += packet.data.length / channels;
        // Said before the last chunk goes: the runtime pulls nothing after it.
        if (packet.chunk.last) {
          const note = shortDecodeNote(file, samples / rate, duration);
          if (note) ctx.log(note, 'warning');
          if (pauses) ctx.log(pauses.summary());
        }
        yield { port: 'audio', packet };
      }
    } finally {
      await pauses?.release();
    }
    if (samples === 0) throw new MediaError(file, 'decoded to no audio samples');
  }

  /** chunking.splitAt: vad — the cuts go to pauses found by Silero VAD. */
  async function pauseCuts() {
    const { openSpeechProbe } = await import('../vad/speech-probe.ts');
    const opened = await openSpeechProbe(ctx);
    const rule = pauseRule({ geometry: geometry!, sampleRate: rate, channels, probe: opened.probe });
    const summary = () => {
      const { pauses, quietest } = rule.counts;
      const cuts = pauses + quietest;
      return `chunking: ${pauses} of ${cuts} cut${cuts === 1 ? '' : 's'} in a pause (Silero VAD)${quietest ? `, ${quietest} at the quietest point (no pause within ±${formatSeconds(geometry!.searchUnits / rate)})` : ''}`;
    };
    return { rule, summary, release: opened.release };
  }

  const format = `${rate} Hz, ${channels} channel${channels === 1 ? '' : 's'}`;
  return { ...pulledSource(ctx.wholeInput ? whole : chunked), seconds: duration, format };
}
