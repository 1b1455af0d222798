/*
 * enclave.c — the enclave of the EDL end-to-end test: implements every ecall of all.edl so
 * that each value comes back transformed in a way the host can check, and drives every host
 * call with known values (t_run_ocalls) or through hostile host replies (t_hostile). A NULL
 * pointer arrives as NULL (EDL semantics), so every function that dereferences one checks it.
 */
#include <errno.h>
#include <string.h>

#include "all_t.h"

static int out_runs;

void t_scalars(char c, signed char sc, unsigned char uc, short s, unsigned short us, int i,
               unsigned int ui, unsigned u, long l, unsigned long ul, long long ll,
               unsigned long long ull, int8_t i8, uint8_t u8, int16_t i16, uint16_t u16, int32_t i32,
               uint32_t u32, int64_t i64, uint64_t u64, size_t sz, float f, double d, bool flag,
               wchar_t wc, struct record *echo)
{
    if (!echo)
        return;
    echo->c = c;
    echo->sc = sc;
    echo->uc = uc;
    echo->s = s;
    echo->us = us;
    echo->i = i;
    echo->ui = ui;
    echo->u = u;
    echo->l = l;
    echo->ul = ul;
    echo->ll = ll;
    echo->ull = ull;
    echo->i8 = i8;
    echo->u8 = u8;
    echo->i16 = i16;
    echo->u16 = u16;
    echo->i32 = i32;
    echo->u32 = u32;
    echo->i64 = i64;
    echo->u64 = u64;
    echo->sz = sz;
    echo->f = f;
    echo->d = d;
    echo->flag = flag;
    echo->wc = wc;
}

char t_ret_char(char v) { return (char)(v + 1); }
unsigned short t_ret_ushort(unsigned short v) { return (unsigned short)(v ^ 0xFFFF); }
long long t_ret_llong(long long v) { return (long long)(0ull - (unsigned long long)v); }
uint64_t t_ret_u64(uint64_t v) { return ~v; }
size_t t_ret_size(size_t v) { return v * 2; }
float t_ret_float(float v) { return v * 2.0f; }
double t_ret_double(double v) { return v / 4.0; }
bool t_ret_bool(bool v) { return !v; }
enum color t_ret_color(enum color v) { return v == RED ? BLUE : RED; }

struct record t_record(struct record r)
{
    r.i = (int)((unsigned)r.i + 1u);
    r.ll = (long long)(0ull - (unsigned long long)r.ll);
    r.d *= 2;
    r.color = GREEN;
    r.inner[1].a = (uint16_t)(r.inner[0].a + 1);
    r.grid[1][2] = 99;
    return r;
}

union number t_union(union number n, enum color c)
{
    if (c == BLUE)
        n.d = -n.d;
    else
        n.i = (int64_t)((uint64_t)n.i + 1u);
    return n;
}

handle_t t_foreign(handle_t h, struct foreign_pair p)
{
    return h + (handle_t)((int64_t)p.left * p.right);
}

uint32_t t_in(const uint8_t *buf, size_t len)
{
    uint32_t sum = 0;
    for (size_t k = 0; buf && k < len; k++)
        sum = sum * 31 + buf[k];
    return sum;
}

void t_out(uint8_t *buf, size_t len)
{
    out_runs++;
    for (size_t k = 0; buf && k < len; k++)
        buf[k] = (uint8_t)(k * 7);
}

void t_out_untouched(uint8_t *buf, size_t len)
{
    (void)buf;
    (void)len;
}

int t_out_runs(void) { return out_runs; }

void t_inout(int32_t *vals, int n)
{
    for (int k = 0; vals && k < n; k++)
        vals[k] = (int32_t)((uint32_t)vals[k] * 2u);
}

size_t t_string(const char *s) { return s ? strlen(s) : 0; }

void t_string_inout(char *s)
{
    for (; s && *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 'a' + 'A');
}

