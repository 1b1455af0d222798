/*
 * result.c — names and messages of arca_result_t, generated from ARCA_RESULT_MAP.
 * Must never return NULL: callers print the result without checking.
 */
#include "arca/result.h"
#include "error.h"

static const char *const messages[] = {
#define MESSAGE(name, msg) msg,
    ARCA_RESULT_MAP(MESSAGE)
#undef MESSAGE
};

static const char *const names[] = {
#define NAME(name, msg) #name,
    ARCA_RESULT_MAP(NAME)
#undef NAME
};

int arca_result_valid(int r)
{
    return arca__result_defined(r);
}

const char *arca_result_str(arca_result_t r)
{
    return arca_result_valid((int)r) ? messages[r] : "unknown result code";
}

const char *arca_result_name(arca_result_t r)
{
    return arca_result_valid((int)r) ? names[r] : "UNKNOWN";
}
