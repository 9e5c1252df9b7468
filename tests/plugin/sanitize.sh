#!/bin/bash
# Builds the plugin and its ABI tests with a sanitizer and runs the tests:
#   tests/plugin/sanitize.sh address|thread [BUILD_DIR]
# address: AddressSanitizer + UndefinedBehaviorSanitizer (leaks checked too);
# thread:  ThreadSanitizer.
# BUILD_DIR (default build) must hold a configured and built engine (engine/libft_engine.a); the
# engine and libtorch are linked uninstrumented, so what is checked is the plugin's own code
# and its use of them. Output goes to BUILD_DIR/sanitize-<kind>/.
set -euo pipefail
KIND=${1:?usage: sanitize.sh address|thread [BUILD_DIR]}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${2:-$SRC/build}" && pwd)
case "$KIND" in
  address) SAN="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" ;;
  thread) SAN="-O1 -g -fsanitize=thread" ;;
  *) echo "unknown sanitizer: $KIND" >&2; exit 2 ;;
esac
OUT=$BUILD/sanitize-$KIND
mkdir -p "$OUT/obj" "$OUT/tobj"
# The libtorch the build was configured with (its CMake package lies in <torch>/share/cmake/Torch).
TORCH_ROOT=$(cd "$(sed -n 's/^Torch_DIR:PATH=//p' "$BUILD/CMakeCache.txt")/../../.." && pwd)
TORCH=$TORCH_ROOT/lib
DEFS='-DFT_PLUGIN_VERSION="0.1.0"'
INC="-I$SRC -I$SRC/plugin_api/include -isystem $TORCH_ROOT/include -isystem $TORCH_ROOT/include/torch/csrc/api/include"
# libstdc++'s <regex> (used by Catch2) trips -Wmaybe-uninitialized under the sanitizers.
WARN="-Wall -Wextra -Werror -Wno-maybe-uninitialized"
compile_plugin() {
  local o=$OUT/obj/$(basename "$1" .cpp).o
  [ "$o" -nt "$1" ] || c++ $SAN $DEFS $INC -fPIC -fvisibility=hidden -fvisibility-inlines-hidden -D_GLIBCXX_USE_CXX11_ABI=1 \
    $WARN -std=c++17 -c "$1" -o "$o"
}
compile_test() {
  local o=$OUT/tobj/$(basename "$1" .cpp).o
  [ "$o" -nt "$1" ] || c++ $SAN -I$SRC -I$SRC/plugin_api/include -DFT_FIXTURES=\"$SRC/tests/fixtures\" \
    -DFT_KILL_CHILD_PATH=\"$OUT/plugin_kill_child\" -DFT_PLUGIN_PATH=\"$OUT/libfinetune.so\" -fPIE $WARN -std=c++17 \
    -c "$1" -o "$o"
}
export -f compile_plugin compile_test
export SAN DEFS INC SRC OUT WARN
ls "$SRC"/plugin/*.cpp | xargs -P2 -I{} bash -c 'compile_plugin {}'
ls "$SRC"/tests/plugin/*_test.cpp "$SRC"/tests/catch_main.cpp | xargs -P2 -I{} bash -c 'compile_test {}'
c++ $SAN -shared -Wl,--version-script=$SRC/plugin/finetune.map -Wl,--exclude-libs,ALL -o "$OUT/libfinetune.so" \
  "$OUT"/obj/*.o "$BUILD/engine/libft_engine.a" $TORCH/libtorch.so -Wl,--no-as-needed,$TORCH/libtorch_cpu.so -Wl,--as-needed \
  $TORCH/libc10.so -Wl,-rpath,$TORCH -lpthread
c++ $SAN "$OUT"/tobj/*.o -o "$OUT/plugin_tests" -ldl
c++ $SAN -I$SRC/plugin_api/include -DFT_PLUGIN_PATH=\"$OUT/libfinetune.so\" -std=c++17 "$SRC/tests/plugin/kill_child.cpp" \
  -o "$OUT/plugin_kill_child" -ldl
echo "built $OUT; running the plugin tests under the $KIND sanitizer"
export OMP_NUM_THREADS=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}
time "$OUT/plugin_tests"
