/*
 * error.c — per-thread detail messages behind arca_last_error().
 * A detail never contains secret material: callers pass names, sizes and offsets only.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char detail[512];

arca_result_t arca__error(arca_result_t r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
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
