/**
 * Reading ffmpeg's stderr for the reason it failed, and saying it in reel's words. ffmpeg ends a
 * failure with generic lines ("Conversion failed!", "Invalid data found when processing input")
 * after the specific one ("moov atom not found"), so the specific line is preferred.
 */
import { MediaError } from '../core/errors.ts';

const NOISE = [
  /^Conversion failed!?$/,
  /^To ignore this, add a trailing '\?' to the map\.$/,
  /^Exiting normally/,
  /^\s*$/,
];

const GENERIC = /^(Invalid data found when processing input|Error while decoding stream.*|End of file)$/;

/** Lines of a demuxer that ran out of file; ffmpeg may still exit 0 after them. */
export const TRUNCATION = /partial file|truncat|moov atom not found|Input buffer exhausted/i;

/**
 * Drops what identifies the run rather than the problem: the `file:/abs/path: ` prefix (the
 * MediaError names the file already) and the ` @ 0x55…` context addresses.
 */
function tidy(line: string, urls: readonly string[]): string {
  let out = line.replace(/ @ 0x[0-9a-f]+\]/g, ']');
  for (const url of urls) out = out.split(`${url}: `).join('');
  return out.trim();
}

/** ffmpeg's own reason for a failure: its last meaningful stderr line, made readable. */
export function ffmpegReason(stderrLines: readonly string[], urls: readonly string[] = []): string | undefined {
  const lines = stderrLines.map((l) => tidy(l, urls)).filter((l) => !NOISE.some((re) => re.test(l)));
  if (lines.length === 0) return undefined;
  const last = lines[lines.length - 1];
  if (!GENERIC.test(last)) return last;
  for (let i = lines.length - 2; i >= 0; i--) {
    const specific = lines[i].replace(/^\[[^\]]*\] /, '');
    if (!GENERIC.test(specific)) return lines[i];
  }
  return last;
}

export type StreamKind = 'audio' | 'video';

/** What went wrong, in the user's terms, from ffmpeg's (or ffprobe's) stderr. */
export function describeFailure(stderrLines: readonly string[], wanted?: StreamKind): string {
  const text = stderrLines.join('\n');
  if (/matches no streams|does not contain any stream|Output file #0 does not contain/i.test(text)) {
    return wanted ? `has no ${wanted} stream` : 'has no stream of the kind asked for';
  }
  if (/No such file or directory/.test(text)) return 'file not found';
  if (/Permission denied/.test(text)) return 'permission denied';
  if (TRUNCATION.test(text)) return 'file is truncated or incomplete';
  if (
    /Decoder \(codec .*\) not found|unknown codec|codec not currently supported|Unsupported codec|no decoder|Could not find codec parameters/i.test(
      text,
    )
  ) {
    return 'unsupported codec (this ffmpeg cannot decode it)';
  }
  if (/Invalid data found when processing input|could not find corresponding|Invalid argument/i.test(text)) {
    return 'not a media file ffmpeg can read (or it is corrupt)';
  }
  return 'ffmpeg failed on it';
}

/** The MediaError for a failed ffmpeg/ffprobe run over `file`. */
export function mediaErrorFrom(
  file: string,
  stderrLines: readonly string[],
  options: { wanted?: StreamKind; urls?: readonly string[] } = {},
): MediaError {
  return new MediaError(file, describeFailure(stderrLines, options.wanted), {
    ffmpegReason: ffmpegReason(stderrLines, options.urls),
  });
}
