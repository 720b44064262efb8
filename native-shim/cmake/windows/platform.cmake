# Windows: file mappings, named pipes, CreateProcessW, named events.
set(OFS_PLATFORM_SOURCES "${CMAKE_CURRENT_LIST_DIR}/../../src/platform/ofs-platform-win32.c")
set(OFS_PLATFORM_LIBS advapi32)
add_compile_definitions(_WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN UNICODE _UNICODE)
set(OFS_INSTALL_MODULE_DIR "obs-plugins/64bit")
set(OFS_INSTALL_DATA_DIR "data/obs-plugins/${OFS_PLUGIN_NAME}")
