/*
 * test_registry.c — the backend registry on its own (src/host/registry.c compiled into this
 * test with stand-in sim and process backends): built-ins registered on first use, lookup by name, refusal
 * of incomplete or duplicate ops tables, and arca_backend_info() reporting probe results.
 */
#include <stdio.h>
#include <string.h>

#include "arca/host.h"
#include "host/backend.h"
#include "test.h"

static arca_result_t ok_probe(char *why, size_t len)
{
    snprintf(why, len, "%s", "");
    return ARCA_OK;
}

static arca_result_t no_probe(char *why, size_t len)
{
    snprintf(why, len, "%s", "needs a unicorn; install one");
    return ARCA_ERR_UNSUPPORTED;
}

static arca_result_t fake_create(arca__backend_base *s, const arca__launch *l, arca__launched *p)
{
    (void)s, (void)l, (void)p;
    return ARCA_ERR_UNSUPPORTED;
}

static arca_result_t fake_call(arca__backend_base *s, uint32_t slot, uint32_t id, const uint8_t *in,
                               size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    (void)s, (void)slot, (void)id, (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    return ARCA_ERR_UNSUPPORTED;
}

static void fake_destroy(arca__backend_base *s)
{
    (void)s;
}

/* Stands in for the real sim backend, which this test does not link. */
const struct arca_backend_ops arca__sim_backend = {
    .version = ARCA_BACKEND_OPS_VERSION, .name = "sim", .backend_id = ARCA_BACKEND_ID_SIM,
    .protects = "nothing", .not_protects = "anything", .state_size = sizeof(arca__backend_base),
    .probe = ok_probe, .create = fake_create, .call = fake_call, .destroy = fake_destroy,
};

/* Stands in for the process backend, which registry.c also registers. */
const struct arca_backend_ops arca__process_backend = {
    .version = ARCA_BACKEND_OPS_VERSION, .name = "process", .backend_id = ARCA_BACKEND_ID_PROCESS,
    .protects = "the host", .not_protects = "root", .state_size = sizeof(arca__backend_base),
    .probe = ok_probe, .create = fake_create, .call = fake_call, .destroy = fake_destroy,
};

static const struct arca_backend_ops unicorn = {
    .version = ARCA_BACKEND_OPS_VERSION, .name = "unicorn", .backend_id = 99,
    .protects = "everything", .not_protects = "nothing", .state_size = 64,
    .probe = no_probe, .create = fake_create, .call = fake_call, .destroy = fake_destroy,
};

static void test_builtins(void)
{
    ASSERT_TRUE(arca__backend_count() >= 1);
    ASSERT_TRUE(arca__backend_find("sim") == &arca__sim_backend);
    ASSERT_TRUE(arca__backend_at(0) == &arca__sim_backend);
    ASSERT_TRUE(arca__backend_find("nope") == NULL);
    ASSERT_TRUE(arca__backend_find(NULL) == NULL);
    ASSERT_TRUE(arca__backend_at(1000) == NULL);
    ASSERT_EQ(arca_backend_count(), arca__backend_count());
}

static void test_register(void)
{
    size_t before = arca__backend_count();
    ASSERT_OK(arca__backend_register(&unicorn));
    ASSERT_EQ(arca__backend_count(), before + 1);
    ASSERT_TRUE(arca__backend_find("unicorn") == &unicorn);
    /* The same name twice is refused, and so is a second "sim". */
    ASSERT_RESULT(arca__backend_register(&unicorn), ARCA_ERR_INVALID_ARGUMENT);
    struct arca_backend_ops copy = arca__sim_backend;
    ASSERT_RESULT(arca__backend_register(&copy), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(arca__backend_count(), before + 1);
}

static void test_incomplete_ops(void)
{
    struct arca_backend_ops bad = unicorn;
    bad.name = "bad";
    size_t before = arca__backend_count();
    ASSERT_RESULT(arca__backend_register(NULL), ARCA_ERR_INVALID_ARGUMENT);
    bad.version = 1; /* an ops table of the previous version */
    ASSERT_RESULT(arca__backend_register(&bad), ARCA_ERR_INVALID_ARGUMENT);
    bad = unicorn, bad.name = "bad", bad.auto_rank = -1;
    ASSERT_RESULT(arca__backend_register(&bad), ARCA_ERR_INVALID_ARGUMENT);
    bad = unicorn, bad.name = "b.d"; /* a dot would make its settings ambiguous */
    ASSERT_RESULT(arca__backend_register(&bad), ARCA_ERR_INVALID_ARGUMENT);
    bad = unicorn, bad.name = "bad", bad.probe = NULL;
    ASSERT_RESULT(arca__backend_register(&bad), ARCA_ERR_INVALID_ARGUMENT);
    bad = unicorn, bad.name = "bad", bad.call = NULL;
    ASSERT_RESULT(arca__backend_register(&bad), ARCA_ERR_INVALID_ARGUMENT);
    bad = unicorn, bad.name = "bad", bad.state_size = 1;
    ASSERT_RESULT(arca__backend_register(&bad), ARCA_ERR_INVALID_ARGUMENT);
    bad = unicorn, bad.name = "";
    ASSERT_RESULT(arca__backend_register(&bad), ARCA_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(arca__backend_count(), before);
}

static void test_info(void)
{
    arca_backend_info_t info;
    size_t n = arca_backend_count();
    int saw_unicorn = 0;
    for (size_t i = 0; i < n; i++) {
        ASSERT_OK(arca_backend_info(i, &info));
        ASSERT_TRUE(info.name && info.protects && info.not_protects);
        if (!strcmp(info.name, "unicorn")) {
            saw_unicorn = 1;
            ASSERT_EQ(info.available, 0);
            ASSERT_STREQ(info.why, "needs a unicorn; install one");
            ASSERT_STREQ(info.protects, "everything");
        }
        if (!strcmp(info.name, "sim"))
            ASSERT_EQ(info.available, 1);
    }
    ASSERT_TRUE(saw_unicorn);
    ASSERT_RESULT(arca_backend_info(n, &info), ARCA_ERR_NOT_FOUND);
    ASSERT_RESULT(arca_backend_info(0, NULL), ARCA_ERR_INVALID_ARGUMENT);
}

static void test_full_table(void)
{
    static struct arca_backend_ops many[32];
    static char names[32][16];
    arca_result_t last = ARCA_OK;
    for (int i = 0; i < 32 && last == ARCA_OK; i++) {
        many[i] = unicorn;
        snprintf(names[i], sizeof names[i], "extra%d", i);
        many[i].name = names[i];
        last = arca__backend_register(&many[i]);
    }
    ASSERT_RESULT(last, ARCA_ERR_OVERFLOW);
}

int main(void)
{
    RUN(test_builtins);
    RUN(test_register);
    RUN(test_incomplete_ops);
    RUN(test_info);
    RUN(test_full_table);
    return TEST_SUMMARY();
}
