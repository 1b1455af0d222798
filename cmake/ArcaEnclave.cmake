# arca_add_enclave(): build, (generate edge stubs,) link and sign an enclave image in one step.
#
#   arca_add_enclave(NAME
#       SOURCES a.c b.c ...          enclave source files
#       [CONFIG enclave.conf]        Key = value configuration (default: built-in defaults)
#       [KEY signing-key.pem]        ECDSA P-256 key; without it a development key is generated
#                                    in the build tree and the image is signed as debug
#       [LIBS lib ...]               extra static libraries to link into the image
#       [INCLUDES dir ...])          extra include directories
#
# Result: a target NAME whose property ARCA_SIGNED_IMAGE is the signed image path
# (${CMAKE_CURRENT_BINARY_DIR}/NAME.signed.so). Works in-tree and through find_package(Arca).

if(ARCA_IN_TREE)
  set(ARCA_CLI_TARGET arca_cli)
  set(ARCA_ENCLAVE_RUNTIME_TARGET arca_enclave)
  set(ARCA_ENCLAVE_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/arca_enclave.map)
endif()

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
  cmake_parse_arguments(E "" "CONFIG;KEY" "SOURCES;LIBS;INCLUDES" ${ARGN})
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
