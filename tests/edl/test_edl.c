/*
 * test_edl.c — end-to-end test of arca-edger's generated code: every construct of all.edl
 * round-trips through a real enclave on the backend named by argv[1], every host call is made
 * from inside the enclave, and hostile frames (host -> enclave) and hostile host replies
 * (host -> enclave, Iago style) are rejected without side effects.
 * usage: test_edl BACKEND IMAGE
 */
#include <errno.h>
#include <float.h>
#include <limits.h>

#include "all_u.h"
#include "arca/marshal.h"
#include "test.h"

static const char *backend, *image;
static arca_enclave_t *enclave;

/* ---- host calls (all.edl's untrusted functions) ---- */

static int scalars_ok, in_ok, void_calls;

int64_t u_scalars(char c, unsigned short us, int i, unsigned long ul, long long ll, uint8_t u8,
                  int16_t i16, uint32_t u32, int64_t i64, size_t sz, float f, double d, bool flag)
{
    scalars_ok = c == -5 && us == 65535 && i == -100000 && ul == ULONG_MAX &&
                 ll == -1234567890123ll && u8 == 200 && i16 == -300 && u32 == 4000000000u &&
                 i64 == INT64_MIN && sz == (size_t)1 << 40 && f == 1.5f && d == -2.25 && flag;
    return 777;
}

struct record u_record(struct record r)
{
    r.i += 1;
    r.color = RED;
    r.grid[0][1]++;
    return r;
}

union number u_union(union number n)
{
    n.i += 1;
    return n;
}

enum color u_color(enum color c)
{
    return c == GREEN ? BLUE : RED;
}

void u_in(const uint8_t *buf, size_t len, const char *s)
{
    in_ok = len == 5 && buf[0] == 1 && buf[4] == 5 && strcmp(s, "from the enclave") == 0;
}

void u_out(uint32_t *vals, size_t n, struct inner *one)
{
    for (size_t k = 0; vals && k < n; k++)
        vals[k] = (uint32_t)(100 + k);
    if (one) {
        one->a = 7;
        one->b[2] = -3;
    }
}

int u_inout(void *blob, char *s, int16_t arr[3])
{
    uint8_t *b = blob;
    for (int k = 0; k < 8; k++)
        b[k] = (uint8_t)(b[k] * 2);
    for (char *p = s; *p; p++)
        *p = (char)(*p - 'a' + 'A');
    arr[1] = (int16_t)(arr[1] * 2);
    return 3;
}

void u_void(void)
{
    void_calls++;
}

/* Non-zero bytes in the padding of a struct padded (between tag and value, after small). */
static int padding_nonzero(const struct padded *p)
{
    const uint8_t *b = (const uint8_t *)p;
    int n = 0;
    for (size_t i = offsetof(struct padded, tag) + 1; i < offsetof(struct padded, value); i++)
        n += b[i] != 0;
    for (size_t i = offsetof(struct padded, small) + sizeof p->small; i < sizeof *p; i++)
        n += b[i] != 0;
    return n;
}

int u_padded(struct padded p)
{
    return padding_nonzero(&p);
}

int u_shared(struct shared_pair p, struct shared_pair *swapped)
{
    swapped->a = p.b;
    swapped->b = p.a;
    return p.a + p.b;
}

static int cdecl_arg = -1;

/* propagate_errno: what this leaves in errno reaches the enclave's errno. */
int u_errno(int value)
{
    if (value == 0)
        return 0; /* errno untouched: the enclave sees 0 (the bridge clears it before the call) */
    errno = value;
    return -1;
}

void u_cdecl(int x)
{
    cdecl_arg = x;
}

/* ---- helpers ---- */

static arca_result_t create(const arca_host_call_t *calls, size_t count)
{
    arca_enclave_options_t opts;
    arca_enclave_options_init(&opts);
    opts.backend = backend;
    opts.host_calls = calls;
    opts.host_call_count = count;
    return arca_enclave_create(image, &opts, &enclave);
}

/* ---- tests ---- */

