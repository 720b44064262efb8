# Compiler settings shared by every target: C17, warnings as errors,
# symbols hidden unless exported on purpose, position-independent code
# (static libraries are linked into the module and libofs-core).
set(CMAKE_C_STANDARD 17)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
set(CMAKE_C_VISIBILITY_PRESET hidden)
set(CMAKE_VISIBILITY_INLINES_HIDDEN ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  add_compile_options(-Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wvla)
elseif(MSVC)
  # C11 atomics in MSVC need the experimental switch (VS 2022 17.5+).
  add_compile_options(/W4 /WX /experimental:c11atomics /utf-8)
endif()

# Where the build puts things (the layout OBS loads from, see docs/shim.md):
#   bin/obs-faceswap.so, data/obs-faceswap/, lib/libofs-core.so, tests/.
set(OFS_BIN_DIR "${CMAKE_BINARY_DIR}/bin")
set(OFS_DATA_DIR "${CMAKE_BINARY_DIR}/data/${OFS_PLUGIN_NAME}")
set(OFS_LIB_DIR "${CMAKE_BINARY_DIR}/lib")
set(OFS_TEST_DIR "${CMAKE_BINARY_DIR}/tests")
