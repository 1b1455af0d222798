/*
 * keydir.c — checking, reading and first-time creation of a platform's key directory (the
 * dev platform's key directory of the user, arcad's state directory), for every platform
 * that keeps its root secrets in files (keydir.h).
 *
 * The directory is used only when it, and every file read from it, belongs to the effective
 * uid and grants nothing to group or others: a directory someone else owns or can read gives
 * that someone the keys (issue 11, item 5). The checks run with fstat on the descriptors that
 * are then read — the directory opened with O_DIRECTORY | O_NOFOLLOW, each file with openat
 * relative to it and O_NOFOLLOW — never with stat on a path that could change in between, and
 * a symbolic link is refused rather than followed.
 *
 * A new directory is built complete in a private temporary directory next to the target
 * (mode 0700) and then renamed into place with rename(2), which is atomic: when several
 * processes initialise at once exactly one rename succeeds and the others discard their work
 * and use the winner's. A file of an existing directory is only ever replaced whole, by
 * rename, and only when its platform asks (arcad's certificate import). This file must never
 * modify, repair or regenerate a key file of a directory that already has content — a damaged
 * platform is reported, not replaced, since replacing it would silently make every sealed blob
 * unreadable.
 */
#include "keydir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

int arca__keydir_path(char out[PATH_MAX], const char *dir, const char *file)
{
    size_t d = strlen(dir), f = strlen(file);
    if (d + 1 + f + 1 > PATH_MAX)
        return -1;
    memcpy(out, dir, d);
    out[d] = '/';
    memcpy(out + d + 1, file, f + 1);
    return 0;
}

arca_result_t arca__keydir_normalise(const arca__keydir_profile *pr, const char *dir,
                                     char out[PATH_MAX])
{
    arca_result_t result = ARCA_OK;
    size_t n;

    if (!dir || !*dir)
        ARCA_RAISE(ARCA_ERR_INVALID_ARGUMENT, "%s: no %s given", pr->what, pr->dir_noun);
    n = strlen(dir);
    if (n >= PATH_MAX - ARCA_KEYDIR_NAME_ROOM)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: %s path is too long (%zu bytes)", pr->what,
                   pr->dir_noun, n);
    memcpy(out, dir, n + 1);
    while (n > 1 && out[n - 1] == '/')
        out[--n] = '\0';
done:
    return result;
}

/* ---- checking and reading ---- */

/* The rule for the directory and each file, on the fstat of an open descriptor: the
 * effective user's, and no group or other bits (no write bits for a public file). */
static arca_result_t check_private(const arca__keydir_profile *pr, const char *path,
                                   const struct stat *st, int is_dir, int public_file)
{
    arca_result_t result = ARCA_OK;
    const unsigned mode = (unsigned)(st->st_mode & 07777);
    const unsigned me = (unsigned)geteuid();
    const unsigned forbidden = public_file ? 022 : 077;

    if ((unsigned)st->st_uid != me) {
        result = arca__error(ARCA_ERR_PERMISSION,
                             "%s: %s belongs to uid %u (mode %04o), not to you (uid %u); whoever "
                             "owns a %s can read and replace the keys in it, so it is not used. %s",
                             pr->what, path, (unsigned)st->st_uid, mode, me,
                             is_dir ? pr->dir_noun : "key file", pr->own_dir_advice);
        goto done;
    }
    if (mode & forbidden) {
        result = arca__error(ARCA_ERR_PERMISSION,
                             "%s: %s has mode %04o: group or others can %s it, so it is not used. "
                             "Run 'chmod %s %s'; if someone else may already have read the "
                             "keys, %s",
                             pr->what, path, mode,
                             is_dir ? "enter or list" : public_file ? "change" : "read or change",
                             is_dir ? "700" : public_file ? "644" : "600", path, pr->fresh_advice);
        goto done;
    }
done:
    return result;
}

arca_result_t arca__keydir_open_dir(const arca__keydir_profile *pr, const char *dir, int *out)
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
                       "%s: %s is a symbolic link; a %s is used only as a directory itself, since "
                       "whoever owns a link can point it elsewhere: %s",
                       pr->what, dir, pr->dir_noun, pr->link_advice);
        if (err == ENOTDIR)
            ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "%s: %s exists but is not a directory", pr->what,
                       dir);
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot open the %s %s: %s", pr->what, pr->dir_noun, dir,
                   strerror(err));
    }
    if (fstat(fd, &st) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot inspect %s: %s", pr->what, dir, strerror(errno));
    ARCA_CHECK(check_private(pr, dir, &st, 1, 0));
    *out = fd;
    fd = -1;
done:
    if (fd >= 0)
        close(fd);
    return result;
}

