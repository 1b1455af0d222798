/*
 * error.h — the internal error toolkit: per-thread detail messages and the one-exit
 * helpers (ARCA_CHECK / ARCA_RAISE, after Open Enclave's raise.h).
 *
 * Functions keep a single `done:` label and a `result` variable:
 *     arca_result_t result = ARCA_OK;
 *     ARCA_CHECK(step());
 *     if (bad) ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: header too short", name);
 *   done:
 *     cleanup; return result;
 * Internal header: never installed.
 */
#ifndef ARCA_COMMON_ERROR_H
#define ARCA_COMMON_ERROR_H

#include "arca/result.h"

/** Record a detail message for the current thread (printf-style); returns @p r. An argument
 *  may be arca__error_detail() itself, to wrap the previous detail with more context. */
arca_result_t arca__error(arca_result_t r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Clear the current thread's detail message. */
void arca__error_clear(void);
/** The current thread's detail message, or "". */
const char *arca__error_detail(void);

/** Non-zero when @p r is a defined arca_result_t: the inline twin of arca_result_valid() for
 *  the call path (one unsigned comparison, no call through the PLT). */
static inline int arca__result_defined(int r)
{
    return (unsigned)r < (unsigned)ARCA__RESULT_COUNT;
}

#define ARCA_CHECK(expr)                                                                         \
    do {                                                                                         \
        arca_result_t arca__r_ = (expr);                                                         \
        if (arca__r_ != ARCA_OK) {                                                               \
            result = arca__r_;                                                                   \
            goto done;                                                                           \
        }                                                                                        \
    } while (0)

/* ARCA_RAISE(code) or ARCA_RAISE(code, "fmt", args...) */
#define ARCA_RAISE(...) ARCA__RAISE_PICK(__VA_ARGS__, ARCA__RAISE_MSG, ARCA__RAISE_MSG,            \
                                          ARCA__RAISE_MSG, ARCA__RAISE_MSG, ARCA__RAISE_MSG,       \
                                          ARCA__RAISE_MSG, ARCA__RAISE_MSG, ARCA__RAISE_CODE, _)(__VA_ARGS__)
#define ARCA__RAISE_PICK(_1, _2, _3, _4, _5, _6, _7, _8, NAME, ...) NAME
#define ARCA__RAISE_CODE(code)                                                                   \
    do {                                                                                         \
        result = (code);                                                                         \
        goto done;                                                                               \
    } while (0)
#define ARCA__RAISE_MSG(code, ...)                                                               \
    do {                                                                                         \
        result = arca__error((code), __VA_ARGS__);                                               \
        goto done;                                                                               \
    } while (0)

#endif
