/*
 * test_image_cli.c — the image commands of the arca CLI end to end, as a build and a user
 * run them: keygen (never overwrites), sign (config file, --debug, atomic 0755 output,
 * re-signing in place), measure, inspect (text and JSON, every field checked, failures
 * exit 1 with the reason), --help for each, and the documented exit codes.
 *
 * usage: test_image_cli ARCA FIXTURE.so WORKDIR
 */
#include <dirent.h>
#include <sys/stat.h>

#include "crypto/crypto.h"
#include "formats/image.h"
#include "test.h"
#include "util.h"
#include "hex.h"

static const char *arca, *fixture, *dir;
static char out[16384], err[16384];

#define PATH(var, name)                                                                          \
    char var[4096];                                                                              \
    snprintf(var, sizeof var, "%s/%s", dir, name)

/* Runs `arca ARGS...` (NULL-terminated) capturing stdout/stderr into out/err. */
#define ARCA(...) util_run((char *const[]){(char *)arca, __VA_ARGS__, NULL}, out, sizeof out, err, sizeof err)

/* ---- a minimal strict JSON reader for the flat objects `inspect --json` prints ---- */

struct json_field {
    char key[64];
    char value[256]; /* strings unescaped; numbers and literals as written; arrays of strings
                        as their elements joined by ", " */
    int is_string;   /* 1 string, 2 array of strings, 0 otherwise */
};

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static const char *json_string(const char *p, char *buf, size_t cap)
{
    size_t n = 0;
    if (*p++ != '"')
        return NULL;
    while (*p != '"') {
        char c = *p++;
        if (c == '\0' || (unsigned char)c < 0x20)
            return NULL;
        if (c == '\\') {
            c = *p++;
            if (c == 'u') {
                unsigned v;
                if (sscanf(p, "%4x", &v) != 1)
                    return NULL;
                c = (char)v;
                p += 4;
            } else if (c == 'n') {
                c = '\n';
            } else if (c != '"' && c != '\\' && c != '/') {
                return NULL;
            }
        }
        if (n + 1 >= cap)
            return NULL;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return p + 1;
}

/* @return the number of fields, or -1 if @p text is not one flat JSON object. */
static int json_parse(const char *text, struct json_field *f, int cap)
{
    const char *p = ws(text);
    int n = 0;
    if (*p++ != '{')
        return -1;
    p = ws(p);
    if (*p == '}')
        return ws(p + 1)[0] ? -1 : 0;
    for (;;) {
        if (n >= cap || !(p = json_string(ws(p), f[n].key, sizeof f[n].key)))
            return -1;
        p = ws(p);
        if (*p++ != ':')
            return -1;
        p = ws(p);
        f[n].is_string = *p == '"' ? 1 : *p == '[' ? 2 : 0;
        if (f[n].is_string == 1) {
            if (!(p = json_string(p, f[n].value, sizeof f[n].value)))
                return -1;
        } else if (f[n].is_string == 2) {
            size_t used = 0;
            f[n].value[0] = '\0';
            p = ws(p + 1);
            while (*p != ']') {
                char item[256];
                if (used && *p++ != ',')
                    return -1;
                if (!(p = json_string(ws(p), item, sizeof item)))
                    return -1;
                int w = snprintf(f[n].value + used, sizeof f[n].value - used, "%s%s",
                                 used ? ", " : "", item);
                if (w < 0 || (size_t)w >= sizeof f[n].value - used)
                    return -1;
                used += (size_t)w;
                p = ws(p);
            }
            p++;
        } else {
            size_t len = 0;
            if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
                len = p[0] == 't' ? 4 : 5;
            } else {
                while (p[len] >= '0' && p[len] <= '9')
                    len++;
                if (len == 0 || (p[0] == '0' && len > 1))
                    return -1;
            }
            if (len >= sizeof f[n].value)
                return -1;
            memcpy(f[n].value, p, len);
            f[n].value[len] = '\0';
            p += len;
        }
        n++;
        p = ws(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p++ != '}')
            return -1;
        return ws(p)[0] ? -1 : n;
    }
}

