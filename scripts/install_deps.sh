#!/usr/bin/env bash
# Installs whichever build dependencies are missing, from Debian packages.
# Idempotent and quiet when everything is already there.
set -euo pipefail

# ocl-icd-opencl-dev is only a Recommends of libdnnl-dev, yet dnnl-config.cmake needs OpenCL.
packages=(build-essential cmake libdnnl-dev ocl-icd-opencl-dev libhdf5-dev libyaml-cpp-dev catch2 libcli11-dev libssl-dev python3)
# Python side (plots, the PyTorch reference, h5py checks): only when asked for.
if [[ "${1:-}" == "--python" ]]; then
  # OpenBLAS: Debian's python3-torch calls the system BLAS, which is otherwise the
  # reference (naive) one; the cost study compares against a properly linked PyTorch.
  packages+=(python3-matplotlib python3-h5py python3-torch libopenblas0-pthread)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
