#!/usr/bin/env bash
# The real-architecture fixtures (test/fixtures/real-arch/) on the GPU host's WebGPU provider: each
# shipped pipeline with the families' own exported graphs swapped in, WebGPU first and the CPU as
# fallback. Prints, per run, its exit status and wall time and, per stage, the provider it got
# (a stage whose session WebGPU cannot make falls back to the CPU and says so; nodes WebGPU lacks
# run on the CPU inside a WebGPU session, as ONNX Runtime places them). Set up as the header
# of ../shared/tools/gpu-host-bundle.sh says, then from the project root with a built dist/:
#   scripts/bench/real-arch-gpu.sh        logs under $OUT (./out/real-arch-gpu)
set -uo pipefail
out=${OUT:-out/real-arch-gpu}; mkdir -p "$out"
F=$PWD/test/fixtures/real-arch
TH=samples/talking-head/short
talking=(pipelines/talking-head.yaml --input "script=$TH/script.txt" --input "voice=$TH/voice.wav" --input "face=$TH/face.png"
  --set stages.tts.options.maxLengthFactor=4)
gpu=(--set 'defaults.provider=[webgpu, cpu]' --verbose)

one() { # name, then reel run arguments
  local name=$1; shift
  node bin/reel.js run "$@" "${gpu[@]}" --out "$out/$name" > "$out/$name.log" 2>&1
  local rc=$?
  echo "$name: exit $rc; $(grep -h '^done in' "$out/$name.log")"
  grep -hi "provider" "$out/$name.log" | sed 's/^/    /' | sort -u
  [ "$rc" = 0 ] || tail -3 "$out/$name.log" | sed 's/^/  ! /'
}

one voice-convert-v1 pipelines/voice-convert.yaml --input "audio=$TH/voice.wav" \
  --set "stages.content.model=$F/content-encoder.onnx" --set "stages.convert.model=$F/rvc-v1.onnx"
one voice-convert-v2 pipelines/voice-convert.yaml --input "audio=$TH/voice.wav" --set "stages.convert.model=$F/rvc.onnx"
one talking-head "${talking[@]}" --set "stages.tts.model.ar=$F/vallex-ar.onnx" --set "stages.tts.model.nar=$F/vallex-nar.onnx" \
  --set "stages.tts.model.codec=$F/vallex-codec.onnx" --set "stages.faces.model=$F/face-detect.onnx" \
  --set "stages.lipsync.model=$F/wav2lip.onnx"
one talking-head-fast "${talking[@]}" --profile fast --set "stages.acoustic.model=$F/fastpitch.onnx" \
  --set "stages.vocoder.model=$F/hifigan.onnx" --set "stages.lipsync.model=$F/wav2lip.onnx"
one text-to-video pipelines/text-to-video.yaml --input prompt=samples/text-to-video/a-lighthouse/prompt.txt --profile fast \
  --set stages.denoiser.options.steps=4 --set "stages.encoder.model=$F/text-encoder.onnx" \
  --set "stages.denoiser.model=$F/dit.onnx" --set "stages.decoder.model=$F/vae.onnx"