static void test_create(void)
{
    ASSERT_OK(create(all_host_calls, all_host_call_count));
    ASSERT_EQ(all_host_call_count, 12); /* the stand-in sgx_tstdc.edl adds none */
}

static void test_scalars(void)
{
    struct record e;
    memset(&e, 0x5A, sizeof e);
    ASSERT_OK(t_scalars(enclave, CHAR_MIN, SCHAR_MIN, UCHAR_MAX, SHRT_MIN, USHRT_MAX, INT_MIN,
                        UINT_MAX, 123456u, LONG_MIN, ULONG_MAX, LLONG_MAX, ULLONG_MAX, INT8_MIN,
                        UINT8_MAX, INT16_MAX, UINT16_MAX, INT32_MIN, UINT32_MAX, INT64_MIN,
                        UINT64_MAX, SIZE_MAX, FLT_MIN, DBL_MAX, true, (wchar_t)0x1F600, &e));
    ASSERT_EQ(e.c, CHAR_MIN);
    ASSERT_EQ(e.sc, SCHAR_MIN);
    ASSERT_EQ(e.uc, UCHAR_MAX);
    ASSERT_EQ(e.s, SHRT_MIN);
    ASSERT_EQ(e.us, USHRT_MAX);
    ASSERT_EQ(e.i, INT_MIN);
    ASSERT_UEQ(e.ui, UINT_MAX);
    ASSERT_UEQ(e.u, 123456u);
    ASSERT_EQ(e.l, LONG_MIN);
    ASSERT_UEQ(e.ul, ULONG_MAX);
    ASSERT_EQ(e.ll, LLONG_MAX);
    ASSERT_UEQ(e.ull, ULLONG_MAX);
    ASSERT_EQ(e.i8, INT8_MIN);
    ASSERT_EQ(e.u8, UINT8_MAX);
    ASSERT_EQ(e.i16, INT16_MAX);
    ASSERT_EQ(e.u16, UINT16_MAX);
    ASSERT_EQ(e.i32, INT32_MIN);
    ASSERT_UEQ(e.u32, UINT32_MAX);
    ASSERT_EQ(e.i64, INT64_MIN);
    ASSERT_UEQ(e.u64, UINT64_MAX);
    ASSERT_UEQ(e.sz, SIZE_MAX);
    ASSERT_TRUE(e.f == FLT_MIN);
    ASSERT_TRUE(e.d == DBL_MAX);
    ASSERT_TRUE(e.flag);
    ASSERT_EQ(e.wc, 0x1F600);
}

static void test_returns(void)
{
    char c = 0;
    unsigned short us = 0;
    long long ll = 0;
    uint64_t u64 = 0;
    size_t sz = 0;
    float f = 0;
    double d = 0;
    bool b = true;
    enum color col = RED;
    ASSERT_OK(t_ret_char(enclave, &c, 'a'));
    ASSERT_EQ(c, 'b');
    ASSERT_OK(t_ret_ushort(enclave, &us, 0x00FF));
    ASSERT_EQ(us, 0xFF00);
    ASSERT_OK(t_ret_llong(enclave, &ll, LLONG_MAX));
    ASSERT_EQ(ll, -LLONG_MAX);
    ASSERT_OK(t_ret_u64(enclave, &u64, 0));
    ASSERT_UEQ(u64, UINT64_MAX);
    ASSERT_OK(t_ret_size(enclave, &sz, (size_t)1 << 62));
    ASSERT_UEQ(sz, (size_t)1 << 63);
    ASSERT_OK(t_ret_float(enclave, &f, -1.25f));
    ASSERT_TRUE(f == -2.5f);
    ASSERT_OK(t_ret_double(enclave, &d, 1e300));
    ASSERT_TRUE(d == 2.5e299);
    ASSERT_OK(t_ret_bool(enclave, &b, true));
    ASSERT_TRUE(!b);
    ASSERT_OK(t_ret_color(enclave, &col, RED));
    ASSERT_EQ(col, BLUE);
    ASSERT_OK(t_ret_char(enclave, NULL, 'x')); /* the return value may be ignored */
}