arca_result_t arca__keydir_check_dir(const arca__platform *p)
{
    arca_result_t result = ARCA_OK;
    const arca__keydir_profile *pr = p->profile;
    struct stat opened, named;

    if (fstat(p->dir_fd, &opened) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot inspect %s: %s", pr->what, p->dir,
                   strerror(errno));
    ARCA_CHECK(check_private(pr, p->dir, &opened, 1, 0));
    if (lstat(p->dir, &named) != 0 || named.st_dev != opened.st_dev ||
        named.st_ino != opened.st_ino)
        ARCA_RAISE(ARCA_ERR_PERMISSION,
                   "%s: %s is no longer the %s that was opened (it was moved, removed or "
                   "replaced); %s", pr->what, p->dir, pr->dir_noun, pr->reopen_advice);
done:
    return result;
}

arca_result_t arca__keydir_read(const arca__platform *p, const char *name, int public_file,
                                size_t max, uint8_t **out, size_t *len)
{
    arca_result_t result = ARCA_OK;
    const arca__keydir_profile *pr = p->profile;
    char path[PATH_MAX];
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    int fd = -1;

    *out = NULL;
    *len = 0;
    (void)arca__keydir_path(path, p->dir, name);
    /* The directory again: a chmod since open makes it as unfit as it would have been then. */
    if (fstat(p->dir_fd, &st) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot inspect %s: %s", pr->what, p->dir,
                   strerror(errno));
    ARCA_CHECK(check_private(pr, p->dir, &st, 1, 0));
    fd = openat(p->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ELOOP)
        ARCA_RAISE(ARCA_ERR_PERMISSION,
                   "%s: %s is a symbolic link; key files are read only as regular files of the "
                   "%s (a planted link could name someone else's key): remove the link and "
                   "restore the file from a backup", pr->what, path, pr->dir_noun);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "%s: %s cannot be opened (%s); restore it from a backup", pr->what, path,
                   strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "%s: %s is not a regular file; restore it from a backup", pr->what, path);
    ARCA_CHECK(check_private(pr, path, &st, 0, public_file));
    buf = malloc(max + 1);
    if (!buf)
        ARCA_RAISE(ARCA_ERR_OUT_OF_MEMORY, "%s: out of memory reading %s", pr->what, path);
    /* Up to one byte more than allowed, so that a longer file is seen to be longer. */
    while (got <= max) {
        ssize_t r = read(fd, buf + got, max + 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "%s: cannot read %s: %s", pr->what, path,
                       strerror(errno));
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got > max)
        ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED,
                   "%s: %s is larger than the %zu bytes such a file has; restore it from a backup",
                   pr->what, path, max);
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

