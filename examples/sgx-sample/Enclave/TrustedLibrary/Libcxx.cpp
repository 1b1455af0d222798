/* Test C++ standard library inside the enclave: exceptions and the STL. */

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "../Enclave.h"
#include "Enclave_t.h"

/*
 * ecall_exception:
 *   throw/catch C++ exception inside the enclave.
 */
void ecall_exception(void)
{
    std::string foo = "foo";
    try {
        throw std::runtime_error("testing std::runtime_error");
    } catch (std::runtime_error const &e) {
        assert(foo == "foo");
        assert(e.what() == std::string("testing std::runtime_error"));
        printf("Info: exception caught: %s\n", e.what());
    } catch (...) {
        assert(false);
    }

    /* library code throws too */
    std::vector<int> v(3, 7);
    try {
        (void)v.at(3);
        abort();
    } catch (std::out_of_range const &) {
        printf("Info: std::vector::at threw std::out_of_range\n");
    }
}

/*
 * ecall_map:
 *   Utilize STL <map> in the enclave.
 */
void ecall_map(void)
{
    typedef std::map<char, int, std::less<char>> map_t;
    typedef map_t::value_type map_value;
    map_t m;

    m.insert(map_value('a', 1));
    m.insert(map_value('b', 2));
    m.insert(map_value('c', 3));
    m.insert(map_value('d', 4));

    assert(m['a'] == 1);
    assert(m['b'] == 2);
    assert(m['c'] == 3);
    assert(m['d'] == 4);

    assert(m.find('e') == m.end());

    std::string keys;
    for (map_t::const_iterator it = m.begin(); it != m.end(); ++it)
        keys += it->first;
    printf("Info: std::map keys: %s\n", keys.c_str());
}