static void test_user_types(void)
{
    struct record r, back;
    memset(&r, 0, sizeof r);
    r.i = 41;
    r.ll = 5;
    r.d = 1.5;
    r.color = BLUE;
    r.inner[0].a = 9;
    r.inner[0].b[1] = -7;
    r.grid[0][0] = 1;
    ASSERT_OK(t_record(enclave, &back, r));
    ASSERT_EQ(back.i, 42);
    ASSERT_EQ(back.ll, -5);
    ASSERT_TRUE(back.d == 3.0);
    ASSERT_EQ(back.color, GREEN);
    ASSERT_EQ(back.inner[0].b[1], -7);
    ASSERT_EQ(back.inner[1].a, 10);
    ASSERT_EQ(back.grid[0][0], 1);
    ASSERT_EQ(back.grid[1][2], 99);

    union number n = {.d = 2.5}, nb;
    ASSERT_OK(t_union(enclave, &nb, n, BLUE));
    ASSERT_TRUE(nb.d == -2.5);
    n.i = 7;
    ASSERT_OK(t_union(enclave, &nb, n, GREEN));
    ASSERT_EQ(nb.i, 8);

    handle_t h = 0;
    struct foreign_pair fp = {6, 7};
    ASSERT_OK(t_foreign(enclave, &h, 1000, fp));
    ASSERT_UEQ(h, 1042);

    struct shared_pair p = {3, 4}, q = {5, 6};
    int cross = 0, tripled = 0;
    ASSERT_OK(t_shared(enclave, &cross, p, &q));
    ASSERT_EQ(cross, 3 * 6 - 4 * 5);
    ASSERT_OK(t_extra_used(enclave, &tripled, 14));
    ASSERT_EQ(tripled, 42);
    ASSERT_EQ(ALL_MAX_ITEMS, 8);
}

/* The enclave dirties its stack and returns a struct whose padding holds the leftovers (and
 * passes one to a host call): the host must see only zeros there, in both directions. */
static void test_padding_never_crosses(void)
{
    _Static_assert(sizeof(struct padded) > sizeof(uint8_t) + sizeof(uint64_t) + sizeof(uint16_t),
                   "struct padded has padding");
    struct padded back;
    memset(&back, 0x5A, sizeof back);
    ASSERT_OK(t_padded(enclave, &back, 7));
    ASSERT_EQ(back.tag, 7);
    ASSERT_EQ(back.small, 0x1234);
    ASSERT_EQ(padding_nonzero(&back), 0);
    ASSERT_EQ(back.value, 0); /* u_padded saw no padding byte set either */
}

