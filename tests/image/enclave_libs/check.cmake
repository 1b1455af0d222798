# The configure-time half of issue 11 item 4: arca_add_enclave(... LIBS x) with a shared x
# must not produce an image. Configures ./CMakeLists.txt once per case and checks that every
# shared library (target, alias, imported, path, -l flag, plain name, a static library's
# shared dependency, a target defined after the call) is a FATAL_ERROR naming it, and that
# static libraries and the runtime's own libraries configure and generate.
#
# usage: cmake -DARCA_ROOT=<source tree> -DWORK=<scratch dir> -P check.cmake
set(cases
  "shared_target|LIBS evil is a shared library \\(SHARED_LIBRARY\\)"
  "alias|LIBS evil is a shared library"
  "imported_shared|LIBS Ext::shared is a shared library \\(/opt/ext/lib/libext.so.1\\)"
  "imported_shared_config|LIBS Ext::shared_config is a shared library \\(/opt/ext/lib/libextcfg.so.2\\)"
  "so_path|LIBS /opt/ext/lib/libext.so is a shared library"
  "so_path_versioned|LIBS /opt/ext/lib/libext.so.1.2 is a shared library"
  "l_flag|LIBS -lext makes the linker take the shared libext.so"
  "plain_name|LIBS nosuchlib is not a target, so the linker gets -lnosuchlib"
  "static_on_shared|LIBS good_on_evil -> evil is a shared library"
  "interface_on_shared|LIBS iface_on_evil -> evil is a shared library"
  "rpath_flag|LIBS -Wl,-rpath,/opt/ext/lib sets a library search path"
  "later_shared|LIBS evil_later is a shared library"
  "not_a_library|LIBS stub_exe is not a library \\(EXECUTABLE\\)"
  "accepted|")
set(failures 0)
foreach(entry IN LISTS cases)
  string(FIND "${entry}" "|" bar)
  string(SUBSTRING "${entry}" 0 ${bar} case)
  math(EXPR from "${bar} + 1")
  string(SUBSTRING "${entry}" ${from} -1 expected)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR} -B ${WORK}
                          -DCASE=${case} -DARCA_ROOT=${ARCA_ROOT}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX REPLACE "[ \t\r\n]+" " " err_flat "${err}")
  if(expected STREQUAL "")
    if(NOT rc EQUAL 0)
      message(SEND_ERROR "case ${case}: expected to configure, got exit ${rc}:\n${err}")
      math(EXPR failures "${failures} + 1")
    else()
      message(STATUS "case ${case}: configured and generated")
    endif()
  elseif(rc EQUAL 0)
    message(SEND_ERROR "case ${case}: configured, expected a FATAL_ERROR matching '${expected}'")
    math(EXPR failures "${failures} + 1")
  elseif(NOT err_flat MATCHES "arca_add_enclave\\(attack\\): ${expected}")
    message(SEND_ERROR "case ${case}: expected '${expected}' in:\n${err}")
    math(EXPR failures "${failures} + 1")
  elseif(NOT err_flat MATCHES "(Link it statically|Give the path of the static)")
    message(SEND_ERROR "case ${case}: the message does not say what to do:\n${err}")
    math(EXPR failures "${failures} + 1")
  else()
    message(STATUS "case ${case}: refused: ${expected}")
  endif()
endforeach()
if(failures)
  message(FATAL_ERROR "${failures} case(s) failed")
endif()
