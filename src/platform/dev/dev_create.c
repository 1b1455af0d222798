/*
 * dev_create.c — finding, checking, reading and first-time creation of the dev platform's
 * key directory.
 *
 * The directory is used only when it, and every file read from it, belongs to the effective
 * uid and grants nothing to group or others: a directory someone else owns or can read gives
 * that someone the keys (issue 11, item 5). The checks run with fstat on the descriptors that
 * are then read — the directory opened with O_DIRECTORY | O_NOFOLLOW, each file with openat
 * relative to it and O_NOFOLLOW — never with stat on a path that could change in between, and
 * a symbolic link is refused rather than followed.
 *
 * A new directory is built complete in a private temporary directory next to the target
 * (mode 0700, files 0600) and then renamed into place with rename(2), which is atomic: when
 * several processes initialise at once exactly one rename succeeds and the others discard
 * their work and use the winner's. This file must never modify, repair or regenerate a
 * directory that already has content — a damaged platform is reported, not replaced, since
 * replacing it would silently make every sealed blob unreadable.
 */
#include "dev_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "crypto/crypto_x509.h"
#include "formats/evidence.h"

/* How long a platform certificate is valid: a hundred years (the platform has no renewal). */
#define DEV_CERT_DAYS 36500

int arca__dev_path(char out[PATH_MAX], const char *dir, const char *file)
{
    size_t d = strlen(dir), f = strlen(file);
    if (d + 1 + f + 1 > PATH_MAX)
        return -1;
    memcpy(out, dir, d);
    out[d] = '/';
    memcpy(out + d + 1, file, f + 1);
    return 0;
}

arca_result_t arca__dev_resolve_dir(const char *dir, char out[PATH_MAX])
{
    arca_result_t result = ARCA_OK;
    const char *env = getenv("ARCA_PLATFORM_DIR");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;

    if (dir && *dir)
        n = snprintf(out, PATH_MAX, "%s", dir);
    else if (env && *env)
        n = snprintf(out, PATH_MAX, "%s", env);
    else if (xdg && xdg[0] == '/') /* the XDG spec says relative values are to be ignored */
        n = snprintf(out, PATH_MAX, "%s/arca/platform", xdg);
    else {
        if (!home || !*home) {
            struct passwd *pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : NULL;
        }
        if (!home || !*home)
            ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: no key directory: set ARCA_PLATFORM_DIR "
                                          "(neither XDG_DATA_HOME nor HOME is set)");
        n = snprintf(out, PATH_MAX, "%s/.local/share/arca/platform", home);
    }
    if (n < 0 || n >= PATH_MAX - ARCA_DEV_NAME_ROOM)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: key directory path is too long (%d bytes)", n);
    /* Strip trailing slashes so that "<dir>.init-XXXXXX" is a sibling, not a child. */
    while (n > 1 && out[n - 1] == '/')
        out[--n] = '\0';
done:
    return result;
}

/* mkdir -p for the parents of path, each new one with mode 0700. */
static arca_result_t make_parents(const char *path)
{
    arca_result_t result = ARCA_OK;
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf)
        goto done;
    *slash = '\0';
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot create %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot create %s: %s", buf, strerror(errno));
done:
    return result;
}

/* ---- checking and reading ---- */

/* The rule for the directory and each file, on the fstat of an open descriptor. */
static arca_result_t check_private(const char *path, const struct stat *st, int is_dir)
{
    arca_result_t result = ARCA_OK;
    const unsigned mode = (unsigned)(st->st_mode & 07777);
    const unsigned me = (unsigned)geteuid();
    if ((unsigned)st->st_uid != me)
        ARCA_RAISE(ARCA_ERR_PERMISSION,
                   "dev platform: %s belongs to uid %u (mode %04o), not to you (uid %u); whoever "
                   "owns a key %s can read and replace the keys in it, so it is not used. Use a key "
                   "directory of your own: point ARCA_PLATFORM_DIR (or the setting dev.dir) at a "
                   "new path and run 'arca platform init' there",
                   path, (unsigned)st->st_uid, mode, me, is_dir ? "directory" : "file");
    if (mode & 077)
        ARCA_RAISE(ARCA_ERR_PERMISSION,
                   "dev platform: %s has mode %04o: group or others can %s it, so it is not used. "
                   "Run 'chmod %s %s'; if someone else may already have read the keys, start a fresh "
                   "platform with 'arca platform init' on a new directory",
                   path, mode, is_dir ? "enter or list" : "read or change", is_dir ? "700" : "600",
                   path);
done:
    return result;
}