static void test_buffers(void)
{
    uint8_t data[300];
    for (size_t k = 0; k < sizeof data; k++)
        data[k] = (uint8_t)(k ^ 0x5C);
    uint32_t sum = 0, want = 0;
    for (size_t k = 0; k < sizeof data; k++)
        want = want * 31 + data[k];
    ASSERT_OK(t_in(enclave, &sum, data, sizeof data));
    ASSERT_UEQ(sum, want);
    ASSERT_OK(t_in(enclave, &sum, data, 0));
    ASSERT_UEQ(sum, 0);

    uint8_t out[100];
    memset(out, 0xAA, sizeof out);
    ASSERT_OK(t_out(enclave, out, sizeof out));
    for (size_t k = 0; k < sizeof out; k++)
        ASSERT_EQ(out[k], (uint8_t)(k * 7));
    memset(out, 0xAA, sizeof out);
    ASSERT_OK(t_out_untouched(enclave, out, sizeof out));
    for (size_t k = 0; k < sizeof out; k++)
        ASSERT_EQ(out[k], 0); /* [out] buffers start zeroed inside the enclave */

    int32_t vals[5] = {1, -2, 3, -4, 5};
    ASSERT_OK(t_inout(enclave, vals, 5));
    ASSERT_EQ(vals[0], 2);
    ASSERT_EQ(vals[3], -8);

    size_t len = 0;
    ASSERT_OK(t_string(enclave, &len, "twelve chars"));
    ASSERT_EQ(len, 12);
    ASSERT_OK(t_string(enclave, &len, ""));
    ASSERT_EQ(len, 0);
    char s[] = "mixed Case 123";
    ASSERT_OK(t_string_inout(enclave, s));
    ASSERT_STREQ(s, "MIXED CASE 123");

    uint16_t in4[4] = {1, 2, 3, 4}, out4[4] = {0};
    ASSERT_OK(t_count_lit(enclave, in4, out4));
    ASSERT_EQ(out4[0], 4);
    ASSERT_EQ(out4[3], 1);

    uint8_t blob[12];
    memset(blob, 0x0F, sizeof blob);
    ASSERT_OK(t_size_lit(enclave, blob));
    ASSERT_EQ(blob[0], 0xF0);
    ASSERT_EQ(blob[11], 0xF0);

    uint32_t items[3] = {0xDEADBEEF, 2, 3}, copy[3] = {0};
    ASSERT_OK(t_size_count(enclave, items, sizeof items[0], 3, copy));
    ASSERT_MEMEQ(items, copy, sizeof items);

    int32_t a[4] = {10, 20, 30, 40};
    uint8_t b[2][3];
    double c[2] = {1.5, 2.5};
    ASSERT_OK(t_arrays(enclave, a, b, c));
    ASSERT_EQ(b[0][0], 10);
    ASSERT_EQ(b[1][2], (uint8_t)(20 + 5));
    ASSERT_TRUE(c[0] == 4.0 && c[1] == -2.5);

    struct record rin[3], rout[3];
    memset(rin, 0, sizeof rin);
    for (int k = 0; k < 3; k++)
        rin[k].i = k + 1;
    ASSERT_OK(t_records(enclave, rin, rout, 3));
    ASSERT_EQ(rout[0].i, 3);
    ASSERT_EQ(rout[2].i, 1);
    ASSERT_EQ(rout[2].sz, 2);

    int flags = -1, got = 0;
    ASSERT_OK(t_null(enclave, &flags, NULL, 99, NULL));
    ASSERT_EQ(flags, 0);
    ASSERT_OK(t_null(enclave, &flags, data, 4, &got));
    ASSERT_EQ(flags, 3);
    ASSERT_EQ(got, 42);
}

static void test_host_calls(void)
{
    int failed = -1;
    ASSERT_OK(t_run_ocalls(enclave, &failed));
    ASSERT_EQ(failed, 0);
    ASSERT_TRUE(scalars_ok);
    ASSERT_TRUE(in_ok);
    ASSERT_EQ(void_calls, 1);
}

static void test_caller_errors(void)
{
    int32_t vals[2] = {1, 2};
    /* a negative count never reaches the enclave */
    ASSERT_RESULT(t_inout(enclave, vals, -1), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca_last_error(), "negative");
    ASSERT_EQ(vals[0], 1);
    /* unit x count overflows */
    uint8_t one = 0;
    ASSERT_RESULT(t_size_count(enclave, &one, SIZE_MAX / 2, 3, &one), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca_last_error(), "overflows");
}

/* A raw frame straight to an ecall bridge; @return its result. */
static arca_result_t raw(uint32_t id, const arca_marshal_writer_t *w, size_t out_cap, size_t *out_len)
{
    uint8_t out[4096];
    *out_len = 0;
    return arca_enclave_call(enclave, id, w->data, w->len, out, out_cap, out_len);
}

#define ID_T_IN 15
#define ID_T_OUT 16
#define ID_T_OUT_RUNS 18
#define ID_T_INOUT 19
#define ID_T_STRING 20
#define ID_T_SIZE_COUNT 24
#define ID_T_TYPEDEF_SIZES 34

