/*
 * config_import.c — the translator behind `arca config import`: an Intel SGX SDK
 * Enclave.config.xml (read with expat) or an Open Enclave oesign `.conf` (split with
 * base/conf_line.h) becomes a commented enclave.conf, and every setting Arca has no
 * equivalent for is named, with what it does and why there is none.
 *
 * The input is untrusted. This file must never read outside it, never parse XML by hand
 * (expat does; a DOCTYPE is refused, so no entity is ever declared or expanded), never copy
 * a byte of it unescaped into the output or a message (a newline in a value must not become
 * a key line), and never return a configuration that arca__config_parse would refuse or read
 * differently: the text is parsed back and compared before it is handed out.
 *
 * Divisions: text buffers and escaping; numbers; what each SDK setting means (the tables);
 * applying one setting; the SGX reader; the Open Enclave reader; completing the translation
 * (TCSMaxNum, settings the input left out, memory notes); writing enclave.conf; the entry point.
 */
#include <expat.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/conf_line.h"
#include "base/error.h"
#include "config_import.h"

#define SHOW_MAX 48          /* longest setting name or value quoted back */
#define SHOW_CAP (SHOW_MAX * 4 + 8)
#define SETTING_CAP (4 * SHOW_CAP) /* <Name>value</Name>, each part shown */
#define NAME_SHOW_MAX 256    /* longest file name quoted back */
#define VALUE_KEEP 256       /* bytes of a value kept; a known setting's longer value is refused */
#define OE_PAGE 4096u        /* Open Enclave's NumHeapPages and NumStackPages count 4 KiB pages */
#define WRAP 96              /* comment lines of the output are wrapped at this width */
#define CALL_BUFFERS (32u * 1024u) /* heap the process backend keeps per thread (architecture.md) */
#define MEMLOCK_USUAL (8u << 20)   /* the RLIMIT_MEMLOCK most systems give an ordinary user */

/* ---- text buffers and escaping ---- */

struct text {
    char *p;
    size_t len, cap;
    bool failed; /* an allocation failed: the entry point reports ARCA_ERR_OUT_OF_MEMORY */
};

static void __attribute__((format(printf, 2, 0))) text_vadd(struct text *t, const char *fmt,
                                                            va_list ap)
{
    va_list copy;
    int n;

    if (t->failed)
        return;
    va_copy(copy, ap);
    n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        t->failed = true;
        return;
    }
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + (size_t)n + 1 && cap <= ((size_t)1 << 30))
            cap *= 2;
        char *p = cap >= t->len + (size_t)n + 1 ? realloc(t->p, cap) : NULL;
        if (!p) {
            t->failed = true;
            return;
        }
        t->p = p;
        t->cap = cap;
        vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    }
    t->len += (size_t)n;
}

static void __attribute__((format(printf, 2, 3))) text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    text_vadd(t, fmt, ap);
    va_end(ap);
}

static void text_free(struct text *t)
{
    free(t->p);
    memset(t, 0, sizeof *t);
}

/* @p s[0..n) made printable into @p out (cap >= max * 4 + 8): bytes outside 0x20..0x7e become
 * \xNN and a backslash is doubled, so nothing of the input can end a line or a comment; more
 * than @p max bytes end in "...". */
