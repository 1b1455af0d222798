/*
 * main.c — the arca-edger command line: options (with the Intel SGX SDK / Open Enclave
 * edger8r spellings), then for each EDL file compile it and write X_t.{h,c} and/or X_u.{h,c}.
 * It also finds the stand-ins for SDK EDL files (sgx_tstdc.edl, openenclave/edl/...), which
 * are searched after the user's search paths.
 *
 * It must never write a partial set of outputs for an EDL with errors: every file is
 * compiled and checked before the first byte is written. --print-hash and --print-interface
 * write no file: they show the interface hash both sides' code carries, and what it is computed
 * over (interface.c). Exit status: 0 ok, 1 EDL errors, 2 usage or I/O errors.
 */
#include "edger.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the stand-ins for SDK EDL files are looked for when --sdk-edl-dir is not given: next to
 * the executable (PREFIX/bin/../share/arca/edl: an installed, relocatable arca-edger), then the
 * source tree it was built from, then the configured install directory. */
#ifndef ARCA_EDGER_SOURCE_EDL_DIR
#define ARCA_EDGER_SOURCE_EDL_DIR ""
#endif
#ifndef ARCA_EDGER_INSTALL_EDL_DIR
#define ARCA_EDGER_INSTALL_EDL_DIR "/usr/local/share/arca/edl"
#endif

#define EDGER_VERSION "0.1.0"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: arca-edger [options] file.edl...\n"
            "\n"
            "Compile EDL (the Intel SGX SDK / Open Enclave interface language) into Arca edge code:\n"
            "X_t.h/X_t.c for the enclave and X_u.h/X_u.c for the host (X = the EDL's base name).\n"
            "\n"
            "options:\n"
            "  --trusted               generate only the enclave side (X_t.*)\n"
            "  --untrusted             generate only the host side (X_u.*)\n"
            "  --search-path DIR[:DIR] look for imported EDL files there (repeatable; -I DIR too)\n"
            "  --trusted-dir DIR       write X_t.* into DIR (default: .)\n"
            "  --untrusted-dir DIR     write X_u.* into DIR (default: .)\n"
            "  --header-only           write only the headers\n"
            "  --depfile FILE          write a make-style dependency file (outputs: every EDL read)\n"
            "  -D NAME                 define NAME for #ifdef/#ifndef in the EDL (repeatable)\n"
            "  --sdk-edl-dir DIR       where the stand-ins for SDK EDL files are (sgx_tstdc.edl,\n"
            "                          openenclave/edl/*.edl, ...); --print-sdk-edl-dir shows the\n"
            "                          default; --no-sdk-edl searches none\n"
            "  --no-warn-unused-result declare the proxies without warn_unused_result\n"
            "  --print-hash            write no files; print the interface hash of each EDL (64 hex\n"
            "                          digits a line): SHA-256 of its resolved interface, which\n"
            "                          X_t.c and X_u.c carry; --print-interface prints the text\n"
            "                          it is computed over (docs/formats.md)\n"
            "  --help                  show this help; --version prints the version\n"
            "\n"
            "Imports are searched next to the importing file, then in the search paths in order,\n"
            "then among the stand-ins for SDK EDL files. Every error of a file is reported (up to\n"
            "20). The supported language and its limits are described in docs/edl.md.\n");
}

typedef struct options {
    int trusted, untrusted, header_only, no_sdk_edl, print_sdk_edl_dir, no_must_check;
    int print_hash, print_interface;
    const char *trusted_dir, *untrusted_dir, *depfile, *sdk_edl_dir;
    const char **paths;
    size_t path_count;
    const char **files;
    size_t file_count;
    const char **defines;
    size_t define_count;
} options;

/* -D NAME or -D NAME=VALUE: NAME must be an identifier (the value has no use: the EDL
 * preprocessor only asks whether a name is defined). */
static int add_define(edl_ctx *ctx, options *o, const char *def)
{
    size_t n = strcspn(def, "=");
    int ok = n > 0 && (isalpha((unsigned char)def[0]) || def[0] == '_');
    for (size_t i = 1; ok && i < n; i++)
        ok = isalnum((unsigned char)def[i]) || def[i] == '_';
    if (!ok) {
        fprintf(stderr, "arca-edger: -D needs a name (a C identifier), got '%s'\n", def);
        return 2;
    }
    EDL_PUSH(ctx, o->defines, o->define_count, edl_strndup(ctx, def, n));
    return 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return path[0] && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The default directory of the stand-ins for SDK EDL files, or NULL if none exists. */
static const char *default_sdk_edl_dir(edl_ctx *ctx)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            const char *dir = edl_printf(ctx, "%s/../share/arca/edl", exe);
            if (is_dir(dir))
                return dir;
        }
    }
    if (is_dir(ARCA_EDGER_SOURCE_EDL_DIR))
        return ARCA_EDGER_SOURCE_EDL_DIR;
    if (is_dir(ARCA_EDGER_INSTALL_EDL_DIR))
        return ARCA_EDGER_INSTALL_EDL_DIR;
    return NULL;
}