static const char *json_get(struct json_field *f, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(f[i].key, key))
            return f[i].value;
    return NULL;
}

/* ---- helpers ---- */

/* The signer id of a private key file, as hex. */
static int signer_hex(const char *key_path, char buf[65])
{
    arca__ec_key *key = NULL;
    uint8_t der[ARCA_EC_PUBKEY_DER_MAX], id[32];
    size_t len;
    int ok = arca__ec_load_private_pem_file(key_path, &key) == ARCA_OK &&
             arca__ec_public_der(key, der, sizeof der, &len) == ARCA_OK &&
             arca__sha256(der, len, id) == ARCA_OK;
    arca__ec_free(key);
    if (ok)
        hex_encode(id, 32, buf);
    return ok ? 0 : -1;
}

static int no_temp_files_left(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int clean = 1;
    if (!d)
        return 0;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".so.")) /* mkstemp names: OUT.so.XXXXXX */
            clean = 0;
    closedir(d);
    return clean;
}

/* ---- tests ---- */

static void test_help_for_every_command(void)
{
    const char *cmds[] = {"keygen", "sign", "measure", "inspect"};
    for (size_t i = 0; i < 4; i++) {
        ASSERT_EQ(ARCA((char *)cmds[i], "--help"), 0);
        ASSERT_CONTAINS(out, "usage: arca ");
        ASSERT_CONTAINS(out, cmds[i]);
        ASSERT_CONTAINS(out, "Exit status");
        ASSERT_EQ(ARCA((char *)cmds[i], "-h"), 0);
    }
}

static void test_keygen(void)
{
    PATH(key, "k1.pem");
    PATH(pub, "k1.pub");
    PATH(other, "k-other.pem");
    struct stat st;
    unlink(key);
    unlink(pub);
    unlink(other);
    ASSERT_EQ(ARCA("keygen", "-o", key, "--public", pub), 0);
    ASSERT_EQ(stat(key, &st), 0);
    ASSERT_EQ(st.st_mode & 0777, 0600);
    ASSERT_EQ(stat(pub, &st), 0);
    ASSERT_EQ(ARCA("keygen", "-o", key), 3); /* refuses to overwrite */
    ASSERT_CONTAINS(err, "already exists");
    /* The public file existing also refuses, and creates no private key. */
    ASSERT_EQ(ARCA("keygen", "-o", other, "--public", pub), 3);
    ASSERT_EQ(stat(other, &st), -1);
    ASSERT_EQ(ARCA("keygen"), 2);
    ASSERT_CONTAINS(err, "missing -o");
    ASSERT_EQ(ARCA("keygen", "-o"), 2);
    ASSERT_EQ(ARCA("keygen", "--bogus"), 2);
    ASSERT_EQ(ARCA("keygen", "-o", other, "extra"), 2);
    ASSERT_EQ(ARCA("keygen", "-o", "/nonexistent-dir/k.pem"), 3);
    PATH(k2, "k2.pem");
    unlink(k2);
    ASSERT_EQ(ARCA("keygen", "-o", k2), 0);
}