static void test_hostile_frames(void)
{
    arca_marshal_writer_t w;
    size_t n = 0;
    int runs = -1, runs_after = -2;
    ASSERT_OK(t_out_runs(enclave, &runs));

    /* empty frame for a function with parameters */
    arca_marshal_writer_init(&w);
    ASSERT_RESULT(raw(ID_T_IN, &w, 64, &n), ARCA_ERR_BAD_FRAME);
    /* buffer length beyond the frame */
    arca_marshal_put_u64(&w, 100);
    arca_marshal_put_u32(&w, 0);
    ASSERT_RESULT(raw(ID_T_IN, &w, 64, &n), ARCA_ERR_BAD_FRAME);
    arca_marshal_writer_free(&w);
    /* a length that would wrap around */
    arca_marshal_writer_init(&w);
    arca_marshal_put_u64(&w, UINT64_MAX - 1);
    arca_marshal_put_u64(&w, 4);
    ASSERT_RESULT(raw(ID_T_IN, &w, 64, &n), ARCA_ERR_BAD_FRAME);
    arca_marshal_writer_free(&w);
    /* 4 bytes sent, size=len says 5 */
    arca_marshal_writer_init(&w);
    arca_marshal_put_buffer(&w, "abcd", 4);
    arca_marshal_put_u64(&w, 5);
    ASSERT_RESULT(raw(ID_T_IN, &w, 64, &n), ARCA_ERR_BAD_FRAME);
    arca_marshal_writer_free(&w);
    /* correct frame plus one trailing byte, then the correct frame itself */
    arca_marshal_writer_init(&w);
    arca_marshal_put_buffer(&w, "abcd", 4);
    arca_marshal_put_u64(&w, 4);
    ASSERT_OK(raw(ID_T_IN, &w, 64, &n));
    ASSERT_EQ(n, 4);
    arca_marshal_put_u8(&w, 0);
    ASSERT_RESULT(raw(ID_T_IN, &w, 64, &n), ARCA_ERR_BAD_FRAME);
    arca_marshal_writer_free(&w);

    /* strings: no terminator, interior NUL, zero length */
    static const struct {
        const char *bytes;
        size_t len;
    } bad_strings[] = {{"abc", 3}, {"ab\0c", 5}, {"", 0}};
    for (size_t k = 0; k < 3; k++) {
        arca_marshal_writer_init(&w);
        arca_marshal_put_buffer(&w, bad_strings[k].bytes, bad_strings[k].len);
        ASSERT_RESULT(raw(ID_T_STRING, &w, 64, &n), ARCA_ERR_BAD_FRAME);
        arca_marshal_writer_free(&w);
    }

    /* [out] size that disagrees with size=len */
    arca_marshal_writer_init(&w);
    arca_marshal_put_u64(&w, 10);
    arca_marshal_put_u64(&w, 11);
    ASSERT_RESULT(raw(ID_T_OUT, &w, 64, &n), ARCA_ERR_BAD_FRAME);
    arca_marshal_writer_free(&w);
    /* a reply that cannot fit: refused before the function runs, with the size needed */
    arca_marshal_writer_init(&w);
    arca_marshal_put_u64(&w, 100);
    arca_marshal_put_u64(&w, 100);
    ASSERT_RESULT(raw(ID_T_OUT, &w, 50, &n), ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(n, 8 + 100);
    arca_marshal_writer_free(&w);
    /* a huge [out] request is bounded by the reply capacity, never allocated */
    arca_marshal_writer_init(&w);
    arca_marshal_put_u64(&w, (uint64_t)1 << 40);
    arca_marshal_put_u64(&w, (uint64_t)1 << 40);
    ASSERT_RESULT(raw(ID_T_OUT, &w, 64, &n), ARCA_ERR_BUFFER_TOO_SMALL);
    ASSERT_UEQ(n, 8 + ((uint64_t)1 << 40));
    arca_marshal_writer_free(&w);
    ASSERT_OK(t_out_runs(enclave, &runs_after));
    ASSERT_EQ(runs_after, runs);

    /* a negative count from the wire */
    arca_marshal_writer_init(&w);
    arca_marshal_put_buffer(&w, "12345678", 8);
    arca_marshal_put_u32(&w, 0xFFFFFFFFu);
    ASSERT_RESULT(raw(ID_T_INOUT, &w, 64, &n), ARCA_ERR_BAD_FRAME);
    arca_marshal_writer_free(&w);
    /* unit x count overflows */
    arca_marshal_writer_init(&w);
    arca_marshal_put_buffer(&w, "12345678", 8);
    arca_marshal_put_u64(&w, (uint64_t)1 << 62);
    arca_marshal_put_u32(&w, 8);
    arca_marshal_put_size(&w, "", 8);
    ASSERT_RESULT(raw(ID_T_SIZE_COUNT, &w, 64, &n), ARCA_ERR_BAD_FRAME);
    arca_marshal_writer_free(&w);
}

/* Hostile host replies, served instead of the generated bridges. */
static arca_result_t short_reply(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                 size_t out_cap, size_t *out_len)
{
    (void)ctx, (void)in, (void)in_len;
    memset(out, 0, out_cap < 2 ? out_cap : 2);
    *out_len = out_cap < 2 ? out_cap : 2;
    return ARCA_OK;
}

static arca_result_t unterminated_reply(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                        size_t out_cap, size_t *out_len)
{
    /* run the real bridge, then overwrite the string's terminator. The reply of u_inout is
     * int (4) | blob: u64 8 + 8 bytes | s: u64 4 + "ABC\0" | arr: u64 6 + 6 bytes. */
    arca_result_t r = all_host_calls[7].fn(ctx, in, in_len, out, out_cap, out_len);
    if (r == ARCA_OK && *out_len == 4 + 16 + 12 + 14 && out[31] == '\0')
        out[31] = 'X';
    else if (r == ARCA_OK)
        r = ARCA_ERR_INTERNAL; /* the layout changed: make the test fail loudly */
    return r;
}

static arca_result_t wrong_length_reply(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                        size_t out_cap, size_t *out_len)
{
    /* claim the [out] buffer has one byte fewer, and pad so the total length still matches */
    arca_result_t r = all_host_calls[6].fn(ctx, in, in_len, out, out_cap, out_len);
    if (r == ARCA_OK && *out_len >= 8)
        out[0] = (uint8_t)(out[0] - 1);
    return r;
}

static void test_hostile_host(void)
{
    arca_host_call_t calls[12];
    ASSERT_EQ(all_host_call_count, 12);
    memcpy(calls, all_host_calls, sizeof calls);
    ASSERT_EQ(calls[6].id, 7); /* u_out */
    ASSERT_EQ(calls[7].id, 8); /* u_inout */
    ASSERT_EQ(calls[4].id, 5); /* u_color */
    ASSERT_EQ(calls[10].id, 11); /* u_errno */
    calls[6].fn = wrong_length_reply;
    calls[7].fn = unterminated_reply;
    calls[4].fn = short_reply;
    calls[10].fn = short_reply; /* no room for the errno: refused, errno unchanged */
    ASSERT_OK(arca_enclave_destroy(enclave));
    enclave = NULL;
    ASSERT_OK(create(calls, 12));
    int r = 0;
    ASSERT_OK(t_hostile(enclave, &r, 0));
    ASSERT_EQ(r, ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_OK(t_hostile(enclave, &r, 1));
    ASSERT_EQ(r, ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_OK(t_hostile(enclave, &r, 2));
    ASSERT_EQ(r, ARCA_ERR_BAD_HOST_REPLY);
    ASSERT_OK(t_hostile(enclave, &r, 3));
    ASSERT_EQ(r, ARCA_ERR_BAD_HOST_REPLY);
}

/* The SDK constructs of all.edl, through the enclave. */
static void test_sdk_constructs(void)
{
    /* sgx_status_t and oe_result_t are arca_result_t on both sides */
    sgx_status_t st = ARCA_OK;
    ASSERT_OK(t_sgx_status(enclave, &st, ARCA_OK));
    ASSERT_EQ(st, ARCA_ERR_APP);
    ASSERT_OK(t_sgx_status(enclave, &st, ARCA_ERR_BUSY));
    ASSERT_EQ(st, ARCA_ERR_BUSY);
    oe_result_t oe = ARCA_OK;
    ASSERT_OK(t_oe_result(enclave, &oe, 1));
    ASSERT_EQ(oe, ARCA_ERR_NOT_FOUND);

    /* integer typedefs of a header as size= and count= */
    uint8_t buf[5] = {1, 2, 3, 4, 5};
    uint16_t out[4] = {0, 0, 0, 0xBEEF};
    uint32_t sum = 0;
    ASSERT_OK(t_typedef_sizes(enclave, &sum, buf, 5, out, 3));
    ASSERT_EQ(sum, 15);
    ASSERT_EQ(out[0], 1);
    ASSERT_EQ(out[2], 3);
    ASSERT_EQ(out[3], 0xBEEF); /* count=3: the fourth element is not part of the buffer */
    /* a negative signed typedef never reaches the enclave... */
    ASSERT_RESULT(t_typedef_sizes(enclave, &sum, buf, 5, out, -1), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_CONTAINS(arca_last_error(), "negative");
    /* ...and is refused when a hostile host sends it */
    arca_marshal_writer_t w;
    size_t n = 0;
    all_len_t len = 5;
    all_slen_t neg = -1;
    arca_marshal_writer_init(&w);
    arca_marshal_put_buffer(&w, buf, 5);
    arca_marshal_put_raw(&w, &len, sizeof len);
    arca_marshal_put_size(&w, out, 2);
    arca_marshal_put_raw(&w, &neg, sizeof neg);
    ASSERT_RESULT(raw(ID_T_TYPEDEF_SIZES, &w, 64, &n), ARCA_ERR_BAD_FRAME);
    arca_marshal_writer_free(&w);

    /* an EDL enumerator and a header's constant as array dimensions */
    int32_t a[ALL_MAX_ITEMS];
    struct foreign_pair b[ALL_PAIR_COUNT];
    memset(b, 0, sizeof b);
    for (int k = 0; k < ALL_MAX_ITEMS; k++)
        a[k] = k + 1;
    int32_t total = 0;
    ASSERT_OK(t_named_dims(enclave, &total, a, b));
    ASSERT_EQ(total, 36);
    ASSERT_EQ(b[1].left, 1);
    ASSERT_EQ(b[1].right, 36);

    /* propagate_errno: the host's errno after the host call becomes the enclave's */
    int seen = 0;
    ASSERT_OK(t_errno(enclave, &seen, EACCES, 0));
    ASSERT_EQ(seen, EACCES);
    ASSERT_OK(t_errno(enclave, &seen, 0, 12345));
    ASSERT_EQ(seen, 0);

    /* an enumerator above INT_MAX round-trips */
    enum big_flags f = BIG_LOW;
    ASSERT_OK(t_big(enclave, &f, BIG_HIGH));
    ASSERT_EQ((long long)f, (long long)BIG_NEXT);
    ASSERT_EQ((long long)BIG_NEXT, 0x80000001ll);

    /* parameters named like functions; [cdecl, dllimport] and transition_using_threads */
    int named = 0;
    ASSERT_OK(t_named_like(enclave, &named, 4, 2));
    ASSERT_EQ(named, 42);
    int sent = -1;
    ASSERT_OK(t_switchless(enclave, &sent, 5));
    ASSERT_EQ(sent, ARCA_OK);
    ASSERT_EQ(cdecl_arg, 5);
}

static void test_destroyed(void)
{
    ASSERT_OK(arca_enclave_destroy(enclave));
    char c = 0;
    ASSERT_RESULT(t_ret_char(enclave, &c, 'a'), ARCA_ERR_ENCLAVE_DESTROYED);
    ASSERT_EQ(c, 0);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BACKEND IMAGE\n", argv[0]);
        return 2;
    }
    backend = argv[1];
    image = argv[2];
    RUN(test_create);
    if (!enclave)
        return TEST_SUMMARY();
    RUN(test_scalars);
    RUN(test_returns);
    RUN(test_user_types);
    RUN(test_padding_never_crosses);
    RUN(test_buffers);
    RUN(test_host_calls);
    RUN(test_caller_errors);
    RUN(test_hostile_frames);
    RUN(test_sdk_constructs);
    RUN(test_hostile_host);
    RUN(test_destroyed);
    return TEST_SUMMARY();
}
