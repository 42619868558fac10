#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, one per parser: idx, cifar10, safetensors, cli) in
# build-fuzz/ with clang, AddressSanitizer and UndefinedBehaviorSanitizer, and runs them.
#
#   scripts/fuzz.sh --ci [target ...]       what CI runs (.ci/run): the same verdict on every run of
#                                           a commit. Two stages per target:
#     1. replay: every committed input once, each a file of its own: the seed corpus
#        (fuzz/corpus/<target>/) and the regressions (fuzz/regressions/<target>/, the inputs that
#        once found a bug);
#     2. a bounded mutation run from that corpus with a fixed seed (-seed=1) and a fixed number of
#        inputs (ci_runs below, 30-60 s per target on a 2-core machine), in one process, without
#        address-space randomization and with a fixed environment: libFuzzer then makes the same
#        inputs in the same order every time (see fixed_run below; the harnesses draw no random
#        numbers of their own, and -reload=0 leaves nothing to the clock). Two runs print the same
#        coverage and the same counts of accepted inputs.
#   scripts/fuzz.sh --replay [target ...]   stage 1 only: seconds, for checking a fix.
#   scripts/fuzz.sh --seconds 600 [target ...]  open-ended fuzzing, for developers: a random seed,
#   scripts/fuzz.sh --runs 1000000 [target ...] for N seconds or N inputs per target. Not in CI:
#                                           a random search finds a bug on some runs, not others.
# Mutation runs start from a scratch copy of the seed corpus plus the regressions (fuzz/ stays as
# committed; what libFuzzer adds goes to build-fuzz/fuzz-runs/<target>/corpus/).
#
# Prints per target: inputs executed, seconds, executions per second, coverage (edges) and
# features, crashes, and what the harness measured (largest allocation, how many inputs each
# reader accepted). Exits non-zero on any crash, sanitizer report, leak, timeout or harness
# check; the failing input is saved in build-fuzz/findings/<target>/ (a replayed one is already a
# file: the log names it) and the whole log in build-fuzz/fuzz-runs/<target>.log (replay:
# <target>.replay.log; all start empty on every run: keep what you need first).
# Reproduce with: build-fuzz/fuzz/fuzz_<target> <input file>
#
# A finding (a crash here, in CI or on a developer's machine) is fixed with a regression test in
# tests/, and its input goes into fuzz/regressions/<target>/ under a name that says what it is,
# so that every later run replays it (fuzz/regressions/README.md).
# Under CI (CI=true) compiler warnings are errors, as in scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# Inputs per target in CI's mutation stage, measured to take 30-60 s each on the project's 2-core
# machine (2026-12-02, one core, warm build): see docs/RELIABILITY.md.
declare -A ci_runs=([idx]=1000000 [cifar10]=1000000 [safetensors]=100000 [cli]=10000)

