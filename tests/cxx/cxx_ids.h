/*
 * cxx_ids.h — function ids and texts shared by the C++ test enclave (cxx_enclave.cpp) and its
 * host test (test_cxx.c). Plain numbers and strings only.
 */
#ifndef ARCA_TESTS_CXX_IDS_H
#define ARCA_TESTS_CXX_IDS_H

#define CX_THROW_CATCH 1 /* out: text: what each throw/catch case saw, ';'-separated */
#define CX_STL 2         /* out: text computed with vector, map, string, unordered_map, ... */
#define CX_COUT 3        /* std::cout, std::cerr and printf, in order */
#define CX_NO_SYNC 4     /* std::ios::sync_with_stdio(false), then std::cout (first call) */
#define CX_THREADS 5     /* std::thread, std::mutex, std::condition_variable, thread_local */
#define CX_UNCAUGHT 6    /* a throw no catch takes: std::terminate, the enclave ends */
#define CX_THROW_IN_CTOR_LIB 7 /* library code that throws: vector::at, stoi, bad_alloc; out: text */

/* What CX_THROW_CATCH must answer (the same on every backend). */
#define CX_THROW_CATCH_EXPECTED                                                                  \
    "runtime_error:depth 3 reached;unwound:3;custom:code 42;base:derived 7;rethrown:again;"    \
    "any:int 5;nested:inner+outer;noexcept-path:ok;across-c++-frames:11"
#define CX_LIBRARY_EXPECTED "out_of_range;invalid_argument;bad_alloc;bad_function_call"
#define CX_STL_EXPECTED "sorted:1,2,3,5,8,13;map:alpha=1,beta=2,gamma=3;unordered:3;words:3;shared:2"
#define CX_COUT_STDOUT "cout says 42 and 3.5\nprintf says 7\ncout again\n"
#define CX_COUT_STDERR "cerr says error\n"
#define CX_NO_SYNC_STDOUT "unsynced 1\nunsynced 2 3\n"
#define CX_THREADS_EXPECTED "thread-caught:fresh;sum:5050;thread_local-destroyed:2"
#define CX_UNCAUGHT_WHAT "nobody catches this"

#endif