/* Write all of @p len bytes to @p fd and flush them to disk. */
static arca_result_t write_all(const arca__keydir_profile *pr, int fd, const char *path,
                               const void *data, size_t len)
{
    arca_result_t result = ARCA_OK;
    const uint8_t *b = data;
    while (len > 0) {
        ssize_t w = write(fd, b, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot write %s: %s", pr->what, path,
                       w < 0 ? strerror(errno) : "short write");
        b += w;
        len -= (size_t)w;
    }
    if (fsync(fd) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot flush %s: %s", pr->what, path, strerror(errno));
done:
    return result;
}

arca_result_t arca__keydir_write_new_file(const arca__keydir_profile *pr, const char *path,
                                          const void *data, size_t len, unsigned mode)
{
    arca_result_t result = ARCA_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot create %s: %s", pr->what, path, strerror(errno));
    /* Exactly this mode, whatever the umask took away or would have let through. */
    if (fchmod(fd, (mode_t)mode) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot set the mode of %s: %s", pr->what, path,
                   strerror(errno));
    ARCA_CHECK(write_all(pr, fd, path, data, len));
done:
    if (fd >= 0)
        close(fd);
    return result;
}

/* Flush the directory @p fd, or the one holding @p path (fd < 0), so a rename in it lasts. */
static void sync_dir(int fd, const char *path)
{
    char parent[PATH_MAX];
    if (fd >= 0) {
        (void)fsync(fd);
        return;
    }
    if (!path)
        return;
    size_t len = strnlen(path, sizeof parent);
    if (len >= sizeof parent)
        return;
    memcpy(parent, path, len + 1);
    char *slash = strrchr(parent, '/');
    if (!slash || slash == parent)
        return;
    *slash = '\0';
    fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

arca_result_t arca__keydir_replace_file(const arca__platform *p, const char *name,
                                        const void *data, size_t len, unsigned mode)
{
    arca_result_t result = ARCA_OK;
    const arca__keydir_profile *pr = p->profile;
    char tmp[ARCA_KEYDIR_NAME_ROOM], path[PATH_MAX];
    uint8_t r[8];
    int fd = -1, have_tmp = 0;

    ARCA_CHECK(arca__random(r, sizeof r));
    snprintf(tmp, sizeof tmp, ".%.24s.new-%02x%02x%02x%02x%02x%02x%02x%02x", name, r[0], r[1], r[2],
             r[3], r[4], r[5], r[6], r[7]);
    (void)arca__keydir_path(path, p->dir, tmp);
    fd = openat(p->dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot create %s: %s", pr->what, path, strerror(errno));
    have_tmp = 1;
    if (fchmod(fd, (mode_t)mode) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot set the mode of %s: %s", pr->what, path,
                   strerror(errno));
    ARCA_CHECK(write_all(pr, fd, path, data, len));
    if (renameat(p->dir_fd, tmp, p->dir_fd, name) != 0)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot move %s into place as %s: %s", pr->what, path,
                   name, strerror(errno));
    have_tmp = 0;
    sync_dir(p->dir_fd, NULL);
done:
    if (fd >= 0)
        close(fd);
    if (have_tmp)
        unlinkat(p->dir_fd, tmp, 0);
    return result;
}

/* mkdir -p for the parents of path, each new one with mode 0700. */
static arca_result_t make_parents(const arca__keydir_profile *pr, const char *path)
{
    arca_result_t result = ARCA_OK;
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf)
        goto done;
    *slash = '\0';
    for (char *c = buf + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot create %s: %s", pr->what, buf,
                       strerror(errno));
        *c = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot create %s: %s", pr->what, buf, strerror(errno));
done:
    return result;
}

/* Remove the temporary directory and whatever populate left in it (files only). */
static void remove_tree(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(tmp);
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

arca_result_t arca__keydir_ensure(const arca__keydir_profile *pr, const char *dir,
                                  arca__keydir_populate_fn populate, void *ctx, int *created)
{
    arca_result_t result = ARCA_OK;
    char tmp[PATH_MAX];
    struct stat st;
    int have_tmp = 0;

    *created = 0;
    if (lstat(dir, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            goto done; /* never created through a link; arca__keydir_open_dir says why */
        if (!S_ISDIR(st.st_mode))
            ARCA_RAISE(ARCA_ERR_PLATFORM_DAMAGED, "%s: %s exists but is not a directory", pr->what,
                       dir);
        int empty = dir_is_empty(dir);
        if (empty < 0)
            ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot read %s: %s", pr->what, dir, strerror(errno));
        if (!empty)
            goto done; /* initialised (or damaged: opening reports which file) */
    } else if (errno != ENOENT) {
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot access %s: %s", pr->what, dir, strerror(errno));
    }

    ARCA_CHECK(make_parents(pr, dir));
    if (strlen(dir) + sizeof ".init-XXXXXX" > sizeof tmp)
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: %s path is too long", pr->what, pr->dir_noun);
    memcpy(tmp, dir, strlen(dir));
    memcpy(tmp + strlen(dir), ".init-XXXXXX", sizeof ".init-XXXXXX");
    if (!mkdtemp(tmp)) /* mode 0700 */
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot create a directory next to %s: %s", pr->what, dir,
                   strerror(errno));
    have_tmp = 1;
    ARCA_CHECK(populate(ctx, tmp));
    /* Atomic: replaces a missing or empty directory, fails if another process won. */
    if (rename(tmp, dir) == 0) {
        have_tmp = 0;
        *created = 1;
        sync_dir(-1, dir);
    } else if (errno != EEXIST && errno != ENOTEMPTY) {
        ARCA_RAISE(ARCA_ERR_PLATFORM, "%s: cannot move the new platform into %s: %s", pr->what, dir,
                   strerror(errno));
    }
done:
    if (have_tmp)
        remove_tree(tmp);
    return result;
}
