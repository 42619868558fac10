#!/usr/bin/env bash
# The commands README.md shows, run as shown (ctest: cli.readme).
#   tests/cli/run_readme_commands.sh --ember PATH --source DIR [--bench-train PATH]
#                                    [--autoencoder-decoders PATH] [--mpirun MPIRUN [OPTIONS...]]
#
# The commands are read from README.md itself, so the README and this test cannot drift apart:
#   - every command of its ```sh blocks (continuation lines joined, comments dropped) is run, in
#     README order, unless the table ELSEWHERE below says which other test runs it or why CI
#     does not; a new command in the README is therefore run by this test until it is listed;
#   - every inline `code` span that is a command (it starts with ember, mpirun, cmake, build/...,
#     .ci/run, or a scripts/ bench/ experiments/ tools/ tests/ *.sh or *.py) must be a command of a
#     ```sh block, run here by a handler of INLINE_RUN, or listed in ELSEWHERE;
#   - a table entry that matches nothing the README shows any more fails the test (stale entry).
#
# They run in a scratch folder laid out like the repository, so that the README's relative paths
# work unchanged: build/tools/ember (and build/bench/bench_train, build/examples/autoencoder_decoders)
# are links to the programs under test, tools/ and experiments/ links to the source tree's, and
# runs/ and every file the commands write land in the scratch folder. What must change for CI,
# and nothing else:
#   data/mnist          -> the committed 1000/500-image MNIST subset tests/fixtures/mnist-small
#   data/fashion-mnist  -> the same subset (same IDX format; no Fashion-MNIST is committed), for
#                          experiments/fashion-lenet5.sh
#   data/cifar10        -> absent: the CIFAR-10 command must fail with the documented message
#   mpirun              -> ctest's mpirun with its options (--oversubscribe --bind-to none, shared
#                          memory only; tests/CMakeLists.txt)
#   runs/a, runs/b      -> two 1-epoch LeNet-5 runs made first, for the ensemble example
#   RUN, <row>          -> runs/my-lenet5 and lenet5 (placeholders in inline commands)
#   experiments         -> EPOCHS=1 (the recipes train for 3-10 epochs on all of MNIST); the
#                          autoencoder picture goes to the scratch folder (OUT) after STEPS=5
# Commands needing what this build or machine lacks (ONNX export, PyTorch in /usr/bin/python3,
# MPI, the bench or example programs) are reported SKIPPED; scripts/test.sh installs and builds
# all of them. Without PyTorch, PyTorch's LeNet-5 initialization is the committed one
# (tests/fixtures/pytorch/lenet5.torch.safetensors), so the ember commands after it still run.
#
# The README's figures that need all of MNIST (the demo's 98.59%, the interchange example's
# 0.0792 / 97.77%) cannot be checked on the subset: the formats of those lines, and that the two
# interchange commands agree, are checked instead. Takes about 30 s on 2 cores.
# shellcheck disable=SC2016,SC2034  # backquotes in messages are literal; the tables are read through namerefs
set -uo pipefail

usage() {
  echo "usage: $0 --ember PATH --source DIR [--bench-train PATH] [--autoencoder-decoders PATH]" \
    "[--mpirun MPIRUN [OPTIONS...]]" >&2
  exit 2
}
EMBER="" SOURCE="" BENCH_TRAIN="" AUTOENCODER="" MPIRUN=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --ember) EMBER=$2; shift 2 ;;
    --source) SOURCE=$2; shift 2 ;;
    --bench-train) BENCH_TRAIN=$2; shift 2 ;;
    --autoencoder-decoders) AUTOENCODER=$2; shift 2 ;;
    --mpirun) shift; MPIRUN=("$@"); break ;;
    *) usage ;;
  esac
done
[[ -n $EMBER && -n $SOURCE ]] || usage
EMBER=$(realpath "$EMBER")
SOURCE=$(realpath "$SOURCE")
README=$SOURCE/README.md
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ember_readme_test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
LOGS=$TMP/logs
WORK=$TMP/repo

# ---------------------------------------------------------------------------------------------
# The tables. Patterns are bash globs matched against the whole command (continuation lines
# joined, runs of blanks made one, the trailing comment dropped).

