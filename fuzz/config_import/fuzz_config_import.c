/*
 * fuzz_config_import.c — libFuzzer target for `arca config import`'s translator
 * (arca__config_import, tools/arca/config_import.c): any bytes must yield either a defined
 * error and nothing, or an enclave.conf that the real parser reads back to exactly the
 * configuration reported, whose only key lines are the seven the translator writes (no byte
 * of the input becomes a key), and notes with no control character but line ends.
 * Never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_import.h"
#include "formats/image.h"

static int printable_lines(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '\n' && (c < 0x20 || c > 0x7e))
            return 0;
    }
    return 1;
}

/* Lines that are neither blank nor comments: exactly "Key = value" for the seven keys. */
static int key_lines_ok(const char *conf)
{
    static const char *const keys[] = {
        "Debug = ",   "Switchless = ", "HeapSize = ",       "StackSize = ",
        "Threads = ", "ProductID = ",  "SecurityVersion = "};
    size_t next = 0;
    for (const char *p = conf; *p;) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            return 0; /* every line ends with a newline */
        if (nl != p && *p != '#') {
            if (next >= 7 || strncmp(p, keys[next], strlen(keys[next])) != 0)
                return 0;
            next++;
        }
        p = nl + 1;
    }
    return next == 7;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arca__import imp;
    arca_result_t r = arca__config_import(data, size, "fuzz.input", &imp);

    if (r == ARCA_OK) {
        struct arca_enclave_config c;
        arca__config_defaults(&c);
        if (!imp.conf || !imp.notes || strlen(imp.conf) != imp.conf_len ||
            strlen(imp.notes) != imp.notes_len)
            abort();
        if (arca__config_parse(imp.conf, imp.conf_len, "fuzz", &c) != ARCA_OK ||
            memcmp(&c, &imp.config, sizeof c) != 0 || arca__config_validate(&c) != ARCA_OK)
            abort();
        if (!printable_lines(imp.conf, imp.conf_len) ||
            !printable_lines(imp.notes, imp.notes_len) || !key_lines_ok(imp.conf))
            abort();
    } else {
        if (r != ARCA_ERR_BAD_FORMAT && r != ARCA_ERR_CONFIG && r != ARCA_ERR_OVERFLOW &&
            r != ARCA_ERR_OUT_OF_MEMORY)
            abort();
        if (imp.conf || imp.notes)
            abort();
    }
    arca__config_import_free(&imp);
    return 0;
}
