# arca_add_enclave(): build, (generate edge stubs,) link and sign an enclave image in one step.
#
#   arca_add_enclave(NAME
#       SOURCES a.c b.c ...          enclave source files
#       [CONFIG enclave.conf]        Key = value configuration (default: built-in defaults)
#       [KEY signing-key.pem]        ECDSA P-256 key; without it a development key is generated
#                                    in the build tree and the image is signed as debug
#       [LIBS lib ...]               extra static libraries to link into the image: STATIC (or
#                                    OBJECT/INTERFACE) targets, or paths of .a files. A shared
#                                    library is a configure error (its code would run in the
#                                    enclave unmeasured); only libc, libm and libcrypto, which
#                                    the runtime provides, may be shared (see below)
#       [INCLUDES dir ...]           extra include directories
#       [EDL x.edl]                  compile x.edl with arca-edger; X_t.c is built into the
#                                    image and the directory of X_t.h is on the include path
#       [EDL_SEARCH_PATHS dir ...]   where imported EDL files are looked for (after x.edl's dir)
#       [EDL_DEFINES NAME ...])      names defined for #ifdef/#ifndef in the EDL (arca-edger -D)
#
#   arca_add_host(TARGET [EDL x.edl [EDL_SEARCH_PATHS dir ...] [EDL_DEFINES NAME ...]]
#                 [ENCLAVE NAME PATH_DEFINE MACRO])
#       EDL: adds the host side of x.edl (X_u.c, and X_u.h on the include path) to an existing
#       host executable or library TARGET, which links Arca::arca (in tree: arca). The host
#       passes X_host_calls / X_host_call_count in arca_enclave_options_t.
#       ENCLAVE: TARGET links Arca::arca, is built after the enclave NAME, and gets
#       -DMACRO="<NAME's signed image path>" to open it with. At least one of EDL, ENCLAVE.
#
# C++ enclaves (any .cpp/.cc/.cxx source: the image links as C++) get -static-libstdc++ and
# -static-libgcc: libstdc++ and libgcc's unwinder are linked into the image and measured with
# it, so that it imports only what the runtime provides. The loader answers what they ask of it
# (where the image's unwinding tables are, libstdc++'s own writes to stdout): throw/catch,
# the STL, iostreams and std::thread work as in a program (docs/porting.md). The calling project
# enables CXX (project(... LANGUAGES C CXX)).
#
# Result: a target NAME whose property ARCA_SIGNED_IMAGE is the signed image path
# (${CMAKE_CURRENT_BINARY_DIR}/NAME.signed.so). Works in-tree and through find_package(Arca).
#
# What an image may import is decided by `arca sign` (and again by every loader): DT_NEEDED
# only libc.so.6, libm.so.6, libcrypto.so.3 and the dynamic linker; no RPATH/RUNPATH; no text
# relocations; no writable+executable segment; no executable stack (docs/formats.md). The LIBS
# check below catches a shared library at configure time, with its name; the sign step is the
# backstop for what it cannot see (generator expressions, linker flags).

if(ARCA_IN_TREE)
  set(ARCA_CLI_TARGET arca_cli)
  set(ARCA_ENCLAVE_RUNTIME_TARGET arca_enclave)
  set(ARCA_ENCLAVE_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/arca_enclave.map)
  set(ARCA_EDGER_TARGET arca_edger)
  set(ARCA_HOST_LIB_TARGET arca)
endif()

# ---- EDL (arca-edger) ----
# arca__edl_generate(TARGET SIDE edl search_paths... [DEFINES name...]): run arca-edger for one
# side ("trusted" or "untrusted") of @edl into ${CMAKE_CURRENT_BINARY_DIR}/TARGET.edl/, then add the
# generated .c file and that directory to TARGET. Imported EDL files are dependencies through a
# depfile. DEFINES are passed as -D NAME for the EDL's #ifdef/#ifndef.
function(arca__edl_generate target side edl)
  cmake_parse_arguments(G "" "" "DEFINES" ${ARGN})
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
  foreach(p ${G_UNPARSED_ARGUMENTS})
    get_filename_component(p_abs ${p} ABSOLUTE)
    list(APPEND search_args --search-path ${p_abs})
  endforeach()
  foreach(d ${G_DEFINES})
    list(APPEND search_args -D ${d})
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
  cmake_parse_arguments(H "" "EDL;ENCLAVE;PATH_DEFINE" "EDL_SEARCH_PATHS;EDL_DEFINES" ${ARGN})
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
    arca__edl_generate(${target} untrusted ${H_EDL} ${H_EDL_SEARCH_PATHS} DEFINES ${H_EDL_DEFINES})
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