# Commands the README shows that this script does not run: "covered by" names the test that
# runs them, "not run" says why CI cannot, "mention" is a name used in a sentence for a command
# shown in full elsewhere.
ELSEWHERE=(
  # Quick start
  'scripts/demo.sh'              'covered by the fresh-machine check (scripts/demo.sh && scripts/test.sh)'
  'scripts/test.sh'              'covered by the fresh-machine check, and by .ci/run'
  'scripts/setup.sh'             'covered by scripts/demo.sh and scripts/test.sh, which run it first'
  # Training from the command line
  'scripts/fetch_data.sh'        'covered by scripts/demo.sh, which runs `scripts/fetch_data.sh data` (the default folder); needs the network'
  'ember train --data cifar10'   'mention: the ```sh block'\''s `ember train --model alexnet_cifar --data cifar10 ...`, whose message is checked here'
  'ember resume'                 'mention: the command `ember train` prints when stopped by a signal; cli.ember checks that line'
  'ember'                        'mention: the program'\''s name'
  'ember train'                  'mention'
  'ember export'                 'mention'
  'ember train --distributed'    'mention: the MPI ```sh block'\''s mpirun command, run here'
  'mpirun'                       'mention: the MPI ```sh block'\''s mpirun command, run here'
  'mpirun -np 2 ember train --distributed'  'mention: the MPI ```sh block'\''s mpirun command, run here'
  'tools/ember_torch.py'         'mention: the PyTorch ```sh block runs its init and eval commands here'
  'experiments/autoencoder-decoders.sh'     'mention: one of experiments/*.sh, run here'
  'experiments/run_all.sh'       'covered by ctest cli.experiments (every recipe at one epoch on the MNIST subset, the table written); in full it trains for about 90 minutes'
  'ember train --profile'        'covered by cli.ember (`ember train ... --profile`, the op table checked)'
  'ember compare'                'mention: the ```sh block'\''s `ember compare runs/lr-0.01 runs/lr-0.05`, run here'
  'scripts/screenshots.sh'       'not run: it trains on all of MNIST (fetched from the network) and rewrites docs/images; cli.compare_browser renders a comparison page in Chromium'
  # Beside other tools
  'mpirun --hostfile hosts -np 4 build/tools/ember train --distributed ...'
                                 'not run: needs several machines listed in a hostfile (docs/DISTRIBUTED.md); distributed.* run 2 ranks on one'
  # Using ember from your project
  'cmake -S . -B build && cmake --build build -j && cmake --install build --prefix /opt/ember'
                                 'covered by scripts/test.sh (configure and build) and .ci/run (install to a scratch prefix, then build examples/consumer against it)'
  # Training in C++
  'build/examples/train_mnist data/mnist'   'covered by ctest examples.train_mnist (the same program, 3 epochs on the committed MNIST subset)'
  'export PKG_CONFIG_PATH=/opt/ember/lib/pkgconfig'
                                 'covered by scripts/install_check.sh (.ci/run): PKG_CONFIG_PATH set to the moved install'
  'c++ -std=c++20 app.cpp $(pkg-config --cflags --libs --static ember) -o app'
                                 'covered by scripts/install_check.sh (.ci/run): this pkg-config line builds and runs each consumer against a moved install'
  'ember --version'              'covered by cli.ember (the printed version equals the project version)'
  'scripts/install_check.sh*'    'covered by .ci/run (its last stage)'
  # Tests
  'tests/cli/run_cli_tests.sh'   'covered by ctest cli.ember'
  'scripts/test.sh --sanitize'   'covered by .ci/run'
  'scripts/test.sh --tsan'       'covered by .ci/run'
  'scripts/compile_check.sh'     'covered by .ci/run (the libraries and the CLI compiled for the other vector ISA; minutes)'
  'scripts/leakcheck.sh'         'covered by .ci/run (valgrind; minutes)'
  'scripts/fuzz.sh --ci'         'covered by .ci/run (clang libFuzzer builds; the committed inputs, then a fixed-seed run per fuzzer)'
  '--seconds 600'                'not run: open-ended fuzzing (scripts/fuzz.sh --seconds 600) is for developers, not CI'
  '--runs 1000000'               'not run: scripts/fuzz.sh --runs 1000000, a million inputs per fuzzer, takes about an hour'
  '--replay'                     'mention: scripts/fuzz.sh --replay, the first half of --ci'
  'scripts/soak.sh'              'not run: 20,000 training steps take minutes; ctest soak.lenet runs the same program for 3,000'
  '.ci/run'                      'not run: CI itself, which runs all of the above (hours)'
  'tests/golden/make_golden.py'  'not run: it rewrites the committed golden files from PyTorch; the tests read them'
  'tests/fixtures/make_mnist_small.sh'      'not run: it cuts the committed subset from all of MNIST, which CI does not fetch'
  # Benchmarks
  'bench/compare.sh train'       'not run: builds the libtorch-dev C++ twin and measures for many minutes'
  'bench/compare.sh train 3'     'not run: builds the libtorch-dev C++ twin and measures for many minutes'
  'bench/compare.sh ops'         'not run: builds the libtorch-dev C++ twin and measures for minutes'
)

