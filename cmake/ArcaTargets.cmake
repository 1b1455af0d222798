# Per-target build settings. Host-side code (libraries the host links, the CLI, tests) gets
# warnings-as-errors and, with ARCA_SANITIZE, ASan+UBSan. Enclave-side code (the trusted
# runtime, enclave images, arca-runner) never gets sanitizers: a sanitized .so cannot load
# into the unsanitized runner, and the runner supplies its own malloc.

# -Wstrict-prototypes is C's only (g++ refuses it): C++ enclaves and tests build with the rest.
set(ARCA_WARNINGS -Wall -Wextra -Werror -Wshadow $<$<COMPILE_LANGUAGE:C>:-Wstrict-prototypes>
  -Wformat=2 -Wvla)
set(ARCA_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
if(ARCA_FUZZ)
  # libFuzzer's coverage is clang's: C++ host code (examples/sgx-sample's app) built by another
  # C++ compiler gets the sanitizers without it.
  list(APPEND ARCA_SANITIZE_FLAGS
    $<$<OR:$<COMPILE_LANGUAGE:C>,$<COMPILE_LANG_AND_ID:CXX,Clang>>:-fsanitize=fuzzer-no-link>)
endif()

function(arca_warnings target)
  target_compile_options(${target} PRIVATE ${ARCA_WARNINGS})
endfunction()

# Host-side target: warnings, sanitizers when enabled.
function(arca_host_target target)
  arca_warnings(${target})
  if(ARCA_SANITIZE)
    target_compile_options(${target} PRIVATE ${ARCA_SANITIZE_FLAGS})
    get_target_property(type ${target} TYPE)
    if(NOT type STREQUAL "STATIC_LIBRARY" AND NOT type STREQUAL "OBJECT_LIBRARY")
      target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
  endif()
endfunction()

# Enclave-side target: warnings, hidden visibility, never sanitizers.
function(arca_enclave_side_target target)
  arca_warnings(${target})
  set_target_properties(${target} PROPERTIES C_VISIBILITY_PRESET hidden)
endfunction()

# A test executable: host-side settings plus a ctest entry with a timeout, so a hung or
# crashing enclave test fails that test, never the runner.
function(arca_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;ARGS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${name} ${T_SOURCES})
  arca_host_target(${name})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PRIVATE ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}"
    ENVIRONMENT "ARCA_PLATFORM_DIR=${CMAKE_BINARY_DIR}/test-platform;ARCA_RUNNER=$<TARGET_FILE_DIR:arca_cli>/arca-runner;ASAN_OPTIONS=detect_leaks=1")
endfunction()

# A libFuzzer target (only with ARCA_FUZZ, i.e. clang + sanitizers). The binary is named
# fuzz_<name> in bin/, where scripts/run-fuzzers.sh finds it; seeds go in fuzz/corpus/fuzz_<name>/.
function(arca_add_fuzzer name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  set(target fuzz_${name})
  add_executable(${target} ${F_SOURCES})
  arca_host_target(${target})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(${target} PRIVATE ${F_LIBS})
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
endfunction()