arca_result_t arca__dev_open_dir(const char *dir, int *out)
{
    arca_result_t result = ARCA_OK;
    struct stat st;
    int fd;

    *out = -1;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        struct stat link;
        if ((err == ELOOP || err == ENOTDIR) && lstat(dir, &link) == 0 && S_ISLNK(link.st_mode))
            ARCA_RAISE(ARCA_ERR_PERMISSION,
                       "dev platform: %s is a symbolic link; a key directory is used only as a "
                       "directory itself, since whoever owns a link can point it elsewhere: set "
                       "ARCA_PLATFORM_DIR to the directory the link names", dir);
        if (err == ENOTDIR)
            ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "dev platform: %s exists but is not a directory", dir);
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot open the key directory %s: %s", dir,
                   strerror(err));
    }
    if (fstat(fd, &st) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot inspect %s: %s", dir, strerror(errno));
    ARCA_CHECK(check_private(dir, &st, 1));
    *out = fd;
    fd = -1;
done:
    if (fd >= 0)
        close(fd);
    return result;
}

arca_result_t arca__dev_read(const arca__platform *p, const char *name, size_t max, uint8_t **out,
                             size_t *len)
{
    arca_result_t result = ARCA_OK;
    char path[PATH_MAX];
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    int fd = -1;

    *out = NULL;
    *len = 0;
    (void)arca__dev_path(path, p->dir, name);
    /* The directory again: a chmod since open makes it as unfit as it would have been then. */
    if (fstat(p->dir_fd, &st) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot inspect %s: %s", p->dir, strerror(errno));
    ARCA_CHECK(check_private(p->dir, &st, 1));
    fd = openat(p->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ELOOP)
        ARCA_RAISE(ARCA_ERR_PERMISSION,
                   "dev platform: %s is a symbolic link; key files are read only as regular files "
                   "of the key directory (a planted link could name someone else's key): remove the "
                   "link and restore the file from a backup", path);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s cannot be opened (%s); restore it from a backup", path,
                   strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "dev platform: %s is not a regular file; restore it "
                   "from a backup", path);
    ARCA_CHECK(check_private(path, &st, 0));
    buf = malloc(max + 1);
    if (!buf)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "dev platform: out of memory reading %s", path);
    /* Up to one byte more than allowed, so that a longer file is seen to be longer. */
    while (got <= max) {
        ssize_t r = read(fd, buf + got, max + 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "dev platform: cannot read %s: %s", path,
                       strerror(errno));
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got > max)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "dev platform: %s is larger than the %zu bytes such a file has; restore it from "
                   "a backup", path, max);
    *out = buf;
    *len = got;
    buf = NULL;
done:
    if (buf) {
        arca__wipe(buf, max + 1);
        free(buf);
    }
    if (fd >= 0)
        close(fd);
    return result;
}

/* ---- creation ---- */

/* Write a new file (O_EXCL, mode 0600) with exactly these bytes, flushed to disk. */
static arca_result_t write_new_file(const char *path, const void *data, size_t len)
{
    arca_result_t result = ARCA_OK;
    const uint8_t *p = data;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot create %s: %s", path, strerror(errno));
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot write %s: %s", path,
                       w < 0 ? strerror(errno) : "short write");
        p += w;
        len -= (size_t)w;
    }
    if (fsync(fd) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot flush %s: %s", path, strerror(errno));
done:
    if (fd >= 0)
        close(fd);
    return result;
}

