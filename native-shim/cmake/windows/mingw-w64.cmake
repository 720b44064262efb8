# Toolchain file: cross-compile ofs-core, ofs-platform and libofs-core for
# Windows x64 with mingw-w64 (no libobs for Windows here, so the module is
# skipped). Usage:
#   cmake -S native-shim -B build/win64 -DBUILD_TESTING=OFF \
#     -DCMAKE_TOOLCHAIN_FILE=$PWD/native-shim/cmake/windows/mingw-w64.cmake
#   cmake --build build/win64      (-> build/win64/lib/ofs-core.dll)
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
