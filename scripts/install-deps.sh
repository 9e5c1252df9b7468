#!/usr/bin/env bash
# Installs what the project needs, skipping what is already there; safe to run repeatedly.
#   1. Debian packages (compiler, CMake, JSON, Catch2, Python's venv, Oniguruma, utf8proc,
#      mimalloc, cpp-httplib, and chromium with its driver for the web app's browser test), with
#      sudo when not root.
#   2. libtorch and the test oracles: a virtual environment at $BUILD_DIR/venv (default
#      build/venv) with scripts/requirements.txt (torch 2.13.0, transformers, tokenizers, ...).
#      Skipped when TORCH_PREFIX names a libtorch, or when python3 already imports PyTorch 2.x
#      (as on the GPU machine); CMake then builds against that one.
# With --fuzz (make fuzz): the Debian packages and clang with libFuzzer, and no Python
# environment (the fuzz build has no libtorch).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

packages=(
  cmake g++ make
  python3 python3-venv    # the virtual environment that holds torch and the oracles
  nlohmann-json3-dev      # JSON for config.json, requests and records
  catch2                  # tests (Catch2 2.x on Debian 12, 3.x on Debian 13)
  pkg-config              # how CMake finds the two below
  libonig-dev             # Oniguruma: the regex engine of Hugging Face tokenizers (tokenizer.json)
  libutf8proc-dev         # utf8proc: Unicode normalization for tokenizer.json normalizers
  libmimalloc-dev         # mimalloc: the allocator of CPU tensors (less fragmentation than glibc's)
  libcpp-httplib-dev      # cpp-httplib: the HTTP server of ft-host serve
  libgloo-dev             # Gloo's headers, which libtorch's c10d ProcessGroupGloo.hpp includes (distributed training)
  chromium chromium-driver  # the headless browser that tests ft-host serve's web app (Selenium)
)
fuzz=false
if [ "${1:-}" = "--fuzz" ]; then
  fuzz=true
  packages+=(
    clang               # the fuzz build's compiler (make fuzz)
    libclang-rt-dev     # libFuzzer and the sanitizer runtimes of the default clang
  )
fi

install_debian_packages() {
  local missing=() p
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "install-deps: installing ${missing[*]}"
  local sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# True when python3 on the PATH imports PyTorch 2.x: its libtorch and oracles serve as they are.
system_torch() {
  python3 -c 'import sys, torch; sys.exit(0 if int(torch.__version__.split(".")[0]) >= 2 else 1)' 2>/dev/null
}

install_python_environment() {
  local venv="$BUILD_DIR/venv" requirements=scripts/requirements.txt
  local stamp="$venv/requirements.installed"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then return 0; fi
  echo "install-deps: installing $(grep -c '^[a-z]' "$requirements") Python packages into $venv (about 1.2 GB)"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  # pip's notes about this machine's local package folders are noise here; its errors are not.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  cp "$requirements" "$stamp"
}

install_debian_packages
if $fuzz; then
  exit 0
elif [ -n "${TORCH_PREFIX:-}" ]; then
  echo "install-deps: building against the libtorch in TORCH_PREFIX=$TORCH_PREFIX"
elif [ -x "$BUILD_DIR/venv/bin/python" ] || ! system_torch; then
  install_python_environment
fi