void t_count_lit(const uint16_t *in4, uint16_t *out4)
{
    for (int k = 0; in4 && out4 && k < 4; k++)
        out4[k] = in4[3 - k];
}

void t_size_lit(void *blob)
{
    uint8_t *b = blob;
    for (int k = 0; b && k < 12; k++)
        b[k] ^= 0xFF;
}

void t_size_count(const void *items, size_t unit, unsigned int n, void *copy)
{
    if (copy && items)
        memcpy(copy, items, unit * n);
}

void t_arrays(const int32_t a[4], uint8_t b[2][3], double c[2])
{
    for (int k = 0; a && b && k < 6; k++)
        b[k / 3][k % 3] = (uint8_t)((uint32_t)a[k % 4] + (uint32_t)k);
    if (c) {
        c[0] += c[1];
        c[1] = -c[1];
    }
}

void t_records(const struct record *in, struct record *out, size_t n)
{
    for (size_t k = 0; in && out && k < n; k++) {
        out[k] = in[n - 1 - k];
        out[k].sz = k;
    }
}

int t_null(const uint8_t *maybe, size_t len, int *maybe_out)
{
    (void)len;
    if (maybe_out)
        *maybe_out = 42;
    return (maybe != NULL) | (maybe_out != NULL) << 1;
}

int t_shared(struct shared_pair p, const struct shared_pair *q)
{
    return q ? (int)((uint32_t)p.a * (uint32_t)q->b - (uint32_t)p.b * (uint32_t)q->a) : 0;
}

int t_extra_used(int x) { return (int)((unsigned)x * 3u); }

