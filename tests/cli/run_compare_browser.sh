#!/usr/bin/env bash
# `ember compare`'s page in a real browser (ctest: cli.compare_browser): Debian's headless
# Chromium renders a comparison of three runs written here (two with steps.csv, one without);
# the screenshot must not be blank and must show each run's color, and the rendered DOM must hold
# every chart's paths and each run's name.
#   tests/cli/run_compare_browser.sh <path to ember>
# Chromium missing: reported skipped (exit 77); scripts/test.sh installs it (scripts/setup.sh chromium).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 <ember binary>" >&2
  exit 2
fi
EMBER=$1
if ! command -v chromium >/dev/null; then
  echo "SKIP: chromium is not installed (scripts/setup.sh chromium)"
  exit 77
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ember_compare_browser.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# write_run NAME LR MOMENTUM STEPS(0: no steps.csv): a run folder with two epochs.
write_run() {
  local dir=$TMP/runs/$1 lr=$2 momentum=$3 steps=$4
  mkdir -p "$dir"
  printf '{"model": "lenet5", "lr": %s, "momentum": %s, "epochs": 2}\n' "$lr" "$momentum" >"$dir/config.json"
  {
    echo "epoch,train_loss,train_accuracy,test_loss,test_accuracy,test_topk_accuracy,topk,lr,seconds,images_per_second"
    awk -v lr="$lr" 'BEGIN { for (e = 1; e <= 2; e++)
      printf "%d,%g,%g,%g,%g,0.99,5,%s,5,10000\n", e, 1 / (e + 10 * lr), 0.7 + 0.05 * e + lr / 2, 0.9 / (e + 10 * lr),
             0.72 + 0.05 * e + lr / 2, lr }'
  } >"$dir/metrics.csv"
  if ((steps > 0)); then
    {
      echo "step,epoch,loss,accuracy,lr,images_per_second,seconds"
      awk -v lr="$lr" -v n="$steps" 'BEGIN { srand(1); for (s = 1; s <= n; s++)
        printf "%d,%d,%g,0.5,%g,10000,0.01\n", s, 1 + int(2 * (s - 1) / n), 2.3 * exp(-s * lr / 5) + 0.2 * rand(),
               lr * (1 - 0.5 * s / n) }'
    } >"$dir/steps.csv"
  fi
}
write_run lr-0.1 0.1 0.9 400
write_run lr-0.3 0.3 0.5 400
write_run old-run 0.05 0.9 0

"$EMBER" compare "$TMP/runs/lr-0.1" "$TMP/runs/lr-0.3" "$TMP/runs/old-run" >"$TMP/compare.out"
PAGE=$TMP/runs/compare.html
[[ -s $PAGE ]] || { echo "FAIL: ember compare wrote no $PAGE: $(cat "$TMP/compare.out")" >&2; exit 1; }

chrome() {
  timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$(mktemp -d "$TMP/profile.XXXXXX")" "$@" 2>>"$TMP/chromium.err"
}
chrome --screenshot="$TMP/page.png" --window-size=1200,1600 "file://$PAGE" >/dev/null ||
  { echo "FAIL: chromium could not take the screenshot:" >&2; cat "$TMP/chromium.err" >&2; exit 1; }
chrome --dump-dom "file://$PAGE" >"$TMP/dom.html" ||
  { echo "FAIL: chromium could not dump the DOM:" >&2; cat "$TMP/chromium.err" >&2; exit 1; }

/usr/bin/python3 - "$TMP/page.png" "$TMP/dom.html" <<'PY'
import re, struct, sys, zlib

def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    at, idat = 8, b""
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + size]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        at += 12 + size
    assert depth == 8 and color in (2, 6), f"unexpected PNG format: depth {depth}, color type {color}"
    bpp = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, previous, at = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1: line[i] = (line[i] + a) & 255
            elif kind == 2: line[i] = (line[i] + b) & 255
            elif kind == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    pixels = [tuple(row[x * bpp:x * bpp + 3]) for row in rows for x in range(width)]
    return width, height, pixels

failures = []
width, height, pixels = read_png(sys.argv[1])
if (width, height) != (1200, 1600):
    failures.append(f"screenshot is {width}x{height}, expected 1200x1600")
counts = {}
for p in pixels:
    counts[p] = counts.get(p, 0) + 1
non_white = len(pixels) - counts.get((255, 255, 255), 0)
print(f"screenshot {width}x{height}: {len(counts)} distinct colors, {100 * non_white / len(pixels):.1f}% not white")
if len(counts) < 50 or non_white < len(pixels) // 50:
    failures.append("the screenshot is blank or nearly so")
# Each run's color (svg_chart.h's series_color 0, 1, 2) in its lines, markers and table swatch.
for name, rgb in (("lr-0.1", (0x1f, 0x77, 0xb4)), ("lr-0.3", (0xff, 0x7f, 0x0e)), ("old-run", (0x2c, 0xa0, 0x2c))):
    n = counts.get(rgb, 0)
    print(f"run {name}: {n} pixels of #{bytes(rgb).hex()}")
    if n < 100:
        failures.append(f"run {name}'s color #{bytes(rgb).hex()} is on only {n} pixels")

dom = open(sys.argv[2]).read()
svgs = re.findall(r"<svg.*?</svg>", dom, re.S)
paths = [len(re.findall(r"<path ", svg)) for svg in svgs]
print(f"rendered DOM: {len(svgs)} charts with {paths} paths")
# Two step charts (the two runs with steps.csv), four epoch charts (all three runs).
if paths != [2, 2, 3, 3, 3, 3]:
    failures.append(f"expected charts with [2, 2, 3, 3, 3, 3] paths, got {paths}")
for name in ("lr-0.1", "lr-0.3", "old-run"):
    legends = sum(1 for svg in svgs if re.search(rf">{re.escape(name)}( \(no data\))?</text>", svg))
    if legends != 6:
        failures.append(f"run {name} is in {legends} chart legends, expected 6")
if "has no steps.csv" not in dom:
    failures.append("the page does not say that old-run has no steps.csv")
for f in failures:
    print("FAIL:", f, file=sys.stderr)
if failures:
    sys.exit(1)
print("the compare page renders as expected")
PY
