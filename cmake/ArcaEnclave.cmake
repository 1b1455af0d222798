# arca_add_enclave(): build, (generate edge stubs,) link and sign an enclave image in one step.
#
#   arca_add_enclave(NAME
#       SOURCES a.c b.c ...          enclave source files
#       [CONFIG enclave.conf]        Key = value configuration (default: built-in defaults)
#       [KEY signing-key.pem]        ECDSA P-256 key; without it a development key is generated
#                                    in the build tree and the image is signed as debug
#       [LIBS lib ...]               extra static libraries to link into the image
#       [INCLUDES dir ...]           extra include directories
#       [EDL x.edl]                  compile x.edl with arca-edger; X_t.c is built into the
#                                    image and the directory of X_t.h is on the include path
#       [EDL_SEARCH_PATHS dir ...])  where imported EDL files are looked for (after x.edl's dir)
#
#   arca_add_host(TARGET [EDL x.edl [EDL_SEARCH_PATHS dir ...]] [ENCLAVE NAME PATH_DEFINE MACRO])
#       EDL: adds the host side of x.edl (X_u.c, and X_u.h on the include path) to an existing
#       host executable or library TARGET, which links Arca::arca (in tree: arca). The host
#       passes X_host_calls / X_host_call_count in arca_enclave_options_t.
#       ENCLAVE: TARGET links Arca::arca, is built after the enclave NAME, and gets
#       -DMACRO="<NAME's signed image path>" to open it with. At least one of EDL, ENCLAVE.
#
# Result: a target NAME whose property ARCA_SIGNED_IMAGE is the signed image path
# (${CMAKE_CURRENT_BINARY_DIR}/NAME.signed.so). Works in-tree and through find_package(Arca).

if(ARCA_IN_TREE)
  set(ARCA_CLI_TARGET arca_cli)
  set(ARCA_ENCLAVE_RUNTIME_TARGET arca_enclave)
  set(ARCA_ENCLAVE_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/arca_enclave.map)
  set(ARCA_EDGER_TARGET arca_edger)
  set(ARCA_HOST_LIB_TARGET arca)
endif()

# ---- EDL (arca-edger) ----
# arca__edl_generate(TARGET SIDE edl search_paths...): run arca-edger for one side ("trusted" or
# "untrusted") of @edl into ${CMAKE_CURRENT_BINARY_DIR}/TARGET.edl/, then add the generated .c file
# and that directory to TARGET. Imported EDL files are dependencies through a depfile.
function(arca__edl_generate target side edl)
  if(NOT ARCA_EDGER_TARGET)
    message(FATAL_ERROR "arca-edger is not available (ARCA_EDGER_TARGET is not set)")
  endif()
  get_filename_component(edl_abs ${edl} ABSOLUTE)
  get_filename_component(base ${edl} NAME_WE)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${target}.edl)
  file(MAKE_DIRECTORY ${dir})
  if(side STREQUAL "trusted")
    set(sfx t)
    set(side_args --trusted --trusted-dir ${dir})
  else()
    set(sfx u)
    set(side_args --untrusted --untrusted-dir ${dir})
  endif()
  set(search_args "")
  foreach(p ${ARGN})
    get_filename_component(p_abs ${p} ABSOLUTE)
    list(APPEND search_args --search-path ${p_abs})
  endforeach()
  set(outputs ${dir}/${base}_${sfx}.c ${dir}/${base}_${sfx}.h)
  set(depfile_args "")
  set(depfile_opt "")
  if(CMAKE_GENERATOR MATCHES "Ninja|Makefiles")
    set(depfile_args --depfile ${dir}/${base}_${sfx}.d)
    set(depfile_opt DEPFILE ${dir}/${base}_${sfx}.d)
  endif()
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${ARCA_EDGER_TARGET} ${side_args} ${search_args} ${depfile_args} ${edl_abs}
    DEPENDS ${edl_abs} ${ARCA_EDGER_TARGET}
    ${depfile_opt}
    COMMENT "arca-edger: ${base}.edl (${side}) for ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE ${outputs})
  target_include_directories(${target} PRIVATE ${dir})
endfunction()

