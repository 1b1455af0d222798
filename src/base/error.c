/*
 * error.c — per-thread detail messages behind arca_last_error().
 * A detail never contains secret material: callers pass names, sizes and offsets only.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char detail[512];

arca_result_t arca__error(arca_result_t r, const char *fmt, ...)
{
    /* Formatted aside first, so that the previous detail may be an argument (wrapping it). */
    char fresh[sizeof detail];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fresh, sizeof fresh, fmt, ap);
    va_end(ap);
    memcpy(detail, fresh, sizeof detail);
    return r;
}

void arca__error_clear(void)
{
    detail[0] = '\0';
}

const char *arca__error_detail(void)
{
    return detail;
}
