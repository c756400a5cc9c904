/* tests/unit/test_common.c - cmocka suite for common/: errors, logging,
 * progress, SHA-256, hex and file helpers.
 *
 * Scratch files live in one mkdtemp directory under /tmp, removed at the end.
 * Output to stderr is checked by pointing fd 2 at a file (or a pseudo-terminal
 * for the progress bar) with dup2.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, nftw: test-only needs */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/sha256.h"

static char scratch[64]; /* the suite's mkdtemp directory */

/* ---- helpers ---------------------------------------------------------- */

static void scratch_path(char *out, size_t out_len, const char *name)
{
    int n = snprintf(out, out_len, "%s/%s", scratch, name);
    assert_true(n > 0 && (size_t)n < out_len);
}

static void assert_digest(const uint8_t d[ZA_SHA256_LEN], const char *want_hex)
{
    char got[2 * ZA_SHA256_LEN + 1];
    za_hex_encode(d, ZA_SHA256_LEN, got);
    assert_string_equal(got, want_hex);
}

/* Deterministic bytes, so a failure reproduces exactly. */
static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}

/* Number of entries in dir other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Point fd 2 at a fresh file; returns the saved fd for end_capture. */
static int begin_capture(const char *path)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    close(fd);
    return saved;
}

static void end_capture(int saved)
{
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
}

