# Sourced by the benchmark scripts: `one NAME ARGS…` runs `reel run ARGS…` into $out/NAME (the media
# removed after), and prints one line: name, wall s, user+sys CPU s, start-up s, run s, efficiency,
# peak RSS and the estimate, and the core budget. With PIN set (taskset's list, e.g. 0,1) the run is
# pinned to those cores; Node's availableParallelism follows the affinity, so the budget sees them.
# Each run measures its stages afresh unless the caller says otherwise (cost-memory.ts: a run
# remembers its stages' costs, and the next one would start from them).
export REEL_REMEMBER_COSTS=${REEL_REMEMBER_COSTS-0}
one() {
  local name=$1; shift
  local t0 t1 cpu0 cpu1
  # This shell's own pid ($$ is the parent's when `one … | cut` runs it in a subshell): its children's CPU.
  local me=$BASHPID
  cpu0=$(awk '{print $14+$15+$16+$17}' /proc/$me/stat)
  t0=$(date +%s.%N)
  ${PIN:+taskset -c "$PIN"} node bin/reel.js run "$@" --out "$out/$name" --metrics "$out/$name.json" --trace "$out/$name.trace.json" \
    > /dev/null 2> "$out/$name.log" \
    || { echo "$name FAILED"; tail -3 "$out/$name.log"; return; }
  t1=$(date +%s.%N)
  cpu1=$(awk '{print $14+$15+$16+$17}' /proc/$me/stat)
  rm -rf "${out:?}/$name" # the media written; the metrics and the log stay
  node -e '
    const m = require(process.argv[1]);
    const [name, wall, cpu] = process.argv.slice(2);
    console.log([name, "wall", (+wall).toFixed(2), "cpu", (+cpu).toFixed(2), "startup", (m.startupMs / 1000).toFixed(2),
      "run", (m.wallMs / 1000).toFixed(2), "eff", m.efficiency, "rss_mib", (m.processPeakRssBytes / 2 ** 20).toFixed(0),
      "est_mib", (m.memoryEstimateBytes / 2 ** 20).toFixed(0), "|", m.budget].join(" "));
  ' "$(realpath "$out/$name.json")" "$name" "$(awk "BEGIN{print $t1 - $t0}")" "$(awk "BEGIN{print ($cpu1 - $cpu0) / $(getconf CLK_TCK)}")"
}