static void shown(char *out, size_t cap, const char *s, size_t n, size_t max)
{
    size_t o = 0;
    for (size_t i = 0; i < n && i < max && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
        } else if (c < 0x20 || c > 0x7e) {
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    if (n > max && o + 4 <= cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* A byte count as enclave.conf writes it: exact K, M or G when it divides, else bytes. */
static void size_str(char out[32], uint64_t v)
{
    if (v && v % (UINT64_C(1) << 30) == 0)
        snprintf(out, 32, "%lluG", (unsigned long long)(v >> 30));
    else if (v && v % (UINT64_C(1) << 20) == 0)
        snprintf(out, 32, "%lluM", (unsigned long long)(v >> 20));
    else if (v && v % (UINT64_C(1) << 10) == 0)
        snprintf(out, 32, "%lluK", (unsigned long long)(v >> 10));
    else
        snprintf(out, 32, "%llu", (unsigned long long)v);
}

/* ---- numbers ---- */

enum number { NUMBER_OK, NUMBER_BAD, NUMBER_TOO_LARGE };

/* A whole unsigned number. With @p c_bases, as C's strtoull(s, &end, 0) reads it, which is
 * what sgx_sign uses: 0x hex, a leading 0 octal, else decimal. Without: decimal or 0x hex. */
static enum number parse_number(const char *s, size_t n, bool c_bases, uint64_t *out)
{
    unsigned base = 10;
    size_t i = 0;
    uint64_t v = 0;
    bool too_large = false;

    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (c_bases && n >= 2 && s[0] == '0') {
        base = 8;
        i = 1;
    }
    if (i >= n)
        return NUMBER_BAD;
    for (; i < n; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return NUMBER_BAD;
        if (d >= base)
            return NUMBER_BAD;
        if (__builtin_mul_overflow(v, (uint64_t)base, &v) || __builtin_add_overflow(v, d, &v))
            too_large = true; /* keep scanning: a bad digit later still makes it BAD */
    }
    if (too_large)
        return NUMBER_TOO_LARGE;
    *out = v;
    return NUMBER_OK;
}

/* ---- what each SDK setting means (the tables) ---- */

/* enclave.conf's keys, in the order they are written. */
enum target { T_DEBUG, T_SWITCHLESS, T_HEAP, T_STACK, T_THREADS, T_PRODUCT, T_SVN, T_COUNT };
#define T_NONE T_COUNT

static const char *const target_name[T_COUNT] = {
    "Debug", "Switchless", "HeapSize", "StackSize", "Threads", "ProductID", "SecurityVersion",
};

enum conv {
    CONV_U16,       /* 0..65535, as is (ProductID, SecurityVersion) */
    CONV_DEBUG,     /* 0 or 1, as is */
    CONV_NOT_DEBUG, /* 0 or 1, inverted (SGX's DisableDebug) */
    CONV_BYTES,     /* a size in bytes */
    CONV_PAGES,     /* a size in 4 KiB pages */
    CONV_COUNT,     /* a thread count, 1..64 */
    CONV_NUMBER,    /* not mapped; must be a number (the SDK refuses anything else) */
    CONV_FLAG,      /* not mapped; 0 or 1 */
    CONV_TEXT,      /* not mapped; any text */
};

enum special { SP_NONE, SP_TCS_MAX, SP_TCS_POLICY };

struct known {
    const char *name;
    enum target target; /* T_NONE: Arca has no equivalent */
    enum conv conv;
    enum special special;
    const char *why; /* not mapped: what the setting does and why Arca has none */
};

#define NOT_IDENTITY                                                                             \
    "not part of Arca's identity, which is the measurement, signer id, ProductID and "           \
    "SecurityVersion: a verification policy names ProductID or the measurement instead"
#define LOADER_PLACES "Arca's loaders choose where an image is mapped"
#define NO_CPU_STATE                                                                             \
    "Arca selects no CPU state: enclave code has the features the host's kernel gives every "    \
    "process"
#define NO_EXCEPTION_STATE                                                                       \
    "Arca keeps no exception state for enclave code to inspect: a fault ends the enclave "       \
    "(ARCA_ERR_ENCLAVE_LOST on the process backend)"
#define COMMITTED_AT_CREATE "Arca commits the whole HeapSize when the enclave is created"
#define OWN_REGION                                                                               \
    "an Arca enclave has only its heap and stacks: add the size to HeapSize and use malloc"

/* Intel SGX SDK: the elements sgx_sign reads (sdk/sign_tool/SignTool/sign_tool.cpp and the
 * Developer Reference's "Enclave Configuration File"). */
static const struct known sgx_keys[] = {
    {"ProdID", T_PRODUCT, CONV_U16, SP_NONE, NULL},
    {"ISVSVN", T_SVN, CONV_U16, SP_NONE, NULL},
    {"DisableDebug", T_DEBUG, CONV_NOT_DEBUG, SP_NONE, NULL},
    {"HeapMaxSize", T_HEAP, CONV_BYTES, SP_NONE, NULL},
    {"StackMaxSize", T_STACK, CONV_BYTES, SP_NONE, NULL},
    {"TCSNum", T_THREADS, CONV_COUNT, SP_NONE, NULL},
    {"TCSMaxNum", T_NONE, CONV_NUMBER, SP_TCS_MAX, NULL},
    {"TCSPolicy", T_NONE, CONV_FLAG, SP_TCS_POLICY, NULL},
    {"TCSMinPool", T_NONE, CONV_NUMBER, SP_NONE,
     "how many idle TCSs SGX2 keeps ready for the threads it adds at run time; Arca reserves every "
     "Threads slot, with its stack, when the enclave is created, so there is no pool to size"},
    {"StackMinSize", T_NONE, CONV_NUMBER, SP_NONE,
     "the stack SGX2 commits for a thread it adds at run time, the rest growing on demand; Arca "
     "commits StackSize for every thread when the enclave is created"},
    {"HeapMinSize", T_NONE, CONV_NUMBER, SP_NONE,
     "the least heap SGX2 keeps committed while it grows and shrinks the heap on demand; "
     COMMITTED_AT_CREATE},
    {"HeapInitSize", T_NONE, CONV_NUMBER, SP_NONE,
     "the heap committed when the enclave is loaded, SGX2 adding more up to HeapMaxSize on demand; "
     COMMITTED_AT_CREATE},
    {"ReservedMemMaxSize", T_NONE, CONV_NUMBER, SP_NONE,
     "the largest size of a reserved memory region beside the heap that the enclave manages itself "
     "(sgx_alloc_rsrv_mem); " OWN_REGION},
    {"ReservedMemMinSize", T_NONE, CONV_NUMBER, SP_NONE,
     "the least committed size of the reserved memory region (see ReservedMemMaxSize); "
     OWN_REGION},
    {"ReservedMemInitSize", T_NONE, CONV_NUMBER, SP_NONE,
     "the size of the reserved memory region committed at load (see ReservedMemMaxSize); "
     OWN_REGION},
    {"ReservedMemExecutable", T_NONE, CONV_FLAG, SP_NONE,
     "makes the reserved memory region executable, for code generated at run time; Arca never "
     "gives enclave code memory it can write and then execute (the process backend's sandbox "
     "refuses executable mappings)"},
    {"MiscSelect", T_NONE, CONV_NUMBER, SP_NONE,
     "the MISCSELECT features SGX saves on an exception (bit 0, EXINFO: page-fault and "
     "general-protection details for the enclave's own handlers); " NO_EXCEPTION_STATE},
    {"MiscMask", T_NONE, CONV_NUMBER, SP_NONE,
     "which MISCSELECT bits the signature enforces (see MiscSelect); " NO_EXCEPTION_STATE},
    {"EnableKSS", T_NONE, CONV_FLAG, SP_NONE,
     "turns on Key Separation and Sharing: the extended product ID, family ID and CONFIGID "
     "enter the identity and the key derivation; " NOT_IDENTITY},
    {"ISVFAMILYID_H", T_NONE, CONV_NUMBER, SP_NONE,
     "the high half of the 16-byte KSS family ID; " NOT_IDENTITY},
    {"ISVFAMILYID_L", T_NONE, CONV_NUMBER, SP_NONE,
     "the low half of the 16-byte KSS family ID; " NOT_IDENTITY},
    {"ISVEXTPRODID_H", T_NONE, CONV_NUMBER, SP_NONE,
     "the high half of the 16-byte KSS extended product ID; " NOT_IDENTITY},
    {"ISVEXTPRODID_L", T_NONE, CONV_NUMBER, SP_NONE,
     "the low half of the 16-byte KSS extended product ID; " NOT_IDENTITY},
    {"ReleaseType", T_NONE, CONV_FLAG, SP_NONE,
     "a SIGSTRUCT header bit marking Intel's release builds (not in the SDM); an Arca image is a "
     "debug or a production enclave by Debug alone"},
    {"IntelSigned", T_NONE, CONV_FLAG, SP_NONE,
     "sets SIGSTRUCT's VENDOR to 0x8086, which is informational; Arca names a signer by its key "
     "(the signer id)"},
    {"ProvisionKey", T_NONE, CONV_FLAG, SP_NONE,
     "lets the enclave derive the provisioning key, which only Intel's provisioning and quoting "
     "enclaves need; Arca enclaves get evidence from arca_get_evidence and never hold platform "
     "keys"},
    {"LaunchKey", T_NONE, CONV_FLAG, SP_NONE,
     "lets the enclave derive the launch key, which only Intel's launch enclave needs; Arca has no "
     "launch control"},
    {"HW", T_NONE, CONV_NUMBER, SP_NONE,
     "a hardware version for Intel's launch enclave (set together with LaunchKey); Arca has no "
     "launch control"},
    {"EnclaveImageAddress", T_NONE, CONV_NUMBER, SP_NONE,
     "the fixed address to load the enclave image at; " LOADER_PLACES},
    {"ELRangeStartAddress", T_NONE, CONV_NUMBER, SP_NONE,
     "the start of a fixed enclave address range larger than the image; " LOADER_PLACES
     ", and an enclave's memory is its heap and stacks"},
    {"ELRangeSize", T_NONE, CONV_NUMBER, SP_NONE,
     "the size of that fixed address range (see ELRangeStartAddress); " LOADER_PLACES},
    {"PKRU", T_NONE, CONV_NUMBER, SP_NONE,
     "whether the enclave may use memory protection keys (PKRU state in XFRM); " NO_CPU_STATE},
    {"AMX", T_NONE, CONV_NUMBER, SP_NONE,
     "whether AMX tile state is enabled for the enclave (XFRM); " NO_CPU_STATE},
    {"UserRegionSize", T_NONE, CONV_NUMBER, SP_NONE,
     "a region the enclave manages itself with SGX2's memory API (sgx_mm_alloc, sgx_mm_commit); "
     "Arca has no page-level memory API: add the size to HeapSize and use malloc"},
};

/* Open Enclave: the settings oesign reads (tools/oesign/oesign.c, docs "Build and Sign"). */
static const struct known oe_keys[] = {
    {"Debug", T_DEBUG, CONV_DEBUG, SP_NONE, NULL},
    {"NumHeapPages", T_HEAP, CONV_PAGES, SP_NONE, NULL},
    {"NumStackPages", T_STACK, CONV_PAGES, SP_NONE, NULL},
    {"NumTCS", T_THREADS, CONV_COUNT, SP_NONE, NULL},
    {"ProductID", T_PRODUCT, CONV_U16, SP_NONE, NULL},
    {"SecurityVersion", T_SVN, CONV_U16, SP_NONE, NULL},
    {"FamilyID", T_NONE, CONV_TEXT, SP_NONE,
     "the 16-byte KSS family ID (setting it turns Key Separation and Sharing on); " NOT_IDENTITY},
    {"ExtendedProductID", T_NONE, CONV_TEXT, SP_NONE,
     "the 16-byte KSS extended product ID (setting it turns Key Separation and Sharing on); "
     NOT_IDENTITY},
    {"CapturePFGPExceptions", T_NONE, CONV_FLAG, SP_NONE,
     "SGX2: gives the enclave's exception handlers page-fault and general-protection details "
     "(MISCSELECT EXINFO); " NO_EXCEPTION_STATE},
    {"CreateZeroBaseEnclave", T_NONE, CONV_FLAG, SP_NONE,
     "creates the enclave at address 0; " LOADER_PLACES},
    {"StartAddress", T_NONE, CONV_NUMBER, SP_NONE,
     "the enclave's base address when CreateZeroBaseEnclave is 1; " LOADER_PLACES},
};

#define SGX_KEY_COUNT (sizeof sgx_keys / sizeof sgx_keys[0])
#define OE_KEY_COUNT (sizeof oe_keys / sizeof oe_keys[0])
#define KEY_COUNT_MAX SGX_KEY_COUNT
_Static_assert(OE_KEY_COUNT <= KEY_COUNT_MAX, "seen[] holds either table");

struct importer {
    const char *name; /* the file's name as shown (escaped) */
    enum arca__import_source source;
    const struct known *keys;
    size_t key_count;
    unsigned seen[KEY_COUNT_MAX]; /* line each known setting was set on (0: not yet) */
    unsigned known_seen;          /* known settings found */
    struct {
        bool set;
        uint64_t value;
        uint64_t source_value; /* as the input had it (TCSNum before TCSMaxNum, for example) */
        struct text comment;   /* what it came from, one sentence, wrapped when written */
    } t[T_COUNT];
    bool tcs_max_set;
    uint64_t tcs_max;
    unsigned tcs_max_line;
    char tcs_max_shown[SETTING_CAP];
    struct text notes;    /* the stderr lines */
    struct text unmapped; /* one sentence per setting not mapped, '\n' after each */
    unsigned mapped, not_mapped;
};

/* ---- applying one setting ---- */

static void note(struct importer *im, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(struct importer *im, unsigned line, const char *fmt, ...)
{
    va_list ap;
    if (line)
        text_add(&im->notes, "%s:%u: ", im->name, line);
    else
        text_add(&im->notes, "%s: ", im->name);
    va_start(ap, fmt);
    text_vadd(&im->notes, fmt, ap);
    va_end(ap);
    text_add(&im->notes, "\n");
}

/* A setting with no enclave.conf key: named on stderr and at the end of the output. */
static void not_mapped(struct importer *im, unsigned line, const char *setting, const char *why)
{
    note(im, line, "%s not mapped: %s", setting, why);
    text_add(&im->unmapped, "%s (line %u): %s\n", setting, line, why);
    im->not_mapped++;
}

/* The setting as its SDK writes it, escaped: <Name>value</Name> or Name=value. */
static void setting_shown(const struct importer *im, char out[SETTING_CAP], const char *key,
                          size_t key_len, const char *val, size_t val_len)
{
    char k[SHOW_CAP], v[SHOW_CAP];
    shown(k, sizeof k, key, key_len, SHOW_MAX);
    shown(v, sizeof v, val, val_len, SHOW_MAX);
    if (im->source == ARCA__IMPORT_SGX)
        snprintf(out, SETTING_CAP, "<%s>%s</%s>", k, v, k);
    else
        snprintf(out, SETTING_CAP, "%s=%s", k, v);
}

static const char *sdk(const struct importer *im)
{
    return im->source == ARCA__IMPORT_SGX ? "sgx_sign" : "oesign";
}

static void set_target(struct importer *im, enum target t, uint64_t value, uint64_t source_value,
                       const char *setting)
{
    im->t[t].set = true;
    im->t[t].value = value;
    im->t[t].source_value = source_value;
    text_add(&im->t[t].comment, "%s", setting);
    im->mapped++;
}

/* A heap or stack size in bytes: raised to the minimum with a note, refused above the
 * maximum. @p pages: the input gave it in 4 KiB pages (the messages then speak of pages). */
static arca_result_t apply_size(struct importer *im, enum target t, const char *setting,
                                unsigned line, uint64_t bytes, bool overflowed, bool pages)
{
    arca_result_t result = ARCA_OK;
    const uint64_t min = t == T_HEAP ? ARCA_MIN_HEAP : ARCA_MIN_STACK;
    const uint64_t max = t == T_HEAP ? ARCA_MAX_HEAP : ARCA_MAX_STACK;
    char min_s[32], max_s[32];

    size_str(min_s, min);
    size_str(max_s, max);
    if (overflowed || bytes > max) {
        /* More arguments than ARCA_RAISE takes: record the detail, then raise. */
        if (pages)
            arca__error(ARCA_ERR_CONFIG, "%s:%u: %s is out of range for %s (allowed: up to %llu "
                        "pages, %s; fewer than %llu are raised to %llu)", im->name, line, setting,
                        target_name[t], (unsigned long long)(max / OE_PAGE), max_s,
                        (unsigned long long)(min / OE_PAGE), (unsigned long long)(min / OE_PAGE));
        else
            arca__error(ARCA_ERR_CONFIG, "%s:%u: %s is out of range for %s (allowed: up to "
                        "0x%llx bytes, %s; less than %s is raised to %s)", im->name, line,
                        setting, target_name[t], (unsigned long long)max, max_s, min_s, min_s);
        ARCA_RAISE(ARCA_ERR_CONFIG);
    }
    set_target(im, t, bytes < min ? min : bytes, bytes, setting);
    if (pages)
        text_add(&im->t[t].comment, " (x 4 KiB = %llu bytes)", (unsigned long long)bytes);
    if (bytes < min) {
        text_add(&im->t[t].comment, ", raised to Arca's minimum %s: a larger %s never breaks an "
                 "enclave", min_s, t == T_HEAP ? "heap" : "stack");
        note(im, line, "%s is %llu bytes, below Arca's minimum %s %s: %s = %s", setting,
             (unsigned long long)bytes, target_name[t], min_s, target_name[t], min_s);
    }
done:
    return result;
}

static arca_result_t apply(struct importer *im, const char *key, size_t key_len, const char *val,
                           size_t val_len, unsigned line)
{
    arca_result_t result = ARCA_OK;
    const struct known *k = NULL;
    char setting[SETTING_CAP], key_s[SHOW_CAP];
    uint64_t v = 0;
    size_t i;

    setting_shown(im, setting, key, key_len, val, val_len);
    shown(key_s, sizeof key_s, key, key_len, SHOW_MAX);
    for (i = 0; i < im->key_count; i++)
        if (strlen(im->keys[i].name) == key_len && !memcmp(im->keys[i].name, key, key_len)) {
            k = &im->keys[i];
            break;
        }
    if (!k) {
        const char *folded = NULL, *arca_key = NULL;
        char why[256];
        for (size_t j = 0; j < im->key_count; j++)
            if (strlen(im->keys[j].name) == key_len && !strncasecmp(im->keys[j].name, key, key_len))
                folded = im->keys[j].name;
        for (size_t j = 0; j < T_COUNT; j++)
            if (strlen(target_name[j]) == key_len && !memcmp(target_name[j], key, key_len))
                arca_key = target_name[j];
        if (folded)
            snprintf(why, sizeof why, "unknown %s: names are case-sensitive, and %s knows %s",
                     im->source == ARCA__IMPORT_SGX ? "element" : "setting", sdk(im), folded);
        else if (arca_key && im->source == ARCA__IMPORT_OE)
            snprintf(why, sizeof why, "not an oesign setting but an enclave.conf key: if the "
                     "file is Arca's enclave.conf already, sign with it as it is");
        else
            snprintf(why, sizeof why, "not %s this importer knows from %s: check what it does "
                     "and whether the enclave relies on it",
                     im->source == ARCA__IMPORT_SGX ? "an element" : "a setting", sdk(im));
        not_mapped(im, line, setting, why);
        goto done;
    }
    i = (size_t)(k - im->keys);
    if (im->seen[i])
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: %s is set twice (first on line %u; allowed: each "
                   "setting once, as %s requires)", im->name, line, k->name, im->seen[i], sdk(im));
    im->seen[i] = line;
    im->known_seen++;
    if (val_len == 0)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: %s has no value (%s needs one)", im->name, line,
                   setting, sdk(im));
    if (val_len > VALUE_KEEP)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: the value of %s is longer than %u bytes (allowed: a "
                   "number)", im->name, line, key_s, VALUE_KEEP);
    if (k->conv == CONV_TEXT) {
        not_mapped(im, line, setting, k->why);
        goto done;
    }
    enum number st = parse_number(val, val_len, im->source == ARCA__IMPORT_SGX, &v);
    if (st == NUMBER_BAD)
        ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: %s: the value is not a number (allowed: %s)", im->name,
                   line, setting, im->source == ARCA__IMPORT_SGX
                   ? "decimal, 0x hex or 0-prefixed octal, as sgx_sign reads it"
                   : "decimal or 0x hex");
    bool too_large = st == NUMBER_TOO_LARGE;
    switch (k->conv) {
    case CONV_FLAG:
    case CONV_DEBUG:
    case CONV_NOT_DEBUG:
        if (too_large || v > 1)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: %s is out of range (allowed: 0 or 1)", im->name,
                       line, setting);
        if (k->conv == CONV_FLAG) {
            if (k->special == SP_TCS_POLICY)
                not_mapped(im, line, setting, v == 0
                    ? "binds each TCS to the untrusted thread that first used it, so enclave "
                      "thread-local data lasts across that thread's ecalls; Arca binds no enclave "
                      "thread to a host thread (on the process backend a call runs on any free "
                      "enclave thread): keep per-caller state in the enclave's own tables, not in "
                      "thread-local variables"
                    : "TCSs are not bound to untrusted threads, which is how Arca always behaves: "
                      "nothing to set");
            else
                not_mapped(im, line, setting, k->why);
        } else {
            set_target(im, T_DEBUG, k->conv == CONV_DEBUG ? v : !v, v, setting);
            if (k->conv == CONV_NOT_DEBUG)
                text_add(&im->t[T_DEBUG].comment, "%s", v == 0
                         ? ": debugging allowed, so a debug enclave (it never gets production "
                           "keys; set Debug = 0 for a release)"
                         : ": debugging disabled, so a production enclave");
        }
        break;
    case CONV_NUMBER:
        if (too_large)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: %s is out of range (allowed: up to 2^64 - 1)",
                       im->name, line, setting);
        if (k->special == SP_TCS_MAX) {
            im->tcs_max_set = true;
            im->tcs_max = v;
            im->tcs_max_line = line;
            memcpy(im->tcs_max_shown, setting, sizeof im->tcs_max_shown);
        } else {
            not_mapped(im, line, setting, k->why);
        }
        break;
    case CONV_U16:
        if (too_large || v > UINT16_MAX)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: %s is out of range for %s (allowed: 0..65535)",
                       im->name, line, setting, target_name[k->target]);
        set_target(im, k->target, v, v, setting);
        break;
    case CONV_COUNT:
        if (too_large || v < 1 || v > ARCA_MAX_THREADS)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: %s is out of range for Threads (allowed: 1..%u "
                       "enclave threads)", im->name, line, setting, ARCA_MAX_THREADS);
        set_target(im, T_THREADS, v, v, setting);
        break;
    case CONV_BYTES:
        ARCA_CHECK(apply_size(im, k->target, setting, line, v, too_large, false));
        break;
    case CONV_PAGES: {
        uint64_t bytes = 0;
        bool overflow = too_large || __builtin_mul_overflow(v, (uint64_t)OE_PAGE, &bytes);
        ARCA_CHECK(apply_size(im, k->target, setting, line, bytes, overflow, true));
        break;
    }
    case CONV_TEXT:
        break;
    }
