#!/usr/bin/env bash
# Run the test suite N times in a row with a CPU hog busy beside it, and say which runs passed.
#
#   scripts/stress-suite.sh [N] [--hogs H] [-- command ...]
#
#   N        runs (default 5)
#   --hogs H busy-loop processes to start, each pinned to one core with taskset where it exists (default 1: one
#            core of a 2-core machine is gone for the whole time)
#   command  what to run each time (default: CI=true npm test, the README's test command as CI runs it), e.g.
#            `scripts/stress-suite.sh 5 -- npx jest --selectProjects realtime` for the real-time files alone
#
# Each run's output goes to $STRESS_LOG_DIR (default a fresh directory under /tmp), one file per run; the script
# prints one line per run (pass/FAIL, seconds, jest's summary line), kills the hogs it started (by pid) on exit, and
# exits 0 only when every run passed.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=5
hogs=1
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  runs=$1
  shift
fi
if [[ ${1:-} == --hogs ]]; then
  [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "stress-suite: --hogs needs a number" >&2; exit 2; }
  hogs=$2
  shift 2
fi
if [[ ${1:-} == -- ]]; then
  shift
  cmd=("$@")
elif [[ $# -gt 0 ]]; then
  echo "stress-suite: unknown argument '$1' (usage: scripts/stress-suite.sh [N] [--hogs H] [-- command ...])" >&2
  exit 2
else
  cmd=(env CI=true npm test)
fi
[[ ${#cmd[@]} -gt 0 ]] || { echo "stress-suite: empty command after --" >&2; exit 2; }

logs=${STRESS_LOG_DIR:-$(mktemp -d /tmp/stress-suite.XXXXXX)}
mkdir -p "$logs"

hog_pids=()
stop_hogs() {
  for pid in "${hog_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${hog_pids[@]}"; do wait "$pid" 2>/dev/null; done
  hog_pids=()
}
trap stop_hogs EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cores=$(nproc)
for ((h = 0; h < hogs; h++)); do
  if command -v taskset >/dev/null; then
    taskset -c $((h % cores)) node -e 'for (;;) {}' &
  else
    node -e 'for (;;) {}' &
  fi
  hog_pids+=($!)
done
echo "stress-suite: $runs run(s) of '${cmd[*]}' beside $hogs CPU hog(s) (pids ${hog_pids[*]:-none}) on $cores cores; logs in $logs"

failed=0
for ((i = 1; i <= runs; i++)); do
  log="$logs/run-$i.log"
  start=$(date +%s)
  "${cmd[@]}" >"$log" 2>&1
  code=$?
  secs=$(($(date +%s) - start))
  summary=$(grep -E '^jest: ' "$log" | tail -1)
  if [[ $code -eq 0 ]]; then
    echo "run $i: pass (${secs} s) ${summary}"
  else
    failed=$((failed + 1))
    echo "run $i: FAIL exit $code (${secs} s) ${summary}; failing: $(grep -E '^(FAIL|  ●) ' "$log" | head -5 | tr '\n' ' ')"
  fi
done
echo "stress-suite: $((runs - failed)) of $runs run(s) passed"
[[ $failed -eq 0 ]]
