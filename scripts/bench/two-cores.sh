#!/usr/bin/env bash
# The issue-12 two-core figures on a quiet machine: voice-convert on a 60 s and a 600 s recording,
# pinned to two cores (taskset; Node's availableParallelism follows the affinity, so the core budget
# sees 2), as the default run and as sequential runs at intra-op 1 and 2. Prints one line per run:
# as scripts/bench/timed-run.sh prints it. Run from the project root with node and a built dist/.
#   CORES=0,1 ROUNDS=3 OUT=out/two-cores bash scripts/bench/two-cores.sh
set -euo pipefail
out=${OUT:-out/two-cores}; mkdir -p "$out"
export PIN=${CORES:-0,1}; rounds=${ROUNDS:-3}
ffmpeg=$(node -e "console.log(require('@ffmpeg-installer/ffmpeg').path)")
threads() { echo "defaults.threads={intraOp: $1, interOp: 1, spinning: false}"; }

# shellcheck source=timed-run.sh
source "$(dirname "$0")/timed-run.sh"

for seconds in 60 600; do
  clip="$out/voice-${seconds}s.wav"
  [ -f "$clip" ] || "$ffmpeg" -loglevel error -stream_loop -1 -i samples/talking-head/long/voice.wav -t "$seconds" -ar 16000 -ac 1 "$clip"
  vc=(pipelines/voice-convert.yaml --input "audio=$clip")
  one "warmup-$seconds" "${vc[@]}" --mode sequential
  for round in $(seq "$rounds"); do
    one "vc$seconds-default-$round" "${vc[@]}"
    for n in 1 2; do one "vc$seconds-seq-intra$n-$round" "${vc[@]}" --mode sequential --set "$(threads $n)"; done
  done
  rm -f "$clip"
done