static void test_sign_and_inspect_round_trip(void)
{
    PATH(key, "k1.pem");
    PATH(conf, "enclave.conf");
    PATH(signed_so, "signed.so");
    struct stat st;
    char signer[65], line[256];
    const char *text = "# test enclave\nDebug = 0\nSwitchless = 1\nHeapSize = 8M\n"
                       "StackSize = 128K\nThreads = 6\nProductID = 4660\nSecurityVersion = 9\n";
    ASSERT_EQ(util_write(conf, text, strlen(text)), 0);
    unlink(signed_so);
    ASSERT_EQ(ARCA("sign", "-k", key, "-c", conf, "-o", signed_so, (char *)fixture), 0);
    ASSERT_CONTAINS(out, "production");
    ASSERT_EQ(stat(signed_so, &st), 0);
    ASSERT_EQ(st.st_mode & 0777, 0755);
    ASSERT_TRUE(no_temp_files_left());

    ASSERT_EQ(signer_hex(key, signer), 0);
    ASSERT_EQ(ARCA("inspect", signed_so), 0);
    ASSERT_CONTAINS(out, "signature:      valid");
    snprintf(line, sizeof line, "signer id:      %s", signer);
    ASSERT_CONTAINS(out, line);
    ASSERT_CONTAINS(out, "product id:     4660");
    ASSERT_CONTAINS(out, "svn:            9");
    ASSERT_CONTAINS(out, "debug:          no");
    ASSERT_CONTAINS(out, "switchless:     yes");
    ASSERT_CONTAINS(out, "heap size:      8388608 (8 MiB)");
    ASSERT_CONTAINS(out, "stack size:     131072 (128 KiB)");
    ASSERT_CONTAINS(out, "threads:        6");
    /* What the fixture imports depends on the compiler (gcc links it with --as-needed and it
     * imports nothing; clang's build imports libc.so.6): compare with the library's answer. */
    char imports[200] = "";
    arca__image_info info;
    size_t image_len = 0;
    uint8_t *image_bytes = util_read(signed_so, &image_len);
    ASSERT_TRUE(image_bytes != NULL);
    arca_result_t vr = arca__image_verify(image_bytes, image_len, &info);
    free(image_bytes);
    ASSERT_OK(vr);
    for (unsigned i = 0; i < info.imports.count; i++)
        snprintf(imports + strlen(imports), sizeof imports - strlen(imports), "%s%s",
                 i ? ", " : "", arca__image_allowed_needed[info.imports.lib[i]].name);
    snprintf(line, sizeof line, "imports:        %s\n", info.imports.count ? imports : "none");
    ASSERT_CONTAINS(out, line);

    ASSERT_EQ(ARCA("inspect", "--json", signed_so), 0);
    struct json_field f[32];
    int n = json_parse(out, f, 32);
    if (n < 0)
        TEST__FAIL("inspect --json output is not a JSON object:\n%s", out);
    ASSERT_EQ(n, 14);
    ASSERT_STREQ(json_get(f, n, "file"), signed_so);
    ASSERT_STREQ(json_get(f, n, "signature"), "valid");
    ASSERT_STREQ(json_get(f, n, "signer_id"), signer);
    ASSERT_STREQ(json_get(f, n, "product_id"), "4660");
    ASSERT_STREQ(json_get(f, n, "svn"), "9");
    ASSERT_STREQ(json_get(f, n, "debug"), "false");
    ASSERT_STREQ(json_get(f, n, "switchless"), "true");
    ASSERT_STREQ(json_get(f, n, "heap_size"), "8388608");
    ASSERT_STREQ(json_get(f, n, "stack_size"), "131072");
    ASSERT_STREQ(json_get(f, n, "threads"), "6");
    ASSERT_STREQ(json_get(f, n, "imports"), imports);
    ASSERT_EQ(f[n - 1].is_string, 2);
    const char *m = json_get(f, n, "measurement");
    ASSERT_TRUE(m && strlen(m) == 64);
    char measurement[65];
    strcpy(measurement, m);

    /* measure agrees with inspect, and with the library on the same bytes. */
    ASSERT_EQ(ARCA("measure", signed_so), 0);
    ASSERT_EQ(strlen(out), 65);
    ASSERT_TRUE(!strncmp(out, measurement, 64));
    size_t len;
    uint8_t *bytes = util_read(signed_so, &len), lib_m[32];
    char lib_hex[65];
    arca__image image;
    ASSERT_TRUE(bytes != NULL);
    ASSERT_OK(arca__image_parse(bytes, len, &image));
    ASSERT_OK(arca__image_measure(&image, lib_m));
    free(bytes);
    hex_encode(lib_m, 32, lib_hex);
    ASSERT_STREQ(lib_hex, measurement);
}