function(arca_add_host target)
  cmake_parse_arguments(H "" "EDL;ENCLAVE;PATH_DEFINE" "EDL_SEARCH_PATHS" ${ARGN})
  if(NOT TARGET ${target})
    message(FATAL_ERROR "arca_add_host(${target}): no such target; create it first with add_executable()")
  endif()
  if(NOT H_EDL AND NOT H_ENCLAVE)
    message(FATAL_ERROR "arca_add_host(${target}): EDL or ENCLAVE is required")
  endif()
  if(H_ENCLAVE AND NOT H_PATH_DEFINE)
    message(FATAL_ERROR "arca_add_host(${target}): ENCLAVE needs PATH_DEFINE (the macro naming the image)")
  endif()
  if(H_EDL)
    arca__edl_generate(${target} untrusted ${H_EDL} ${H_EDL_SEARCH_PATHS})
  endif()
  if(H_ENCLAVE)
    target_link_libraries(${target} PRIVATE ${ARCA_HOST_LIB_TARGET})
    target_compile_definitions(${target} PRIVATE
      ${H_PATH_DEFINE}="$<TARGET_PROPERTY:${H_ENCLAVE},ARCA_SIGNED_IMAGE>")
    add_dependencies(${target} ${H_ENCLAVE})
    if(COMMAND arca_host_target)
      arca_host_target(${target})
    endif()
  endif()
endfunction()

function(arca__dev_key out_var)
  set(key ${CMAKE_BINARY_DIR}/arca-dev-key.pem)
  if(NOT TARGET arca_dev_key)
    add_custom_command(OUTPUT ${key}
      COMMAND $<TARGET_FILE:${ARCA_CLI_TARGET}> keygen -o ${key}
      COMMENT "Generating a development signing key (debug enclaves only)")
    add_custom_target(arca_dev_key DEPENDS ${key})
  endif()
  set(${out_var} ${key} PARENT_SCOPE)
endfunction()

function(arca_add_enclave name)
  cmake_parse_arguments(E "" "CONFIG;KEY;EDL" "SOURCES;LIBS;INCLUDES;EDL_SEARCH_PATHS" ${ARGN})
  if(NOT E_SOURCES)
    message(FATAL_ERROR "arca_add_enclave(${name}): SOURCES is required")
  endif()

  set(unsigned ${name}_unsigned)
  add_library(${unsigned} MODULE ${E_SOURCES})
  set_target_properties(${unsigned} PROPERTIES PREFIX "" OUTPUT_NAME ${name}.unsigned
    C_VISIBILITY_PRESET hidden LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  target_include_directories(${unsigned} PRIVATE ${E_INCLUDES})
  target_link_libraries(${unsigned} PRIVATE ${E_LIBS} ${ARCA_ENCLAVE_RUNTIME_TARGET} OpenSSL::Crypto)
  target_link_options(${unsigned} PRIVATE
    -Wl,--version-script=${ARCA_ENCLAVE_VERSION_SCRIPT}
    -Wl,--undefined=arca__runtime_v1 -Wl,--no-undefined -Wl,-z,now -Wl,-z,relro -Wl,-z,noexecstack)
  if(COMMAND arca_enclave_side_target)
    arca_enclave_side_target(${unsigned})
  endif()
  if(E_EDL)
    arca__edl_generate(${unsigned} trusted ${E_EDL} ${E_EDL_SEARCH_PATHS})
  endif()

  set(debug_flag "")
  if(E_KEY)
    get_filename_component(key ${E_KEY} ABSOLUTE)
    set(key_dep ${key})
  else()
    arca__dev_key(key)
    set(key_dep arca_dev_key ${key})
    set(debug_flag --debug)
  endif()
  set(config_args "")
  set(config_dep "")
  if(E_CONFIG)
    get_filename_component(config ${E_CONFIG} ABSOLUTE)
    set(config_args -c ${config})
    set(config_dep ${config})
  endif()

  set(signed ${CMAKE_CURRENT_BINARY_DIR}/${name}.signed.so)
  add_custom_command(OUTPUT ${signed}
    COMMAND $<TARGET_FILE:${ARCA_CLI_TARGET}> sign -k ${key} ${config_args} ${debug_flag}
            -o ${signed} $<TARGET_FILE:${unsigned}>
    DEPENDS ${unsigned} ${key_dep} ${config_dep} ${ARCA_CLI_TARGET}
    COMMENT "Signing enclave ${name}")
  add_custom_target(${name} ALL DEPENDS ${signed})
  set_target_properties(${name} PROPERTIES ARCA_SIGNED_IMAGE ${signed})
endfunction()
