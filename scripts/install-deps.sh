#!/usr/bin/env bash
# Installs every Debian package the project needs, skipping those already present.
# Uses sudo only when not running as root. Safe to run repeatedly.
set -euo pipefail

packages=(
  cmake g++ make python3
  libtorch-dev            # the engine's tensor library (1.13 on Debian 12, CPU)
  libopenblas0-pthread    # without it libtorch falls back to the slow reference BLAS
  nlohmann-json3-dev      # JSON for config.json, requests and records
  catch2                  # tests (Catch2 2.x on Debian 12)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
