#!/usr/bin/env bash
# The issue-22 figures on the GPU host (an H200 reached through onnxruntime-node's WebGPU provider,
# Vulkan): set up as the header of ../shared/tools/gpu-host-bundle.sh says, then from the project
# root with node and a built dist/ (npm run build):
#   scripts/bench/webgpu-host.sh parity      doctor, then every model family on WebGPU against the CPU
#   scripts/bench/webgpu-host.sh pipelines   the three shipped pipelines (talking-head in both profiles),
#                                            --provider cpu and webgpu, pipelined and sequential
#   scripts/bench/webgpu-host.sh gpu         the same with each pipeline's gpu profile (WebGPU where it pays)
#   scripts/bench/webgpu-host.sh batch       clips/s of talking-head --profile fast at ~5, 10 and 30 s of
#                                            speech (reel batch, 4 clips each), cpu and webgpu
# Prints one line per run: name, wall s, start-up s, media s, GPU busy share, and per stage its
# compute and GPU time (s) and batch sizes; metrics, traces and logs stay under $OUT (./out/webgpu).
set -euo pipefail
out=${OUT:-out/webgpu}; mkdir -p "$out"
what=${1:-parity}

summary() { # metrics.json name
  node -e '
    const m = require(process.argv[1]);
    const s = m.stages.filter((x) => x.busyMs > 1).map((x) => `${x.stage}:${(x.busyMs / 1000).toFixed(2)}` +
      (x.gpu ? `(gpu ${(x.gpu.ms / 1000).toFixed(2)}, q ${(x.gpu.queuedMs / 1000).toFixed(2)}, ×${x.replicas}${Object.keys(x.gpu.batchSizes).some((b) => b !== "1") ? ` batches ${JSON.stringify(x.gpu.batchSizes)}` : ""})` : `(×${x.replicas})`));
    console.log([process.argv[2], "wall", (m.wallMs / 1000).toFixed(2), "startup", ((m.startupMs ?? 0) / 1000).toFixed(2),
      "media", m.mediaSeconds.toFixed(1), "gpu_busy", m.gpuBusy ?? "-", "|", ...s].join(" "));
  ' "$(realpath "$1")" "$2"
}

one() { # name, then reel run arguments
  local name=$1; shift
  if node bin/reel.js run "$@" --out "$out/$name" --metrics "$out/$name.json" --trace "$out/$name.trace.json" \
    > /dev/null 2> "$out/$name.log"; then
    summary "$out/$name.json" "$name"
  else
    echo "$name FAILED (exit $?)"; tail -3 "$out/$name.log"
  fi
}

th=(pipelines/talking-head.yaml --input script=samples/talking-head/long/script.txt
  --input voice=samples/talking-head/long/voice.wav --input face=samples/talking-head/medium/face.mp4)
t2v=(pipelines/text-to-video.yaml --input prompt=samples/text-to-video/a-lighthouse/prompt.txt)
ffmpeg=$(node -e "console.log(require('@ffmpeg-installer/ffmpeg').path)")
vc_clip="$out/voice-60s.wav"
[ -f "$vc_clip" ] || "$ffmpeg" -loglevel error -stream_loop -1 -i samples/talking-head/long/voice.wav -t 60 -ar 16000 -ac 1 "$vc_clip"
vc=(pipelines/voice-convert.yaml --input "audio=$vc_clip")

case "$what" in
parity)
  node bin/reel.js doctor || true
  node scripts/bench/webgpu-parity.mjs "${RUNS:-10}" "${CPU_THREADS:-8}"
  ;;
pipelines)
  for provider in cpu webgpu; do
    for mode in pipelined sequential; do
      one "th-default-$provider-$mode" "${th[@]}" --provider "$provider" --mode "$mode"
      one "th-fast-$provider-$mode" "${th[@]}" --profile fast --provider "$provider" --mode "$mode"
      one "t2v-$provider-$mode" "${t2v[@]}" --provider "$provider" --mode "$mode"
      one "vc60-$provider-$mode" "${vc[@]}" --provider "$provider" --mode "$mode"
    done
  done
  # Every GPU stage in use at once: the VALL-E X branch with replicas on all cores, twice in a row.
  for round in 1 2; do one "th-default-webgpu-all-$round" "${th[@]}" --provider webgpu --cores 16; done
  ;;
gpu)
  # The pipelines' gpu profiles: WebGPU on the stages where it pays, the CPU on the others.
  for mode in pipelined sequential; do
    one "th-default-gpu-$mode" "${th[@]}" --profile gpu --mode "$mode"
    one "th-fast-gpu-$mode" "${th[@]}" --profile fast,gpu --mode "$mode"
    one "t2v-gpu-$mode" "${t2v[@]}" --profile gpu --mode "$mode"
    one "vc60-gpu-$mode" "${vc[@]}" --profile gpu --mode "$mode"
  done
  # Wav2Lip's calls from its replicas stacked on the GPU thread.
  one "th-fast-gpu-lipsync-batch4" "${th[@]}" --profile fast,gpu --set 'stages.lipsync.batch={max: 4, delayMs: 2}'
  ;;
batch)
  # About 5, 10 and 30 s of speech: the first 22 and 44 words of the long script, and all 140.
  for length in 5 10 30; do
    folder="$out/samples-$length"; rm -rf "$folder"; mkdir -p "$folder"
    words=$(( length == 30 ? 1000 : length * 22 / 5 ))
    for i in 1 2 3 4; do
      mkdir -p "$folder/clip$i"
      tr -s ' \n' '  ' < samples/talking-head/long/script.txt | cut -d' ' -f1-"$words" > "$folder/clip$i/script.txt"
      cp samples/talking-head/long/voice.wav samples/talking-head/medium/face.mp4 "$folder/clip$i/"
    done
    for provider in cpu webgpu; do
      profile=fast; [ "$provider" = webgpu ] && profile=fast,gpu
      # One clip alone: its latency is the run's wall less start-up.
      one "th-fast-${length}s-$provider" pipelines/talking-head.yaml --profile "$profile" \
        --input "script=$folder/clip1/script.txt" --input "voice=$folder/clip1/voice.wav" --input "face=$folder/clip1/face.mp4"
      start=$(date +%s.%N)
      node bin/reel.js batch pipelines/talking-head.yaml "$folder" --profile "$profile" --out "$out/batch-$length-$provider" \
        --progress plain > "$out/batch-$length-$provider.log" 2>&1 \
        || { echo "batch $length $provider FAILED"; tail -3 "$out/batch-$length-$provider.log"; continue; }
      end=$(date +%s.%N)
      node -e '
        const { totals: t, samples } = require(process.argv[1]);
        const wall = +process.argv[3];
        const worst = Math.max(...samples.map((x) => x.wallMs ?? 0)) / 1000;
        console.log(`${process.argv[2]} done ${t.done}/${t.samples} batch ${t.wallS} s (process ${wall.toFixed(2)} s)`,
          `clips/s ${t.samplesPerS} media ${(t.mediaS / t.done).toFixed(1)} s per clip, RTF ${t.rtf}, slowest clip ${worst.toFixed(2)} s`);
      ' "$(realpath "$out/batch-$length-$provider/report.json")" "batch-$length-$provider" "$(awk "BEGIN{print $end - $start}")"
    done
  done
  ;;
*) echo "usage: $0 parity|pipelines|gpu|batch" >&2; exit 2 ;;
esac
