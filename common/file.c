/* common/file.c - whole-file reads, atomic writes, mkdir -p (see file.h).
 *
 * Every system call is retried on EINTR and every short read or write is
 * continued, and each error names the path and the errno text, because these
 * are the messages a user sees when a disk is full or a path is wrong.
 */
#include "common/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK ((size_t)64 << 10) /* first buffer when the size is unknown */

za_status za_read_file(const char *path, size_t max_len, uint8_t **data,
                       size_t *len, za_error *err)
{
    *data = NULL;
    *len = 0;
    if (path == NULL)
        return za_error_set(err, ZA_ERR_ARG, "file path is missing");
    /* Room for one byte past the limit (to detect it) and the NUL. */
    if (max_len > SIZE_MAX - 2)
        max_len = SIZE_MAX - 2;

    int fd;
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return za_error_set(err, ZA_ERR_IO, "cannot open %s: %s", path, strerror(errno));

    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return za_error_set(err, ZA_ERR_IO, "cannot stat %s: %s", path, strerror(e));
    }
    /* Regular files: refuse an oversized file before allocating anything and
     * size the buffer exactly (+1 so that EOF is seen without a realloc).
     * Pipes and /proc files report size 0, so they grow from READ_CHUNK. */
    size_t cap;
    if (S_ISREG(st.st_mode)) {
        if (st.st_size < 0 || (uintmax_t)st.st_size > max_len) {
            close(fd);
            return za_error_set(err, ZA_ERR_LIMIT,
                                "%s is %jd bytes, larger than the limit of %zu bytes",
                                path, (intmax_t)st.st_size, max_len);
        }
        cap = (size_t)st.st_size + 1;
    } else {
        cap = READ_CHUNK < max_len + 1 ? READ_CHUNK : max_len + 1;
    }

    uint8_t *buf = malloc(cap + 1);
    if (buf == NULL) {
        close(fd);
        return za_error_set(err, ZA_ERR_NOMEM, "cannot read %s: out of memory for %zu bytes",
                            path, cap);
    }
    size_t n = 0;
    za_status st_code = ZA_OK;
    for (;;) {
        if (n == cap) {
            /* Full buffer: either the file grew since fstat or its size was
             * unknown.  Grow, but never past max_len + 1 bytes. */
            if (cap > max_len) {
                st_code = za_error_set(err, ZA_ERR_LIMIT,
                                       "%s is larger than the limit of %zu bytes",
                                       path, max_len);
                break;
            }
            size_t ncap = cap <= (max_len + 1) / 2 ? cap * 2 : max_len + 1;
            uint8_t *nbuf = realloc(buf, ncap + 1);
            if (nbuf == NULL) {
                st_code = za_error_set(err, ZA_ERR_NOMEM,
                                       "cannot read %s: out of memory for %zu bytes",
                                       path, ncap);
                break;
            }
            buf = nbuf;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            st_code = za_error_set(err, ZA_ERR_IO, "cannot read %s at offset %zu: %s",
                                   path, n, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (st_code != ZA_OK) {
        free(buf);
        return st_code;
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return ZA_OK;
}

/* fsync the directory holding path, so that the rename itself survives a
 * crash.  Best effort: some filesystems refuse fsync on directories, and the
 * new file is already complete and in place by now. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (slash == NULL)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Write all of data to fd, continuing short writes. Returns 0 or an errno. */
static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (w == 0)
            return EIO; /* no progress and no errno: do not spin */
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

za_status za_write_file_atomic(const char *path, const void *data, size_t len,
                               za_error *err)
{
    if (path == NULL || path[0] == '\0')
        return za_error_set(err, ZA_ERR_ARG, "file path is missing");
    if (data == NULL && len > 0)
        return za_error_set(err, ZA_ERR_ARG, "no data for %zu bytes to %s", len, path);

    /* Same directory as path, so rename() never crosses filesystems. */
    size_t tmp_size = strlen(path) + 32;
    char *tmp = malloc(tmp_size);
    if (tmp == NULL)
        return za_error_set(err, ZA_ERR_NOMEM, "cannot write %s: out of memory", path);
    snprintf(tmp, tmp_size, "%s.tmp.%ld", path, (long)getpid());

    /* O_TRUNC, not O_EXCL: a stale temp left by a crashed run with the same
     * pid (common in containers) must not block writes forever.  O_NOFOLLOW
     * keeps a planted symlink from redirecting the write. */
    int fd;
    do {
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        za_status s = za_error_set(err, ZA_ERR_IO, "cannot create %s (to write %s): %s",
                                   tmp, path, strerror(e));
        free(tmp);
        return s;
    }

    const char *what = NULL;
    int e = write_all(fd, data, len);
    if (e != 0)
        what = "cannot write";
    if (what == NULL && fsync(fd) != 0) {
        e = errno;
        what = "cannot sync";
    }
    /* close() can report a deferred write error (NFS), so it is checked. */
    if (close(fd) != 0 && what == NULL) {
        e = errno;
        what = "cannot close";
    }
    if (what == NULL && rename(tmp, path) != 0) {
        e = errno;
        what = "cannot rename temporary file over";
    }
    if (what != NULL) {
        unlink(tmp);
        free(tmp);
        return za_error_set(err, ZA_ERR_IO, "%s %s: %s", what, path, strerror(e));
    }
    free(tmp);
    sync_parent_dir(path);
    return ZA_OK;
}

/* Create one directory; fine if a directory is already there. */
static za_status mkdir_one(const char *dir, const char *full, za_error *err)
{
    if (mkdir(dir, 0777) == 0)
        return ZA_OK;
    int e = errno;
    /* Any failure (EEXIST, but also EACCES or EROFS on an existing parent)
     * is fine if the directory exists. */
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return ZA_OK;
        return za_error_set(err, ZA_ERR_IO, "cannot create directory %s: %s exists "
                            "and is not a directory", full, dir);
    }
    if (strcmp(dir, full) == 0)
        return za_error_set(err, ZA_ERR_IO, "cannot create directory %s: %s", full,
                            strerror(e));
    return za_error_set(err, ZA_ERR_IO, "cannot create directory %s: at %s: %s", full,
                        dir, strerror(e));
}

za_status za_mkdir_p(const char *dir, za_error *err)
{
    if (dir == NULL || dir[0] == '\0')
        return za_error_set(err, ZA_ERR_ARG, "directory path is missing");
    char *copy = strdup(dir);
    if (copy == NULL)
        return za_error_set(err, ZA_ERR_NOMEM, "cannot create directory %s: out of memory",
                            dir);
    za_status st = ZA_OK;
    /* Cut the path at each '/' in turn (skipping a leading one) and create
     * each prefix; repeated or trailing slashes just repeat a prefix. */
    for (char *p = copy + 1; *p != '\0' && st == ZA_OK; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        st = mkdir_one(copy, dir, err);
        *p = '/';
    }
    if (st == ZA_OK)
        st = mkdir_one(copy, dir, err);
    free(copy);
    return st;
}
