# Linux (and other POSIX systems): shm_open, Unix sockets, posix_spawn, futex.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
set(OFS_PLATFORM_SOURCES "${CMAKE_CURRENT_LIST_DIR}/../../src/platform/ofs-platform-posix.c")
set(OFS_PLATFORM_LIBS Threads::Threads)
# shm_open lives in librt before glibc 2.34.
include(CheckLibraryExists)
check_library_exists(rt shm_open "" OFS_HAVE_LIBRT)
if(OFS_HAVE_LIBRT)
  list(APPEND OFS_PLATFORM_LIBS rt)
endif()
# The module's install location on Debian/Ubuntu.
include(GNUInstallDirs)
set(OFS_INSTALL_MODULE_DIR "${CMAKE_INSTALL_LIBDIR}/obs-plugins")
set(OFS_INSTALL_DATA_DIR "${CMAKE_INSTALL_DATAROOTDIR}/obs/obs-plugins/${OFS_PLUGIN_NAME}")
