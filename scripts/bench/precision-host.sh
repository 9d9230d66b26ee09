#!/usr/bin/env bash
# The issue-20 figures (INT8 and FP16) on the GPU host: set up as the header of
# ../shared/tools/gpu-host-bundle.sh says, then from the project root with a built dist/:
#   scripts/bench/precision-host.sh models     medium models alone, 1 intra-op thread (precision-models.ts)
#   scripts/bench/precision-host.sh calibrate  hifigan and wav2lip (medium) calibrated on talking-head --profile fast's
#                                              own feeds, vallex-ar dynamic; each compared with float32 on recorded feeds
#   scripts/bench/precision-host.sh vallex     vallex-ar (medium) dynamic INT8 against float32 on talking-head's AR steps
#   scripts/bench/precision-host.sh pipeline   talking-head --profile fast (medium vocoder and lip-sync models),
#                                              fp32 against the calibrated int8 stages, REPEAT runs each
#   scripts/bench/precision-host.sh gpu        the same pipeline with --profile fast,gpu, fp32 against fp16
# Files go under $OUT (./out/precision); the variant cache under $OUT/variants.
set -euo pipefail
out=${OUT:-out/precision}; mkdir -p "$out"
export REEL_VARIANT_DIR=$out/variants
what=${1:-models}; repeat=${REPEAT:-3}
M=$PWD/models/build/medium
P=pipelines/talking-head.yaml
inputs=(--input script=samples/talking-head/long/script.txt --input voice=samples/talking-head/long/voice.wav
  --input face=samples/talking-head/medium/face.mp4)
fast=(--profile fast --set "stages.vocoder.model=$M/hifigan.onnx" --set "stages.lipsync.model=$M/wav2lip.onnx")

summary() { # metrics.json name
  node -e '
    const m = require(process.argv[1]);
    const s = m.stages.filter((x) => x.busyMs > 1).map((x) => `${x.stage}:${(x.busyMs / 1000).toFixed(2)}(×${x.replicas})`);
    console.log([process.argv[2], "wall", (m.wallMs / 1000).toFixed(2), "startup", ((m.startupMs ?? 0) / 1000).toFixed(2),
      "media", m.mediaSeconds.toFixed(1), "|", ...s].join(" "));
  ' "$(realpath "$1")" "$2"
}

one() { # name, then reel run arguments
  local name=$1; shift
  if node bin/reel.js run "$@" --out "$out/$name" --metrics "$out/$name.json" > "$out/$name.log" 2>&1; then
    summary "$out/$name.json" "$name"; grep -h "variant of" "$out/$name.log" | sort -u || true
  else
    echo "$name FAILED"; tail -3 "$out/$name.log"
  fi
}

vallex() { # dynamic INT8 of the AR model, compared on talking-head's own AR steps (all VALL-E X models medium)
  node bin/reel.js models quantize "$M/vallex-ar.onnx" --out "$out/vallex-ar.int8.onnx"
  node bin/reel.js models compare "$M/vallex-ar.onnx" "$out/vallex-ar.int8.onnx" --pipeline $P "${inputs[@]}" \
    --set "stages.tts.model={ar: $M/vallex-ar.onnx, nar: $M/vallex-nar.onnx, codec: $M/vallex-codec.onnx}" --runs 64
}

case $what in
  models) node node_modules/tsx/dist/cli.mjs scripts/bench/precision-models.ts "${REPS:-11}" ;;
  calibrate)
    node bin/reel.js models build --scale medium > /dev/null
    for m in hifigan:vocoder wav2lip:lipsync; do
      model=$M/${m%%:*}.onnx
      node bin/reel.js models quantize "$model" --out "$out/${m%%:*}.int8.onnx" --calibrate $P "${inputs[@]}" "${fast[@]}" --runs 16
      node bin/reel.js models compare "$model" "$out/${m%%:*}.int8.onnx" --pipeline $P "${inputs[@]}" "${fast[@]}" --runs 16
    done
    vallex
    ;;
  vallex) vallex ;;
  pipeline)
    int8=(--set stages.vocoder.precision=int8 --set "stages.vocoder.calibration=$(realpath "$out")/hifigan.int8.ranges.json"
      --set stages.lipsync.precision=int8 --set "stages.lipsync.calibration=$(realpath "$out")/wav2lip.int8.ranges.json")
    for r in $(seq "$repeat"); do
      one "fast-fp32-$r" $P "${inputs[@]}" "${fast[@]}"
      one "fast-int8-$r" $P "${inputs[@]}" "${fast[@]}" "${int8[@]}"
    done
    ;;
  gpu)
    gpu=(--profile fast,gpu --set "stages.vocoder.model=$M/hifigan.onnx" --set "stages.lipsync.model=$M/wav2lip.onnx")
    for r in $(seq "$repeat"); do
      one "gpu-fp32-$r" $P "${inputs[@]}" "${gpu[@]}"
      one "gpu-fp16-$r" $P "${inputs[@]}" "${gpu[@]}" --set stages.vocoder.precision=fp16 --set stages.lipsync.precision=fp16
    done
    ;;
  *) echo "usage: $0 models|calibrate|vallex|pipeline|gpu" >&2; exit 2 ;;
esac