static void test_measure_unsigned_and_debug(void)
{
    PATH(key, "k1.pem");
    PATH(signed_so, "default.so");
    char unsigned_m[65];
    /* The fixture's built-in config is the default one, so measuring the unsigned image
     * predicts the measurement of the image signed without a config file. */
    ASSERT_EQ(ARCA("measure", (char *)fixture), 0);
    memcpy(unsigned_m, out, 64);
    unsigned_m[64] = '\0';
    ASSERT_EQ(ARCA("sign", "-k", key, "-o", signed_so, (char *)fixture), 0);
    ASSERT_EQ(ARCA("measure", signed_so), 0);
    ASSERT_TRUE(!strncmp(out, unsigned_m, 64));
    /* --debug forces Debug = 1 and therefore changes the measurement. */
    ASSERT_EQ(ARCA("sign", "--debug", "-k", key, "-o", signed_so, (char *)fixture), 0);
    ASSERT_CONTAINS(out, "debug");
    ASSERT_EQ(ARCA("inspect", signed_so), 0);
    ASSERT_CONTAINS(out, "debug:          yes");
    ASSERT_EQ(ARCA("measure", signed_so), 0);
    ASSERT_TRUE(strncmp(out, unsigned_m, 64) != 0);
}

static void test_resign_in_place(void)
{
    PATH(k1, "k1.pem");
    PATH(k2, "k2.pem");
    PATH(so, "inplace.so");
    char signer2[65], line[128];
    ASSERT_EQ(ARCA("sign", "-k", k1, "-o", so, (char *)fixture), 0);
    ASSERT_EQ(ARCA("sign", "-k", k2, "-o", so, so), 0); /* output = input, already signed */
    ASSERT_EQ(signer_hex(k2, signer2), 0);
    ASSERT_EQ(ARCA("inspect", so), 0);
    snprintf(line, sizeof line, "signer id:      %s", signer2);
    ASSERT_CONTAINS(out, line);
    ASSERT_TRUE(no_temp_files_left());
}

static void test_inspect_failures(void)
{
    PATH(so, "signed.so");
    PATH(tampered, "tampered.so");
    PATH(garbage, "garbage.so");
    size_t len;
    uint8_t *bytes;

    ASSERT_EQ(ARCA("inspect", (char *)fixture), 1);
    ASSERT_CONTAINS(err, "ERR_IMAGE_NOT_SIGNED");
    ASSERT_CONTAINS(err, "arca sign");
    ASSERT_EQ(ARCA("inspect", "--json", (char *)fixture), 1);
    struct json_field f[8];
    int n = json_parse(out, f, 8);
    ASSERT_EQ(n, 4);
    ASSERT_STREQ(json_get(f, n, "signature"), "invalid");
    ASSERT_STREQ(json_get(f, n, "result"), "ERR_IMAGE_NOT_SIGNED");

    /* One byte of code changed after signing. */
    bytes = util_read(so, &len);
    ASSERT_TRUE(bytes != NULL);
    arca__image image;
    ASSERT_OK(arca__image_parse(bytes, len, &image));
    bytes[0x1000 + 0x10] ^= 1; /* .text of the fixture, inside the second PT_LOAD */
    ASSERT_EQ(util_write(tampered, bytes, len), 0);
    free(bytes);
    ASSERT_EQ(ARCA("inspect", tampered), 1);
    ASSERT_CONTAINS(err, "ERR_MEASUREMENT_MISMATCH");
    ASSERT_CONTAINS(err, "modified after signing");
    ASSERT_TRUE(strstr(out, "measurement") == NULL); /* no identity for a failed image */

    const char *junk = "not an ELF file at all, just text that is longer than an ELF header.\n";
    ASSERT_EQ(util_write(garbage, junk, strlen(junk)), 0);
    ASSERT_EQ(ARCA("inspect", garbage), 1);
    ASSERT_CONTAINS(err, "not an ELF file");
    ASSERT_EQ(ARCA("measure", garbage), 1);
    ASSERT_CONTAINS(err, "not an ELF file");
    ASSERT_EQ(ARCA("inspect", "/nonexistent/x.so"), 3);
    ASSERT_EQ(ARCA("measure", "/nonexistent/x.so"), 3);
    ASSERT_EQ(ARCA("inspect"), 2);
    ASSERT_EQ(ARCA("inspect", "a.so", "b.so"), 2);
    ASSERT_EQ(ARCA("inspect", "--bogus", so), 2);
    ASSERT_EQ(ARCA("measure"), 2);
    ASSERT_EQ(ARCA("measure", "a.so", "b.so"), 2);
}