done:
    return result;
}

/* ---- the SGX reader (expat) ---- */

struct xml_reader {
    struct importer *im;
    XML_Parser parser;
    int depth;             /* 0 outside the root, 1 in <EnclaveConfiguration>, 2 in a setting */
    arca_result_t result;  /* the first failure inside a handler */
    char value[VALUE_KEEP + 1]; /* the value's first bytes: one more than a value may have */
    size_t value_len;           /* bytes kept */
    bool value_cut;             /* more bytes came than were kept */
    unsigned line;         /* line of the setting's start tag */
};

static void xml_stop(struct xml_reader *x, arca_result_t r)
{
    if (x->result == ARCA_OK)
        x->result = r;
    XML_StopParser(x->parser, XML_FALSE);
}

static unsigned xml_line(const struct xml_reader *x)
{
    XML_Size l = XML_GetCurrentLineNumber(x->parser);
    return l > UINT32_MAX ? UINT32_MAX : (unsigned)l;
}

static int xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void XMLCALL xml_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xml_reader *x = ud;
    struct importer *im = x->im;
    arca_result_t result = ARCA_OK;
    char n[SHOW_CAP], a[SHOW_CAP];

    if (x->result != ARCA_OK)
        return;
    shown(n, sizeof n, name, strlen(name), SHOW_MAX);
    if (x->depth == 0 && strcmp(name, "EnclaveConfiguration") != 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s:%u: the root element is <%s>, not "
                   "<EnclaveConfiguration>: this is not an Intel SGX SDK enclave configuration",
                   im->name, xml_line(x), n);
    if (x->depth == 1) {
        if (atts && atts[0]) {
            shown(a, sizeof a, atts[0], strlen(atts[0]), SHOW_MAX);
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s:%u: <%s> has an attribute '%s' (allowed: none; "
                       "a setting is written <Name>value</Name>, and sgx_sign refuses attributes)",
                       im->name, xml_line(x), n, a);
        }
        x->value_len = 0;
        x->value_cut = false;
        x->line = xml_line(x);
    }
    if (x->depth >= 2)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s:%u: <%s> inside a setting (allowed: a setting holds "
                   "only its value, as in <TCSNum>4</TCSNum>)", im->name, xml_line(x), n);
    x->depth++;
