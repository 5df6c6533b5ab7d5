#!/usr/bin/env bash
# Installs the Debian 12 packages alphas builds and runs with. Packages that
# are already installed are skipped, so a second run takes a second.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libtorch-dev libopenblas0-pthread
  libboost-dev libboost-program-options-dev libboost-filesystem-dev
  libyaml-cpp-dev libtbb-dev libgtest-dev libspdlog-dev nlohmann-json3-dev
  libhdf5-dev hdf5-tools libnlopt-cxx-dev libxgboost-dev libeigen3-dev
  python3-numpy python3-h5py
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing ${#missing[@]} Debian packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