/* Whole file as a NUL-terminated string (caller frees). */
static char *slurp(const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    za_error err;
    assert_int_equal(za_read_file(path, 1 << 24, &data, &len, &err), ZA_OK);
    return (char *)data;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int suite_setup(void **state)
{
    (void)state;
    snprintf(scratch, sizeof scratch, "/tmp/za_test_common_XXXXXX");
    return mkdtemp(scratch) == NULL ? -1 : 0;
}

static int suite_teardown(void **state)
{
    (void)state;
    return nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- SHA-256 ---------------------------------------------------------- */

static void test_sha256_vectors(void **state)
{
    (void)state;
    uint8_t d[ZA_SHA256_LEN];
    za_sha256("", 0, d);
    assert_digest(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    za_sha256("abc", 3, d);
    assert_digest(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *v448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    za_sha256(v448, strlen(v448), d);
    assert_digest(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    size_t n = 1000000;
    char *a = malloc(n);
    assert_non_null(a);
    memset(a, 'a', n);
    za_sha256(a, n, d);
    assert_digest(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* The same million 'a's fed one byte at a time through a context. */
    za_sha256_ctx c;
    za_sha256_init(&c);
    for (size_t i = 0; i < n; i++)
        za_sha256_update(&c, "a", 1);
    za_sha256_final(&c, d);
    assert_digest(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

static void test_sha256_streaming(void **state)
{
    (void)state;
    enum { N = 10007 };
    static uint8_t buf[N];
    fill_pattern(buf, N, 42);
    uint8_t one[ZA_SHA256_LEN], many[ZA_SHA256_LEN];
    za_sha256(buf, N, one);

    /* Chunk sizes straddling the 64-byte block boundary. */
    static const size_t chunks[] = {1, 3, 7, 55, 63, 64, 65, 127, 1000, 4096};
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        za_sha256_ctx c;
        za_sha256_init(&c);
        size_t off = 0;
        while (off < N) {
            size_t step = chunks[k] < N - off ? chunks[k] : N - off;
            za_sha256_update(&c, buf + off, step);
            za_sha256_update(&c, buf + off, 0); /* empty updates change nothing */
            off += step;
        }
        za_sha256_final(&c, many);
        assert_memory_equal(one, many, ZA_SHA256_LEN);
    }
}

static void test_sha256_file(void **state)
{
    (void)state;
    char path[256];
    za_error err;
    uint8_t want[ZA_SHA256_LEN], got[ZA_SHA256_LEN];

    /* 3 MiB + 17 bytes: crosses the 1 MiB read chunk and ends mid-chunk. */
    size_t n = (3u << 20) + 17;
    uint8_t *data = malloc(n);
    assert_non_null(data);
    fill_pattern(data, n, 7);
    scratch_path(path, sizeof path, "hash.bin");
    assert_int_equal(za_write_file_atomic(path, data, n, &err), ZA_OK);
    za_sha256(data, n, want);
    assert_int_equal(za_sha256_file(path, got, &err), ZA_OK);
    assert_memory_equal(want, got, ZA_SHA256_LEN);

    memset(data, 'a', 1000000);
    assert_int_equal(za_write_file_atomic(path, data, 1000000, &err), ZA_OK);
    assert_int_equal(za_sha256_file(path, got, &err), ZA_OK);
    assert_digest(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    assert_int_equal(za_write_file_atomic(path, NULL, 0, &err), ZA_OK);
    assert_int_equal(za_sha256_file(path, got, &err), ZA_OK);
    assert_digest(got, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    free(data);

    scratch_path(path, sizeof path, "no-such-file");
    assert_int_equal(za_sha256_file(path, got, &err), ZA_ERR_IO);
    assert_int_equal(err.code, ZA_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "No such file"));
}

/* ---- hex -------------------------------------------------------------- */

static void test_hex_roundtrip(void **state)
{
    (void)state;
    uint8_t in[256], out[256];
    char hex[513];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    za_hex_encode(in, 256, hex);
    assert_int_equal(strlen(hex), 512);
    assert_memory_equal(hex, "000102030405060708090a0b0c0d0e0f10", 34);
    assert_string_equal(hex + 500, "fafbfcfdfeff");
    za_error err;
    assert_int_equal(za_hex_decode(hex, out, 256, &err), ZA_OK);
    assert_memory_equal(in, out, 256);

    /* Upper case is accepted; empty string decodes to zero bytes. */
    uint8_t two[2];
    assert_int_equal(za_hex_decode("DEad", two, 2, &err), ZA_OK);
    assert_int_equal(two[0], 0xde);
    assert_int_equal(two[1], 0xad);
    assert_int_equal(za_hex_decode("", two, 0, &err), ZA_OK);
    za_hex_encode(in, 0, hex);
    assert_string_equal(hex, "");
}

static void test_hex_rejects(void **state)
{
    (void)state;
    uint8_t out[4] = {0x11, 0x22, 0x33, 0x44};
    za_error err;

    assert_int_equal(za_hex_decode("0011223", out, 4, &err), ZA_ERR_MALFORMED);
    assert_int_equal(err.code, ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "odd"));
    assert_non_null(strstr(err.msg, "found 7"));

    assert_int_equal(za_hex_decode("001g2233", out, 4, &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "'g'"));
    assert_non_null(strstr(err.msg, "position 3"));

    assert_int_equal(za_hex_decode("00 12233", out, 4, &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "position 2"));
    assert_int_equal(za_hex_decode("0011\n233", out, 4, &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "0x0a at position 4"));

    assert_int_equal(za_hex_decode("001122", out, 4, &err), ZA_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "expected 8"));
    assert_non_null(strstr(err.msg, "found 6"));
    assert_int_equal(za_hex_decode("0011223344", out, 4, &err), ZA_ERR_MALFORMED);

    /* A failed decode leaves the output alone. */
    assert_int_equal(out[0], 0x11);
    assert_int_equal(out[3], 0x44);
    assert_int_equal(za_hex_decode(NULL, out, 4, &err), ZA_ERR_ARG);
    assert_int_equal(za_hex_decode("zz", out, 1, NULL), ZA_ERR_MALFORMED);
}

/* ---- errors ----------------------------------------------------------- */

static void test_error_set_and_truncate(void **state)
{
    (void)state;
    za_error err;
    za_error_clear(&err);
    assert_int_equal(err.code, ZA_OK);
    assert_string_equal(err.msg, "");

    assert_int_equal(za_error_set(&err, ZA_ERR_IO, "cannot open %s: %d", "x.bin", 5),
                     ZA_ERR_IO);
    assert_string_equal(err.msg, "cannot open x.bin: 5");
    assert_int_equal(za_error_set(NULL, ZA_ERR_LIMIT, "ignored"), ZA_ERR_LIMIT);

    char big[4000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(za_error_set(&err, ZA_ERR_MALFORMED, "%s%s", big, big),
                     ZA_ERR_MALFORMED);
    assert_int_equal(strlen(err.msg), ZA_ERROR_MSG_MAX - 1);
    assert_string_equal(err.msg + ZA_ERROR_MSG_MAX - 4, "...");
    assert_int_equal(err.msg[0], 'x');

    /* A cut never leaves half a UTF-8 character before the "...". */
    char utf[3001];
    for (int i = 0; i < 1000; i++)
        memcpy(utf + 3 * i, "\xe2\x82\xac", 3); /* U+20AC, 3 bytes */
    utf[3000] = '\0';
    /* "xy" puts the plain cut point inside a character, forcing a back-off. */
    za_error_set(&err, ZA_ERR_IO, "xy%s", utf);
    size_t len = strlen(err.msg);
    assert_true(len < ZA_ERROR_MSG_MAX - 1);
    assert_string_equal(err.msg + len - 3, "...");
    assert_int_equal((len - 3 - 2) % 3, 0);
    assert_memory_equal(err.msg + len - 6, "\xe2\x82\xac...", 6);

    za_error_clear(&err);
    assert_string_equal(err.msg, "");
    za_error_clear(NULL);
}

static void test_error_prefix(void **state)
{
    (void)state;
    za_error err;
    za_error_set(&err, ZA_ERR_MALFORMED, "offset 12: bad magic");
    assert_int_equal(za_error_prefix(&err, "%s", "model.tflite"), ZA_ERR_MALFORMED);
    assert_string_equal(err.msg, "model.tflite: offset 12: bad magic");
    assert_int_equal(err.code, ZA_ERR_MALFORMED);
    assert_int_equal(za_error_prefix(NULL, "x"), ZA_OK);

    /* Prefixing an empty message gives just the prefix. */
    za_error_set(&err, ZA_ERR_IO, "%s", "");
    za_error_prefix(&err, "p");
    assert_string_equal(err.msg, "p");

    /* Overflow: a near-full message plus a prefix is cut, prefix first. */
    char body[ZA_ERROR_MSG_MAX];
    memset(body, 'm', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    za_error_set(&err, ZA_ERR_LIMIT, "%s", body);
    assert_int_equal(za_error_prefix(&err, "dataset %d", 7), ZA_ERR_LIMIT);
    assert_int_equal(strlen(err.msg), ZA_ERROR_MSG_MAX - 1);
    assert_memory_equal(err.msg, "dataset 7: mmm", 14);
    assert_string_equal(err.msg + ZA_ERROR_MSG_MAX - 4, "...");

    /* Overflow from the prefix alone. */
    char pre[1000];
    memset(pre, 'p', sizeof pre - 1);
    pre[sizeof pre - 1] = '\0';
    za_error_set(&err, ZA_ERR_IO, "tail");
    za_error_prefix(&err, "%s", pre);
    assert_int_equal(strlen(err.msg), ZA_ERROR_MSG_MAX - 1);
    assert_int_equal(err.msg[0], 'p');
    assert_string_equal(err.msg + ZA_ERROR_MSG_MAX - 4, "...");
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(za_status_name(ZA_OK), "ok");
    assert_string_equal(za_status_name(ZA_ERR_NOMEM), "out of memory");
    assert_string_equal(za_status_name(ZA_ERR_IO), "i/o error");
    assert_string_equal(za_status_name(ZA_ERR_MALFORMED), "malformed input");
    assert_string_equal(za_status_name(ZA_ERR_UNSUPPORTED), "unsupported");
    assert_string_equal(za_status_name(ZA_ERR_ARG), "bad argument");
    assert_string_equal(za_status_name(ZA_ERR_LIMIT), "limit exceeded");
    assert_string_equal(za_status_name(ZA_ERR_MISMATCH), "mismatch");
    assert_string_equal(za_status_name((za_status)99), "unknown error");
}

/* ---- files ------------------------------------------------------------ */

static void test_write_atomic(void **state)
{
    (void)state;
    char dir[256], path[256];
    za_error err;
    scratch_path(dir, sizeof dir, "atomic");
    assert_int_equal(za_mkdir_p(dir, &err), ZA_OK);
    scratch_path(path, sizeof path, "atomic/out.json");

    const char *v1 = "{\"version\": 1, \"payload\": \"first\"}\n";
    assert_int_equal(za_write_file_atomic(path, v1, strlen(v1), &err), ZA_OK);
    char *got = slurp(path);
    assert_string_equal(got, v1);
    free(got);
    assert_int_equal(count_entries(dir), 1); /* no "<path>.tmp.<pid>" left */

    /* Overwrite with shorter content: no tail of the old file survives. */
    const char *v2 = "{}";
    assert_int_equal(za_write_file_atomic(path, v2, 2, &err), ZA_OK);
    uint8_t *data;
    size_t len;
    assert_int_equal(za_read_file(path, 100, &data, &len, &err), ZA_OK);
    assert_int_equal(len, 2);
    assert_memory_equal(data, "{}", 2);
    free(data);
    assert_int_equal(count_entries(dir), 1);

    /* Binary content with NULs, written exactly. */
    uint8_t bin[5000];
    fill_pattern(bin, sizeof bin, 3);
    bin[0] = 0;
    assert_int_equal(za_write_file_atomic(path, bin, sizeof bin, &err), ZA_OK);
    assert_int_equal(za_read_file(path, sizeof bin, &data, &len, &err), ZA_OK);
    assert_int_equal(len, sizeof bin);
    assert_memory_equal(data, bin, sizeof bin);
    free(data);
}

static void test_write_atomic_failures(void **state)
{
    (void)state;
    char dir[256], path[300];
    za_error err;
    scratch_path(dir, sizeof dir, "atomic_fail");
    assert_int_equal(za_mkdir_p(dir, &err), ZA_OK);

    /* Parent directory missing: clean ZA_ERR_IO naming the path. */
    snprintf(path, sizeof path, "%s/missing/out.bin", dir);
    assert_int_equal(za_write_file_atomic(path, "x", 1, &err), ZA_ERR_IO);
    assert_int_equal(err.code, ZA_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "No such file"));
    assert_int_equal(count_entries(dir), 0);

    /* Rename fails (target is a directory): the temp file is removed and the
     * directory is untouched. */
    snprintf(path, sizeof path, "%s/isdir", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(za_write_file_atomic(path, "data", 4, &err), ZA_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(count_entries(dir), 1);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));

    assert_int_equal(za_write_file_atomic("", "x", 1, &err), ZA_ERR_ARG);
    assert_int_equal(za_write_file_atomic(path, NULL, 3, &err), ZA_ERR_ARG);
}

static void test_read_file(void **state)
{
    (void)state;
    char path[256];
    za_error err;
    uint8_t *data = (uint8_t *)"sentinel";
    size_t len = 99;

    scratch_path(path, sizeof path, "empty");
    assert_int_equal(za_write_file_atomic(path, NULL, 0, &err), ZA_OK);
    assert_int_equal(za_read_file(path, 0, &data, &len, &err), ZA_OK);
    assert_non_null(data);
    assert_int_equal(len, 0);
    assert_int_equal(data[0], 0);
    free(data);

    scratch_path(path, sizeof path, "ten");
    assert_int_equal(za_write_file_atomic(path, "0123456789", 10, &err), ZA_OK);
    assert_int_equal(za_read_file(path, 10, &data, &len, &err), ZA_OK);
    assert_int_equal(len, 10);
    assert_string_equal((char *)data, "0123456789"); /* NUL-terminated */
    free(data);

    assert_int_equal(za_read_file(path, 9, &data, &len, &err), ZA_ERR_LIMIT);
    assert_int_equal(err.code, ZA_ERR_LIMIT);
    assert_null(data);
    assert_int_equal(len, 0);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "10 bytes"));

    scratch_path(path, sizeof path, "absent");
    assert_int_equal(za_read_file(path, 10, &data, &len, &err), ZA_ERR_IO);
    assert_null(data);
    assert_non_null(strstr(err.msg, path));

    /* Directories fail to read (EISDIR) with an i/o error. */
    assert_int_equal(za_read_file(scratch, 10, &data, &len, &err), ZA_ERR_IO);
    assert_null(data);
}

/* Files whose size fstat cannot tell (a pipe) take the growing path. */
static void test_read_file_pipe(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    static uint8_t payload[50000];
    fill_pattern(payload, sizeof payload, 11);
    /* 50000 bytes fit in a Linux pipe buffer (64 KiB), so no writer thread. */
    assert_int_equal(write(fds[1], payload, sizeof payload), (ssize_t)sizeof payload);
    close(fds[1]);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    uint8_t *data;
    size_t len;
    za_error err;
    assert_int_equal(za_read_file(path, sizeof payload, &data, &len, &err), ZA_OK);
    assert_int_equal(len, sizeof payload);
    assert_memory_equal(data, payload, sizeof payload);
    free(data);
    close(fds[0]);

    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], payload, 1000), 1000);
    close(fds[1]);
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    assert_int_equal(za_read_file(path, 999, &data, &len, &err), ZA_ERR_LIMIT);
    assert_null(data);
    close(fds[0]);
}

static void test_mkdir_p(void **state)
{
    (void)state;
    char path[256], file[300];
    za_error err;
    scratch_path(path, sizeof path, "m/n//o/p/");
    assert_int_equal(za_mkdir_p(path, &err), ZA_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(za_mkdir_p(path, &err), ZA_OK); /* already there: fine */
    assert_int_equal(za_mkdir_p("/", &err), ZA_OK);

    /* A component that is a regular file. */
    snprintf(file, sizeof file, "%s/m/file", scratch);
    assert_int_equal(za_write_file_atomic(file, "x", 1, &err), ZA_OK);
    snprintf(file, sizeof file, "%s/m/file/sub", scratch);
    assert_int_equal(za_mkdir_p(file, &err), ZA_ERR_IO);
    assert_non_null(strstr(err.msg, "not a directory"));
    assert_int_equal(za_mkdir_p("", &err), ZA_ERR_ARG);
}

/* ---- logging ---------------------------------------------------------- */

static void test_log_format(void **state)
{
    (void)state;
    char path[256];
    scratch_path(path, sizeof path, "log.txt");
    int saved = begin_capture(path);
    za_log_init("/usr/local/bin/buyer", ZA_LOG_INFO);
    assert_int_equal(za_log_threshold(), ZA_LOG_INFO);
    za_log_info("imported %d examples", 60000);
    za_log_warn("slow disk");
    za_log_error("bad %s", "thing");
    za_log_debug("not shown at INFO");
    za_error err;
    za_error_set(&err, ZA_ERR_LIMIT, "x.bin is too big");
    za_log_report(&err);
    za_log_init("seller", ZA_LOG_DEBUG);
    za_log_debug("now shown");
    za_log_init("quiet", ZA_LOG_ERROR);
    za_log_warn("hidden");
    end_capture(saved);
    za_log_init("zkaudit", ZA_LOG_INFO);

    char *got = slurp(path);
    assert_string_equal(got,
                        "buyer: imported 60000 examples\n"
                        "buyer: warning: slow disk\n"
                        "buyer: error: bad thing\n"
                        "buyer: error: limit exceeded: x.bin is too big\n"
                        "seller: debug: now shown\n");
    free(got);

    /* Lines longer than the internal stack buffer arrive whole. */
    saved = begin_capture(path);
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    za_log_info("%s", big);
    end_capture(saved);
    got = slurp(path);
    assert_int_equal(strlen(got), strlen("zkaudit: ") + sizeof big - 1 + 1);
    assert_memory_equal(got, "zkaudit: qqq", 12);
    free(got);
}

enum { LOG_THREADS = 4, LOG_LINES = 300 };

static void *log_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < LOG_LINES; i++)
        za_log_info("worker %d line %04d %s", id, i, "padding-padding-padding");
    return NULL;
}

/* Concurrent loggers never interleave within a line. */
static void test_log_threads(void **state)
{
    (void)state;
    char path[256];
    scratch_path(path, sizeof path, "log_threads.txt");
    int saved = begin_capture(path);
    pthread_t t[LOG_THREADS];
    for (int i = 0; i < LOG_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, log_worker, (void *)(intptr_t)i), 0);
    for (int i = 0; i < LOG_THREADS; i++)
        pthread_join(t[i], NULL);
    end_capture(saved);

    char *got = slurp(path);
    int lines = 0;
    for (char *save = NULL, *l = strtok_r(got, "\n", &save); l != NULL;
         l = strtok_r(NULL, "\n", &save)) {
        int id, n, consumed = 0;
        assert_int_equal(sscanf(l, "zkaudit: worker %d line %d padding-padding-padding%n",
                                &id, &n, &consumed), 2);
        assert_int_equal((size_t)consumed, strlen(l));
        lines++;
    }
    assert_int_equal(lines, LOG_THREADS * LOG_LINES);
    free(got);
}

