#!/usr/bin/env bash
# Builds everything: the native OBS module (CMake), its Win32 compile check (mingw-w64),
# and the .NET solution (Release). Run scripts/setup.sh first on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

echo "== native-shim (cmake)"
cmake -S native-shim -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/native -j"$(nproc)"

echo "== .NET solution (Release)"
dotnet build obs-faceswap.sln -c Release -nologo -clp:ErrorsOnly

echo "== models: import the BlazeFace models fetched by scripts/fetch-deps.sh into $OBS_FACESWAP_MODEL_CACHE"
dotnet src/ObsFaceSwap.Cli/bin/Release/net10.0/obs-faceswap.dll models import .deps/models/blazeface
