/**
 * A compressed file cut short decodes without complaint up to the cut, while its container still
 * declares the full length (an MP3's Xing header, an MP4's moov). More than 1 s and 5% short is
 * worth a line: the output follows what decoded. (Bitrate-estimated durations are rougher than that.)
 */
export function shortDecodeNote(
  file: string,
  decodedSeconds: number,
  declaredSeconds: number | undefined,
): string | undefined {
  if (declaredSeconds === undefined || declaredSeconds - decodedSeconds <= Math.max(1, 0.05 * declaredSeconds))
    return undefined;
  return `${file}: decoded ${decodedSeconds.toFixed(3)} s of the ${declaredSeconds.toFixed(3)} s its container declares — the file may be truncated or damaged; the output follows what decoded`;
}
