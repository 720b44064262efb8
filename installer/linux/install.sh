#!/usr/bin/env bash
# Installs obs-faceswap into the current user's desktop OBS (Linux):
#   ~/.config/obs-studio/plugins/obs-faceswap/bin/64bit/obs-faceswap.so
#   ~/.config/obs-studio/plugins/obs-faceswap/bin/64bit/obs-faceswap-host/   (the .NET host, found beside the module)
#   ~/.config/obs-studio/plugins/obs-faceswap/data/                           (effects, locale)
# Usage: installer/linux/install.sh [--prefix DIR]   (DIR defaults to ~/.config/obs-studio/plugins)
# Needs a build first: scripts/setup.sh && scripts/build.sh. Restart OBS afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
prefix="${XDG_CONFIG_HOME:-$HOME/.config}/obs-studio/plugins"
if [ "${1:-}" = "--prefix" ]; then prefix=${2:?--prefix needs a directory}; fi

module=build/native/bin/obs-faceswap.so
data=build/native/data/obs-faceswap
[ -f "$module" ] || { echo "install: $module not found: run scripts/build.sh first" >&2; exit 1; }
[ -d "$data" ] || { echo "install: $data not found: run scripts/build.sh first" >&2; exit 1; }

dest="$prefix/obs-faceswap"
mkdir -p "$dest/bin/64bit" "$dest/data"
install -m 0755 "$module" "$dest/bin/64bit/obs-faceswap.so"
rm -rf "$dest/data" && cp -r "$data" "$dest/data"
dotnet publish src/ObsFaceSwap.Host -c Release -r linux-x64 --self-contained false \
  -o "$dest/bin/64bit/obs-faceswap-host" -nologo -clp:ErrorsOnly
echo "install: installed into $dest; restart OBS, then add the 'Face Swap' filter to any source."