static void add_paths(edl_ctx *ctx, options *o, const char *list)
{
    char *copy = edl_strdup(ctx, list);
    for (char *save = NULL, *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        const char **n = edl_alloc(ctx, (o->path_count + 1) * sizeof *n);
        if (o->path_count)
            memcpy(n, o->paths, o->path_count * sizeof *n);
        n[o->path_count++] = tok;
        o->paths = n;
    }
}

/* Match "--name VALUE" or "--name=VALUE". */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return 0;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "arca-edger: %s needs a value\n", name);
        exit(2);
    }
    *value = argv[++*i];
    return 1;
}

static int parse_args(edl_ctx *ctx, int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--version") == 0) {
            printf("arca-edger %s\n", EDGER_VERSION);
            exit(0);
        } else if (strcmp(a, "--trusted") == 0) {
            o->trusted = 1;
        } else if (strcmp(a, "--untrusted") == 0) {
            o->untrusted = 1;
        } else if (strcmp(a, "--header-only") == 0) {
            o->header_only = 1;
        } else if (opt_value(argc, argv, &i, "--search-path", &v) || opt_value(argc, argv, &i, "-I", &v)) {
            add_paths(ctx, o, v);
        } else if (strncmp(a, "-I", 2) == 0 && a[2]) {
            add_paths(ctx, o, a + 2);
        } else if (opt_value(argc, argv, &i, "--trusted-dir", &v)) {
            o->trusted_dir = v;
        } else if (opt_value(argc, argv, &i, "--untrusted-dir", &v)) {
            o->untrusted_dir = v;
        } else if (opt_value(argc, argv, &i, "--depfile", &v)) {
            o->depfile = v;
        } else if (opt_value(argc, argv, &i, "-D", &v)) {
            if (add_define(ctx, o, v))
                return 2;
        } else if (strncmp(a, "-D", 2) == 0 && a[2]) {
            if (add_define(ctx, o, a + 2))
                return 2;
        } else if (opt_value(argc, argv, &i, "--sdk-edl-dir", &v)) {
            o->sdk_edl_dir = v;
        } else if (strcmp(a, "--no-sdk-edl") == 0) {
            o->no_sdk_edl = 1;
        } else if (strcmp(a, "--print-sdk-edl-dir") == 0) {
            o->print_sdk_edl_dir = 1;
        } else if (strcmp(a, "--no-warn-unused-result") == 0) {
            o->no_must_check = 1;
        } else if (strcmp(a, "--print-hash") == 0) {
            o->print_hash = 1;
        } else if (strcmp(a, "--print-interface") == 0) {
            o->print_interface = 1;
        } else if (strcmp(a, "--preprocess") == 0) {
            fprintf(stderr, "arca-edger: --preprocess is not supported: arca-edger does not run the C "
                            "preprocessor; its own handles #ifdef, #ifndef, #else and #endif (define "
                            "names with -D NAME)\n");
            return 2;
        } else if (strcmp(a, "--use-prefix") == 0 || strncmp(a, "--trusted-prefix", 16) == 0 ||
                   strncmp(a, "--untrusted-prefix", 18) == 0) {
            fprintf(stderr, "arca-edger: %s is not supported: arca-edger uses the EDL function names "
                            "unchanged\n", a);
            return 2;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "arca-edger: unknown option '%s' (see --help)\n", a);
            return 2;
        } else {
            const char **n = edl_alloc(ctx, (o->file_count + 1) * sizeof *n);
            if (o->file_count)
                memcpy(n, o->files, o->file_count * sizeof *n);
            n[o->file_count++] = a;
            o->files = n;
        }
    }
    if (!o->file_count && !o->print_sdk_edl_dir) {
        usage(stderr);
        return 2;
    }
    if (!o->trusted && !o->untrusted)
        o->trusted = o->untrusted = 1;
    if (!o->trusted_dir)
        o->trusted_dir = ".";
    if (!o->untrusted_dir)
        o->untrusted_dir = ".";
    return 0;
}