done:
    if (result != ARCA_OK)
        xml_stop(x, result);
}

static void XMLCALL xml_text(void *ud, const XML_Char *s, int len)
{
    struct xml_reader *x = ud;
    arca_result_t result = ARCA_OK;

    if (x->result != ARCA_OK || len <= 0)
        return;
    if (x->depth == 1) {
        for (int i = 0; i < len; i++)
            if (!xml_space(s[i])) {
                char t[SHOW_CAP];
                int end = len;
                while (end > i && xml_space(s[end - 1]))
                    end--;
                shown(t, sizeof t, s + i, (size_t)(end - i), SHOW_MAX);
                ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s:%u: text '%s' directly inside "
                           "<EnclaveConfiguration> (allowed: only settings, <Name>value</Name>; "
                           "sgx_sign refuses this too)", x->im->name, xml_line(x), t);
            }
    } else if (x->depth == 2) {
        size_t room = sizeof x->value - x->value_len, n = (size_t)len < room ? (size_t)len : room;
        memcpy(x->value + x->value_len, s, n);
        x->value_len += n;
        x->value_cut = x->value_cut || n < (size_t)len;
    }
done:
    if (result != ARCA_OK)
        xml_stop(x, result);
}

static void XMLCALL xml_end(void *ud, const XML_Char *name)
{
    struct xml_reader *x = ud;
    arca_result_t result = ARCA_OK;

    if (x->result != ARCA_OK)
        return;
    if (x->depth == 2) {
        /* Surrounding whitespace is not part of the value. A value that did not fit is passed
         * untrimmed as the VALUE_KEEP + 1 bytes kept, so a cut value never reads as a shorter
         * number; apply() refuses it for a known setting. */
        const char *v = x->value;
        size_t n = x->value_len;
        if (!x->value_cut && n <= VALUE_KEEP) {
            while (n && xml_space(*v)) {
                v++;
                n--;
            }
            while (n && xml_space(v[n - 1]))
                n--;
        }
        ARCA_CHECK(apply(x->im, name, strlen(name), v, n, x->line));
    }
    x->depth--;
done:
    if (result != ARCA_OK)
        xml_stop(x, result);
}

