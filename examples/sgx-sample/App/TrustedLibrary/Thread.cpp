#include <stdio.h>

#include <thread>

#include "../App.h"
#include "Enclave_u.h"

static size_t counter = 0;

void increase_counter(void)
{
    size_t cnr = 0;
    sgx_status_t ret = SGX_ERROR_UNEXPECTED;
    ret = ecall_increase_counter(global_eid, &cnr);
    if (cnr != 0)
        counter = cnr;
    if (ret != SGX_SUCCESS)
        abort();
}

void data_producer(void)
{
    sgx_status_t ret = SGX_ERROR_UNEXPECTED;
    ret = ecall_producer(global_eid);
    if (ret != SGX_SUCCESS)
        abort();
}

void data_consumer(void)
{
    sgx_status_t ret = SGX_ERROR_UNEXPECTED;
    ret = ecall_consumer(global_eid);
    if (ret != SGX_SUCCESS)
        abort();
}

/* ecall_thread_functions:
 *   Invokes thread functions including mutex, condition variable, etc.
 */
void ecall_thread_functions(void)
{
    std::thread trd1(increase_counter);
    std::thread trd2(increase_counter);
    std::thread trd3(increase_counter);
    std::thread trd4(increase_counter);

    trd1.join();
    trd2.join();
    trd3.join();
    trd4.join();
    assert(counter == 4 * LOOPS_PER_THREAD);

    printf("Info: executing thread synchronization, please wait...  \n");
    /* condition variable */
    std::thread consumer1(data_consumer);
    std::thread producer0(data_producer);
    std::thread consumer2(data_consumer);
    std::thread consumer3(data_consumer);
    std::thread consumer4(data_consumer);

    consumer1.join();
    consumer2.join();
    consumer3.join();
    consumer4.join();
    producer0.join();

    /* threads the enclave creates itself */
    size_t total = 0;
    sgx_status_t ret = ecall_pthread_workers(global_eid, &total, 4);
    if (ret != SGX_SUCCESS || total != 4 * LOOPS_PER_THREAD)
        abort();
    printf("Info: thread functions successfully returned.\n");
}
