# ofs_copy_plugin_data(<target> <source dir>): copies obs-plugin-data into
# build/native/data/obs-faceswap whenever a file in it changes, so that OBS
# finds it with OBS_PLUGINS_DATA_PATH=build/native/data.
function(ofs_copy_plugin_data target source_dir)
  file(GLOB_RECURSE _files CONFIGURE_DEPENDS "${source_dir}/*")
  set(_stamp "${CMAKE_CURRENT_BINARY_DIR}/plugin-data.stamp")
  add_custom_command(
    OUTPUT "${_stamp}"
    COMMAND "${CMAKE_COMMAND}" -E rm -rf "${OFS_DATA_DIR}"
    COMMAND "${CMAKE_COMMAND}" -E copy_directory "${source_dir}" "${OFS_DATA_DIR}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${_stamp}"
    DEPENDS ${_files}
    COMMENT "Copying plugin data to ${OFS_DATA_DIR}"
    VERBATIM)
  add_custom_target(${target}-data ALL DEPENDS "${_stamp}")
  add_dependencies(${target} ${target}-data)
endfunction()