static void XMLCALL xml_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                                const XML_Char *pubid, int has_internal_subset)
{
    struct xml_reader *x = ud;
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    if (x->result != ARCA_OK)
        return;
    xml_stop(x, arca__error(ARCA_ERR_BAD_FORMAT, "%s:%u: a DOCTYPE is not allowed (an enclave "
                            "configuration needs none, and no entity may be declared)",
                            x->im->name, xml_line(x)));
}

static arca_result_t read_sgx(struct importer *im, const uint8_t *bytes, size_t len)
{
    arca_result_t result = ARCA_OK;
    struct xml_reader *x = calloc(1, sizeof *x);

    if (!x)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "config import: cannot allocate the XML reader");
    x->im = im;
    x->parser = XML_ParserCreate(NULL);
    if (!x->parser)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "config import: cannot create the XML parser");
    XML_SetUserData(x->parser, x);
    XML_SetElementHandler(x->parser, xml_start, xml_end);
    XML_SetCharacterDataHandler(x->parser, xml_text);
    XML_SetStartDoctypeDeclHandler(x->parser, xml_doctype);
    /* len <= ARCA_IMPORT_MAX, well inside an int. */
    if (XML_Parse(x->parser, (const char *)bytes, (int)len, XML_TRUE) != XML_STATUS_OK) {
        if (x->result != ARCA_OK)
            ARCA_RAISE(x->result);
        enum XML_Error e = XML_GetErrorCode(x->parser);
        if (e == XML_ERROR_NO_MEMORY)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: out of memory while reading the XML", im->name);
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s:%lu:%lu: not well-formed XML: %s (an Intel SGX SDK "
                   "configuration is <EnclaveConfiguration> holding one <Name>value</Name> per "
                   "setting)", im->name, (unsigned long)XML_GetCurrentLineNumber(x->parser),
                   (unsigned long)XML_GetCurrentColumnNumber(x->parser) + 1, XML_ErrorString(e));
    }
    if (x->result != ARCA_OK)
        ARCA_RAISE(x->result);