# Inline commands this script runs, with the function that runs them (below).
INLINE_RUN=(
  'ember train --help'                                                        inline_train_help
  'ember export --checkpoint RUN/checkpoints/best.safetensors -o model.onnx'  inline_export_run
  'experiments/\*.sh'                                                         inline_experiments  # \*: the span itself
  'experiments/mnist-study/run.sh'                                            inline_mnist_study
  'experiments/reference/torch_train.py'                                      inline_torch_reference
  'build/bench/bench_train <row> --profile'                                   inline_bench_profile
)

# What a command needs beyond `ember` (onnx, torch, mpi); without it the command is SKIPPED.
NEEDS=(
  'build/tools/ember export *'   onnx
  'tools/ember_torch.py *'       torch
  'mpirun *'                     mpi
)

# Checks of a command's output, after it ran (rc, out); a command must exit 0 unless its
# check is listed in EXPECT_FAILURE.
CHECKS=(
  'build/tools/ember models'                                          check_models
  'build/tools/ember summary --model alexnet'                         check_summary
  'build/tools/ember train --model lenet5 * --out runs/my-lenet5'     check_train
  'build/tools/ember resume runs/my-lenet5 --epochs 5'                check_resume
  'build/tools/ember train --model alexnet_cifar --data cifar10 *'    check_cifar_missing
  'build/tools/ember eval * --confusion'                              check_confusion
  'build/tools/ember eval -c * -c *'                                  check_ensemble
  'build/tools/ember viz filters * -o filters.png'                    check_viz
  'build/tools/ember export * -o lenet5.onnx'                         check_export
  'build/tools/ember export-weights * -o lenet5.safetensors'          check_export_weights
  'build/tools/ember eval --weights *'                                check_eval_weights
  'tools/ember_torch.py init *'                                       check_torch_init
  'tools/ember_torch.py eval *'                                       check_torch_eval
  'build/tools/ember train --model lenet5 * --init-weights *'         check_init_weights
  'mpirun -np 2 build/tools/ember train --distributed *'              check_mpirun
  'build/tools/ember compare runs/lr-0.01 runs/lr-0.05'               check_compare
)
EXPECT_FAILURE=(check_cifar_missing)

# ---------------------------------------------------------------------------------------------
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
declare -A used  # table entries that matched something
report=()        # one line per README command: where it is run
note() { report+=("$(printf 'README:%-4s %s\n          -> %s' "$1" "$2" "$3")"); }

