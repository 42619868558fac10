#!/usr/bin/env bash
# The installed package as a user gets it. Installs a built build directory into a temporary
# prefix, then MOVES that prefix to another path (the install tree must be relocatable), and
# against the moved tree:
#   - the exported targets files name no absolute path (no /usr/, build or source directory) and
#     every $<LINK_ONLY:...> is a target or a plain library name;
#   - examples/consumer, configured with find_package(ember COMPONENTS <the built ones>), builds
#     and runs one program per installed library: ember::ember, ember::distributed (alone, a world
#     of one, and under mpirun -np 2), ember::onnx (exports a small model);
#   - a plain find_package(ember) configures with MPI, ONNX and protobuf made unfindable, and a
#     component that was not built (or cannot be found) fails with a message that says so;
#   - the same programs build with pkg-config alone (ember.pc, ember-distributed.pc, ember-onnx.pc);
#   - the installed `ember --version` prints the installed version.h's EMBER_VERSION_STRING.
# Prints one PASS line per check and exits non-zero at the first failure.
#   scripts/install_check.sh [build dir]     (default: build; built already, e.g. by scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${1:-build}
if [[ ! -f $build/cmake_install.cmake ]]; then
  echo "install_check: $build is not a configured and built ember build directory" >&2
  exit 2
fi
build=$(cd "$build" && pwd)
jobs=$(nproc)
cxx=${CXX:-c++}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ember_install_check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
staged=$tmp/staged
prefix=$tmp/moved/elsewhere/ember  # a different path, and a different depth, from the staged one