done:
    if (x && x->parser)
        XML_ParserFree(x->parser);
    free(x);
    return result;
}

/* ---- the Open Enclave reader ---- */

static bool name_char(char c, bool first)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

static arca_result_t read_oe(struct importer *im, const char *text, size_t len)
{
    arca_result_t result = ARCA_OK;
    size_t pos = 0, n;
    unsigned line_no = 0;
    const char *line;

    while (arca__conf_next_line(text, len, &pos, &line, &n)) {
        struct arca__conf_line s;
        line_no++; /* at most ARCA_IMPORT_MAX lines */
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)line[i];
            if ((c < 0x20 && c != '\t' && c != '\r' && c != '\v' && c != '\f') || c == 0x7f)
                ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s:%u: byte 0x%02x in the line: not a text "
                           "file (an Open Enclave configuration is NAME=VALUE lines)", im->name,
                           line_no, c);
        }
        enum arca__conf_kind kind = arca__conf_split(line, n, &s);
        if (kind == ARCA__CONF_BLANK)
            continue;
        const char *key = s.key, *val = s.value;
        size_t key_len = s.key_len, val_len = s.value_len;
        if (kind == ARCA__CONF_NO_EQUALS) {
            /* oesign also splits at a space or a tab: "NumTCS 4". */
            size_t i = 0;
            while (i < s.text_len && s.text[i] != ' ' && s.text[i] != '\t')
                i++;
            char t[SHOW_CAP];
            shown(t, sizeof t, s.text, s.text_len, SHOW_MAX);
            if (i == s.text_len)
                ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s:%u: '%s' is not a setting (allowed: "
                           "NAME=VALUE, '# comment' or a blank line)", im->name, line_no, t);
            key = s.text;
            key_len = i;
            val = s.text + i;
            val_len = s.text_len - i;
            while (val_len && (*val == ' ' || *val == '\t')) {
                val++;
                val_len--;
            }
        }
        if (key_len == 0)
            ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s:%u: no setting name before '=' (allowed: "
                       "NAME=VALUE)", im->name, line_no);
        for (size_t i = 0; i < key_len; i++)
            if (!name_char(key[i], i == 0)) {
                char k[SHOW_CAP];
                shown(k, sizeof k, key, key_len, SHOW_MAX);
                ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s:%u: '%s' is not a setting name (allowed: "
                           "letters, digits and '_', as in NumHeapPages=1024)", im->name, line_no,
                           k);
            }
        ARCA_CHECK(apply(im, key, key_len, val, val_len, line_no));
    }
    if (im->known_seen == 0)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s: no Open Enclave setting found (Debug, NumHeapPages, "
                   "NumStackPages, NumTCS, ProductID, SecurityVersion, ...): this does not look "
                   "like an oesign configuration; an SGX configuration is XML starting with '<'",
                   im->name);
done:
    return result;
}

/* ---- completing the translation ---- */