static void test_sign_failures(void)
{
    PATH(key, "k1.pem");
    PATH(bad_conf, "bad.conf");
    PATH(so, "never.so");
    PATH(garbage, "garbage.so");
    PATH(not_key, "notakey.pem");
    struct stat st;
    const char *text = "Debug = 1\n# fine so far\nColour = red\n";
    ASSERT_EQ(util_write(bad_conf, text, strlen(text)), 0);
    unlink(so);

    ASSERT_EQ(ARCA("sign", "-k", key, "-c", bad_conf, "-o", so, (char *)fixture), 1);
    ASSERT_CONTAINS(err, "bad.conf:3: unknown key 'Colour'");
    ASSERT_EQ(ARCA("sign", "-k", key, "-c", "/nonexistent.conf", "-o", so, (char *)fixture), 3);
    ASSERT_EQ(ARCA("sign", "-k", "/nonexistent.pem", "-o", so, (char *)fixture), 3);
    ASSERT_EQ(util_write(not_key, "hello\n", 6), 0);
    ASSERT_EQ(ARCA("sign", "-k", not_key, "-o", so, (char *)fixture), 1);
    ASSERT_EQ(ARCA("sign", "-k", key, "-o", so, "/nonexistent.so"), 3);
    ASSERT_EQ(ARCA("sign", "-k", key, "-o", so, garbage), 1);
    ASSERT_CONTAINS(err, "not an ELF file");
    ASSERT_EQ(ARCA("sign", "-k", key, "-o", "/nonexistent-dir/out.so", (char *)fixture), 3);
    ASSERT_EQ(stat(so, &st), -1); /* nothing written by any failure */
    ASSERT_TRUE(no_temp_files_left());

    ASSERT_EQ(ARCA("sign"), 2);
    ASSERT_CONTAINS(err, "arca keygen");
    ASSERT_EQ(ARCA("sign", "-k", key, (char *)fixture), 2);
    ASSERT_CONTAINS(err, "missing -o");
    ASSERT_EQ(ARCA("sign", "-k", key, "-o", so), 2);
    ASSERT_EQ(ARCA("sign", "-k", key, "-o", so, "a.so", "b.so"), 2);
    ASSERT_EQ(ARCA("sign", "--frobnicate", "-k", key, "-o", so, (char *)fixture), 2);
    ASSERT_EQ(ARCA("sign", "-k"), 2);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s ARCA FIXTURE.so WORKDIR\n", argv[0]);
        return 2;
    }
    arca = argv[1];
    fixture = argv[2];
    dir = argv[3];
    RUN(test_help_for_every_command);
    RUN(test_keygen);
    RUN(test_sign_and_inspect_round_trip);
    RUN(test_measure_unsigned_and_debug);
    RUN(test_resign_in_place);
    RUN(test_inspect_failures);
    RUN(test_sign_failures);
    return TEST_SUMMARY();
}
