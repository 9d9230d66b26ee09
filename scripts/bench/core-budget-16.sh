#!/usr/bin/env bash
# The issue-12 figures on a quiet many-core machine (the GPU host's 16 CPU cores): voice-convert on a
# 600 s recording and talking-head on samples/talking-head/long with the medium face (both profiles),
# each as the default run (core budget) and as sequential runs at intra-op 1, 2, 4 and 16 threads.
# Prints one line per run: name, wall s, user+sys CPU s, start-up s, efficiency, budget; writes the
# metrics files and a `reel bench` report under $OUT (or ./out/core-budget).
# Run from the project root with node and a built dist/ (npm run build).
set -euo pipefail
out=${OUT:-out/core-budget}; mkdir -p "$out"
ffmpeg=$(node -e "console.log(require('@ffmpeg-installer/ffmpeg').path)")
seconds=${VC_SECONDS:-600}   # VC_SECONDS=20 QUICK=1 for a try-out of the script itself
clip="$out/voice-${seconds}s.wav"
[ -f "$clip" ] || "$ffmpeg" -loglevel error -stream_loop -1 -i samples/talking-head/long/voice.wav -t "$seconds" -ar 16000 -ac 1 "$clip"
threads() { echo "defaults.threads={intraOp: $1, interOp: 1, spinning: false}"; }

# shellcheck source=timed-run.sh
source "$(dirname "$0")/timed-run.sh"

vc=(pipelines/voice-convert.yaml --input "audio=$clip")
th=(pipelines/talking-head.yaml --input script=samples/talking-head/long/script.txt
  --input voice=samples/talking-head/long/voice.wav --input face=samples/talking-head/medium/face.mp4)

one warmup-vc "${vc[@]}" --mode sequential                # builds the reference models once
[ -n "${QUICK:-}" ] || one warmup-th "${th[@]}" --mode sequential
for round in 1 2; do one "vc-default-$round" "${vc[@]}"; done
read -ra seq_threads <<< "${SEQ_THREADS-1 2 4 16}"   # SEQ_THREADS="" : default runs only
for n in "${seq_threads[@]}"; do one "vc-seq-intra$n" "${vc[@]}" --mode sequential --set "$(threads $n)"; done
[ -n "${QUICK:-}" ] && exit 0
for profile in default fast; do
  p=(); [ "$profile" = fast ] && p=(--profile fast)
  for round in 1 2; do one "th-$profile-default-$round" "${th[@]}" "${p[@]}"; done
  for n in "${seq_threads[@]}"; do
    one "th-$profile-seq-intra$n" "${th[@]}" "${p[@]}" --mode sequential --set "$(threads $n)"
  done
done
node scripts/bench/worker-ready.mjs content-encoder,rvc 5
node bin/reel.js bench pipelines/voice-convert.yaml --input "audio=$clip" --clip-seconds 30,120,600 \
  --csv "$out/bench.csv" --html "$out/bench.html" > "$out/bench.log" 2>&1 || tail -3 "$out/bench.log"
rm -f "$clip"
