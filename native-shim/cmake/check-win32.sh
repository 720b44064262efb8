#!/bin/sh
# Win32 compile check of the platform layer and ofs-core with mingw-w64
# (no libobs needed): every file with -std=c17 -Wall -Wextra -Werror, then a
# link of libofs-core as a DLL plus the platform layer so that every Win32
# import resolves. CI runs it; ctest runs it as ofs.win32-compile.
# Usage: check-win32.sh [output dir]   (exit 0 ok, 1 failure, 77 no compiler)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d)}
cc=${MINGW_CC:-x86_64-w64-mingw32-gcc}
command -v "$cc" >/dev/null 2>&1 || { echo "check-win32: $cc not found, skipped"; exit 77; }
mkdir -p "$out"
flags="-std=c17 -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wvla -O2"
incs="-I$here/include -I$here/src/core -I$here/src/platform"
objs=""
for src in src/core/ofs-channel.c src/core/ofs-control.c src/core/ofs-failclosed.c src/core/ofs-core-api.c src/platform/ofs-platform-win32.c; do
	obj="$out/$(basename "$src" .c).obj"
	"$cc" $flags $incs -DOFS_CORE_BUILDING_SHARED -c "$here/$src" -o "$obj"
	objs="$objs $obj"
done
# The DLL exports exactly the ofs_core_* API (dllexport); the platform
# objects are linked in only to resolve their imports (advapi32, kernel32).
"$cc" -shared -o "$out/ofs-core.dll" $objs -ladvapi32 -Wl,--no-undefined
exports=$(x86_64-w64-mingw32-objdump -p "$out/ofs-core.dll" 2>/dev/null | grep -c ' ofs_core_' || true)
echo "check-win32: ok ($cc, $(echo $objs | wc -w) objects, ofs-core.dll exports $exports ofs_core_* symbols)"