static arca_result_t complete(struct importer *im)
{
    arca_result_t result = ARCA_OK;
    struct text missing = {0};

    if (im->tcs_max_set) {
        /* TCSNum is at least 1 (apply() refuses 0), so TCSMaxNum >= TCSNum is too. */
        uint64_t tcs = im->t[T_THREADS].set ? im->t[T_THREADS].source_value : 1;
        if (im->tcs_max < tcs)
            ARCA_RAISE(ARCA_ERR_CONFIG, "%s:%u: %s is below TCSNum %llu (allowed: TCSMaxNum >= "
                       "TCSNum; sgx_sign refuses this too)", im->name, im->tcs_max_line,
                       im->tcs_max_shown, (unsigned long long)tcs);
        uint64_t threads = im->tcs_max > ARCA_MAX_THREADS ? ARCA_MAX_THREADS : im->tcs_max;
        if (!im->t[T_THREADS].set) {
            im->t[T_THREADS].set = true;
            im->t[T_THREADS].source_value = 1;
            text_add(&im->t[T_THREADS].comment, "<TCSNum> not set (sgx_sign's default 1)");
        }
        im->t[T_THREADS].value = threads;
        text_add(&im->t[T_THREADS].comment, "; %s: Threads is the most calls that run at once, "
                 "which is TCSMaxNum on SGX2 (TCSNum is only the count it starts with; Arca "
                 "reserves them all when the enclave is created)", im->tcs_max_shown);
        im->mapped++;
        if (im->tcs_max > ARCA_MAX_THREADS) {
            text_add(&im->t[T_THREADS].comment, ", capped at Arca's maximum %u: more calls at "
                     "once get ARCA_ERR_BUSY, as SGX's out-of-TCS", ARCA_MAX_THREADS);
            note(im, im->tcs_max_line, "%s is above Arca's maximum: Threads = %u (more calls at "
                 "once get ARCA_ERR_BUSY)", im->tcs_max_shown, ARCA_MAX_THREADS);
        } else if (im->tcs_max != tcs) {
            note(im, im->tcs_max_line, "%s: Threads = %llu, the most threads SGX2 runs at once "
                 "(TCSNum %llu is only the count it starts with)", im->tcs_max_shown,
                 (unsigned long long)threads, (unsigned long long)tcs);
        }
    }

    /* Settings the input left out. sgx_sign has documented defaults, which the SGX build had;
     * oesign takes what the .conf leaves out from OE_SET_ENCLAVE_SGX() in the enclave's source,
     * which is not read here, so Arca's defaults are written and the user told to compare. */
    static const struct {
        enum target t;
        const char *sgx;
        uint64_t sgx_default, arca_value;
        const char *oe;
    } absent[] = {
        {T_DEBUG, "DisableDebug", 0, 1, "Debug"},
        {T_HEAP, "HeapMaxSize", 0x100000, 0x100000, "NumHeapPages"},
        {T_STACK, "StackMaxSize", 0x40000, 0x40000, "NumStackPages"},
        {T_THREADS, "TCSNum", 1, 1, "NumTCS"},
        {T_PRODUCT, "ProdID", 0, 0, "ProductID"},
        {T_SVN, "ISVSVN", 0, 0, "SecurityVersion"},
    };
    struct arca_enclave_config defaults;
    arca__config_defaults(&defaults);
    const uint64_t arca_default[T_COUNT] = {
        [T_DEBUG] = 0, [T_SWITCHLESS] = 0, [T_HEAP] = defaults.heap_size,
        [T_STACK] = defaults.stack_size, [T_THREADS] = defaults.threads,
        [T_PRODUCT] = defaults.product_id, [T_SVN] = defaults.svn,
    };
    const bool debug_missing = !im->t[T_DEBUG].set;
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        enum target t = absent[i].t;
        if (im->t[t].set)
            continue;
        im->t[t].set = true;
        if (im->source == ARCA__IMPORT_SGX) {
            im->t[t].value = absent[i].arca_value;
            if (t == T_DEBUG)
                text_add(&im->t[t].comment, "<DisableDebug> not set: sgx_sign's default 0 lets "
                         "the enclave be launched in debug mode; set Debug = 0 for a production "
                         "enclave");
            else
                text_add(&im->t[t].comment, t == T_HEAP || t == T_STACK
                         ? "<%s> not set: sgx_sign's default 0x%llx"
                         : "<%s> not set: sgx_sign's default %llu",
                         absent[i].sgx, (unsigned long long)absent[i].sgx_default);
            text_add(&missing, t == T_HEAP || t == T_STACK ? "%s%s 0x%llx" : "%s%s %llu",
                     missing.len ? ", " : "", absent[i].sgx,
                     (unsigned long long)absent[i].sgx_default);
        } else {
            im->t[t].value = arca_default[t];
            text_add(&im->t[t].comment, "%s not set: oesign took it from OE_SET_ENCLAVE_SGX() "
                     "in the enclave's source, which is not read here; this is Arca's default: "
                     "compare it with that macro", absent[i].oe);
            char v[32];
            if (t == T_HEAP || t == T_STACK)
                size_str(v, arca_default[t]);
            else
                snprintf(v, sizeof v, "%llu", (unsigned long long)arca_default[t]);
            text_add(&missing, "%s%s (%s = %s)", missing.len ? ", " : "", absent[i].oe,
                     target_name[t], v);
        }
    }
    if (missing.len && im->source == ARCA__IMPORT_SGX)
        note(im, 0, "not set, so sgx_sign's defaults were written: %s%s", missing.p,
             debug_missing ? " (DisableDebug 0 allows debug launches: Debug = 1)" : "");
    else if (missing.len)
        note(im, 0, "not set: %s; oesign took these from OE_SET_ENCLAVE_SGX() in the enclave's "
             "source, which is not read here: Arca's defaults were written, compare them with "
             "that macro", missing.p);
    im->t[T_SWITCHLESS].set = true;
    im->t[T_SWITCHLESS].value = 0;
    text_add(&im->t[T_SWITCHLESS].comment, "%s has no switchless setting in its configuration: "
             "set 1 if the EDL marks calls transition_using_threads",
             im->source == ARCA__IMPORT_SGX ? "The SGX SDK" : "Open Enclave");

    /* What the translated sizes mean on Arca's process backend (docs/architecture.md). */
    uint64_t heap = im->t[T_HEAP].value, stack = im->t[T_STACK].value;
    uint64_t threads = im->t[T_THREADS].value;
    uint64_t total = heap + threads * (stack + 4096) + 4096; /* bounded: 16G + 64 x 256M */
    if (heap < threads * CALL_BUFFERS) {
        char h[32];
        size_str(h, heap);
        note(im, 0, "HeapSize %s is less than the %llu KiB of call buffers the process backend "
             "keeps on the heap for %llu threads (32 KiB each): raise HeapSize, or creating the "
             "enclave fails", h, (unsigned long long)(threads * CALL_BUFFERS / 1024),
             (unsigned long long)threads);
    }
    if (total > MEMLOCK_USUAL)
        note(im, 0, "the enclave's protected memory, HeapSize + Threads x (StackSize + 4 KiB) + "
             "4 KiB = %llu KiB, is above the 8192 KiB RLIMIT_MEMLOCK most users have: it still "
             "runs, without secretmem or mlock and with a caveat, unless the limit is raised",
             (unsigned long long)(total / 1024));
    if (missing.failed)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "config import: out of memory");
done:
    text_free(&missing);
    return result;
}

/* ---- writing enclave.conf ---- */

/* @p s (printable ASCII, no newline) as '#' comment lines of at most WRAP columns. */
static void add_comment(struct text *out, const char *s, const char *first, const char *rest)
{
    size_t n = strlen(s), at = 0;
    bool first_line = true;
    while (at < n) {
        const char *prefix = first_line ? first : rest;
        size_t width = WRAP - strlen(prefix), take = n - at;
        if (take > width) {
            take = width;
            while (take > 0 && s[at + take] != ' ')
                take--;
            if (take == 0)
                take = width; /* one long word: cut it */
        }
        text_add(out, "%s%.*s\n", prefix, (int)take, s + at);
        at += take;
        while (at < n && s[at] == ' ')
            at++;
        first_line = false;
    }
}

