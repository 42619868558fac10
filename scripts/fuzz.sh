#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, one per parser) in build-fuzz/ with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer, and runs each on a scratch copy of its committed seed corpus
# (fuzz/corpus/<target>/ stays as committed):
#   scripts/fuzz.sh --seconds 60              each target for a bounded minute (what CI runs)
#   scripts/fuzz.sh --runs 1000000            each target for a million inputs
#   scripts/fuzz.sh --runs 1000000 idx cli    only these targets (idx, cifar10, safetensors, cli)
# Prints per target: inputs executed, seconds, executions per second, coverage (edges) and
# features, crashes, and what the harness measured (largest allocation, how many inputs each
# reader accepted). Exits non-zero on any crash, sanitizer report, leak, timeout or harness
# check; the failing input is saved in build-fuzz/findings/<target>/ and the whole log in
# build-fuzz/fuzz-runs/<target>.log (both start empty on every run: keep what you need first).
# Reproduce with: build-fuzz/fuzz/fuzz_<target> <input file>
# Under CI (CI=true) compiler warnings are errors, as in scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/fuzz.sh (--seconds N | --runs N) [target ...]" >&2
  exit 2
}
limit=()
targets=()
while (($#)); do
  case "$1" in
    --seconds) [[ $# -ge 2 ]] || usage; limit=(-max_total_time="$2"); shift 2 ;;
    --runs) [[ $# -ge 2 ]] || usage; limit=(-runs="$2"); shift 2 ;;
    idx | cifar10 | safetensors | cli) targets+=("$1"); shift ;;
    *) usage ;;
  esac
done
((${#limit[@]})) || usage
((${#targets[@]})) || targets=(idx cifar10 safetensors cli)

# libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes for Debian's clang 14.
scripts/setup.sh clang libclang-rt-14-dev

build_dir=build-fuzz
# -O1 -g without -DNDEBUG: readable stacks, and the asserts in header libraries (nlohmann-json)
# stay on. Only the fuzz targets and the library are built.
cmake_args=(-DCMAKE_CXX_COMPILER=clang++ -DEMBER_FUZZ=ON -DEMBER_GEMM=eigen -DEMBER_BUILD_TESTS=OFF
            -DEMBER_BUILD_BENCH=OFF -DEMBER_BUILD_EXAMPLES=OFF -DEMBER_BUILD_TOOLS=OFF
            -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g")
if [[ "${CI:-}" == "true" ]]; then cmake_args+=(-DEMBER_WERROR=ON); fi
cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

# Leaks are reports too; halt at the first one of anything.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
runs_dir=$build_dir/fuzz-runs
summary=()
failed=0
for t in "${targets[@]}"; do
  corpus=$runs_dir/$t/corpus
  findings=$build_dir/findings/$t
  log=$runs_dir/$t.log
  rm -rf "$runs_dir/$t" "$findings"
  mkdir -p "$corpus" "$findings"
  cp fuzz/corpus/"$t"/* "$corpus"/
  dict=()
  if [[ -f fuzz/dict/$t.dict ]]; then dict=(-dict=fuzz/dict/"$t".dict); fi
  echo "== fuzz_$t ${limit[*]}"
  start=$(date +%s%N)
  status=0
  # One process, one job (the machine is shared); a slow input (25 s) counts as a failure.
  "$build_dir"/fuzz/fuzz_"$t" "${limit[@]}" "${dict[@]}" -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$findings"/ "$corpus" >"$log" 2>&1 || status=$?
  seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.1f", ns / 1e9 }')
  inputs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  # Every artifact but a slow-unit (an input over 10 s, reported but not fatal) is a failure.
  crashes=$(find "$findings" -type f ! -name 'slow-unit-*' | wc -l)
  grep '^==ember-fuzz==' "$log" | sed 's/^==ember-fuzz== /  /' || true
  if ((status != 0 || crashes != 0)); then
    failed=1
    echo "  FAILED (exit $status): the report is in $log, the input in $findings/" >&2
    grep -m2 -E 'ERROR|runtime error|==ember-fuzz== FAIL' "$log" >&2 || true
  fi
  if ((status != 0 && crashes == 0)); then crashes=1; fi
  line=$(printf '%-12s inputs %9s  seconds %6s  exec/s %6s  %-20s crashes %s' "$t" "${inputs:-?}" "$seconds" \
    "${per_second:-?}" "${coverage:-cov: ?}" "$crashes")
  summary+=("$line")
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
