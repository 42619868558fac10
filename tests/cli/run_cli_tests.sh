#!/usr/bin/env bash
# End-to-end tests of the `ember` program (ctest: cli.ember).
#   tests/cli/run_cli_tests.sh <path to ember> <tests/fixtures>
# Help and model listing, summaries, rejected flags, missing data, special files (FIFOs, devices,
# directories, symlink loops) where data belongs, then a real small run on the committed MNIST
# subset: train, the run directory's files, eval (alone and as an ensemble), viz filters, resume
# (and of a copied checkpoint), two runs in one folder, weights files (PyTorch's, export-weights,
# --init-weights), checkpoints with a flipped bit or a NaN. Takes a few seconds.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <ember binary> <fixtures dir>" >&2
  exit 2
fi
EMBER=$1
FIXTURES=$2
MNIST=$FIXTURES/mnist-small
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ember_cli_test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# run NAME ARGS...: runs ember, stdout+stderr in $TMP/NAME.out, exit code in $rc.
run() {
  local name=$1
  shift
  rc=0
  "$EMBER" "$@" >"$TMP/$name.out" 2>&1 || rc=$?
  out=$(cat "$TMP/$name.out")
}
expect_rc() {  # expect_rc WHAT EXPECTED
  [[ $rc -eq $2 ]] || fail "$1: exit code $rc, expected $2; output:"$'\n'"$out"
}
expect_failure() {
  [[ $rc -ne 0 ]] || fail "$1: exit code 0, expected a failure; output:"$'\n'"$out"
}
expect_contains() {  # expect_contains WHAT TEXT (fixed string)
  grep -qF -- "$2" <<<"$out" || fail "$1: output lacks '$2'; output:"$'\n'"$out"
}
expect_file() {
  [[ -s $1 ]] || fail "missing or empty file $1"
}
expect_png() {
  if [[ ! -s $1 ]]; then
    fail "missing or empty PNG $1"
    return
  fi
  local signature
  signature=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
  [[ $signature == 89504e470d0a1a0a ]] || fail "$1 is not a PNG (first bytes: $signature)"
}
line_count() { wc -l <"$1" | tr -d ' '; }
finish() {
  if [[ $failures -ne 0 ]]; then
    echo "$failures check(s) failed" >&2
    exit 1
  fi
  echo "all ember CLI checks passed"
  exit 0
}

# ---- help, models, summary ----
run help --help
expect_rc "ember --help" 0
for command in train eval resume summary viz models export-weights; do
  grep -qE "^  $command " <<<"$out" || fail "ember --help does not list the '$command' command; output:"$'\n'"$out"
done

run noargs
expect_failure "ember without a command"
expect_contains "ember without a command" "A subcommand is required"