/* Each host call with known values; returns 0 or the number of the first failed check. */
int t_run_ocalls(void)
{
    int64_t r64 = 0;
    if (u_scalars(&r64, -5, 65535, -100000, 0xFFFFFFFFFFFFFFFFul, -1234567890123ll, 200, -300,
                  4000000000u, INT64_MIN, (size_t)1 << 40, 1.5f, -2.25, true) != ARCA_OK)
        return 1;
    if (r64 != 777)
        return 2;
    struct record r, back;
    memset(&r, 0, sizeof r);
    r.i = 10;
    r.color = BLUE;
    r.grid[0][1] = 5;
    memset(&back, 0, sizeof back);
    if (u_record(&back, r) != ARCA_OK || back.i != 11 || back.color != RED || back.grid[0][1] != 6)
        return 3;
    union number n = {.i = 41}, nb = {0};
    if (u_union(&nb, n) != ARCA_OK || nb.i != 42)
        return 4;
    enum color c = RED;
    if (u_color(&c, GREEN) != ARCA_OK || c != BLUE)
        return 5;
    uint8_t data[5] = {1, 2, 3, 4, 5};
    if (u_in(data, sizeof data, "from the enclave") != ARCA_OK)
        return 6;
    uint32_t vals[3] = {0};
    struct inner one = {0};
    if (u_out(vals, 3, &one) != ARCA_OK || vals[0] != 100 || vals[2] != 102 || one.a != 7 || one.b[2] != -3)
        return 7;
    uint8_t blob[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    char s[] = "hello";
    int16_t arr[3] = {1, -2, 3};
    int ri = 0;
    if (u_inout(&ri, blob, s, arr) != ARCA_OK || ri != 3 || blob[0] != 2 || blob[7] != 16 ||
        strcmp(s, "HELLO") != 0 || arr[1] != -4)
        return 8;
    if (u_void() != ARCA_OK)
        return 9;
    struct shared_pair p = {1, 2}, sw = {0, 0};
    if (u_shared(&ri, p, &sw) != ARCA_OK || ri != 3 || sw.a != 2 || sw.b != 1)
        return 10;
    if (u_out(NULL, 0, NULL) != ARCA_OK) /* NULL [out] pointers stay NULL on the host */
        return 11;
    return 0;
}

/* Make host call number @p which and return its transport result (the host is hostile here). */
int t_hostile(int which)
{
    uint32_t vals[4] = {0};
    struct inner one = {0};
    uint8_t blob[8] = {0};
    char s[] = "abc";
    int16_t arr[3] = {0};
    int ri = 0;
    enum color c = RED;
    arca_result_t r = ARCA_OK;
    switch (which) {
    case 0:
        r = u_out(vals, 4, &one);
        break;
    case 1:
        r = u_inout(&ri, blob, s, arr);
        break;
    case 2:
        r = u_color(&c, RED);
        break;
    case 3: /* propagate_errno: a rejected reply leaves the enclave's errno alone */
        errno = 77;
        r = u_errno(&ri, 5);
        if (errno != 77)
            return -2;
        break;
    default:
        r = ARCA_ERR_INVALID_ARGUMENT;
    }
    /* whatever the host did, the enclave's own buffers are intact */
    if (r != ARCA_OK && (s[3] != '\0' || vals[0] != 0))
        return -1;
    return (int)r;
}

/* Fill a stretch of stack with a recognisable "secret", as earlier enclave code would leave it. */
__attribute__((noinline)) static void dirty_stack(void)
{
    volatile uint8_t junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = 0xA5;
}

/* Returns a struct whose padding holds stack leftovers (0xA5) and sends one to the host too:
 * the generated code must copy it member by member so that no padding byte crosses. */
struct padded t_padded(uint8_t tag)
{
    struct padded p;
    int host_saw = -1;
    dirty_stack();
    memset(&p, 0xA5, sizeof p); /* the leftovers, made deterministic */
    p.tag = tag;
    p.value = 0;
    p.small = 0x1234;
    if (u_padded(&host_saw, p) != ARCA_OK)
        host_saw = -1;
    p.value = (uint64_t)(int64_t)host_saw; /* non-zero padding bytes the host call saw */
    return p;
}

/* ---- SDK constructs ---- */

sgx_status_t t_sgx_status(sgx_status_t in)
{
    return in == ARCA_OK ? ARCA_ERR_APP : in;
}

oe_result_t t_oe_result(int code)
{
    return code == 1 ? ARCA_ERR_NOT_FOUND : ARCA_OK;
}

uint32_t t_typedef_sizes(const uint8_t *buf, all_len_t len, uint16_t *out, all_slen_t n)
{
    uint32_t sum = 0;
    for (all_len_t k = 0; buf && k < len; k++)
        sum += buf[k];
    for (all_slen_t k = 0; out && k < n; k++)
        out[k] = (uint16_t)(k + 1);
    return sum;
}

int32_t t_named_dims(const int32_t a[ALL_MAX_ITEMS], struct foreign_pair b[ALL_PAIR_COUNT])
{
    uint32_t sum = 0; /* unsigned: hostile values may overflow */
    for (int k = 0; a && k < ALL_MAX_ITEMS; k++)
        sum += (uint32_t)a[k];
    for (int k = 0; b && k < ALL_PAIR_COUNT; k++) {
        b[k].left = k;
        b[k].right = (int32_t)sum;
    }
    return (int32_t)sum;
}

/* errno after u_errno(value) with errno preset to @p preset; -1000 if the host call failed. */
int t_errno(int value, int preset)
{
    int ret = 0;
    errno = preset;
    if (u_errno(&ret, value) != ARCA_OK)
        return -1000;
    return errno;
}

enum big_flags t_big(enum big_flags f)
{
    return f == BIG_HIGH ? BIG_NEXT : BIG_LOW;
}

/* Parameters named like this function and like a host call: C scoping allows both. */
int t_named_like(int t_named_like, int u_void)
{
    return (int)((unsigned)t_named_like * 10u + (unsigned)u_void); /* hostile values may overflow */
}

/* The transport result of u_cdecl(x). */
int t_switchless(int x)
{
    return (int)u_cdecl(x);
}