/* The self-signed platform certificate, marked as a dev platform in its names and comment. */
static arca_result_t make_certificate(const arca__ec_key *key, const char *path)
{
    arca_result_t result = ARCA_OK;
    arca__cert *cert = NULL;
    uint8_t id[32];
    char cn[64];
    char *pem = NULL;
    size_t pem_len = 0;
    const time_t now = time(NULL);

    ARCA_CHECK(arca__ec_spki_hash(key, id));
    snprintf(cn, sizeof cn, ARCA_DEV_CERT_CN_PREFIX "%02x%02x%02x%02x%02x%02x%02x%02x", id[0], id[1],
             id[2], id[3], id[4], id[5], id[6], id[7]);
    const arca__cert_template template = {
        .organization = ARCA_DEV_CERT_ORG,
        .common_name = cn,
        .not_before = (int64_t)now,
        .not_after = (int64_t)now + (int64_t)DEV_CERT_DAYS * 86400,
        .ca = 1,
        .comment = "Arca dev platform: keys live in a user's directory; trust rests on the host user",
    };
    result = arca__cert_create(key, &template, NULL, NULL, &cert);
    if (result == ARCA_OK)
        result = arca__cert_to_pem(cert, &pem, &pem_len);
    if (result != ARCA_OK)
        ARCA_RAISE(result, "dev platform: cannot build the platform certificate: %s",
                   arca__error_detail());
    ARCA_CHECK(write_new_file(path, pem, pem_len));
done:
    free(pem);
    arca__cert_free(cert);
    return result;
}

static void remove_tree(const char *tmp)
{
    static const char *const files[] = {ARCA_DEV_ROOT_FILE, ARCA_DEV_KEY_FILE, ARCA_DEV_CERT_FILE};
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        (void)arca__dev_path(path, tmp, files[i]);
        unlink(path);
    }
    rmdir(tmp);
}

/* Fill a fresh temporary directory with a new platform. */
static arca_result_t populate(const char *tmp)
{
    arca_result_t result = ARCA_OK;
    uint8_t root[ARCA_DEV_ROOT_SIZE];
    arca__ec_key *key = NULL;
    char path[PATH_MAX];

    ARCA_CHECK(arca__random(root, sizeof root));
    (void)arca__dev_path(path, tmp, ARCA_DEV_ROOT_FILE);
    ARCA_CHECK(write_new_file(path, root, sizeof root));
    ARCA_CHECK(arca__ec_generate(&key));
    (void)arca__dev_path(path, tmp, ARCA_DEV_KEY_FILE);
    ARCA_CHECK(arca__ec_save_private_pem_file(key, path));
    (void)arca__dev_path(path, tmp, ARCA_DEV_CERT_FILE);
    ARCA_CHECK(make_certificate(key, path));
done:
    arca__wipe(root, sizeof root);
    arca__ec_free(key);
    return result;
}

/* 1 if dir is an empty directory, 0 if it has entries, -1 (errno) on error. */
static int dir_is_empty(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            empty = 0;
            break;
        }
    }
    closedir(d);
    return empty;
}

arca_result_t arca__dev_ensure_dir(const char *dir, int *created)
{
    arca_result_t result = ARCA_OK;
    char tmp[PATH_MAX];
    struct stat st;
    int have_tmp = 0;

    *created = 0;
    if (lstat(dir, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            goto done; /* never created through a link; arca__dev_open_dir says why */
        if (!S_ISDIR(st.st_mode))
            ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "dev platform: %s exists but is not a directory", dir);
        int empty = dir_is_empty(dir);
        if (empty < 0)
            ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot read %s: %s", dir, strerror(errno));
        if (!empty)
            goto done; /* initialised (or damaged: the loader reports which file) */
    } else if (errno != ENOENT) {
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot access %s: %s", dir, strerror(errno));
    }

    ARCA_CHECK(make_parents(dir));
    if (strlen(dir) + sizeof ".init-XXXXXX" > sizeof tmp)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: key directory path is too long");
    memcpy(tmp, dir, strlen(dir));
    memcpy(tmp + strlen(dir), ".init-XXXXXX", sizeof ".init-XXXXXX");
    if (!mkdtemp(tmp)) /* mode 0700 */
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot create a directory next to %s: %s", dir,
                   strerror(errno));
    have_tmp = 1;
    ARCA_CHECK(populate(tmp));
    /* Atomic: replaces a missing or empty directory, fails if another process won. */
    if (rename(tmp, dir) == 0) {
        have_tmp = 0;
        *created = 1;
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", dir);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (pfd >= 0) {
                (void)fsync(pfd);
                close(pfd);
            }
        }
    } else if (errno != EEXIST && errno != ENOTEMPTY) {
        ARCA_RAISE(ARCA_ERR_PLATFORM, "dev platform: cannot move the new platform into %s: %s", dir,
                   strerror(errno));
    }
done:
    if (have_tmp)
        remove_tree(tmp);
    return result;
}