usage() {
  echo "usage: scripts/fuzz.sh (--ci | --replay | --seconds N | --runs N) [target ...]" >&2
  echo "       targets: idx cifar10 safetensors cli (default: all)" >&2
  exit 2
}
mode=
limit=()
targets=()
while (($#)); do
  case "$1" in
    --ci | --replay) [[ -z $mode ]] || usage; mode=${1#--}; shift ;;
    --seconds | --runs)
      [[ -z $mode && $# -ge 2 && $2 =~ ^[0-9]+$ ]] || usage
      mode=open
      if [[ $1 == --seconds ]]; then limit=(-max_total_time="$2"); else limit=(-runs="$2"); fi
      shift 2 ;;
    idx | cifar10 | safetensors | cli) targets+=("$1"); shift ;;
    *) usage ;;
  esac
done
[[ -n $mode ]] || usage
((${#targets[@]})) || targets=(idx cifar10 safetensors cli)

# libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes for Debian's clang 14.
scripts/setup.sh clang libclang-rt-14-dev

build_dir=build-fuzz
# -O1 -g1 without -DNDEBUG: readable stacks (line tables give file:line in every frame; full debug
# information only a debugger needs), and the asserts in header libraries (nlohmann-json) stay on.
# Only the fuzz targets and the library are built.
cmake_args=(-DCMAKE_CXX_COMPILER=clang++ -DEMBER_FUZZ=ON -DEMBER_GEMM=eigen -DEMBER_BUILD_TESTS=OFF
            -DEMBER_BUILD_BENCH=OFF -DEMBER_BUILD_EXAMPLES=OFF -DEMBER_BUILD_TOOLS=OFF
            -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1")
if [[ "${CI:-}" == "true" ]]; then cmake_args+=(-DEMBER_WERROR=ON); fi
cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

# Leaks are reports too; halt at the first one of anything.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
runs_dir=$build_dir/fuzz-runs
summary=()
failed=0

# What makes a fixed seed give fixed inputs: libFuzzer's choices also depend on addresses (it
# mutates with the values the code compares, addresses among them, and code that orders or hashes
# by address takes other branches, i.e. other coverage), so whatever moves addresses between two
# runs makes them drift apart (within 30,000 inputs, here; -use_cmp=0 alone does not prevent it):
# address-space randomization, which setarch -R turns off for the fuzzer's process, and the size
# of the environment, which shifts the stack (the fuzzer gets a fixed one).
fixed_run=()
if [[ $mode == ci ]]; then
  fixed_run=(env -i PATH=/usr/bin:/bin "ASAN_OPTIONS=$ASAN_OPTIONS" "UBSAN_OPTIONS=$UBSAN_OPTIONS")
  personality=$(setarch "$(uname -m)" -R cat /proc/self/personality 2>/dev/null || true)
  # 0x0040000: ADDR_NO_RANDOMIZE, set if setarch could set it.
  if [[ $personality =~ ^[0-9a-f]+$ ]] && (((16#$personality & 0x0040000) != 0)); then
    fixed_run+=(setarch "$(uname -m)" -R)
  else
    echo "warning: address-space randomization cannot be turned off here (setarch -R), so two" \
      "runs of the fixed-seed stage may try different inputs" >&2
  fi
fi

# The committed inputs of target $1, one path a line, sorted (the replay's order).
committed_inputs() {
  find fuzz/corpus/"$1" fuzz/regressions/"$1" -type f 2>/dev/null | LC_ALL=C sort
}

# Stage 1: each committed input once. Given files rather than folders, libFuzzer runs each as it
# is (no size cap, no mutation) and stops at the first failure.
replay() {
  local t=$1
  local log=$runs_dir/$t.replay.log inputs status=0
  mapfile -t inputs < <(committed_inputs "$t")
  local regressions
  regressions=$(printf '%s\n' "${inputs[@]}" | grep -c '^fuzz/regressions/' || true)
  echo "== fuzz_$t: replay ${#inputs[@]} committed inputs" \
    "($((${#inputs[@]} - regressions)) seeds, $regressions regressions)"
  rm -f "$log"
  mkdir -p "$runs_dir"
  local start
  start=$(date +%s%N)
  "$build_dir"/fuzz/fuzz_"$t" -seed=1 -timeout=25 "${inputs[@]}" >"$log" 2>&1 || status=$?
  local seconds executed
  seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.1f", ns / 1e9 }')
  executed=$(grep -c '^Executed ' "$log" || true)
  grep '^==ember-fuzz== inputs' "$log" | sed 's/^==ember-fuzz== /  /' || true
  local failures=0
  if ((status != 0 || executed != ${#inputs[@]})); then
    failures=1
    failed=1
    echo "  FAILED (exit $status) on $(sed -n 's/^Running: //p' "$log" | tail -1):" \
      "the report is in $log" >&2
    grep -m2 -E 'ERROR|runtime error|==ember-fuzz== FAIL' "$log" >&2 || true
  fi
  summary+=("$(printf '%-12s replay  inputs %9s of %-4s seconds %6s  failures %s' "$t" "$executed" \
    "${#inputs[@]}" "$seconds" "$failures")")
}

# Stage 2 (and open-ended fuzzing): libFuzzer's own loop, from a scratch copy of the committed
# inputs, with the limits in "$@". Runs as a background job beside the other targets' (see below):
# what it prints goes to $runs_dir/$t.out, its summary line to $runs_dir/$t.summary, and it
# returns non-zero on a failure.
mutate() {
  local t=$1
  shift
  local corpus=$runs_dir/$t/corpus findings=$build_dir/findings/$t log=$runs_dir/$t.log
  rm -rf "${runs_dir:?}/$t" "$findings"
  mkdir -p "$corpus" "$findings"
  cp fuzz/corpus/"$t"/* "$corpus"/
  if [[ -d fuzz/regressions/$t ]]; then
    for f in fuzz/regressions/"$t"/*; do cp "$f" "$corpus/regression-${f##*/}"; done
  fi
  local dict=()
  if [[ -f fuzz/dict/$t.dict ]]; then dict=(-dict=fuzz/dict/"$t".dict); fi
  echo "== fuzz_$t $*"
  local start status=0
  start=$(date +%s%N)
  # One process, one job (the machine is shared, and one process is what makes a fixed seed give
  # fixed inputs); a slow input (25 s) counts as a failure.
  "${fixed_run[@]}" "$build_dir"/fuzz/fuzz_"$t" "$@" "${dict[@]}" -timeout=25 -reload=0 \
    -print_final_stats=1 -artifact_prefix="$findings"/ "$corpus" >"$log" 2>&1 || status=$?
  local seconds inputs per_second coverage crashes
  seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.1f", ns / 1e9 }')
  inputs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  # Every artifact but a slow-unit (an input over 10 s, reported but not fatal) is a failure.
  crashes=$(find "$findings" -type f ! -name 'slow-unit-*' | wc -l)
  grep '^==ember-fuzz==' "$log" | sed 's/^==ember-fuzz== /  /' || true
  local verdict=0
  if ((status != 0 || crashes != 0)); then
    verdict=1
    echo "  FAILED (exit $status): the report is in $log, the input in $findings/" >&2
    grep -m2 -E 'ERROR|runtime error|==ember-fuzz== FAIL' "$log" >&2 || true
  fi
  if ((status != 0 && crashes == 0)); then crashes=1; fi
  printf '%-12s mutate  inputs %9s  seconds %6s  exec/s %6s  %-20s crashes %s\n' "$t" "${inputs:-?}" \
    "$seconds" "${per_second:-?}" "${coverage:-cov: ?}" "$crashes" >"$runs_dir/$t.summary"
  return "$verdict"
}

if [[ $mode != open ]]; then
  for t in "${targets[@]}"; do replay "$t"; done
fi
# The mutation runs, one process per target and as many side by side as there are cores: each
# process's inputs follow from its own seed and the coverage of its own target, so running them
# together changes none of them, and the stage takes half the time on 2 cores. Their output is
# printed in the targets' order once all have ended.
if [[ $mode != replay ]]; then
  mkdir -p "$runs_dir"
  running=0
  for t in "${targets[@]}"; do
    if ((running >= $(nproc))); then
      wait -n
      running=$((running - 1))
    fi
    rm -f "$runs_dir/$t".{out,summary,status}
    limits=("${limit[@]}")
    if [[ $mode == ci ]]; then limits=(-seed=1 -runs="${ci_runs[$t]}"); fi
    {
      status=0
      mutate "$t" "${limits[@]}" || status=$?
      echo "$status" >"$runs_dir/$t.status"
    } >"$runs_dir/$t.out" 2>&1 &
    running=$((running + 1))
  done
  wait
  for t in "${targets[@]}"; do
    cat "$runs_dir/$t.out"
    summary+=("$(cat "$runs_dir/$t.summary" 2>/dev/null || printf '%-12s mutate  did not finish' "$t")")
    [[ $(cat "$runs_dir/$t.status" 2>/dev/null) == 0 ]] || failed=1
  done
fi
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