pass() { echo "PASS: $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# --- install, then move the tree ---
cmake --install "$build" --prefix "$staged" >"$tmp/install.log" || { cat "$tmp/install.log" >&2; fail "cmake --install $build"; }
mkdir -p "$(dirname "$prefix")"
mv "$staged" "$prefix"
pass "installed $build and moved the prefix to $prefix"

config=$(find "$prefix" -name ember-config.cmake -path '*/cmake/ember/*' | head -n 1)
[[ -n $config ]] || fail "no ember-config.cmake under $prefix"
cmake_dir=$(dirname "$config")
libdir=$(dirname "$(dirname "$cmake_dir")")
for f in ember-config-version.cmake ember-targets.cmake ember-openblas.cmake; do
  [[ -f $cmake_dir/$f ]] || fail "$cmake_dir/$f is not installed"
done
for f in include/ember/ember.h include/ember/version.h; do
  [[ -f $prefix/$f ]] || fail "$f is not installed"
done
version=$(sed -n 's/^#define EMBER_VERSION_STRING "\(.*\)"$/\1/p' "$prefix/include/ember/version.h")
[[ -n $version ]] || fail "include/ember/version.h defines no EMBER_VERSION_STRING"
components=()
[[ -f $cmake_dir/ember-distributed-targets.cmake ]] && components+=(distributed)
[[ -f $cmake_dir/ember-onnx-targets.cmake ]] && components+=(onnx)
missing=()
for c in distributed onnx; do
  [[ " ${components[*]} " == *" $c "* ]] || missing+=("$c")
done
if [[ " ${components[*]} " == *" distributed "* ]]; then
  [[ -f $prefix/include/ember/distributed/mpi_session.h ]] || fail "the distributed headers are not installed"
fi
if [[ " ${components[*]} " == *" onnx "* ]]; then
  [[ -f $prefix/include/ember/onnx/export.h ]] || fail "ember/onnx/export.h is not installed"
fi
pass "package files: version $version, components: ${components[*]:-none} (not built: ${missing[*]:-none})"

# --- the targets files: relocatable, and only targets or plain names in the link interface ---
for f in "$cmake_dir"/ember*-targets*.cmake; do
  if grep -nE "/usr/|$build|$src/|$staged|$tmp" "$f"; then
    fail "$(basename "$f") names an absolute path (above)"
  fi
  while IFS= read -r item; do
    [[ $item =~ ^[A-Za-z0-9_.+-]+(::[A-Za-z0-9_.+-]+)?$ ]] || fail "$(basename "$f"): \$<LINK_ONLY:$item> is not a target or a plain name"
  done < <(grep -o '\$<LINK_ONLY:[^>]*>' "$f" | sed 's/^\$<LINK_ONLY:\(.*\)>$/\1/')
done
pass "ember*-targets*.cmake name no absolute path; every \$<LINK_ONLY:...> is a target or a plain name"

# --- examples/consumer against the moved tree, one program per installed library ---
mpi_env=()
if [[ $EUID -eq 0 ]]; then mpi_env=(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1); fi
component_list=$(IFS=';'; echo "${components[*]}")
cmake -S examples/consumer -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  -DEMBER_CONSUMER_COMPONENTS="$component_list" >"$tmp/consumer.log" 2>&1 || { cat "$tmp/consumer.log" >&2; fail "examples/consumer does not configure"; }
grep -qF "from $cmake_dir" "$tmp/consumer.log" || fail "examples/consumer did not find ember in the moved tree"
cmake --build "$tmp/consumer" -j "$jobs" >"$tmp/consumer-build.log" 2>&1 || { cat "$tmp/consumer-build.log" >&2; fail "examples/consumer does not build"; }
pass "examples/consumer configures and builds with find_package(ember COMPONENTS ${components[*]:-<none>})"
"$tmp/consumer/consumer" || fail "consumer (ember::ember)"
pass "consumer runs (ember::ember)"
if [[ " ${components[*]} " == *" distributed "* ]]; then
  env "${mpi_env[@]}" "$tmp/consumer/consumer_distributed" || fail "consumer_distributed, alone"
  pass "consumer_distributed runs alone (ember::distributed, a world of one)"
  if command -v mpirun >/dev/null; then
    env "${mpi_env[@]}" mpirun --oversubscribe --bind-to none --mca btl self,vader -np 2 "$tmp/consumer/consumer_distributed" ||
      fail "consumer_distributed under mpirun -np 2"
    pass "consumer_distributed runs under mpirun -np 2"
  fi
fi
if [[ " ${components[*]} " == *" onnx "* ]]; then
  "$tmp/consumer/consumer_onnx" "$tmp/consumer.onnx" || fail "consumer_onnx"
  [[ -s $tmp/consumer.onnx ]] || fail "consumer_onnx wrote no $tmp/consumer.onnx"
  pass "consumer_onnx runs and writes a non-empty ONNX file (ember::onnx)"
fi

# --- find_package(ember) alone needs no MPI, ONNX or protobuf; absent components fail clearly ---
mkdir -p "$tmp/probe"
cat >"$tmp/probe/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(ember_probe LANGUAGES CXX)
find_package(ember REQUIRED COMPONENTS ${PROBE_COMPONENTS})
message(STATUS "probe: ember ${ember_VERSION} found")
EOF
no_optional_deps=(-DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON -DCMAKE_DISABLE_FIND_PACKAGE_ONNX=ON
                  -DCMAKE_DISABLE_FIND_PACKAGE_Protobuf=ON)
probe() {  # probe NAME COMPONENTS [CMAKE ARGS...]: configures the probe project, exit code in $probe_rc
  local name=$1 comps=$2
  shift 2
  probe_rc=0
  probe_out=$(cmake -S "$tmp/probe" -B "$tmp/probe-$name" -DCMAKE_PREFIX_PATH="$prefix" -DPROBE_COMPONENTS="$comps" "$@" 2>&1) ||
    probe_rc=$?
  probe_flat=$(tr -s ' \n' ' ' <<<"$probe_out")  # CMake wraps messages: one line, single spaces
}
probe core "" "${no_optional_deps[@]}"
[[ $probe_rc -eq 0 ]] || { echo "$probe_out" >&2; fail "find_package(ember) needs MPI, ONNX or protobuf"; }
pass "find_package(ember) configures with MPI, ONNX and protobuf unfindable"
for c in "${missing[@]}"; do
  probe "missing-$c" "$c"
  [[ $probe_rc -ne 0 ]] || fail "find_package(ember COMPONENTS $c) succeeds, but $c was not built"
  grep -qF "ember in $prefix was built without its '$c' component" <<<"$probe_flat" || { echo "$probe_out" >&2; fail "no clear message for the missing component $c"; }
  pass "find_package(ember COMPONENTS $c) fails: $(grep -o "ember in [^ ]* was built without its '$c' component[^:]*" <<<"$probe_flat" | sed "s|$prefix|<moved prefix>|")"
done
for c in "${components[@]}"; do
  probe "nodeps-$c" "$c" "${no_optional_deps[@]}"
  [[ $probe_rc -ne 0 ]] || fail "find_package(ember COMPONENTS $c) succeeds without its dependencies"
  grep -q "ember's '$c' component needs" <<<"$probe_flat" || { echo "$probe_out" >&2; fail "no clear message for component $c without its dependencies"; }
  pass "find_package(ember COMPONENTS $c) without its dependencies fails: $(grep -o "ember's '$c' component needs[^:]*" <<<"$probe_flat")"
done
probe bogus "nonsense"
if [[ $probe_rc -eq 0 ]] || ! grep -q "ember has no component 'nonsense'" <<<"$probe_flat"; then
  echo "$probe_out" >&2
  fail "an unknown component is not refused clearly"
fi
pass "find_package(ember COMPONENTS nonsense) fails: ember has no component 'nonsense'"

# --- pkg-config, from the moved tree ---
export PKG_CONFIG_PATH=$libdir/pkgconfig
[[ $(pkg-config --modversion ember) == "$version" ]] || fail "pkg-config --modversion ember is not $version"
pc_build() {  # pc_build PACKAGE SOURCE OUTPUT
  # shellcheck disable=SC2046
  "$cxx" -std=c++20 -O1 "$2" -o "$3" $(pkg-config --cflags --libs --static "$1") 2>"$tmp/pc.log" ||
    { cat "$tmp/pc.log" >&2; fail "c++ $2 \$(pkg-config --cflags --libs --static $1)"; }
}
pc_build ember examples/consumer/main.cpp "$tmp/pc_consumer"
"$tmp/pc_consumer" || fail "pkg-config consumer"
pass "pkg-config --cflags --libs --static ember: a program builds, links and runs ($(pkg-config --modversion ember))"
if [[ " ${components[*]} " == *" distributed "* ]]; then
  pc_build ember-distributed examples/consumer/distributed.cpp "$tmp/pc_consumer_distributed"
  env "${mpi_env[@]}" "$tmp/pc_consumer_distributed" || fail "pkg-config consumer_distributed"
  pass "pkg-config --cflags --libs --static ember-distributed: a program builds, links and runs"
fi
if [[ " ${components[*]} " == *" onnx "* ]]; then
  pc_build ember-onnx examples/consumer/onnx.cpp "$tmp/pc_consumer_onnx"
  "$tmp/pc_consumer_onnx" "$tmp/pc.onnx" || fail "pkg-config consumer_onnx"
  [[ -s $tmp/pc.onnx ]] || fail "pkg-config consumer_onnx wrote no $tmp/pc.onnx"
  pass "pkg-config --cflags --libs --static ember-onnx: a program builds, links and runs"
fi

# --- the installed program ---
if [[ -x $prefix/bin/ember ]]; then
  out=$("$prefix/bin/ember" --version)
  [[ $out == "ember $version" ]] || fail "bin/ember --version prints '$out', expected 'ember $version'"
  pass "bin/ember --version: $out"
fi
echo "install check passed"