run version --version
[[ $rc -eq 0 && $out =~ ^ember\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "ember --version: exit code $rc, '$out', expected 'ember X.Y.Z'"

run models models
expect_rc "ember models" 0
expect_contains "ember models" "lenet5 "
expect_contains "ember models" "alexnet_cifar "
expect_contains "ember models" "(not a classifier)"
[[ $(wc -l <<<"$out") -eq 12 ]] || fail "ember models: expected 12 models; output:"$'\n'"$out"

run summary_alexnet summary --model alexnet
expect_rc "ember summary --model alexnet" 0
expect_contains "ember summary --model alexnet" "(input [1, 3, 227, 227])"
expect_contains "ember summary --model alexnet" "total params: 60,965,224"

run summary_lenet summary --model lenet5
expect_rc "ember summary --model lenet5" 0
expect_contains "ember summary --model lenet5" "output shape: [1, 10]"
expect_contains "ember summary --model lenet5" "total params: 61,706"
[[ $(tail -n 1 <<<"$out") == "estimated total size (MB): 0.28" ]] ||
  fail "ember summary --model lenet5: last line '$(tail -n 1 <<<"$out")', expected 'estimated total size (MB): 0.28'"

run summary_bad summary --model lenet5 --input-size 20
expect_rc "ember summary --model lenet5 --input-size 20" 1
expect_contains "ember summary --model lenet5 --input-size 20" "model lenet5 cannot take 1x20x20 images (it takes Cx28x28)"

# ---- rejected flags and missing data ----
run bad_model train --model nope --data mnist
expect_failure "train --model nope"
expect_contains "train --model nope" "--model: nope not in {lenet5,lenet5_classic,simplecnn,mnist_cnn,alexnet,alexnet_cifar"

run autoencoder train --model conv_autoencoder --data mnist
expect_failure "train --model conv_autoencoder (not a classifier)"
expect_contains "train --model conv_autoencoder" "conv_autoencoder not in"

run bad_optim train --model lenet5 --data mnist --optim foo
expect_failure "train --optim foo"
expect_contains "train --optim foo" "{sgd,adam,adamw,rmsprop,adagrad}"

run missing_mnist train --model lenet5 --data mnist --data-dir /nonexistent
expect_rc "train --data mnist --data-dir /nonexistent" 1
expect_contains "missing MNIST" "ember: error: MNIST train: not found in /nonexistent"
expect_contains "missing MNIST" "train-images-idx3-ubyte.gz"
expect_contains "missing MNIST" "train-labels-idx1-ubyte"
expect_contains "missing MNIST" "t10k-images-idx3-ubyte"
# The library's message is for an installed ember too: no source tree in it. The command adds
# the script of its source tree on a line of its own.
[[ $(grep "^ember: error:" <<<"$out") == *scripts/* ]] && fail "missing MNIST: the library's message names a script: $out"
expect_contains "missing MNIST" "ember: in ember's source tree, scripts/fetch_data.sh fetches MNIST"

mkdir "$TMP/empty"
run missing_cifar train --model alexnet_cifar --data cifar10 --data-dir "$TMP/empty"
expect_rc "train --data cifar10 --data-dir <empty>" 1
expect_contains "missing CIFAR-10" "missing data_batch_1.bin"
expect_contains "missing CIFAR-10" "test_batch.bin"
expect_contains "missing CIFAR-10" "in $TMP/empty"
expect_contains "missing CIFAR-10" "Copy the \"CIFAR-10 binary version\" files there"

# ---- special files where data belongs: refused at once, never read (no hang, no endless read) ----
# A CIFAR-10 folder of one-record batches, then each of its files replaced in turn.
CIFAR=$TMP/cifar
mkdir "$CIFAR"
for name in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
  head -c 3073 /dev/zero >"$CIFAR/$name.bin"
done
check_special_batch() {  # check_special_batch WHAT EXPECTED_TEXT: data_batch_1.bin already replaced
  rc=0
  timeout 60 "$EMBER" train --model alexnet_cifar --data cifar10 --data-dir "$CIFAR" --epochs 1 --progress none \
    --out "$TMP/special_run" >"$TMP/special.out" 2>&1 || rc=$?
  out=$(cat "$TMP/special.out")
  expect_rc "CIFAR-10 batch that is $1" 1
  expect_contains "CIFAR-10 batch that is $1" "$CIFAR/data_batch_1.bin"
  expect_contains "CIFAR-10 batch that is $1" "$2"
}
rm "$CIFAR/data_batch_1.bin"
mkfifo "$CIFAR/data_batch_1.bin"
check_special_batch "a FIFO" "is a FIFO (named pipe), expected a regular file"
rm "$CIFAR/data_batch_1.bin"
ln -s /dev/zero "$CIFAR/data_batch_1.bin"
check_special_batch "/dev/zero" "is a character device, expected a regular file"
rm "$CIFAR/data_batch_1.bin"
mkdir "$CIFAR/data_batch_1.bin"
check_special_batch "a directory" "is a directory, expected a regular file"
rmdir "$CIFAR/data_batch_1.bin"
ln -s data_batch_1.bin "$CIFAR/data_batch_1.bin"
check_special_batch "a symlink loop" "a loop of symbolic links"
rm "$CIFAR/data_batch_1.bin"
head -c 3074 /dev/zero >"$CIFAR/data_batch_1.bin"
check_special_batch "of a wrong size" "3074 bytes, not a positive multiple of the 3073-byte record"
# A sparse file of 110,000 records: refused by its size alone, before a byte is read.
rm "$CIFAR/data_batch_1.bin"
truncate -s $((110000 * 3073)) "$CIFAR/data_batch_1.bin"
check_special_batch "too large" "110000 records); this reader accepts at most 100000 records"
rm "$CIFAR/data_batch_1.bin"
mkfifo "$TMP/checkpoint.fifo"
rc=0
timeout 60 "$EMBER" eval -c "$TMP/checkpoint.fifo" --data-dir "$MNIST" >"$TMP/eval_fifo.out" 2>&1 || rc=$?
out=$(cat "$TMP/eval_fifo.out")
expect_rc "ember eval -c <FIFO>" 1
expect_contains "ember eval -c <FIFO>" "$TMP/checkpoint.fifo: is a FIFO (named pipe), expected a regular file"

# ---- a real run on the MNIST subset ----
# 4 epochs: with only 80 steps of SGD the accuracy is well above chance for any seed (83-90%
# over seeds 1..5); after 2 epochs it is still 20-75% depending on the seed.
RUN=$TMP/run
run train train --model lenet5 --data mnist --data-dir "$MNIST" --epochs 4 --batch 50 --lr 0.05 --momentum 0.9 \
  --normalize --train-limit 1000 --progress lines --out "$RUN"
expect_rc "ember train" 0
expect_contains "ember train" "lenet5 on MNIST: 1000 train / 500 test images, 61706 parameters, sgd -> $RUN"
expect_contains "ember train" "epoch 4/4  train loss"
accuracy=$(grep -oE '^test accuracy [0-9.]+% after 4 epochs' <<<"$out" | grep -oE '[0-9]+\.[0-9]+' || true)
if [[ -z $accuracy ]]; then
  fail "ember train printed no 'test accuracy ...% after 4 epochs' line; output:"$'\n'"$out"
elif ! awk -v a="$accuracy" 'BEGIN { exit !(a > 50) }'; then
  fail "ember train: test accuracy $accuracy% is not above 50%"
fi

for f in config.json metrics.csv metrics.jsonl checkpoints/last.safetensors checkpoints/best.safetensors \
  report/index.html report/accuracy.svg report/loss.svg report/confusion.svg; do
  expect_file "$RUN/$f"
done
if [[ ! -f $RUN/metrics.csv || ! -f $RUN/metrics.jsonl || ! -f $RUN/checkpoints/last.safetensors ]]; then
  fail "the training run left no metrics or checkpoint; the remaining checks need them"
  finish
fi
expect_png "$RUN/report/filters_before.png"
expect_png "$RUN/report/filters_after.png"
grep -q '"model": *"lenet5"' "$RUN/config.json" || fail "config.json does not record the model: $(cat "$RUN/config.json")"
[[ $(head -n 1 "$RUN/metrics.csv") == epoch,train_loss,train_accuracy,test_loss,test_accuracy,* ]] ||
  fail "metrics.csv header: $(head -n 1 "$RUN/metrics.csv")"
[[ $(line_count "$RUN/metrics.csv") -eq 5 ]] || fail "metrics.csv: expected a header and 4 rows:"$'\n'"$(cat "$RUN/metrics.csv")"
[[ $(line_count "$RUN/metrics.jsonl") -eq 4 ]] || fail "metrics.jsonl: expected 4 lines"
[[ $(cut -d, -f1 "$RUN/metrics.csv" | tail -n +2 | tr '\n' ' ') == "1 2 3 4 " ]] ||
  fail "metrics.csv epochs: $(cut -d, -f1 "$RUN/metrics.csv" | tr '\n' ' ')"
# The last epoch's test accuracy (a fraction in metrics.csv) is the printed one.
csv_accuracy=$(tail -n 1 "$RUN/metrics.csv" | awk -F, '{ printf "%.2f", 100 * $5 }')
[[ $csv_accuracy == "$accuracy" ]] || fail "metrics.csv's last test accuracy $csv_accuracy% != printed $accuracy%"
grep -qE '^\{"epoch":4,.*"test_accuracy":' <(tail -n 1 "$RUN/metrics.jsonl") ||
  fail "metrics.jsonl last line: $(tail -n 1 "$RUN/metrics.jsonl")"
grep -q '<svg' "$RUN/report/accuracy.svg" || fail "report/accuracy.svg is not an SVG"
grep -qi '<html' "$RUN/report/index.html" || fail "report/index.html is not HTML"

# ---- eval ----
LAST=$RUN/checkpoints/last.safetensors
run eval eval --checkpoint "$LAST" --data-dir "$MNIST"
expect_rc "ember eval" 0
expect_contains "ember eval" "$LAST: lenet5 on MNIST test"
eval_accuracy=$(grep -oE ' accuracy [0-9.]+%' <<<"$out" | head -n 1 | grep -oE '[0-9]+\.[0-9]+' || true)
[[ $eval_accuracy == "$csv_accuracy" ]] || fail "ember eval: accuracy '$eval_accuracy'% != last epoch's $csv_accuracy%"
expect_contains "ember eval" "(500 images)"
if grep -q ensemble <<<"$out"; then fail "ember eval with one checkpoint printed an ensemble line"; fi

# Two copies of one model: the vote and the averaged probabilities are the model's own accuracy.
run ensemble eval --checkpoint "$LAST" --checkpoint "$LAST" --data-dir "$MNIST"
expect_rc "ember eval (ensemble)" 0
expect_contains "ember eval (ensemble)" \
  "ensemble of 2: majority vote $csv_accuracy%  averaged probabilities $csv_accuracy%"

run eval_missing eval --checkpoint "$TMP/nope.safetensors"
expect_failure "ember eval of a missing checkpoint"
expect_contains "ember eval of a missing checkpoint" "$TMP/nope.safetensors"

# ---- weights files: PyTorch's (tests/interop/make_pytorch_files.py), a checkpoint's weights alone ----
TORCH_LENET=$FIXTURES/pytorch/lenet5.torch.safetensors
run eval_torch eval --weights "$TORCH_LENET" --data mnist --data-dir "$MNIST"
expect_rc "ember eval --weights (PyTorch's file)" 0
expect_contains "ember eval --weights (PyTorch's file)" "$TORCH_LENET: lenet5 on MNIST test"  # model from its metadata
expect_contains "ember eval --weights (PyTorch's file)" "(500 images)"
run eval_torch_wrong eval --weights "$TORCH_LENET" --model simplecnn --data mnist --data-dir "$MNIST"
expect_rc "ember eval --weights with the wrong --model" 1
expect_contains "ember eval --weights with the wrong --model" "$TORCH_LENET: load_state_dict: the state does not fit SimpleConvNet"
expect_contains "ember eval --weights with the wrong --model" "missing keys (6): conv1.weight, conv1.bias, fc1.weight"
expect_contains "ember eval --weights with the wrong --model" "unexpected keys (10): features.0.weight, features.0.bias"
run eval_weights_nodata eval --weights "$TORCH_LENET"
expect_rc "ember eval --weights without --data" 1
expect_contains "ember eval --weights without --data" "say which test set with --data"
run eval_nothing eval --data mnist
expect_rc "ember eval without a file" 1
expect_contains "ember eval without a file" "give a --checkpoint or a --weights file"

WEIGHTS=$TMP/weights.safetensors
run export export-weights --checkpoint "$LAST" -o "$WEIGHTS"
expect_rc "ember export-weights" 0
expect_contains "ember export-weights" "wrote $WEIGHTS: lenet5 weights of $LAST (10 tensors, 61706 values)"
[[ -s $WEIGHTS && $(stat -c %s "$WEIGHTS") -lt $(stat -c %s "$LAST") ]] ||
  fail "export-weights: $WEIGHTS is missing or not smaller than the checkpoint (which also holds the optimizer state)"
# The run trained with --normalize; the weights alone evaluate to the checkpoint's accuracy.
run eval_exported eval --weights "$WEIGHTS" --normalize --data mnist --data-dir "$MNIST"
expect_rc "ember eval --weights (exported)" 0
expect_contains "ember eval --weights (exported)" "accuracy $csv_accuracy%"
run eval_mixed eval --checkpoint "$LAST" --weights "$WEIGHTS" --data-dir "$MNIST"
expect_rc "ember eval of a checkpoint and a weights file with other input scaling" 1
expect_contains "ember eval of a checkpoint and a weights file with other input scaling" "the same input scaling"
run export_plain export-weights --checkpoint "$WEIGHTS" -o "$TMP/again.safetensors"
expect_rc "ember export-weights of a weights file" 1
expect_contains "ember export-weights of a weights file" "$WEIGHTS is not an ember checkpoint"

# Fine-tuning: training starts from a weights file; resume does not need that file any more.
cp "$TORCH_LENET" "$TMP/start.safetensors"
run init train --model lenet5 --data mnist --data-dir "$MNIST" --train-limit 100 --test-limit 100 --batch 50 \
  --epochs 1 --init-weights "$TMP/start.safetensors" --progress none --out "$TMP/init"
expect_rc "ember train --init-weights" 0
grep -qF "\"init_weights\": \"$TMP/start.safetensors\"" "$TMP/init/config.json" ||
  fail "config.json does not record --init-weights: $(cat "$TMP/init/config.json")"
rm "$TMP/start.safetensors"
run init_resume resume "$TMP/init" --epochs 2 --progress none
expect_rc "ember resume of a run that started from a deleted weights file" 0
expect_contains "ember resume of a run that started from a deleted weights file" "after 2 epochs"
run init_wrong train --model simplecnn --data mnist --data-dir "$MNIST" --init-weights "$TORCH_LENET" \
  --progress none --out "$TMP/init_wrong"
expect_rc "ember train --init-weights with another model's weights" 1
expect_contains "ember train --init-weights with another model's weights" "missing keys (6): conv1.weight"
run init_missing train --model lenet5 --data mnist --data-dir "$MNIST" --init-weights "$TMP/nope.safetensors"
expect_failure "ember train --init-weights of a missing file"
expect_contains "ember train --init-weights of a missing file" "$TMP/nope.safetensors"

# ---- an existing run is not overwritten by accident ----
before=$(od -An -tx1 "$RUN/checkpoints/last.safetensors" | md5sum)
run again train --model lenet5 --data mnist --data-dir "$MNIST" --epochs 1 --progress none --out "$RUN"
expect_rc "ember train into an existing run" 1
expect_contains "ember train into an existing run" "already holds a run"
expect_contains "ember train into an existing run" "--overwrite"
[[ $(od -An -tx1 "$RUN/checkpoints/last.safetensors" | md5sum) == "$before" ]] || fail "the refused run changed the checkpoint"

# ---- viz ----
run viz viz filters --checkpoint "$LAST" -o "$TMP/f.png"
expect_rc "ember viz filters" 0
expect_contains "ember viz filters" "wrote $TMP/f.png (6 filters of 1x5x5)"
expect_png "$TMP/f.png"

# ---- resume ----
run resume_done resume "$RUN" --progress none
expect_rc "ember resume (complete run)" 0
expect_contains "ember resume (complete run)" "nothing to do"
[[ $(line_count "$RUN/metrics.csv") -eq 5 ]] || fail "resume of a complete run changed metrics.csv"

run resume resume "$RUN" --epochs 5 --progress none
expect_rc "ember resume --epochs 5" 0
expect_contains "ember resume --epochs 5" "continuing after epoch 4 of 5"
expect_contains "ember resume --epochs 5" "after 5 epochs"
[[ $(line_count "$RUN/metrics.csv") -eq 6 ]] || fail "after resume, metrics.csv:"$'\n'"$(cat "$RUN/metrics.csv")"
[[ $(line_count "$RUN/metrics.jsonl") -eq 5 ]] || fail "after resume, metrics.jsonl has $(line_count "$RUN/metrics.jsonl") lines"
[[ $(tail -n 1 "$RUN/metrics.csv" | cut -d, -f1) == 5 ]] || fail "metrics.csv's last row is not epoch 5"

run resume_again resume "$RUN" --epochs 5 --progress none
expect_rc "ember resume --epochs 5 (again)" 0
expect_contains "ember resume --epochs 5 (again)" "nothing to do: the run already has 5 epochs"

run resume_missing resume "$TMP/empty"
expect_rc "ember resume of a folder without checkpoints" 1
expect_contains "ember resume of a folder without checkpoints" "has no checkpoint"

# ---- a copied checkpoint never moves its run backwards ----
cp "$LAST" "$TMP/copy.safetensors"
run resume_copy resume "$TMP/copy.safetensors" --epochs 6 --progress none
expect_rc "ember resume of a checkpoint outside a run" 1
expect_contains "ember resume of a checkpoint outside a run" "is not in a run's checkpoints/ folder; pass --out DIR"
expect_contains "ember resume of a checkpoint outside a run" "the run it came from, $RUN, is not touched"
[[ $(line_count "$RUN/metrics.csv") -eq 6 ]] || fail "a refused resume changed $RUN/metrics.csv"
run resume_copy_out resume "$TMP/copy.safetensors" --epochs 6 --progress none --out "$TMP/continued"
expect_rc "ember resume of a copied checkpoint with --out" 0
expect_contains "ember resume of a copied checkpoint with --out" "after 6 epochs"
expect_file "$TMP/continued/checkpoints/last.safetensors"
[[ $(line_count "$RUN/metrics.csv") -eq 6 ]] || fail "a resume into --out changed the original run's metrics.csv"
# An earlier point (epoch 5) resumed into a run with a later one (epoch 6): refused unless --overwrite.
run resume_back resume "$TMP/copy.safetensors" --progress none --out "$TMP/continued"
expect_rc "ember resume of an earlier checkpoint into a later run" 1
expect_contains "ember resume of an earlier checkpoint into a later run" "holds a later checkpoint"
expect_contains "ember resume of an earlier checkpoint into a later run" "--overwrite"

# ---- two runs in one folder: the second is refused while the first holds it ----
BUSY=$TMP/busy
"$EMBER" train --model lenet5 --data mnist --data-dir "$MNIST" --train-limit 1000 --test-limit 100 --batch 10 \
  --epochs 50 --progress none --out "$BUSY" >"$TMP/busy.out" 2>&1 &
busy_pid=$!
for _ in $(seq 600); do  # the lock file names its owner once fit() has claimed the folder
  [[ -s $BUSY/.lock ]] && break
  sleep 0.05
done
run busy_second train --model lenet5 --data mnist --data-dir "$MNIST" --epochs 1 --progress none --out "$BUSY"
expect_rc "a second ember train in a folder in use" 1
expect_contains "a second ember train in a folder in use" "$BUSY is in use by another run (process $busy_pid)"
run busy_overwrite train --model lenet5 --data mnist --data-dir "$MNIST" --epochs 1 --progress none --out "$BUSY" \
  --overwrite
expect_rc "ember train --overwrite of a folder in use" 1
expect_contains "ember train --overwrite of a folder in use" "is in use by another run (process $busy_pid)"
kill -TERM "$busy_pid"
wait "$busy_pid" || true
# Its lock ended with it: the folder is free again.
run busy_resume resume "$BUSY" --epochs 1 --progress none
[[ $out != *"in use"* ]] || fail "the folder of an ended run is still locked: $out"

# ---- stopped by a signal: a checkpoint of that step, then resume ----
STOP="$TMP/stopped run (it's here)"  # the printed resume command quotes it for the shell
"$EMBER" train --model lenet5 --data mnist --data-dir "$MNIST" --train-limit 1000 --test-limit 100 --batch 10 \
  --epochs 3 --checkpoint-every 5 --progress none --out "$STOP" >"$TMP/stop.out" 2>&1 &
pid=$!
for _ in $(seq 600); do  # the first step checkpoint (step 5) shows training is under way
  [[ -s $STOP/checkpoints/last.safetensors ]] && break
  sleep 0.05
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
out=$(cat "$TMP/stop.out")
expect_rc "ember train interrupted by SIGINT" 130
expect_contains "ember train interrupted by SIGINT" "stopped by signal 2 at epoch"
expect_contains "ember train interrupted by SIGINT" "continue with \`ember resume '$TMP/stopped run (it'\\''s here)'\`"
pasted=$(sed -n 's/.*continue with `ember resume \(.*\)`$/\1/p' "$TMP/stop.out")
eval "words=($pasted)"
[[ ${#words[@]} -eq 1 && ${words[0]} == "$STOP" ]] || fail "the printed resume command does not read back as '$STOP': $pasted"
# config.json edited (here: broken) before the resume: kept aside, and the user told which config runs.
echo '{"lr": 5, broken' >"$STOP/config.json"
run stop_resume resume "$STOP" --progress none
expect_contains "ember resume with an edited config.json" "config.json is not valid JSON, unlike the config recorded in"
expect_contains "ember resume with an edited config.json" "resume continues with the checkpoint's config"
[[ $(cat "$STOP/config.json.edited") == '{"lr": 5, broken' ]] || fail "the edited config.json was not kept"
/usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$STOP/config.json" ||
  fail "config.json was not rewritten from the checkpoint"
expect_rc "ember resume after SIGINT" 0
expect_contains "ember resume after SIGINT" "continuing"
expect_contains "ember resume after SIGINT" "after 3 epochs"
[[ $(line_count "$STOP/metrics.csv") -eq 4 ]] || fail "after SIGINT and resume, metrics.csv:"$'\n'"$(cat "$STOP/metrics.csv")"
run checkpoint_every_bad train --model lenet5 --data mnist --data-dir "$MNIST" --checkpoint-every -3 --out "$TMP/x"
expect_failure "--checkpoint-every -3"
expect_contains "--checkpoint-every -3" "--checkpoint-every"

# ---- schedulers: the lr column of metrics.csv follows each schedule ----
lr_column() { tail -n +2 "$1/metrics.csv" | cut -d, -f8 | tr '\n' ' ' | sed 's/ $//'; }
check_schedule() {  # check_schedule NAME "EXPECTED LRS" ARGS...
  local name=$1 expected=$2
  shift 2
  run "sched_$name" train --model lenet5 --data mnist --data-dir "$MNIST" --train-limit 100 --test-limit 100 \
    --batch 50 --epochs 4 --lr 0.1 --progress none --out "$TMP/sched_$name" "$@"
  expect_rc "ember train $*" 0
  local got
  got=$(lr_column "$TMP/sched_$name")
  [[ $got == "$expected" ]] || fail "scheduler $name: lrs per epoch '$got', expected '$expected'"
}
check_schedule step "0.1 0.05 0.025 0.0125" --scheduler step --step-size 1 --gamma 0.5
check_schedule multistep "0.1 0.1 0.010000000000000002 0.0010000000000000002" --scheduler multistep --milestones 2,3 --gamma 0.1
check_schedule exponential "0.1 0.05 0.025 0.0125" --scheduler exponential --gamma 0.5
check_schedule cosine "0.1 0.08535533905932738 0.05 0.014644660940672627" --scheduler cosine
check_schedule warmup "0.03333333333333333 0.05555555555555556 0.07777777777777778 0.1" --warmup 3
run profile train --model lenet5 --data mnist --data-dir "$MNIST" --train-limit 100 --test-limit 100 \
  --batch 50 --epochs 1 --progress none --profile --out "$TMP/profile"
expect_rc "ember train --profile" 0
expect_contains "ember train --profile" "op profile (training and evaluation, all epochs):"
expect_contains "ember train --profile" "self ms"
expect_contains "ember train --profile" "Conv2dReluBackward"
expect_contains "ember train --profile" "DataLoader.next"
run sched_bad train --model lenet5 --data mnist --data-dir "$MNIST" --scheduler multistep --progress none --out "$TMP/x"
expect_rc "multistep without milestones" 1
expect_contains "multistep without milestones" "needs --milestones"


# ---- Checkpoint integrity: checksums, non-finite weights ----
# #17. Copies of the run's checkpoint, edited in place with coreutils: one bit flipped in a weight
# (the stored CRC-32 no longer matches), and a NaN written into a weight with its checksum made to
# match (as a run that diverged would have saved it). Each is refused by every reader, naming the
# file and the tensor, with exit code 1.
# tensor_data FILE NAME: "OFFSET LENGTH" of tensor NAME's data bytes in FILE.
tensor_data() {
  local length header pattern
  length=$(od -An -tu8 -N8 "$1" | tr -d ' ')
  header=$(dd if="$1" iflag=skip_bytes,count_bytes skip=8 count="$length" status=none)
  pattern="\"${2//./\\.}\":\\{[^}]*\"data_offsets\":\\[([0-9]+),([0-9]+)\\]"
  [[ $header =~ $pattern ]] || return 1
  echo "$((8 + length + BASH_REMATCH[1])) $((BASH_REMATCH[2] - BASH_REMATCH[1]))"
}
put_bytes() {  # put_bytes FILE OFFSET TEXT: overwrites bytes (printf escapes, e.g. '\x7f') in place
  printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
crc32_of() {  # crc32_of FILE OFFSET LENGTH: the CRC-32 of those bytes, 8 hex digits (gzip's trailer holds it)
  dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none | gzip -c | tail -c 8 | od -An -tx4 -N4 |
    tr -d ' '
}
TENSOR=model.features.0.weight  # LeNet-5's first conv: [6, 1, 5, 5], 150 floats
if ! read -r at bytes < <(tensor_data "$LAST" "$TENSOR"); then
  fail "$LAST has no tensor $TENSOR, or its header could not be read"
else
  stored=$(crc32_of "$LAST" "$at" "$bytes")
  grep -qaF "\"ember.crc32.$TENSOR\":\"$stored\"" "$LAST" ||
    fail "$LAST does not store $TENSOR's CRC-32 $stored in its metadata"

  # One bit: the top bit of element 17's exponent.
  FLIPPED=$TMP/flipped.safetensors
  cp "$LAST" "$FLIPPED"
  byte=$(od -An -tu1 -j $((at + 17 * 4 + 3)) -N1 "$FLIPPED" | tr -d ' ')
  put_bytes "$FLIPPED" $((at + 17 * 4 + 3)) "\\x$(printf %02x $((byte ^ 0x40)))"
  run eval_flipped eval -c "$FLIPPED" --data-dir "$MNIST"
  expect_rc "ember eval -c of a checkpoint with a flipped bit" 1
  expect_contains "ember eval -c of a checkpoint with a flipped bit" \
    "ember: error: load: $FLIPPED: tensor '$TENSOR': checksum mismatch: stored crc32 $stored, computed"
  expect_contains "ember eval -c of a checkpoint with a flipped bit" ": the file is corrupt"
  run resume_flipped resume "$FLIPPED" --out "$TMP/resumed_flipped" --progress none
  expect_rc "ember resume of a checkpoint with a flipped bit" 1
  expect_contains "ember resume of a checkpoint with a flipped bit" "$FLIPPED: tensor '$TENSOR': checksum mismatch"
  [[ ! -e $TMP/resumed_flipped/checkpoints ]] || fail "ember resume of a corrupt checkpoint wrote checkpoints"

  # A NaN at element 17, the checksum rewritten to match: the values themselves are refused.
  NAN=$TMP/nan.safetensors
  cp "$LAST" "$NAN"
  put_bytes "$NAN" $((at + 17 * 4)) '\x00\x00\xc0\x7f'
  key_at=$(grep -m1 -obaF "\"ember.crc32.$TENSOR\":\"" "$NAN" | cut -d: -f1)
  put_bytes "$NAN" $((key_at + ${#TENSOR} + 16)) "$(crc32_of "$NAN" "$at" "$bytes")"
  nan_message="load: $NAN: tensor '$TENSOR' holds NaN at element 17 of 150 (index [0, 0, 3, 2]; 1 NaN or infinite value in all): the file's weights are not usable"
  run eval_nan eval -c "$NAN" --data-dir "$MNIST"
  expect_rc "ember eval -c of a checkpoint holding NaN" 1
  expect_contains "ember eval -c of a checkpoint holding NaN" "ember: error: $nan_message"
  run viz_nan viz filters --checkpoint "$NAN" -o "$TMP/nan.png"
  expect_rc "ember viz filters of a checkpoint holding NaN" 1
  expect_contains "ember viz filters of a checkpoint holding NaN" "$nan_message"
  [[ ! -e $TMP/nan.png ]] || fail "ember viz filters drew a checkpoint holding NaN"
  run init_nan train --model lenet5 --data mnist --data-dir "$MNIST" --init-weights "$NAN" --progress none \
    --out "$TMP/init_nan"
  expect_rc "ember train --init-weights of a checkpoint holding NaN" 1
  expect_contains "ember train --init-weights of a checkpoint holding NaN" "$nan_message"

  # Put back, the NaN file's bytes are the checkpoint's again, and it evaluates as before.
  cp "$NAN" "$TMP/restored.safetensors"
  put_bytes "$TMP/restored.safetensors" $((at + 17 * 4)) \
    "$(od -An -tx1 -j $((at + 17 * 4)) -N4 "$LAST" | sed 's/ /\\x/g')"
  put_bytes "$TMP/restored.safetensors" $((key_at + ${#TENSOR} + 16)) "$stored"
  cmp -s "$LAST" "$TMP/restored.safetensors" || fail "the edits of $NAN did not touch only element 17 and its checksum"
fi

# Numbers and impossible options (#17): every number flag is decimal (0100 is 100, not octal 64),
# overflow-safe, its range said in words naming the flag; a batch larger than the data is one
# batch of all of it; options impossible for the images or the schedule are refused; a model or
# batch too large for this machine's memory is refused before it is built, naming the flag. Each
# refusal exits 1. The same rules hold for a checkpoint's run config (fields named by their keys).
NUM=$TMP/numbers
mkdir -p "$NUM"
numbers_refused() {  # numbers_refused NAME "EXPECTED MESSAGE" ARGS...
  local name=$1 expected=$2
  shift 2
  run "numbers_$name" "$@"
  expect_rc "ember $*" 1
  expect_contains "ember $*" "$expected"
}
numbers_refused batch0 "--batch must be at least 1, got 0" train --model lenet5 --data mnist --data-dir "$MNIST" \
  --batch 0 --out "$NUM/x"
numbers_refused batch_huge "--batch must be at most 9223372036854775807, got 99999999999999999999" \
  train --model lenet5 --data mnist --data-dir "$MNIST" --batch 99999999999999999999 --out "$NUM/x"
numbers_refused batch_exp "--batch must be a decimal integer at least 1, got '1e9'" \
  train --model lenet5 --data mnist --data-dir "$MNIST" --batch 1e9 --out "$NUM/x"
numbers_refused batch_hex "--batch must be a decimal integer at least 1, got '0x40'" \
  train --model lenet5 --data mnist --data-dir "$MNIST" --batch 0x40 --out "$NUM/x"
numbers_refused threads "--threads must be between 0 and 1024, got 5000" \
  train --model lenet5 --data mnist --data-dir "$MNIST" --threads 5000 --out "$NUM/x"
numbers_refused lr0 "--lr must be greater than 0, got 0" train --model lenet5 --data mnist --data-dir "$MNIST" \
  --lr 0 --out "$NUM/x"
numbers_refused lr_nan "--lr must be a finite number greater than 0, got nan" \
  train --model lenet5 --data mnist --data-dir "$MNIST" --lr nan --out "$NUM/x"
numbers_refused momentum "--momentum must be at least 0 and less than 1, got 1" \
  train --model lenet5 --data mnist --data-dir "$MNIST" --momentum 1 --out "$NUM/x"
numbers_refused epochs "--epochs must be between 1 and 1000000, got 0" train --model lenet5 --data mnist \
  --data-dir "$MNIST" --epochs 0 --out "$NUM/x"
numbers_refused eval_batch0 "--batch must be at least 1, got 0" eval --checkpoint "$LAST" --data-dir "$MNIST" --batch 0
numbers_refused resume_epochs "--epochs must be between 1 and 1000000, got 9223372036854775807" \
  resume "$RUN" --epochs 9223372036854775807
numbers_refused summary_size0 "--input-size must be at least 1, got 0" summary --model lenet5 --input-size 0
numbers_refused viz_scale "--scale must be between 1 and 64, got 100" viz filters --checkpoint "$LAST" --scale 100
numbers_refused translate "--translate must be less than the images' height and width, got 1000 for MNIST's [1, 28, 28] images" \
  train --model lenet5 --data mnist --data-dir "$MNIST" --translate 1000 --out "$NUM/x"
numbers_refused milestones "--milestones must be increasing epochs, each at least 1, got -2,-1" \
  train --model lenet5 --data mnist --data-dir "$MNIST" --scheduler multistep --milestones -2,-1 --out "$NUM/x"
numbers_refused hidden "--hidden 1000000000 makes the model's parameters" \
  train --model mnist_cnn --data mnist --data-dir "$MNIST" --hidden 1000000000 --out "$NUM/x"
expect_contains "--hidden 1000000000" "more than this machine's"
[[ ! -e $NUM/x ]] || fail "a train refused after loading the data left its --out folder behind"
numbers_refused width "--width 1000 makes the model's parameters" \
  train --model mobilenet --data mnist --data-dir "$MNIST" --width 1000 --out "$NUM/x"
numbers_refused summary_size "--input-size 100000 makes one image's activations about" \
  summary --model mobilenet --input-size 100000
numbers_refused summary_simplecnn "--input-size 100000 makes the model's parameters" \
  summary --model simplecnn --input-size 100000

# --batch 0100 is a hundred: 200 images make 2 batches (octal 64 made 4).
run numbers_leading_zero train --model lenet5 --data mnist --data-dir "$MNIST" --train-limit 200 --test-limit 100 \
  --batch 0100 --epochs 1 --progress lines --out "$NUM/zero"
expect_rc "ember train --batch 0100" 0
expect_contains "ember train --batch 0100" "epoch 1/1  batch 1/2"
# Batches of INT64_MAX: one batch of all the data, trained and evaluated on every image (the
# batch count overflowed to an epoch of none: nothing trained, 0 test images, exit 0).
run numbers_max train --model lenet5 --data mnist --data-dir "$MNIST" --train-limit 200 --batch 9223372036854775807 \
  --test-batch 9223372036854775807 --epochs 1 --progress lines --out "$NUM/max"
expect_rc "ember train --batch/--test-batch 9223372036854775807" 0
max_accuracy=$(grep -oE '^test accuracy [0-9.]+%' <<<"$out" | grep -oE '[0-9]+\.[0-9]+' || true)
awk -F, 'NR == 2 { exit !($10 > 0) }' "$NUM/max/metrics.csv" ||
  fail "ember train --batch 9223372036854775807 trained on no images: $(cat "$NUM/max/metrics.csv")"
run numbers_max_eval eval --checkpoint "$NUM/max/checkpoints/last.safetensors" --data-dir "$MNIST"
expect_contains "eval of the --test-batch 9223372036854775807 run" "(500 images)"
expect_contains "eval of the --test-batch 9223372036854775807 run: same accuracy as all 500 images" \
  " accuracy $max_accuracy%"
run numbers_eval_huge eval --checkpoint "$NUM/max/checkpoints/last.safetensors" --data-dir "$MNIST" \
  --batch 9223372036854775807
expect_rc "ember eval --batch 9223372036854775807" 0
expect_contains "ember eval --batch 9223372036854775807" "accuracy $max_accuracy%"
expect_contains "ember eval --batch 9223372036854775807" "(500 images)"

# A checkpoint whose run config was edited: the same ranges, the field named by its key.
# with_config IN OUT KEY=JSON...: a copy of checkpoint IN with those config fields replaced.
with_config() {
  /usr/bin/python3 - "$@" <<'PY'
import json, struct, sys
src, dst, *pairs = sys.argv[1:]
data = open(src, "rb").read()
size = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + size])
config = json.loads(header["__metadata__"]["config"])
for pair in pairs:
    key, value = pair.split("=", 1)
    config[key] = json.loads(value)
header["__metadata__"]["config"] = json.dumps(config)
text = json.dumps(header).encode()
open(dst, "wb").write(struct.pack("<Q", len(text)) + text + data[8 + size:])
PY
}
ZERO_LAST=$NUM/zero/checkpoints/last.safetensors
with_config "$ZERO_LAST" "$NUM/batch0.safetensors" batch=0
numbers_refused config_batch0 "invalid experiment: batch must be at least 1, got 0" eval -c "$NUM/batch0.safetensors" \
  --data-dir "$MNIST"
with_config "$ZERO_LAST" "$NUM/threads.safetensors" threads=5000 lr=0
numbers_refused config_threads "lr must be greater than 0, got 0; threads must be between 0 and 1024, got 5000" \
  eval -c "$NUM/threads.safetensors" --data-dir "$MNIST"
mkdir -p "$NUM/milestones/checkpoints"
with_config "$ZERO_LAST" "$NUM/milestones/checkpoints/last.safetensors" 'scheduler="multistep"' 'milestones=[-2,-1]'
numbers_refused config_milestones "milestones must be increasing epochs, each at least 1, got -2,-1" \
  resume "$NUM/milestones" --epochs 2
with_config "$ZERO_LAST" "$NUM/hidden.safetensors" 'model="mnist_cnn"' 'hidden=[1000000000]'
numbers_refused config_hidden "hidden 1000000000 makes the model's parameters" eval -c "$NUM/hidden.safetensors" \
  --data-dir "$MNIST"

# ---- ember compare: two real runs and an older one without steps.csv on one page; bad folders ----
CMP=$TMP/compare
for lr in 0.01 0.05; do
  run "compare_train_$lr" train --model lenet5 --data mnist --data-dir "$MNIST" --train-limit 200 --test-limit 100 \
    --batch 50 --epochs 2 --lr "$lr" --progress none --out "$CMP/runs/lr-$lr"
  expect_rc "ember train --out $CMP/runs/lr-$lr" 0
done
mkdir -p "$CMP/runs/old"
cp "$CMP/runs/lr-0.01/config.json" "$CMP/runs/old/"
sed -i 's/"seed": [0-9]*/"seed": 99/' "$CMP/runs/old/config.json"
printf '%s\n' "epoch,train_loss,train_accuracy,test_loss,test_accuracy,test_topk_accuracy,topk,lr,seconds,images_per_second" \
  "1,0.9,0.7,0.8,0.75,0.9,5,0.01,2.5,400" "2,0.6,0.8,0.5,0.875,0.95,5,0.01,2.5,410" >"$CMP/runs/old/metrics.csv"
run compare_default compare "$CMP/runs/lr-0.01" "$CMP/runs/lr-0.05/" "$CMP/runs/old"
expect_rc "ember compare" 0
expect_contains "ember compare" "compared 3 runs: $CMP/runs/compare.html"
page=$(cat "$CMP/runs/compare.html" 2>/dev/null || true)
[[ $(grep -o '<svg' <<<"$page" | wc -l) -ge 4 ]] || fail "ember compare: fewer than 4 charts in $CMP/runs/compare.html"
for name in lr-0.01 lr-0.05 old; do
  [[ $(grep -oF ">$name</text>" <<<"$page" | wc -l) -ge 4 ]] ||
    fail "ember compare: run $name is not in every per-epoch chart's legend"
done
grep -qF "87.50%" <<<"$page" ||
  fail "ember compare: the old run's best test accuracy (87.50%) is not on the page"
grep -qF "no steps.csv" <<<"$page" || fail "ember compare: the page does not say which run has no steps.csv"
grep -qE '<td class="key">lr</td><td class="key">0.01</td><td class="key">0.05</td><td class="key">0.01</td>' <<<"$page" ||
  fail "ember compare: the differing lr is not in the config table"
grep -qE '<td class="key">seed</td><td class="key">[0-9]+</td><td class="key">[0-9]+</td><td class="key">99</td>' <<<"$page" ||
  fail "ember compare: the differing seed is not in the config table"
run compare_output compare "$CMP/runs/old" -o "$CMP/one.html"
expect_rc "ember compare -o" 0
expect_file "$CMP/one.html"
run compare_missing compare "$CMP/runs/lr-0.01" "$CMP/runs/nope"
expect_rc "ember compare of a missing folder" 1
expect_contains "ember compare of a missing folder" "run '$CMP/runs/nope': no such folder"
mkdir -p "$CMP/not_a_run"
run compare_not_run compare "$CMP/not_a_run"
expect_rc "ember compare of a folder that is not a run" 1
expect_contains "ember compare of a folder that is not a run" "not a run folder: $CMP/not_a_run/metrics.csv is missing"
echo "3,0.5" >>"$CMP/runs/old/metrics.csv"
run compare_bad_line compare "$CMP/runs/old"
expect_rc "ember compare of a malformed metrics.csv" 1
expect_contains "ember compare of a malformed metrics.csv" "$CMP/runs/old/metrics.csv: line 4 has 2 fields, expected 10"
run compare_none compare
expect_failure "ember compare without a run"
expect_contains "ember compare without a run" "runs is required"
# ---- did you mean: misspelt commands, flags and names; names in any case ----
run typo_command trian
expect_failure "ember trian"
expect_contains "ember trian" "ember: unknown command 'trian'; did you mean 'train'?"
expect_contains "ember trian" "commands: train, resume, eval, summary, models, viz, export-weights"
run far_command frobnicate --model lenet5
expect_failure "ember frobnicate"
expect_contains "ember frobnicate" "ember: unknown command 'frobnicate'"
grep -qF "did you mean" <<<"$out" && fail "ember frobnicate: suggests a command that is not near; output:"$'\n'"$out"
run typo_flag train --model lenet5 --data mnist --epoch 3
expect_failure "ember train --epoch 3"
expect_contains "ember train --epoch 3" "ember: unknown option '--epoch' for 'ember train'; did you mean '--epochs'?"
run typo_flag_eq summary --model lenet5 --input-sise=32
expect_failure "ember summary --input-sise=32"
expect_contains "ember summary --input-sise=32" "unknown option '--input-sise' for 'ember summary'; did you mean '--input-size'?"
run typo_sub_flag viz filters --checkpont x.safetensors
expect_failure "ember viz filters --checkpont"
expect_contains "ember viz filters --checkpont" "unknown option '--checkpont' for 'ember viz filters'; did you mean '--checkpoint'?"
run typo_viz viz filtres
expect_failure "ember viz filtres"
expect_contains "ember viz filtres" "ember: unknown command 'filtres'; did you mean 'filters'?"
grep -qF "A subcommand is required" <<<"$out" && fail "ember viz filtres: the unknown command is the error; output:"$'\n'"$out"
run typo_version --verison
expect_failure "ember --verison"
expect_contains "ember --verison" "ember: unknown option '--verison' for 'ember'; did you mean '--version'?"
run missing_and_typo train --model lenet5 --epoch 3
expect_failure "ember train --epoch 3 without --data"
expect_contains "ember train --epoch 3 without --data" "did you mean '--epochs'?"
expect_contains "ember train --epoch 3 without --data" "--data is required"
run typo_model summary --model lenet
expect_failure "ember summary --model lenet"
expect_contains "ember summary --model lenet" "--model: lenet not in {lenet5,"
expect_contains "ember summary --model lenet" "did you mean 'lenet5'?"
run case_model summary --model LeNet5
expect_rc "ember summary --model LeNet5" 0
expect_contains "ember summary --model LeNet5" "LeNet5 (input [1, 1, 28, 28])"
expect_contains "ember summary --model LeNet5" "total params: 61,706"
run typo_optim train --model lenet5 --data mnist --optim sdg
expect_failure "ember train --optim sdg"
expect_contains "ember train --optim sdg" "--optim: sdg not in {sgd,adam,adamw,rmsprop,adagrad}; did you mean 'sgd'?"
run typo_data train --model lenet5 --data fashion_mnist
expect_contains "ember train --data fashion_mnist" "did you mean 'fashion-mnist'?"
run typo_scheduler train --model lenet5 --data mnist --scheduler cosin
expect_contains "ember train --scheduler cosin" "did you mean 'cosine'?"
run typo_activation train --model lenet5 --data mnist --activation Relu6
expect_contains "ember train --activation Relu6" "did you mean 'relu'?"
run typo_progress train --model lenet5 --data mnist --progress line
expect_contains "ember train --progress line" "did you mean 'lines'?"
# Names in any case are stored as the zoo spells them: the run folder and config.json say lenet5.
CASE=$TMP/case
run case_names train --model LeNet5 --data MNIST --optim SGD --scheduler Cosine --activation ReLU --progress None \
  --data-dir "$MNIST" --train-limit 64 --test-limit 32 --epochs 1 --out "$CASE"
expect_rc "ember train --model LeNet5 --data MNIST --optim SGD" 0
grep -q '"model": *"lenet5"' "$CASE/config.json" || fail "config.json does not name lenet5: $(cat "$CASE/config.json")"
grep -q '"optim": *"sgd"' "$CASE/config.json" || fail "config.json does not name sgd: $(cat "$CASE/config.json")"
run version_again --version
expect_rc "ember --version" 0
expect_contains "ember --version" "ember 0."
# ---- steps.csv and the report's header: one row per step, continued by resume; the command line
# shell-quoted in the report ----
STEPS="$TMP/steps run"
run steps_train train --model lenet5 --data mnist --data-dir "$MNIST" --epochs 2 --batch 50 --train-limit 200 \
  --progress none --out "$STEPS"
expect_rc "ember train (steps.csv)" 0
[[ $(head -1 "$STEPS/steps.csv") == "step,epoch,loss,accuracy,lr,images_per_second,seconds" ]] ||
  fail "steps.csv header: $(head -1 "$STEPS/steps.csv")"
[[ $(line_count "$STEPS/steps.csv") -eq 9 ]] || fail "steps.csv after 2 epochs of 4 steps: $(line_count "$STEPS/steps.csv") lines, expected 9"
grep -qF "ember train --model lenet5" "$STEPS/report/index.html" && grep -qF "&#39;$STEPS&#39;" "$STEPS/report/index.html" ||
  fail "the report's header lacks the shell-quoted command line"
before=$(cut -d, -f1-5 "$STEPS/steps.csv")
run steps_resume resume "$STEPS" --epochs 3
expect_rc "ember resume (steps.csv)" 0
[[ $(cut -d, -f1 "$STEPS/steps.csv" | tail -n +2 | tr '\n' ' ') == "1 2 3 4 5 6 7 8 9 10 11 12 " ]] ||
  fail "steps.csv after resume: steps $(cut -d, -f1 "$STEPS/steps.csv" | tail -n +2 | tr '\n' ' ')"
[[ $(cut -d, -f1-5 "$STEPS/steps.csv" | head -9) == "$before" ]] || fail "resume changed the steps.csv rows it kept"
grep -qF "ember resume" "$STEPS/report/index.html" || fail "the resumed run's report lacks its command line"

# ---- --pad and --init (#20): the classic LeNet-5 on MNIST padded to 32x32; Keras's init ----
run classic_unpadded train --model lenet5_classic --data mnist --data-dir "$MNIST" --train-limit 64 --test-limit 32 \
  --epochs 1 --progress none --out "$TMP/classic"
expect_rc "ember train --model lenet5_classic (28x28)" 1
expect_contains "ember train --model lenet5_classic (28x28)" "takes Cx32x32 images but MNIST's images are 1x28x28: pad them with --pad 2"
run classic_padded train --model lenet5_classic --pad 2 --init xavier --data mnist --data-dir "$MNIST" --train-limit 64 \
  --test-limit 32 --epochs 1 --progress none --out "$TMP/classic"
expect_rc "ember train --model lenet5_classic --pad 2 --init xavier" 0
expect_contains "ember train --model lenet5_classic --pad 2" "after 1 epoch"
grep -q '"pad": *2' "$TMP/classic/config.json" && grep -q '"init": *"xavier"' "$TMP/classic/config.json" ||
  fail "config.json lacks pad 2 and init xavier: $(cat "$TMP/classic/config.json")"
run classic_eval eval --checkpoint "$TMP/classic/checkpoints/last.safetensors" --data-dir "$MNIST" --test-limit 32
expect_rc "ember eval of a padded run" 0
expect_contains "ember eval of a padded run" "(32 images)"
run classic_resume resume "$TMP/classic" --epochs 2
expect_rc "ember resume of a padded run" 0
for bad in "--pad -1|--pad" "--pad 5000|--pad must be between 0 and 1024, got 5000" "--init glorot|unknown --init 'glorot'" \
  "--init normal:0|the standard deviation after 'normal:' must be a number greater than 0"; do
  flags=${bad%%|*}
  # shellcheck disable=SC2086
  run bad_init_pad train --model lenet5 --data mnist --data-dir "$MNIST" --out "$TMP/bad" $flags
  expect_failure "ember train $flags"
  expect_contains "ember train $flags" "${bad#*|}"
done

finish
