#!/usr/bin/env bash
# The issue-15 figures: text-to-video made window after window. One window (49 frames = 13 latent
# frames, the model's window) against 30 s at 8 fps (241 frames = 61 latent frames, 7 windows),
# pipelined (the VAE decodes window k while the DiT denoises window k + 1) and --mode sequential.
# Prints one line per run: name, wall s, peak RSS MiB, DiT and VAE compute s; checks the 30 s
# video's frames, size and fps with ffprobe. Run from the project root with a built dist/.
# STEPS (default 8) and SIZE (default 256x160) set the work per window; PROFILE (e.g. gpu) is passed on.
set -euo pipefail
out=${OUT:-out/t2v-windows}; mkdir -p "$out"
steps=${STEPS:-8}; size=${SIZE:-256x160}; profile=(${PROFILE:+--profile "$PROFILE"})
ffprobe=$(node -e "console.log(require('@ffprobe-installer/ffprobe').path)")
one() {
  local name=$1 frames=$2 mode=$3
  node bin/reel.js run pipelines/text-to-video.yaml --input prompt=samples/text-to-video/a-lighthouse/prompt.txt \
    "${profile[@]}" --out "$out/$name" --mode "$mode" --metrics "$out/$name.json" --trace "$out/$name.trace.json" \
    --set "stages.denoiser.options.frames=$frames" --set "stages.denoiser.options.steps=$steps" \
    --set "stages.denoiser.options.width=${size%x*}" --set "stages.denoiser.options.height=${size#*x}" \
    > /dev/null 2> "$out/$name.log" || { echo "$name FAILED"; tail -3 "$out/$name.log"; return; }
  node -e '
    const m = require(process.argv[1]);
    const busy = (id) => (m.stages.find((s) => s.stage === id)?.busyMs ?? 0) / 1000;
    console.log([process.argv[2], "wall", (m.wallMs / 1000).toFixed(2), "startup", (m.startupMs / 1000).toFixed(2),
      "rss_mib", (m.processPeakRssBytes / 2 ** 20).toFixed(0), "dit_s", busy("denoiser").toFixed(2),
      "vae_s", busy("decoder").toFixed(2)].join(" "));
  ' "$(realpath "$out/$name.json")" "$name"
}
one window-1 49 pipelined
one window-1-seq 49 sequential
one 30s 241 pipelined
one 30s-seq 241 sequential
"$ffprobe" -v error -count_frames -select_streams v:0 \
  -show_entries stream=nb_read_frames,width,height,r_frame_rate -of csv=p=0 "$out/30s/video.mp4" | sed 's/^/30s video: /'