static void write_conf(struct importer *im, struct text *out)
{
    char header[NAME_SHOW_MAX * 4 + 256];
    snprintf(header, sizeof header, "enclave.conf for Arca, made by 'arca config import' from %s "
             "(%s). Review it before signing: the settings Arca has no equivalent for are listed "
             "at the end. Keys and ranges: docs/formats.md, enclave.conf.", im->name,
             im->source == ARCA__IMPORT_SGX ? "an Intel SGX SDK enclave configuration"
                                            : "an Open Enclave oesign configuration");
    add_comment(out, header, "# ", "# ");
    for (int t = 0; t < T_COUNT; t++) {
        char v[32];
        if (t == T_HEAP || t == T_STACK)
            size_str(v, im->t[t].value);
        else
            snprintf(v, sizeof v, "%llu", (unsigned long long)im->t[t].value);
        text_add(out, "\n");
        if (im->t[t].comment.p)
            add_comment(out, im->t[t].comment.p, "# ", "#   ");
        text_add(out, "%s = %s\n", target_name[t], v);
    }
    if (im->unmapped.len) {
        text_add(out, "\n# Not mapped: %s has no equivalent for these settings of the input.\n",
                 "Arca");
        for (const char *p = im->unmapped.p; *p;) {
            const char *nl = strchr(p, '\n');
            char one[4096];
            size_t len = (size_t)(nl - p) < sizeof one - 1 ? (size_t)(nl - p) : sizeof one - 1;
            memcpy(one, p, len);
            one[len] = '\0';
            add_comment(out, one, "# - ", "#   ");
            p = nl + 1;
        }
    }
}

/* ---- the entry point ---- */

static size_t skip_blank(const uint8_t *b, size_t len, size_t at)
{
    while (at < len && (b[at] == ' ' || b[at] == '\t' || b[at] == '\r' || b[at] == '\n'))
        at++;
    return at;
}

arca_result_t arca__config_import(const uint8_t *bytes, size_t len, const char *name,
                                  arca__import *out)
{
    arca_result_t result = ARCA_OK;
    struct importer *im = NULL;
    struct text conf = {0};
    char shown_name[NAME_SHOW_MAX * 4 + 8];
    struct arca_enclave_config want, got;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || (!bytes && len))
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "config_import: NULL input or output");
    if (!name)
        name = "input";
    shown(shown_name, sizeof shown_name, name, strlen(name), NAME_SHOW_MAX);
    if (len > ARCA_IMPORT_MAX)
        ARCA_RAISE(ARCA_ERR_OVERFLOW, "%s is %zu bytes, more than the %zu an enclave "
                   "configuration may have", shown_name, len, ARCA_IMPORT_MAX);
    im = calloc(1, sizeof *im);
    if (!im)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "config import: out of memory");
    im->name = shown_name;

    size_t start = 0;
    bool utf16 = len >= 2 && ((bytes[0] == 0xff && bytes[1] == 0xfe) ||
                              (bytes[0] == 0xfe && bytes[1] == 0xff));
    if (len >= 3 && bytes[0] == 0xef && bytes[1] == 0xbb && bytes[2] == 0xbf)
        start = 3;
    start = skip_blank(bytes, len, start);
    if (!utf16 && start == len)
        ARCA_RAISE(ARCA_ERR_BAD_FORMAT, "%s is empty: nothing to import (expected an Intel SGX "
                   "SDK Enclave.config.xml or an Open Enclave .conf)", shown_name);
    if (utf16 || bytes[start] == '<') {
        im->source = ARCA__IMPORT_SGX;
        im->keys = sgx_keys;
        im->key_count = SGX_KEY_COUNT;
        ARCA_CHECK(read_sgx(im, bytes, len));
    } else {
        im->source = ARCA__IMPORT_OE;
        im->keys = oe_keys;
        im->key_count = OE_KEY_COUNT;
        ARCA_CHECK(read_oe(im, (const char *)bytes + start, len - start));
    }
    ARCA_CHECK(complete(im));
    write_conf(im, &conf);
    bool failed = conf.failed || im->notes.failed || im->unmapped.failed;
    for (int t = 0; t < T_COUNT; t++)
        failed = failed || im->t[t].comment.failed;
    if (failed)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "config import: out of memory");

    /* What the text must mean, then what the real parser reads from it. */
    arca__config_defaults(&want);
    want.flags = (im->t[T_DEBUG].value ? ARCA_CONFIG_FLAG_DEBUG : 0) |
                 (im->t[T_SWITCHLESS].value ? ARCA_CONFIG_FLAG_SWITCHLESS : 0);
    want.heap_size = im->t[T_HEAP].value;
    want.stack_size = im->t[T_STACK].value;
    want.threads = (uint32_t)im->t[T_THREADS].value;
    want.product_id = (uint16_t)im->t[T_PRODUCT].value;
    want.svn = (uint16_t)im->t[T_SVN].value;
    arca__config_defaults(&got);
    if (arca__config_parse(conf.p, conf.len, "the generated enclave.conf", &got) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "config import: the enclave.conf made from %s is refused "
                   "by its own parser (%s); this is a bug in arca, please report it",
                   shown_name, arca__error_detail());
    if (memcmp(&want, &got, sizeof want) != 0 || arca__config_validate(&got) != ARCA_OK)
        ARCA_RAISE(ARCA_ERR_INTERNAL, "config import: the enclave.conf made from %s does not "
                   "read back as translated; this is a bug in arca, please report it", shown_name);

    out->source = im->source;
    out->conf = conf.p;
    out->conf_len = conf.len;
    conf.p = NULL;
    if (!im->notes.p) {
        im->notes.p = calloc(1, 1);
        if (!im->notes.p)
            ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "config import: out of memory");
    }
    out->notes = im->notes.p;
    out->notes_len = im->notes.len;
    im->notes.p = NULL;
    out->mapped = im->mapped;
    out->not_mapped = im->not_mapped;
    out->config = got;
done:
    if (result != ARCA_OK && out) {
        free(out->conf);
        memset(out, 0, sizeof *out);
    }
    text_free(&conf);
    if (im) {
        text_free(&im->notes);
        text_free(&im->unmapped);
        for (int t = 0; t < T_COUNT; t++)
            text_free(&im->t[t].comment);
        free(im);
    }
    return result;
}

void arca__config_import_free(arca__import *imp)
{
    if (!imp)
        return;
    free(imp->conf);
    free(imp->notes);
    memset(imp, 0, sizeof *imp);
}
