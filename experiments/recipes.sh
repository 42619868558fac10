# The recipes of the results table (experiments/README.md), each said once: its name, the
# published figure it reproduces, what it is, and its `ember train` flags, which
# experiments/reference/torch_train.py takes too (the PyTorch column). Sourced by run_all.sh and
# by the recipe scripts (after common.sh); EPOCHS, if set, overrides every recipe's epochs (for a
# quick try).
#
# The MNIST study's recipe (why it differs from the original is in experiments/README.md): batch
# 128, SGD with momentum 0.9, a cosine schedule after a linear warm-up of one epoch; 20 epochs
# (the dropout step 40, the study's own count for it); sigmoid steps at lr 0.3, ReLU steps at
# lr 0.1 with L2 weight decay.
study=(--model mnist_cnn --data mnist --batch 128 --optim sgd --momentum 0.9 --scheduler cosine --warmup 1)
study_relu=(--activation relu --lr 0.1 --weight-decay 1e-4)

RECIPES=()
declare -A RECIPE_FLAGS RECIPE_PUBLISHED RECIPE_WHAT RECIPE_SOURCE
# recipe NAME PUBLISHED SOURCE WHAT FLAGS...   (PUBLISHED: the figure to reach, in %; "" for none)
recipe() {
  local name=$1
  RECIPES+=("$name")
  RECIPE_PUBLISHED[$name]=$2
  RECIPE_SOURCE[$name]=$3
  RECIPE_WHAT[$name]=$4
  shift 4
  RECIPE_FLAGS[$name]="$*"
}

recipe study-1 98.78 "the study" "study step 1: conv 20 (5x5) + maxpool, FC 100, sigmoid" \
  "${study[@]}" --conv-channels 20 --hidden 100 --activation sigmoid --lr 0.3 --epochs 20
recipe study-2 99.06 "the study" "study step 2: + conv 40 (5x5) + maxpool" \
  "${study[@]}" --conv-channels 20,40 --hidden 100 --activation sigmoid --lr 0.3 --epochs 20
recipe study-3 99.23 "the study" "study step 3: ReLU + L2 weight decay" \
  "${study[@]}" --conv-channels 20,40 --hidden 100 "${study_relu[@]}" --epochs 20
recipe study-4 99.37 "the study" "study step 4: + training data expanded by 1-pixel shifts" \
  "${study[@]}" --conv-channels 20,40 --hidden 100 "${study_relu[@]}" --translate 1 --epochs 20
recipe study-5 99.60 "the study" "study step 5: + two FC 1000 with dropout 0.5" \
  "${study[@]}" --conv-channels 20,40 --hidden 1000,1000 --dropout 0.5 "${study_relu[@]}" --translate 1 --epochs 40
# Step 6 is no training of its own: five step-5 networks (seeds 1-5) voting, `ember eval`.
recipe study-6 99.67 "the study" "study step 6: ensemble of five step-5 nets (majority vote)" ensemble-of study-5
recipe simplecnn-book 98.96 "the book" "SimpleConvNet, N(0, 0.01^2) init, Adam 1e-3, batch 100, 20 epochs" \
  --model simplecnn --normal-init --data mnist --batch 100 --optim adam --lr 0.001 --epochs 20
recipe keras-lenet-pytorch-init "" "" "Keras LeNet on Fashion-MNIST: sigmoid, SGD lr 0.9, batch 32, 5 epochs, PyTorch's init" \
  --model lenet5 --activation sigmoid --data fashion-mnist --batch 32 --optim sgd --lr 0.9 --epochs 5 --init pytorch
recipe keras-lenet-xavier 77.73 "Keras" "the same with Keras's init (Glorot uniform, zero bias)" \
  --model lenet5 --activation sigmoid --data fashion-mnist --batch 32 --optim sgd --lr 0.9 --epochs 5 --init xavier
recipe lenet5-classic 99.05 "LeCun 1998" "classic LeNet-5 (tanh, avg pool, C5) on MNIST padded to 32x32, SGD momentum, 20 epochs" \
  --model lenet5_classic --pad 2 --data mnist --batch 64 --optim sgd --lr 0.01 --momentum 0.9 --scheduler cosine --epochs 20
recipe lenet5-mnist "" "" "LeNet-5 (modern) on MNIST: batch 64, SGD lr 0.01 momentum 0.9, 3 epochs (the demo)" \
  --model lenet5 --data mnist --batch 64 --optim sgd --lr 0.01 --momentum 0.9 --epochs 3
recipe lenet5-fashion "" "" "the same on Fashion-MNIST, 5 epochs" \
  --model lenet5 --data fashion-mnist --batch 64 --optim sgd --lr 0.01 --momentum 0.9 --epochs 5

# The value after --data in the arguments: the recipe's dataset.
dataset_of() {
  while (($#)); do
    if [[ $1 == --data ]]; then echo "$2"; return; fi
    shift
  done
}

# train_recipe NAME OUT [ARGS...]: `ember train` of recipe NAME with SEED into OUT (replaced if
# there), the data fetched if missing, further ARGS passed on.
train_recipe() {
  local name=$1 out=$2 data
  shift 2
  recipe_args "$name"
  data=$(dataset_of "${RECIPE_ARGS[@]}")
  need_data "$data"
  "$EMBER" train "${RECIPE_ARGS[@]}" --data-dir "$DATA/$data" --seed "$SEED" --out "$out" --overwrite "$@"
}

# The flags of recipe $1 as an array in RECIPE_ARGS, with EPOCHS applied when set.
recipe_args() {
  read -r -a RECIPE_ARGS <<<"${RECIPE_FLAGS[$1]}"
  if [[ -n ${EPOCHS:-} ]]; then
    local i
    for i in "${!RECIPE_ARGS[@]}"; do
      [[ ${RECIPE_ARGS[$i]} == --epochs ]] && RECIPE_ARGS[$((i + 1))]=$EPOCHS
    done
  fi
  return 0
}
