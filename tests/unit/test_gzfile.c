/* tests/unit/test_gzfile.c - whole-file gzip reads: gzip and plain files,
 * the output cap, a missing file and corrupt data. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/gzfile.h"

static void test_gzip_and_plain(void **state)
{
    (void)state;
    char dir[] = "/tmp/za_test_gz_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char gz[256], plain[256], bad[256];
    snprintf(gz, sizeof gz, "%s/a.gz", dir);
    snprintf(plain, sizeof plain, "%s/a.bin", dir);
    snprintf(bad, sizeof bad, "%s/bad.gz", dir);
    size_t n = 3 * (1 << 20) + 17; /* crosses the reader's buffer growth */
    uint8_t *src = malloc(n);
    for (size_t i = 0; i < n; i++)
        src[i] = (uint8_t)(i * 131 + (i >> 9));
    gzFile g = gzopen(gz, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, src, (unsigned)n), (int)n);
    gzclose(g);
    FILE *f = fopen(plain, "wb");
    assert_int_equal(fwrite(src, 1, n, f), n);
    fclose(f);
    uint8_t *out;
    size_t len;
    za_error err;
    assert_int_equal(za_read_gzip_file(gz, 1 << 24, &out, &len, &err), ZA_OK);
    assert_int_equal(len, n);
    assert_memory_equal(out, src, n);
    free(out);
    assert_int_equal(za_read_gzip_file(plain, 1 << 24, &out, &len, &err), ZA_OK);
    assert_int_equal(len, n);
    assert_memory_equal(out, src, n);
    free(out);
    /* the cap applies to the decompressed size */
    assert_int_equal(za_read_gzip_file(gz, 1 << 20, &out, &len, &err), ZA_ERR_LIMIT);
    assert_null(out);
    assert_non_null(strstr(err.msg, "decompressed"));
    /* missing file */
    assert_int_equal(za_read_gzip_file("/nonexistent/x.gz", 1 << 20, &out, &len, &err), ZA_ERR_IO);
    assert_non_null(strstr(err.msg, "/nonexistent/x.gz"));
    /* a gzip header followed by garbage */
    f = fopen(bad, "wb");
    const uint8_t hdr[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0x13, 0x37 };
    fwrite(hdr, 1, sizeof hdr, f);
    fclose(f);
    assert_int_equal(za_read_gzip_file(bad, 1 << 20, &out, &len, &err), ZA_ERR_MALFORMED);
    assert_null(out);
    unlink(gz);
    unlink(plain);
    unlink(bad);
    rmdir(dir);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_gzip_and_plain) };
    return cmocka_run_group_tests_name("gzfile", tests, NULL, NULL);
}
