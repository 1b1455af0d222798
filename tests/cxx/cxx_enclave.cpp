/*
 * cxx_enclave.cpp — an enclave written in C++: exceptions thrown and caught across frames (and
 * by library code), the STL, iostreams (synchronised with stdio and not), std::thread with
 * std::mutex, std::condition_variable and thread_local objects, and an exception nobody
 * catches. arca_add_enclave links libstdc++ and libgcc into the image; the loader tells the
 * unwinder where the image's tables are (src/loader/libc_cxx.c). Each ecall answers with text
 * the host test compares with cxx_ids.h, on sim and on process.
 */
#include <arca/enclave.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "cxx_ids.h"

namespace {

arca_result_t answer(const std::string &text, uint8_t *out, size_t cap, size_t *out_len)
{
    *out_len = text.size();
    if (text.size() > cap)
        return ARCA_ERR_BUFFER_TOO_SMALL;
    std::memcpy(out, text.data(), text.size());
    return ARCA_OK;
}

/* ---- throw and catch ---- */

int unwound; /* destructors run while an exception passed */

struct Guard {
    ~Guard() { unwound++; }
};

[[noreturn]] __attribute__((noinline)) void depth3()
{
    Guard g;
    throw std::runtime_error("depth 3 reached");
}

__attribute__((noinline)) void depth2()
{
    Guard g;
    depth3();
}

__attribute__((noinline)) void depth1()
{
    Guard g;
    depth2();
}

struct Base : std::exception {
    explicit Base(int c) : code(c) {}
    const char *what() const noexcept override { return "base"; }
    int code;
};

struct Derived : Base {
    explicit Derived(int c) : Base(c) {}
    const char *what() const noexcept override { return "derived"; }
};

struct Custom {
    int code;
};

__attribute__((noinline)) int may_throw(int v)
{
    if (v > 10)
        throw v;
    return v + 1;
}

std::string throw_catch()
{
    std::ostringstream r;
    unwound = 0;
    try {
        depth1();
    } catch (const std::runtime_error &e) {
        r << "runtime_error:" << e.what() << ";";
    }
    r << "unwound:" << unwound << ";";
    try {
        throw Custom{42};
    } catch (const Custom &c) {
        r << "custom:code " << c.code << ";";
    }
    try {
        throw Derived(7);
    } catch (const Base &b) {
        r << "base:" << b.what() << " " << b.code << ";";
    }
    try {
        try {
            throw std::logic_error("again");
        } catch (...) {
            throw; /* rethrow the current exception */
        }
    } catch (const std::logic_error &e) {
        r << "rethrown:" << e.what() << ";";
    }
    try {
        throw 5;
    } catch (...) {
        try {
            throw;
        } catch (int v) {
            r << "any:int " << v << ";";
        }
    }
    std::string nested;
    try {
        try {
            throw std::runtime_error("inner");
        } catch (const std::exception &inner) {
            nested = inner.what();
            throw std::runtime_error(nested + "+outer");
        }
    } catch (const std::exception &outer) {
        r << "nested:" << outer.what() << ";";
    }
    r << "noexcept-path:" << (may_throw(1) == 2 ? "ok" : "bad") << ";";
    int caught = 0;
    try {
        caught = may_throw(3);
        caught = may_throw(11);
    } catch (int v) {
        caught = v;
    }
    r << "across-c++-frames:" << caught;
    return r.str();
}

std::string library_throws()
{
    std::string r;
    try {
        std::vector<int> v(3);
        (void)v.at(7);
    } catch (const std::out_of_range &) {
        r += "out_of_range;";
    }
    try {
        (void)std::stoi("not a number");
    } catch (const std::invalid_argument &) {
        r += "invalid_argument;";
    }
    try {
        /* far beyond any HeapSize: the allocator fails and operator new throws */
        std::unique_ptr<char[]> big(new char[size_t(1) << 40]);
        big[0] = 1;
    } catch (const std::bad_alloc &) {
        r += "bad_alloc;";
    }
    try {
        std::function<int()> empty;
        (void)empty();
    } catch (const std::bad_function_call &) {
        r += "bad_function_call";
    }
    return r;
}

/* ---- the STL ---- */

std::string stl()
{
    std::ostringstream r;
    std::vector<int> v{8, 3, 13, 1, 5, 2};
    std::sort(v.begin(), v.end());
    r << "sorted:";
    for (size_t i = 0; i < v.size(); i++)
        r << (i ? "," : "") << v[i];
    std::map<std::string, int> m{{"gamma", 3}, {"alpha", 1}, {"beta", 2}};
    r << ";map:";
    bool first = true;
    for (const auto &kv : m) {
        r << (first ? "" : ",") << kv.first << "=" << kv.second;
        first = false;
    }
    std::unordered_map<int, std::string> u;
    for (int i = 0; i < 3; i++)
        u[i] = std::to_string(i);
    r << ";unordered:" << u.size();
    std::istringstream words("one two three");
    std::vector<std::string> ws;
    for (std::string w; words >> w;)
        ws.push_back(w);
    r << ";words:" << ws.size();
    auto shared = std::make_shared<std::string>("x");
    auto copy = shared;
    r << ";shared:" << shared.use_count();
    return r.str();
}

/* ---- threads ---- */

std::atomic<int> tl_destroyed{0};

struct PerThread {
    std::string name = "fresh";
    ~PerThread() { tl_destroyed++; }
};

thread_local PerThread per_thread;

std::string threads()
{
    std::ostringstream r;
    std::mutex m;
    std::condition_variable cv;
    std::vector<int> queue;
    bool done = false;
    long sum = 0;
    int before = tl_destroyed.load();

    std::thread consumer([&] {
        std::unique_lock<std::mutex> lock(m);
        for (;;) {
            cv.wait(lock, [&] { return !queue.empty() || done; });
            while (!queue.empty()) {
                sum += queue.back();
                queue.pop_back();
            }
            if (done)
                break;
        }
        per_thread.name = "consumer"; /* constructed on this thread: destroyed at its end */
    });
    std::thread producer([&] {
        for (int i = 1; i <= 100; i++) {
            std::lock_guard<std::mutex> lock(m);
            queue.push_back(i);
            cv.notify_one();
        }
        std::string seen = per_thread.name; /* "fresh": not the consumer's */
        try {
            throw std::runtime_error(seen);
        } catch (const std::exception &e) {
            std::lock_guard<std::mutex> lock(m);
            r << "thread-caught:" << e.what() << ";";
        }
        std::lock_guard<std::mutex> lock(m);
        done = true;
        cv.notify_one();
    });
    producer.join();
    consumer.join();
    r << "sum:" << sum << ";thread_local-destroyed:" << tl_destroyed.load() - before;
    return r.str();
}

arca_result_t e_throw_catch(const uint8_t *, size_t, uint8_t *out, size_t cap, size_t *out_len)
{
    return answer(throw_catch(), out, cap, out_len);
}

arca_result_t e_library(const uint8_t *, size_t, uint8_t *out, size_t cap, size_t *out_len)
{
    return answer(library_throws(), out, cap, out_len);
}

arca_result_t e_stl(const uint8_t *, size_t, uint8_t *out, size_t cap, size_t *out_len)
{
    return answer(stl(), out, cap, out_len);
}

arca_result_t e_cout(const uint8_t *, size_t, uint8_t *, size_t, size_t *out_len)
{
    std::cout << "cout says " << 42 << " and " << 3.5 << std::endl;
    std::printf("printf says %d\n", 7);
    std::cout << "cout again\n";
    std::cerr << "cerr says error" << std::endl;
    *out_len = 0;
    return ARCA_OK;
}

arca_result_t e_no_sync(const uint8_t *, size_t, uint8_t *, size_t, size_t *out_len)
{
    std::ios::sync_with_stdio(false);
    std::cout << "unsynced " << 1 << '\n';
    std::cout << "unsynced " << 2 << ' ' << 3 << std::endl;
    *out_len = 0;
    return ARCA_OK;
}

arca_result_t e_threads(const uint8_t *, size_t, uint8_t *out, size_t cap, size_t *out_len)
{
    return answer(threads(), out, cap, out_len);
}

arca_result_t e_uncaught(const uint8_t *, size_t, uint8_t *, size_t, size_t *)
{
    throw std::logic_error(CX_UNCAUGHT_WHAT);
}

} // namespace

ARCA_ECALLS({CX_THROW_CATCH, e_throw_catch}, {CX_STL, e_stl}, {CX_COUT, e_cout},
            {CX_NO_SYNC, e_no_sync}, {CX_THREADS, e_threads}, {CX_UNCAUGHT, e_uncaught},
            {CX_THROW_IN_CTOR_LIB, e_library});