# ---- LIBS: static libraries only ----
# arca__enclave_lib_problem(OUT item chain): why @item cannot be linked into an enclave, or ""
# (OUT); "?" when it is a plain name that is not a target (yet): a target defined later, or a
# library the linker would look up by name. Static targets are followed through their
# INTERFACE_LINK_LIBRARIES (@chain: how we got here, for the message).
function(arca__enclave_lib_problem out item chain)
  # Libraries an enclave may import because the runtime provides them (ARCA_IMAGE_ALLOWED_NEEDED
  # in src/formats/image.h), as -l names and as file names of their shared objects.
  set(runtime_names c m crypto)
  set(runtime_file_regex "^lib(c|m|crypto)\\.so(\\.[0-9.]+)?$")
  set(problem "")
  if(item MATCHES "^\\$<LINK_ONLY:([^<>]+)>$")
    set(item "${CMAKE_MATCH_1}")
  endif()
  if(item MATCHES "^\\$<" OR item STREQUAL "")
    # A generator expression has no value at configure time: left to `arca sign`.
  elseif(TARGET "${item}")
    get_target_property(aliased "${item}" ALIASED_TARGET)
    if(aliased)
      set(item "${aliased}")
    endif()
    get_target_property(type "${item}" TYPE)
    get_target_property(imported "${item}" IMPORTED)
    set(location "")
    if(imported AND NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(location "${item}" IMPORTED_LOCATION)
      if(NOT location)
        set(location "")
        get_target_property(configs "${item}" IMPORTED_CONFIGURATIONS)
        foreach(config IN LISTS configs)
          get_target_property(location "${item}" IMPORTED_LOCATION_${config})
          if(location)
            break()
          endif()
          set(location "")
        endforeach()
      endif()
    endif()
    get_filename_component(file "${location}" NAME)
    if(type STREQUAL "SHARED_LIBRARY" OR type STREQUAL "MODULE_LIBRARY" OR
       (type STREQUAL "UNKNOWN_LIBRARY" AND file MATCHES "\\.so(\\.[0-9.]+)?$"))
      if(NOT file MATCHES "${runtime_file_regex}")
        if(location)
          set(problem "${chain}${item} is a shared library (${location})")
        else()
          set(problem "${chain}${item} is a shared library (${type})")
        endif()
      endif()
    elseif(type STREQUAL "STATIC_LIBRARY" OR type STREQUAL "OBJECT_LIBRARY" OR
           type STREQUAL "INTERFACE_LIBRARY" OR type STREQUAL "UNKNOWN_LIBRARY")
      # What it brings along must be static too.
      get_target_property(deps "${item}" INTERFACE_LINK_LIBRARIES)
      foreach(dep IN LISTS deps)
        string(FIND " ${chain}${item} -> " " ${dep} -> " seen)
        if(dep AND seen EQUAL -1)
          arca__enclave_lib_problem(sub "${dep}" "${chain}${item} -> ")
          if(sub STREQUAL "?" AND dep MATCHES "::")
            set(sub "") # an imported target of another directory: left to `arca sign`
          elseif(sub STREQUAL "?")
            set(sub "${chain}${item} -> ${dep} is neither a target nor a static library path, so the linker takes the shared lib${dep}.so if there is one")
          endif()
          if(sub)
            set(problem "${sub}")
            break()
          endif()
        endif()
      endforeach()
    else()
      set(problem "${chain}${item} is not a library (${type})")
    endif()
  elseif(item MATCHES "^-l(.+)$")
    if(NOT CMAKE_MATCH_1 IN_LIST runtime_names)
      set(problem "${chain}${item} makes the linker take the shared lib${CMAKE_MATCH_1}.so if there is one")
    endif()
  elseif(item MATCHES "^-")
    if(item MATCHES "rpath")
      set(problem "${chain}${item} sets a library search path")
    endif()
    # Other linker flags are left to `arca sign`.
  elseif(NOT item MATCHES "/" AND NOT item MATCHES "\\.(a|o|so)(\\.[0-9.]+)?$")
    if(NOT item IN_LIST runtime_names)
      set(problem "?")
    endif()
  else()
    get_filename_component(file "${item}" NAME)
    if(file MATCHES "\\.so(\\.[0-9.]+)?$")
      if(NOT file MATCHES "${runtime_file_regex}")
        set(problem "${chain}${item} is a shared library")
      endif()
    elseif(NOT file MATCHES "\\.(a|o)$")
      set(problem "${chain}${item} is not a static library (.a) or an object file (.o)")
    endif()
  endif()
  set(${out} "${problem}" PARENT_SCOPE)
endfunction()

# arca__check_enclave_libs(NAME FINAL lib...): FATAL_ERROR for the first LIBS entry of enclave
# NAME that is not static. Run deferred, at the end of the calling directory, so that targets
# defined after arca_add_enclave() are known; a plain name that is not a target even then is
# looked at once more at the end of the top directory (FINAL): if it is still not a target, the
# linker gets -lNAME.
function(arca__check_enclave_libs enclave final)
  set(unknown "")
  foreach(lib IN LISTS ARGN)
    arca__enclave_lib_problem(problem "${lib}" "")
    if(problem STREQUAL "?" AND NOT final)
      list(APPEND unknown "${lib}")
    elseif(problem STREQUAL "?")
      message(FATAL_ERROR "arca_add_enclave(${enclave}): LIBS ${lib} is not a target, so the "
        "linker gets -l${lib} and takes the shared lib${lib}.so if there is one; its code would "
        "run inside the enclave without being measured. Give the path of the static lib${lib}.a "
        "or a STATIC library target.")
    elseif(problem)
      message(FATAL_ERROR "arca_add_enclave(${enclave}): LIBS ${problem}. An enclave may import "
        "only the libraries the Arca runtime provides (libc, libm, libcrypto); code from any other "
        "shared library would run inside the enclave without being measured, and whoever can "
        "replace the file could change it. Link it statically instead: give the path of its .a "
        "file or a STATIC library target (add_library(x STATIC ...), position-independent).")
    endif()
  endforeach()
  if(unknown)
    set(args "")
    foreach(lib IN LISTS unknown)
      string(APPEND args " [==[${lib}]==]")
    endforeach()
    cmake_language(EVAL CODE "cmake_language(DEFER DIRECTORY [==[${CMAKE_SOURCE_DIR}]==] CALL arca__check_enclave_libs [==[${enclave}]==] 1${args})")
  endif()
endfunction()

function(arca_add_enclave name)
  cmake_parse_arguments(E "" "CONFIG;KEY;EDL" "SOURCES;LIBS;INCLUDES;EDL_SEARCH_PATHS;EDL_DEFINES" ${ARGN})
  if(NOT E_SOURCES)
    message(FATAL_ERROR "arca_add_enclave(${name}): SOURCES is required")
  endif()

  set(final 0)
  if(CMAKE_CURRENT_SOURCE_DIR STREQUAL CMAKE_SOURCE_DIR)
    set(final 1)
  endif()
  set(args "")
  foreach(lib IN LISTS E_LIBS)
    string(APPEND args " [==[${lib}]==]")
  endforeach()
  cmake_language(EVAL CODE "cmake_language(DEFER CALL arca__check_enclave_libs [==[${name}]==] ${final}${args})")

  set(unsigned ${name}_unsigned)
  add_library(${unsigned} MODULE ${E_SOURCES})
  # SKIP_BUILD_RPATH: CMake would otherwise write a RUNPATH for libraries outside the system
  # directories (an OpenSSL in /opt, say), which `arca sign` refuses.
  set_target_properties(${unsigned} PROPERTIES PREFIX "" OUTPUT_NAME ${name}.unsigned
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    SKIP_BUILD_RPATH ON INSTALL_RPATH "")
  target_include_directories(${unsigned} PRIVATE ${E_INCLUDES})
  target_link_libraries(${unsigned} PRIVATE ${E_LIBS} ${ARCA_ENCLAVE_RUNTIME_TARGET} OpenSSL::Crypto)
  target_link_options(${unsigned} PRIVATE
    -Wl,--version-script=${ARCA_ENCLAVE_VERSION_SCRIPT}
    -Wl,--undefined=arca__runtime_v3 -Wl,--no-undefined -Wl,-z,now -Wl,-z,relro -Wl,-z,noexecstack)
  # C++: the C++ runtime inside the image (an image may not import libstdc++.so or libgcc_s.so).
  target_link_options(${unsigned} PRIVATE
    $<$<LINK_LANGUAGE:CXX>:-static-libstdc++> $<$<LINK_LANGUAGE:CXX>:-static-libgcc>)
  if(COMMAND arca_enclave_side_target)
    arca_enclave_side_target(${unsigned})
  endif()
  if(E_EDL)
    arca__edl_generate(${unsigned} trusted ${E_EDL} ${E_EDL_SEARCH_PATHS} DEFINES ${E_EDL_DEFINES})
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
