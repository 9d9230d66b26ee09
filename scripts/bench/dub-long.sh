#!/usr/bin/env bash
# Long face videos streamed under the speech (issue 19): pipelines/lipsync.yaml on a 1280×720
# 25 fps face video as long as the speech, 30 s against 10 min (or the lengths given), at
# chunking.seconds 5 and 2 — peak RSS, wall time, output frames against speech × fps, and the
# video and audio streams' ends in the mp4 (A/V sync). Then the `--profile fast` dub of the
# sample video scaled to 720p, with the long script: its real-time factor and busiest stage.
#   scripts/bench/dub-long.sh [SECONDS...]      (default: 30 600; needs node, the project built)
# Environment: SIZE (default 1280:720), CHUNKS (default "5 2"), EXTRA (more reel flags, e.g.
# "--set stages.lipsync.concurrency=8"), DUB=0 to skip the dub.
set -euo pipefail
cd "$(dirname "$0")/../.."
lengths=("${@:-30 600}")
read -r -a lengths <<<"${lengths[*]}"
size=${SIZE:-1280:720}
read -r -a chunks <<<"${CHUNKS:-5 2}"
read -r -a extra <<<"${EXTRA:-}"
ff=$(node -e "console.log(require('@ffmpeg-installer/ffmpeg').path)")
fp=$(node -e "console.log(require('@ffprobe-installer/ffprobe').path)")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
echo "cores $(nproc), memory $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), node $(node --version)"

stream_end() { # seconds where the stream of type $2 ends in $1
  "$fp" -v error -select_streams "$2" -show_entries stream=duration -of csv=p=0 "$1"
}
packets() { "$fp" -v error -select_streams v -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$1"; }

printf '%-8s %-6s %10s %10s %8s %9s %10s %10s\n' speech chunk wall_s peak_MiB frames expected video_end audio_end
for s in "${lengths[@]}"; do
  "$ff" -v error -y -stream_loop -1 -i samples/dub/talk/video.mp4 -t "$s" -vf "scale=$size" -an \
    -c:v libx264 -preset ultrafast -g 250 "$work/face-$s.mp4"
  "$ff" -v error -y -stream_loop -1 -i samples/talking-head/long/voice.wav -t "$s" -ar 16000 "$work/speech-$s.wav"
  for c in "${chunks[@]}"; do
    out="$work/out-$s-$c"
    node bin/reel.js run pipelines/lipsync.yaml --out "$out" --metrics "$out.json" --set chunking.seconds=$c \
      --input speech="$work/speech-$s.wav" --input video="$work/face-$s.mp4" "${extra[@]}" >"$out.log" 2>&1 ||
      { tail -5 "$out.log"; exit 1; }
    read -r wall peak < <(node -e "const m=require('$out.json');console.log((m.wallMs/1000).toFixed(1), Math.round(m.peakRssBytes/2**20))")
    printf '%-8s %-6s %10s %10s %8s %9s %10s %10s\n' "$s" "$c" "$wall" "$peak" "$(packets "$out/synced.mp4")" \
      "$((s * 25))" "$(stream_end "$out/synced.mp4" v)" "$(stream_end "$out/synced.mp4" a)"
    grep -E '^video: [0-9]+×' "$out.log" | head -1 || true
    grep -E '^core budget, measured' "$out.log" | tail -1 || true
  done
done

[ "${DUB:-1}" = 0 ] && exit 0
# The fast dub at 720p: the sample video scaled, the long script (about 31 s of speech).
"$ff" -v error -y -i samples/dub/talk/video.mp4 -vf scale=1280:720 -c:v libx264 -preset ultrafast -c:a copy "$work/dub-720.mp4"
node bin/reel.js run pipelines/dub.yaml --profile fast --out "$work/dub" --metrics "$work/dub.json" \
  --input video="$work/dub-720.mp4" --input script=samples/talking-head/long/script.txt >"$work/dub.log" 2>&1 ||
  { tail -5 "$work/dub.log"; exit 1; }
node -e "const m=require('$work/dub.json');console.log('dub --profile fast 720p: '+m.mediaSeconds.toFixed(1)+' s of speech in '+(m.wallMs/1000).toFixed(1)+' s (RTF '+(m.wallMs/1000/m.mediaSeconds).toFixed(2)+'), start-up '+(m.startupMs/1000).toFixed(1)+' s, peak '+Math.round(m.peakRssBytes/2**20)+' MiB; busiest '+m.bottleneck)"
grep -E '^(core budget, measured|done in)' "$work/dub.log"
