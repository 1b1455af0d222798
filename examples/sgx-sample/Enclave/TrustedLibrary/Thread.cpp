/* Test threads inside the enclave: a mutex and condition variables shared by concurrent
 * ECALLs (SampleEnclave's, with the SDK's sgx_thread API), and, added for this port, threads
 * the enclave creates itself with pthread_create (the SDK's sgx_pthread, imported through
 * sgx_pthread.edl). */

#include <pthread.h>
#include <vector>

#include "../Enclave.h"
#include "Enclave_t.h"

#include "arca/compat/sgx/sgx_thread.h"

static size_t global_counter = 0;
static sgx_thread_mutex_t global_mutex = SGX_THREAD_MUTEX_INITIALIZER;

#define BUFFER_SIZE 50

typedef struct {
    int buf[BUFFER_SIZE];
    int occupied;
    int nextin;
    int nextout;
    sgx_thread_mutex_t mutex;
    sgx_thread_cond_t more;
    sgx_thread_cond_t less;
} cond_buffer_t;

static cond_buffer_t buffer = {{0, 0, 0, 0, 0, 0}, 0, 0, 0, SGX_THREAD_MUTEX_INITIALIZER,
                               SGX_THREAD_COND_INITIALIZER, SGX_THREAD_COND_INITIALIZER};

/*
 * ecall_increase_counter:
 *   Utilize thread APIs inside the enclave.
 */
size_t ecall_increase_counter(void)
{
    size_t ret = 0;
    for (int i = 0; i < LOOPS_PER_THREAD; i++) {
        sgx_thread_mutex_lock(&global_mutex);
        /* mutually exclusive adding */
        size_t tmp = global_counter;
        global_counter = ++tmp;
        if (4 * LOOPS_PER_THREAD == global_counter)
            ret = global_counter;
        sgx_thread_mutex_unlock(&global_mutex);
    }
    return ret;
}

void ecall_producer(void)
{
    for (int i = 0; i < 4 * LOOPS_PER_THREAD; i++) {
        cond_buffer_t *b = &buffer;
        sgx_thread_mutex_lock(&b->mutex);
        while (b->occupied >= BUFFER_SIZE)
            sgx_thread_cond_wait(&b->less, &b->mutex);
        b->buf[b->nextin] = b->nextin;
        b->nextin++;
        b->nextin %= BUFFER_SIZE;
        b->occupied++;
        sgx_thread_cond_signal(&b->more);
        sgx_thread_mutex_unlock(&b->mutex);
    }
}

void ecall_consumer(void)
{
    for (int i = 0; i < LOOPS_PER_THREAD; i++) {
        cond_buffer_t *b = &buffer;
        sgx_thread_mutex_lock(&b->mutex);
        while (b->occupied <= 0)
            sgx_thread_cond_wait(&b->more, &b->mutex);
        b->buf[b->nextout++] = 0;
        b->nextout %= BUFFER_SIZE;
        b->occupied--;
        sgx_thread_cond_signal(&b->less);
        sgx_thread_mutex_unlock(&b->mutex);
    }
}

/* ---- threads of the enclave's own ---- */

static pthread_mutex_t workers_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t workers_done = PTHREAD_COND_INITIALIZER;
static size_t workers_counter, workers_finished;

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < LOOPS_PER_THREAD; i++) {
        pthread_mutex_lock(&workers_mutex);
        workers_counter++;
        pthread_mutex_unlock(&workers_mutex);
    }
    pthread_mutex_lock(&workers_mutex);
    workers_finished++;
    pthread_cond_signal(&workers_done);
    pthread_mutex_unlock(&workers_mutex);
    return NULL;
}

/*
 * ecall_pthread_workers:
 *   'count' threads created inside the enclave add to a counter under a mutex; the ECALL waits
 *   on a condition variable until all of them are done, joins them and returns the counter.
 */
size_t ecall_pthread_workers(size_t count)
{
    std::vector<pthread_t> threads;
    workers_counter = 0;
    workers_finished = 0;
    for (size_t i = 0; i < count; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, NULL) != 0) {
            printf("Error: pthread_create failed for worker %zu\n", i);
            break;
        }
        threads.push_back(t);
    }
    pthread_mutex_lock(&workers_mutex);
    while (workers_finished < threads.size())
        pthread_cond_wait(&workers_done, &workers_mutex);
    size_t total = workers_counter;
    pthread_mutex_unlock(&workers_mutex);
    for (size_t i = 0; i < threads.size(); i++)
        pthread_join(threads[i], NULL);
    printf("Info: %zu enclave threads counted to %zu\n", threads.size(), total);
    return total;
}
