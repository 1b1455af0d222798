/*
 * sgx_thread.h — the Intel SGX SDK's trusted mutexes and condition variables, for enclave code
 * compiled with only its #include names changed (#include "sgx_thread.h" →
 * #include <arca/compat/sgx/sgx_thread.h>).
 *
 * Maps: sgx_thread_mutex_t, sgx_thread_cond_t, sgx_thread_t and their attribute types are the
 * pthread types of the enclave's C library; SGX_THREAD_MUTEX_INITIALIZER,
 * SGX_THREAD_RECURSIVE_MUTEX_INITIALIZER and SGX_THREAD_COND_INITIALIZER are the pthread
 * initializers; every sgx_thread_* function is the pthread function of the same name and
 * returns what it returns (0 or an errno value, as the SDK's do).
 * SGX_THREAD_RECURSIVE_MUTEX_INITIALIZER is glibc's PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP: C
 * code that uses it needs _GNU_SOURCE (g++ defines it).
 * Cannot map: SGX's mutexes sleep by an ocall to the host, which could wake or starve them;
 * here waiting is the enclave's own (its own futexes on `process`). sgx_thread_self() is a
 * pthread_t, not an integer made from the TCS address. sgx_thread_wait_untrusted_event_ocall
 * and the other ocalls behind these functions do not exist.
 */
#ifndef ARCA_COMPAT_SGX_THREAD_H
#define ARCA_COMPAT_SGX_THREAD_H

#ifndef ARCA_COMPAT_SGX
#define ARCA_COMPAT_SGX 1
#endif

#include <pthread.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef pthread_t sgx_thread_t;
typedef pthread_mutex_t sgx_thread_mutex_t;
typedef pthread_mutexattr_t sgx_thread_mutexattr_t;
typedef pthread_cond_t sgx_thread_cond_t;
typedef pthread_condattr_t sgx_thread_condattr_t;

#define SGX_THREAD_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
#define SGX_THREAD_NONRECURSIVE_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
#define SGX_THREAD_RECURSIVE_MUTEX_INITIALIZER PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP
#define SGX_THREAD_COND_INITIALIZER PTHREAD_COND_INITIALIZER

static inline int sgx_thread_mutex_init(sgx_thread_mutex_t *mutex,
                                        const sgx_thread_mutexattr_t *unused)
{
    return pthread_mutex_init(mutex, unused);
}
static inline int sgx_thread_mutex_destroy(sgx_thread_mutex_t *mutex)
{
    return pthread_mutex_destroy(mutex);
}
static inline int sgx_thread_mutex_lock(sgx_thread_mutex_t *mutex)
{
    return pthread_mutex_lock(mutex);
}
static inline int sgx_thread_mutex_trylock(sgx_thread_mutex_t *mutex)
{
    return pthread_mutex_trylock(mutex);
}
static inline int sgx_thread_mutex_unlock(sgx_thread_mutex_t *mutex)
{
    return pthread_mutex_unlock(mutex);
}
static inline int sgx_thread_cond_init(sgx_thread_cond_t *cond, const sgx_thread_condattr_t *unused)
{
    return pthread_cond_init(cond, unused);
}
static inline int sgx_thread_cond_destroy(sgx_thread_cond_t *cond)
{
    return pthread_cond_destroy(cond);
}
static inline int sgx_thread_cond_wait(sgx_thread_cond_t *cond, sgx_thread_mutex_t *mutex)
{
    return pthread_cond_wait(cond, mutex);
}
static inline int sgx_thread_cond_signal(sgx_thread_cond_t *cond)
{
    return pthread_cond_signal(cond);
}
static inline int sgx_thread_cond_broadcast(sgx_thread_cond_t *cond)
{
    return pthread_cond_broadcast(cond);
}
static inline sgx_thread_t sgx_thread_self(void)
{
    return pthread_self();
}
static inline int sgx_thread_equal(sgx_thread_t a, sgx_thread_t b)
{
    return pthread_equal(a, b);
}

#ifdef __cplusplus
}
#endif

#endif /* ARCA_COMPAT_SGX_THREAD_H */