static int write_file(const char *path, const edl_out *out)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "arca-edger: cannot write '%s': %s\n", path, strerror(errno));
        return 2;
    }
    size_t n = out->len ? fwrite(out->data, 1, out->len, f) : 0;
    int bad = n != out->len;
    bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "arca-edger: cannot write '%s'\n", path);
        return 2;
    }
    return 0;
}

static void dep_path(FILE *f, const char *p)
{
    for (; *p; p++) {
        if (*p == ' ' || *p == '#' || *p == '\\')
            fputc('\\', f);
        if (*p == '$')
            fputc('$', f);
        fputc(*p, f);
    }
}

int main(int argc, char **argv)
{
    edl_ctx ctx;
    options o = {0};
    int status = 0;
    edl_init(&ctx, stderr);
    status = parse_args(&ctx, argc, argv, &o);
    if (status)
        goto done;
    ctx.search_paths = o.paths;
    ctx.search_path_count = o.path_count;
    ctx.defines = o.defines;
    ctx.define_count = o.define_count;
    ctx.no_must_check = o.no_must_check;
    if (!o.no_sdk_edl) {
        ctx.sdk_dir = o.sdk_edl_dir ? o.sdk_edl_dir : default_sdk_edl_dir(&ctx);
        if (o.sdk_edl_dir && !is_dir(o.sdk_edl_dir)) {
            fprintf(stderr, "arca-edger: --sdk-edl-dir '%s' is not a directory\n", o.sdk_edl_dir);
            status = 2;
            goto done;
        }
    }
    if (o.print_sdk_edl_dir) {
        if (!ctx.sdk_dir) {
            fprintf(stderr, "arca-edger: no directory of stand-ins for SDK EDL files (looked next to "
                            "the executable, in '%s' and in '%s')\n",
                    ARCA_EDGER_SOURCE_EDL_DIR, ARCA_EDGER_INSTALL_EDL_DIR);
            status = 2;
        } else {
            printf("%s\n", ctx.sdk_dir);
        }
        goto done;
    }

    edl_program *progs = edl_alloc(&ctx, o.file_count * sizeof *progs);
    for (size_t i = 0; i < o.file_count; i++) {
        if (edl_compile(&ctx, o.files[i], &progs[i]) != ARCA_OK) {
            status = 1;
            goto done;
        }
    }
    if (o.print_hash || o.print_interface) {
        for (size_t i = 0; i < o.file_count; i++) {
            if (o.print_interface)
                fwrite(progs[i].interface_text, 1, progs[i].interface_text_len, stdout);
            if (o.print_hash)
                printf("%s\n", edl_interface_hex(&ctx, &progs[i]));
        }
        if (fflush(stdout) != 0) {
            fprintf(stderr, "arca-edger: cannot write to standard output: %s\n", strerror(errno));
            status = 2;
        }
        goto done;
    }
    FILE *dep = NULL;
    if (o.depfile) {
        dep = fopen(o.depfile, "w");
        if (!dep) {
            fprintf(stderr, "arca-edger: cannot write '%s': %s\n", o.depfile, strerror(errno));
            status = 2;
            goto done;
        }
    }
    for (size_t i = 0; i < o.file_count && !status; i++) {
        const edl_program *p = &progs[i];
        for (int side = 1; side >= 0 && !status; side--) {
            if (side ? !o.trusted : !o.untrusted)
                continue;
            const char *dir = side ? o.trusted_dir : o.untrusted_dir;
            const char *sfx = side ? "t" : "u";
            edl_out h = {0}, c = {0};
            const char *hpath = edl_printf(&ctx, "%s/%s_%s.h", dir, p->base, sfx);
            const char *cpath = edl_printf(&ctx, "%s/%s_%s.c", dir, p->base, sfx);
            edl_gen_header(&ctx, p, side, &h);
            status = write_file(hpath, &h);
            if (!status && !o.header_only) {
                if (side)
                    edl_gen_trusted_c(&ctx, p, &c);
                else
                    edl_gen_untrusted_c(&ctx, p, &c);
                status = write_file(cpath, &c);
            }
            if (dep) {
                dep_path(dep, hpath);
                if (!o.header_only) {
                    fputc(' ', dep);
                    dep_path(dep, cpath);
                }
                fputs(":", dep);
                for (size_t k = 0; k < p->file_count; k++) {
                    fputs(" \\\n  ", dep);
                    dep_path(dep, p->files[k]);
                }
                fputs("\n", dep);
            }
            edl_out_free(&h);
            edl_out_free(&c);
        }
    }
    if (dep && fclose(dep) != 0 && !status) {
        fprintf(stderr, "arca-edger: cannot write '%s'\n", o.depfile);
        status = 2;
    }
done:
    edl_free(&ctx);
    return status;
}