/* ---- progress and clocks ---------------------------------------------- */

static void test_progress_silent_without_tty(void **state)
{
    (void)state;
    char path[256];
    scratch_path(path, sizeof path, "progress.txt");
    int saved = begin_capture(path);
    za_progress p;
    za_progress_start(&p, "proving", 100, NULL);
    assert_int_equal(p.active, 0);
    for (uint64_t i = 0; i <= 100; i++)
        za_progress_update(&p, i);
    assert_int_equal(p.done, 100);
    za_progress_finish(&p);
    za_progress_start(&p, "hashing", 0, "B");
    za_progress_update(&p, 12345);
    za_progress_finish(&p);
    end_capture(saved);

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_string_equal(p.label, "hashing");
}

/* Read what a pseudo-terminal's master side has, until it goes quiet. */
static size_t drain_pty(int master, char *buf, size_t cap)
{
    size_t n = 0;
    struct pollfd pfd = {.fd = master, .events = POLLIN};
    while (n + 1 < cap && poll(&pfd, 1, 200) > 0) {
        ssize_t r = read(master, buf + n, cap - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    return n;
}

static void test_progress_draws_on_tty(void **state)
{
    (void)state;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        if (master >= 0)
            close(master);
        skip(); /* no pseudo-terminals in this sandbox */
    }
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    assert_true(slave >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(slave, STDERR_FILENO) >= 0);
    close(slave);

    za_progress p;
    za_progress_start(&p, "proving", 100, NULL);
    int was_active = p.active;
    za_progress_update(&p, 10); /* within 0.1 s of the start: not drawn */
    p.last_draw_s -= 1.0;       /* pretend time passed */
    za_progress_update(&p, 45);
    za_log_info("a log line while the bar is up");
    za_progress_update(&p, 100);
    za_progress_finish(&p);
    za_progress_start(&p, "reading", 3 << 20, "B");
    p.last_draw_s -= 1.0;
    za_progress_update(&p, 3 << 19);
    za_progress_finish(&p);

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char out[8192];
    drain_pty(master, out, sizeof out);
    close(master);

    assert_int_equal(was_active, 1);
    assert_int_equal(p.active, 0);
    assert_non_null(strstr(out, "\rproving  [....................]    0/100    0%"));
    assert_null(strstr(out, " 10/100")); /* rate-limited away */
    assert_non_null(strstr(out, "[#########...........]   45/100   45%"));
    assert_non_null(strstr(out, "ETA "));
    assert_non_null(strstr(out, "\033[K"));
    /* The log line erases the bar, then the bar is drawn again below it. */
    assert_non_null(strstr(out, "\r\033[Kzkaudit: a log line while the bar is up\r\n"
                                "\rproving  [#########...........]   45/100"));
    assert_non_null(strstr(out, "[####################]  100/100  100%"));
    assert_non_null(strstr(out, "  in 0:00\033[K\r\n")); /* final line, newline */
    assert_non_null(strstr(out, "1.5 MiB/3.0 MiB   50%"));
}

static void test_format_bytes(void **state)
{
    (void)state;
    char b[32];
    za_format_bytes(0, b, sizeof b);
    assert_string_equal(b, "0 B");
    za_format_bytes(1023, b, sizeof b);
    assert_string_equal(b, "1023 B");
    za_format_bytes(1024, b, sizeof b);
    assert_string_equal(b, "1.0 KiB");
    za_format_bytes(1536, b, sizeof b);
    assert_string_equal(b, "1.5 KiB");
    za_format_bytes((1u << 20) - 1, b, sizeof b);
    assert_string_equal(b, "1.0 MiB");
    za_format_bytes((uint64_t)3 << 30, b, sizeof b);
    assert_string_equal(b, "3.0 GiB");
    za_format_bytes(UINT64_MAX, b, sizeof b);
    assert_string_equal(b, "16.0 EiB");
    za_format_bytes(1536, b, 4);
    assert_string_equal(b, "1.5");
}

static void test_clocks(void **state)
{
    (void)state;
    double prev = za_now_s();
    for (int i = 0; i < 100000; i++) {
        double t = za_now_s();
        assert_true(t >= prev);
        prev = t;
    }
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
    double a = za_now_s();
    nanosleep(&ts, NULL);
    double b = za_now_s();
    assert_true(b - a >= 0.019);
    assert_true(b - a < 5.0);

    double c0 = za_cpu_s();
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < 20000000; i++)
        x += i;
    assert_true(za_cpu_s() > c0);
    assert_true(x > 0);
    assert_true(c0 >= 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_streaming),
        cmocka_unit_test(test_sha256_file),
        cmocka_unit_test(test_hex_roundtrip),
        cmocka_unit_test(test_hex_rejects),
        cmocka_unit_test(test_error_set_and_truncate),
        cmocka_unit_test(test_error_prefix),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_write_atomic),
        cmocka_unit_test(test_write_atomic_failures),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_read_file_pipe),
        cmocka_unit_test(test_mkdir_p),
        cmocka_unit_test(test_log_format),
        cmocka_unit_test(test_log_threads),
        cmocka_unit_test(test_progress_silent_without_tty),
        cmocka_unit_test(test_progress_draws_on_tty),
        cmocka_unit_test(test_format_bytes),
        cmocka_unit_test(test_clocks),
    };
    return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