# lookup TABLE_NAME TEXT: sets $found to the value of the first (pattern, value) entry of the
# table whose pattern matches TEXT, and marks that entry used; fails when none does.
lookup() {
  local -n table=$1
  local i
  found=""
  for ((i = 0; i < ${#table[@]}; i += 2)); do
    # shellcheck disable=SC2053  # the pattern is a glob on purpose
    if [[ $2 == ${table[i]} ]]; then
      used["$1/$i"]=1
      found=${table[i + 1]}
      return 0
    fi
  done
  return 1
}

expect_contains() {  # expect_contains WHAT TEXT
  grep -qF -- "$2" <<<"$out" || fail "$1: output lacks '$2'; output:"$'\n'"$out"
}
expect_png() {
  [[ -s $1 && $(od -An -tx1 -N8 "$1" | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$1 is missing or not a PNG"
}


# ---- the checks ----
check_compare() {
  expect_contains "ember compare" "compared 2 runs: runs/compare.html"
  local page
  page=$(cat runs/compare.html 2>/dev/null || true)
  grep -qF '>lr-0.01</text>' <<<"$page" && grep -qF '>lr-0.05</text>' <<<"$page" ||
    fail "ember compare: runs/compare.html does not name both runs in its charts"
}
check_models() {
  expect_contains "ember models" "lenet5 "
  expect_contains "ember models" "alexnet_cifar "
}
check_summary() {
  grep -q "^total params: [0-9,]*$" <<<"$out" || fail "ember summary: no 'total params' line; output:"$'\n'"$out"
}
# The train command prints what the README shows for the demo (the same recipe: scripts/demo.sh
# runs it with --out runs/lenet5): the three lines of the first plain ``` block, numbers aside.
# And its run directory holds every file the README lists.
check_train() {
  local normalize='s/[0-9]+(\.[0-9]+)?/N/g; s/ +/ /g; s/ $//'
  local shown got
  shown=$(awk '/^```/ { if (fence) { if (plain) exit; fence = 0 } else { fence = 1; plain = ($0 == "```") } next }
               plain' "$README" |
    sed -E "s#runs/lenet5/#runs/my-lenet5/#; $normalize")
  got=$(sed -E "$normalize" <<<"$out")
  [[ $(wc -l <<<"$shown") -eq 3 ]] || fail "README: the demo's output block should have 3 lines:"$'\n'"$shown"
  [[ $'\n'$got$'\n' == *$'\n'"$shown"$'\n'* ]] ||
    fail "ember train: its output lacks the README's demo output lines (numbers aside)"$'\n'"README:"$'\n'"$shown"$'\n'"output:"$'\n'"$got"
  local files f
  files=$(awk '/^A run directory holds/,/^$/' "$README" | grep -oE '`[a-z_/]+\.(json|csv|jsonl|safetensors|html|svg|png)`' | tr -d '`')
  [[ $(wc -w <<<"$files") -ge 10 ]] || fail "README: the run directory paragraph lists only: $files"
  for f in $files; do
    [[ -n $(find runs/my-lenet5 -path "*/${f}" -size +0) ]] || fail "the README lists $f in a run directory; runs/my-lenet5 has none"
  done
}
check_resume() {
  expect_contains "ember resume" "continuing after epoch 3 of 5"
  expect_contains "ember resume" "after 5 epochs"
}
check_cifar_missing() {  # README: "`ember train --data cifar10` says so when they are missing"
  [[ $rc -eq 1 ]] || fail "ember train --data cifar10 without the files: exit code $rc, expected 1"
  expect_contains "ember train --data cifar10 without the files" "in data/cifar10"
  expect_contains "ember train --data cifar10 without the files" "data_batch_1.bin"
  expect_contains "ember train --data cifar10 without the files" "test_batch.bin"
}
check_confusion() { expect_contains "ember eval --confusion" "confusion matrix"; }
check_ensemble() { expect_contains "ember eval -c -c" "ensemble of 2: majority vote"; }
check_viz() {
  expect_contains "ember viz filters" "wrote filters.png"
  expect_png filters.png
}
check_export() {
  expect_contains "ember export" "ONNX opset 13"  # the README: "Opset 13"
  [[ -s lenet5.onnx ]] || fail "ember export wrote no lenet5.onnx"
}
check_export_weights() {
  expect_contains "ember export-weights" "wrote lenet5.safetensors"
}
check_eval_weights() {
  expect_contains "ember eval --weights" "test loss"
}
check_torch_init() {
  [[ -s lenet5_torch.safetensors ]] || fail "tools/ember_torch.py init wrote no lenet5_torch.safetensors"
}
check_init_weights() {
  grep -qF '"init_weights": "lenet5_torch.safetensors"' runs/lenet5-from-torch/config.json ||
    fail "ember train --init-weights: config.json does not record the file"
}
# README: "The last two commands print the same test loss and accuracy" (at the printed
# precision: a loss may differ by one unit in its last digit, float sums in another order).
check_torch_eval() {
  local pattern='test loss ([0-9.]+) +accuracy ([0-9.]+)%'
  if [[ $out =~ $pattern ]]; then
    local theirs_loss=${BASH_REMATCH[1]} theirs_accuracy=${BASH_REMATCH[2]}
    if [[ $prev_out =~ $pattern ]] && [[ ${BASH_REMATCH[2]} == "$theirs_accuracy" ]] &&
      awk -v a="${BASH_REMATCH[1]}" -v b="$theirs_loss" 'BEGIN { d = a - b; exit !(d <= 0.0001 && d >= -0.0001) }'; then
      return
    fi
  fi
  fail "the README says the PyTorch example's last two commands print the same test loss and accuracy; they print:"$'\n'"$prev_out"$'\n'"$out"
}
check_mpirun() {
  expect_contains "mpirun -np 2 ember train --distributed" "distributed: 2 ranks"
  [[ $(grep -c '^test accuracy' <<<"$out") -eq 1 ]] || fail "mpirun -np 2: rank 0 alone should report; output:"$'\n'"$out"
}

# ---- the inline commands this script runs ----
# run_inline NAME COMMAND...: runs it in the scratch repository; output in $out, exit code in $rc.
run_inline() {
  local name=$1
  shift
  rc=0
  "$@" >"$LOGS/$name.out" 2>&1 </dev/null || rc=$?
  out=$(cat "$LOGS/$name.out")
}
expect_ok() { [[ $rc -eq 0 ]] || fail "$1: exit code $rc; output:"$'\n'"$out"; }
inline_note=""  # what the handler did, for the report
# `ember train --help` lists every option the README's paragraph names, and every value of the
# `--flag a|b|c` spans (the paragraph that starts with it).
inline_train_help() {
  run_inline train_help build/tools/ember train --help
  expect_ok "ember train --help"
  local paragraph span flag values v
  paragraph=$(awk '/^`ember train --help` lists every option/,/^$/' "$README")
  [[ -n $paragraph ]] || fail "README: no paragraph starting with \`ember train --help\` lists every option"
  while read -r span; do
    flag=${span%% *}
    grep -qE -- "(^|[ ,])$flag([ ,=]|$)" <<<"$out" || fail "README says \`ember train --help\` lists $flag; it does not"
    if [[ $span == *" "*"|"* ]]; then
      values=${span#* }
      for v in ${values//|/ }; do
        grep -qw -- "$v" <<<"$out" || fail "README: $flag takes $v; \`ember train --help\` does not say so"
      done
    fi
  done < <(grep -oE '`--[a-z0-9-]+[^`]*`' <<<"$paragraph" | tr -d '`')
  inline_note="run here: build/tools/ember train --help, every flag and value the paragraph names checked"
}
# ONNX export of a run (RUN = runs/my-lenet5, trained by the ```sh block above).
inline_export_run() {
  if [[ -z ${have[onnx]} ]]; then
    inline_note="SKIPPED: $(why_missing onnx)"
    return
  fi
  run_inline export_run build/tools/ember export --checkpoint runs/my-lenet5/checkpoints/best.safetensors -o model.onnx
  expect_ok "ember export --checkpoint RUN/checkpoints/best.safetensors -o model.onnx"
  expect_contains "ember export" "wrote model.onnx"
  inline_note="run here with RUN = runs/my-lenet5"
}
# The recipes, one epoch each on the subset (Fashion-MNIST: the MNIST subset in its place). They
# take EMBER, DATA, RUNS, SEED and PROGRAM from the environment: unset, so the defaults (the
# scratch repository's build/, data/ and runs/) apply, as for someone running them in the repo.
recipe_env=(env -u EMBER -u DATA -u RUNS -u SEED -u PROGRAM)
inline_experiments() {
  local script ran=()
  for script in experiments/*.sh; do
    case $script in
      experiments/common.sh | experiments/recipes.sh) continue ;;  # sourced by the others
      experiments/run_all.sh) continue ;;  # every recipe, and it rewrites the table: ctest cli.experiments
      experiments/autoencoder-decoders.sh)
        if [[ -z $AUTOENCODER ]]; then
          echo "SKIPPED: $script: no autoencoder_decoders program (EMBER_BUILD_EXAMPLES)"
          continue
        fi
        run_inline "${script//\//_}" "${recipe_env[@]}" STEPS=5 OUT="$TMP/autoencoder-decoders.png" "$script"
        expect_ok "$script"
        expect_png "$TMP/autoencoder-decoders.png" ;;
      *)
        run_inline "${script//\//_}" "${recipe_env[@]}" EPOCHS=1 "$script"
        expect_ok "$script"
        expect_contains "$script" "after 1 epoch" ;;
    esac
    ran+=("$script")
  done
  [[ ${#ran[@]} -ge 3 ]] || fail "experiments/*.sh: only ${ran[*]} ran"
  inline_note="run here with EPOCHS=1 (autoencoder: STEPS=5, OUT in the scratch folder): ${ran[*]}"
}
inline_mnist_study() {
  run_inline mnist_study "${recipe_env[@]}" EPOCHS=1 experiments/mnist-study/run.sh
  expect_ok "experiments/mnist-study/run.sh"
  expect_contains "experiments/mnist-study/run.sh" "ensemble of 5: majority vote"
  inline_note="run here with EPOCHS=1, all six steps"
}
inline_torch_reference() {
  if [[ -z ${have[torch]} ]]; then
    inline_note="SKIPPED: $(why_missing torch)"
    return
  fi
  run_inline torch_reference /usr/bin/python3 experiments/reference/torch_train.py --model lenet5 --data mnist --epochs 1 \
    --out runs/torch-lenet5
  expect_ok "experiments/reference/torch_train.py"
  expect_contains "experiments/reference/torch_train.py" "epoch 1/1: loss"
  [[ -s runs/torch-lenet5/metrics.csv ]] || fail "experiments/reference/torch_train.py wrote no metrics.csv"
  inline_note="run here: /usr/bin/python3 experiments/reference/torch_train.py --model lenet5 --data mnist --epochs 1 --out runs/torch-lenet5"
}
inline_bench_profile() {
  if [[ -z $BENCH_TRAIN ]]; then
    inline_note="SKIPPED: this build has no bench_train (EMBER_BUILD_BENCH)"
    return
  fi
  run_inline bench_profile build/bench/bench_train lenet5 --profile
  expect_ok "build/bench/bench_train lenet5 --profile"
  expect_contains "build/bench/bench_train lenet5 --profile" "lenet5 ips="
  expect_contains "build/bench/bench_train lenet5 --profile" "self ms"
  expect_contains "build/bench/bench_train lenet5 --profile" "Conv2dReluBackward"
  inline_note="run here with <row> = lenet5"
}

# ---- the scratch repository ----
mkdir -p "$WORK/build/tools" "$WORK/data" "$LOGS"
ln -s "$EMBER" "$WORK/build/tools/ember"
ln -s "$SOURCE/tools" "$WORK/tools"
ln -s "$SOURCE/experiments" "$WORK/experiments"
ln -s "$SOURCE/tests/fixtures/mnist-small" "$WORK/data/mnist"
ln -s "$SOURCE/tests/fixtures/mnist-small" "$WORK/data/fashion-mnist"
if [[ -n $BENCH_TRAIN ]]; then mkdir -p "$WORK/build/bench" && ln -s "$(realpath "$BENCH_TRAIN")" "$WORK/build/bench/bench_train"; fi
if [[ -n $AUTOENCODER ]]; then mkdir -p "$WORK/build/examples" && ln -s "$(realpath "$AUTOENCODER")" "$WORK/build/examples/autoencoder_decoders"; fi
cd "$WORK" || exit 1

# What this machine and build have.
declare -A have=([onnx]="" [torch]="" [mpi]="")
"$EMBER" --help 2>/dev/null | grep -qE '^  export ' && have[onnx]=1
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 && have[torch]=1
[[ ${#MPIRUN[@]} -gt 0 ]] && have[mpi]=1
why_missing() {
  case $1 in
    onnx) echo "this ember is built without EMBER_ONNX" ;;
    torch) echo "/usr/bin/python3 cannot import torch (python3-torch)" ;;
    mpi) echo "this build has no MPI (EMBER_MPI)" ;;
  esac
}
if [[ -n ${have[mpi]} ]]; then
  mpirun() { "${MPIRUN[@]}" "$@"; }  # the substitution: ctest's mpirun and options
fi

# runs/a and runs/b, the ensemble example's two runs.
for s in 1 2; do
  dir=runs/$([[ $s == 1 ]] && echo a || echo b)
  "$EMBER" train --model lenet5 --data mnist --epochs 1 --seed "$s" --progress none --out "$dir" >"$LOGS/setup$s.out" 2>&1 ||
    fail "setup: ember train --out $dir failed: $(cat "$LOGS/setup$s.out")"
done

# ---- the README, parsed ----
# One record per command: block|inline <TAB> line <TAB> text. A ```sh block's command may span
# lines ending in a backslash; a "#" at the start of a line or after a blank starts a comment.
parse_readme() {
  awk '
    /^```/ {
      if (lang == "") { lang = substr($0, 4); if (lang == "") lang = "text" } else lang = ""
      next
    }
    lang == "sh" {
      text = $0
      sub(/^[ \t]*#.*$/, "", text)
      sub(/[ \t]+#.*$/, "", text)
      more = (text ~ /\\[ \t]*$/)
      if (more) sub(/\\[ \t]*$/, "", text)
      if (pending == "") start = NR
      pending = pending " " text
      if (more) next
      gsub(/[ \t]+/, " ", pending); sub(/^ /, "", pending); sub(/ $/, "", pending)
      if (pending != "") print "block\t" start "\t" pending
      pending = ""
      next
    }
    lang == "" {
      line = $0
      while (match(line, /`[^`]+`/)) {
        print "inline\t" NR "\t" substr(line, RSTART + 1, RLENGTH - 2)
        line = substr(line, RSTART + RLENGTH)
      }
    }
  ' "$README"
}
mapfile -t records < <(parse_readme)
block_commands=()
for record in "${records[@]}"; do
  IFS=$'\t' read -r kind _ text <<<"$record"
  [[ $kind == block ]] && block_commands+=("$text")
done
[[ ${#block_commands[@]} -ge 20 ]] || fail "only ${#block_commands[@]} commands found in README.md's \`\`\`sh blocks: is the parser broken?"

is_command_span() {
  [[ $1 =~ ^(\.ci/run|(scripts|bench|experiments|tools|tests)/[^\ ]*\.(sh|py)|build/[^\ ]+|ember|mpirun|cmake)(\ |$) ]]
}

# ---- the ```sh blocks: run every command, in order ----
n=0
prev_out="" out="" rc=0
for record in "${records[@]}"; do
  IFS=$'\t' read -r kind line cmd <<<"$record"
  [[ $kind == block ]] || continue
  if lookup ELSEWHERE "$cmd"; then
    note "$line" "$cmd" "$found"
    continue
  fi
  lookup CHECKS "$cmd"
  check=$found
  if lookup NEEDS "$cmd" && need=$found && [[ -z ${have[$need]} ]]; then
    note "$line" "$cmd" "SKIPPED: $(why_missing "$need")"
    echo "SKIPPED (README:$line): $cmd: $(why_missing "$need")"
    if [[ $cmd == "tools/ember_torch.py init "* ]]; then  # PyTorch's LeNet-5 initialization, committed
      cp "$SOURCE/tests/fixtures/pytorch/lenet5.torch.safetensors" "$(sed -E 's/.* -o ([^ ]+).*/\1/' <<<"$cmd")"
    fi
    continue
  fi
  n=$((n + 1))
  prev_out=$out
  rc=0
  eval "$cmd" >"$LOGS/$n.out" 2>&1 </dev/null || rc=$?
  out=$(cat "$LOGS/$n.out")
  if [[ " ${EXPECT_FAILURE[*]} " == *" $check "* ]]; then
    [[ $rc -ne 0 ]] || fail "README:$line: \`$cmd\` exited 0, expected the documented failure"
  elif [[ $rc -ne 0 ]]; then
    fail "README:$line: \`$cmd\` exited $rc; output:"$'\n'"$out"
  fi
  [[ -n $check ]] && $check
  note "$line" "$cmd" "run here (exit $rc)"
done

# ---- the inline commands ----
declare -A handled
for record in "${records[@]}"; do
  IFS=$'\t' read -r kind line span <<<"$record"
  [[ $kind == inline ]] || continue
  if lookup INLINE_RUN "$span"; then
    handler=$found
    if [[ -z ${handled[$handler]:-} ]]; then
      handled[$handler]=1
      inline_note=""
      $handler
      note "$line" "$span" "$inline_note"
    else
      note "$line" "$span" "run here (above)"
    fi
  elif lookup ELSEWHERE "$span"; then
    note "$line" "$span" "$found"
  elif is_command_span "$span"; then
    if printf '%s\n' "${block_commands[@]}" | grep -qxF -- "$span"; then
      note "$line" "$span" "as in the \`\`\`sh block"
    else
      fail "README:$line shows \`$span\`, which this test neither runs nor lists: run it (INLINE_RUN) or say where it is covered or why it is not run (ELSEWHERE) in $0"
    fi
  fi
done

# ---- stale table entries ----
for table in ELSEWHERE INLINE_RUN NEEDS CHECKS; do
  declare -n entries=$table
  for ((i = 0; i < ${#entries[@]}; i += 2)); do
    [[ -n ${used["$table/$i"]:-} ]] ||
      fail "$table entry '${entries[i]}' matches no command README.md shows any more: update the table in $0"
  done
  unset -n entries
done

printf '%s\n' "${report[@]}"
if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all README commands ran or are accounted for ($SECONDS s)"
