#!/usr/bin/env bash
# README.md shows example programs verbatim, so that what users copy is what the tests build and
# run: the first ```cpp block under a heading must equal the file without its leading // lines.
#   tests/examples/check_readme_block.sh README.md "## Training in C++" examples/train_mnist.cpp
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 <README.md> <heading line> <example file>" >&2
  exit 2
fi
readme=$1 heading=$2 file=$3

# The block: from the first ```cpp line after the heading (before the next ## heading) to its ```.
block=$(awk -v heading="$heading" '
  $0 == heading { under = 1; next }
  under && !inside && /^## / { exit }
  under && !inside && $0 == "```cpp" { inside = 1; next }
  inside && $0 == "```" { exit }
  inside { print }' "$readme")
if [[ -z $block ]]; then
  echo "FAIL: $readme has no \`\`\`cpp block under '$heading'" >&2
  exit 1
fi
program=$(awk 'started || !/^\/\// { started = 1; print }' "$file")

if ! diff -u --label "$readme, the block under '$heading'" <(printf '%s\n' "$block") \
     --label "$file without its leading comment" <(printf '%s\n' "$program"); then
  echo "FAIL: $readme and $file differ: change both, or copy the file's code into the README" >&2
  exit 1
fi
echo "ok: $readme's block under '$heading' is $file"
