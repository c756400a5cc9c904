/* tests/unit/test_private_dataset.c - the hiding dataset commitment of
 * private data mode (protocol/private_dataset.h) and the holder's data layer
 * (datasets/private_data.h, datasets/private_secrets.h):
 *
 *  - known-answer layout: the input digest, the leaf (with a label and with
 *    the "none" marker), node, pad and root recomputed byte by byte from the
 *    documented layout; the root equals the padded tree by definition for
 *    1..33 leaves; the two variants give different roots for the same
 *    leaves; the private tags differ from the public commitment's;
 *  - inclusion proofs verify for every index, both variants, opened or not;
 *    they fail for a changed input byte, label, index, leaf salt, input
 *    salt, input digest, count, variant or sibling; every flipped byte of
 *    the encoding is rejected; every truncation and extension is rejected;
 *  - the data layer over a real index file: two commitments of the same
 *    data draw different salts (and roots); the secrets file is mode 0600
 *    and never overwritten; a reveal of k sampled examples verifies and
 *    holds exactly them; it does not contain the bytes of any unsampled
 *    example (searched for), and a committed-labels reveal contains no
 *    example's bytes at all; a reveal of other indices than the draw, a
 *    swapped index, a changed byte, label or salt in the reveal are caught;
 *    the holder cannot reveal after its data changed; truncated or
 *    extended reveals are refused;
 *  - committed labels: a request's labels come from the reveal of its draw
 *    (a longer reveal of the same draw too); a changed label, another draw,
 *    the other variant's commitment or a shorter reveal are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sha256.h"
#include "datasets/db.h"
#include "datasets/private_data.h"
#include "datasets/private_secrets.h"
#include "protocol/private_dataset.h"
#include "protocol/sampling.h"
#include "tests/unit/testutil.h"

#define MAX_N 33

static void fill(uint8_t *b, size_t n, uint8_t v)
{
    memset(b, v, n);
}

/* ---- known-answer layout ---- */

static void test_layout(void **state)
{
    (void)state;
    uint8_t salt[32], isalt[32], bytes[5] = { 1, 2, 3, 4, 5 }, want[32], got[32];
    fill(salt, 32, 0x11);
    fill(isalt, 32, 0x22);
    /* input digest = SHA-256(tag || input salt || bytes) */
    uint8_t buf[256];
    size_t o = 0;
    memcpy(buf, "zkaudit/private-dataset/input/v1", 32), o = 32;
    memcpy(buf + o, isalt, 32), o += 32;
    memcpy(buf + o, bytes, 5), o += 5;
    za_sha256(buf, o, want);
    zp_pd_input_digest(isalt, bytes, 5, got);
    assert_memory_equal(want, got, 32);
    /* leaf = SHA-256(tag || u64 index || salt || marker || u32 label || digest) */
    const uint8_t idx[8] = { 0x07, 0x01, 0, 0, 0, 0, 0, 0 };
    o = 0;
    memcpy(buf, "zkaudit/private-dataset/leaf/v1", 31), o = 31;
    memcpy(buf + o, idx, 8), o += 8;
    memcpy(buf + o, salt, 32), o += 32;
    buf[o++] = 1;
    buf[o++] = 9, buf[o++] = 0, buf[o++] = 0, buf[o++] = 0;
    memcpy(buf + o, got, 32), o += 32;
    za_sha256(buf, o, want);
    zp_ds_digest leaf, leaf_none;
    zp_pd_leaf(0x107, salt, 1, 9, got, &leaf);
    assert_memory_equal(want, leaf.h, 32);
    /* the "none" marker: 0 and label 0, whatever label is passed */
    buf[31 + 8 + 32] = 0;
    buf[31 + 8 + 32 + 1] = 0;
    za_sha256(buf, o, want);
    zp_pd_leaf(0x107, salt, 0, 9, got, &leaf_none);
    assert_memory_equal(want, leaf_none.h, 32);
    assert_memory_not_equal(leaf.h, leaf_none.h, 32);
    /* node, pad, root */
    zp_ds_digest n1, p0, p1, root;
    o = 0;
    memcpy(buf, "zkaudit/private-dataset/node/v1", 31), o = 31;
    memcpy(buf + o, leaf.h, 32), o += 32;
    memcpy(buf + o, leaf_none.h, 32), o += 32;
    za_sha256(buf, o, want);
    zp_pd_node(&leaf, &leaf_none, &n1);
    assert_memory_equal(want, n1.h, 32);
    za_sha256("zkaudit/private-dataset/pad/v1", 30, want);
    zp_pd_pad(0, &p0);
    assert_memory_equal(want, p0.h, 32);
    zp_pd_pad(1, &p1);
    zp_ds_digest pp;
    zp_pd_node(&p0, &p0, &pp);
    assert_memory_equal(pp.h, p1.h, 32);
    /* root of 3 leaves: node(node(l0, l1), node(l2, pad_0)) with variant and count */
    zp_ds_digest lv[3] = { leaf, leaf_none, leaf }, a, b, t;
    zp_pd_node(&lv[0], &lv[1], &a);
    zp_pd_node(&lv[2], &p0, &b);
    zp_pd_node(&a, &b, &t);
    o = 0;
    memcpy(buf, "zkaudit/private-dataset/root/v1", 31), o = 31;
    buf[o++] = 1;
    const uint8_t cnt[8] = { 3, 0, 0, 0, 0, 0, 0, 0 };
    memcpy(buf + o, cnt, 8), o += 8;
    memcpy(buf + o, t.h, 32), o += 32;
    za_sha256(buf, o, want);
    za_error err;
    assert_int_equal(zp_pd_root(ZP_PD_LABELS, lv, 3, &root, &err), ZA_OK);
    assert_memory_equal(want, root.h, 32);
    /* the other variant: another root over the same leaves */
    zp_ds_digest root0;
    assert_int_equal(zp_pd_root(ZP_PD_NO_LABELS, lv, 3, &root0, &err), ZA_OK);
    assert_memory_not_equal(root.h, root0.h, 32);
    /* the public commitment's tags are other domains */
    zp_ds_digest pub;
    zp_ds_pad(0, &pub);
    assert_memory_not_equal(pub.h, p0.h, 32);
    assert_int_equal(zp_pd_root(ZP_PD_LABELS, lv, 0, &root, &err), ZA_ERR_ARG);
}

/* the root by its definition: pad to 2^depth with pad_0, hash level by level */
static void reference_root(zp_pd_variant v, const zp_ds_digest *leaves, uint64_t n,
                           zp_ds_digest *root)
{
    size_t m = (size_t)1 << zp_ds_depth(n);
    zp_ds_digest *lv = malloc(m * sizeof *lv), pad;
    assert_non_null(lv);
    zp_pd_pad(0, &pad);
    for (size_t i = 0; i < m; i++)
        lv[i] = i < n ? leaves[i] : pad;
    for (; m > 1; m /= 2)
        for (size_t i = 0; i < m / 2; i++)
            zp_pd_node(&lv[2 * i], &lv[2 * i + 1], &lv[i]);
    zp_pd_final_root(v, n, &lv[0], root);
    free(lv);
}

typedef struct {
    uint8_t salt[32], isalt[32], digest[32], bytes[8];
    uint32_t label;
} ex;

static void make(ex *e, zp_ds_digest *leaves, uint64_t n, zp_pd_variant v, uint64_t *rng)
{
    for (uint64_t i = 0; i < n; i++) {
        for (int k = 0; k < 32; k++) {
            e[i].salt[k] = (uint8_t)zt_next(rng);
            e[i].isalt[k] = (uint8_t)zt_next(rng);
        }
        for (int k = 0; k < 8; k++)
            e[i].bytes[k] = (uint8_t)zt_next(rng);
        e[i].label = v == ZP_PD_LABELS ? (uint32_t)(i % 10) : 0;
        zp_pd_input_digest(e[i].isalt, e[i].bytes, 8, e[i].digest);
        zp_pd_leaf(i, e[i].salt, v == ZP_PD_LABELS, e[i].label, e[i].digest, &leaves[i]);
    }
}

static void proof_of(const ex *e, uint64_t i, zp_pd_variant v, int opened, zp_pd_proof *p)
{
    memset(p, 0, sizeof *p);
    p->variant = v;
    memcpy(p->salt, e[i].salt, 32);
    p->has_label = v == ZP_PD_LABELS;
    p->label = e[i].label;
    memcpy(p->input_digest, e[i].digest, 32);
    p->opened = opened;
    if (opened)
        memcpy(p->input_salt, e[i].isalt, 32);
}

static int verifies(const zp_pd_proof *p, const zp_ds_digest *root, uint64_t n, zp_pd_variant v,
                    uint64_t index, const uint8_t *bytes)
{
    za_error err;
    return zp_pd_proof_verify(p, root, n, v, index, &err) == ZA_OK &&
           (!p->opened || zp_pd_proof_check_input(p, bytes, 8, &err) == ZA_OK);
}

static void test_roots_and_proofs(void **state)
{
    (void)state;
    uint64_t rng = zt_seed("private_dataset proofs");
    ex e[MAX_N];
    zp_ds_digest leaves[MAX_N];
    za_error err;
    for (int vv = 0; vv < 2; vv++) {
        zp_pd_variant v = (zp_pd_variant)vv;
        for (uint64_t n = 1; n <= MAX_N; n++) {
            make(e, leaves, n, v, &rng);
            zp_ds_digest root, ref;
            assert_int_equal(zp_pd_root(v, leaves, n, &root, &err), ZA_OK);
            reference_root(v, leaves, n, &ref);
            assert_memory_equal(root.h, ref.h, 32);
            for (uint64_t i = 0; i < n; i++) {
                int opened = (int)(i & 1);
                zp_pd_proof p, q;
                proof_of(e, i, v, opened, &p);
                assert_int_equal(zp_pd_prove(leaves, n, i, &p, &err), ZA_OK);
                assert_true(verifies(&p, &root, n, v, i, e[i].bytes));
                /* a changed byte of the input */
                uint8_t b[8];
                memcpy(b, e[i].bytes, 8);
                b[i % 8] ^= 1;
                if (opened)
                    assert_false(verifies(&p, &root, n, v, i, b));
                /* label, index, salt, input salt, digest, count, variant */
                if (v == ZP_PD_LABELS) {
                    q = p, q.label ^= 1;
                    assert_false(verifies(&q, &root, n, v, i, e[i].bytes));
                }
                assert_false(verifies(&p, &root, n, v, (i + 1) % (n + 1), e[i].bytes));
                q = p, q.index = (i + 1) % n;
                assert_false(n > 1 && verifies(&q, &root, n, v, q.index, e[i].bytes));
                q = p, q.salt[i % 32] ^= 0x80;
                assert_false(verifies(&q, &root, n, v, i, e[i].bytes));
                if (opened) {
                    q = p, q.input_salt[3] ^= 1;
                    assert_false(verifies(&q, &root, n, v, i, e[i].bytes));
                }
                q = p, q.input_digest[0] ^= 1;
                assert_false(verifies(&q, &root, n, v, i, e[i].bytes));
                assert_false(verifies(&p, &root, n + 1, v, i, e[i].bytes));
                assert_false(verifies(&p, &root, n, (zp_pd_variant)!v, i, e[i].bytes));
                if (p.depth) {
                    q = p, q.siblings[p.depth - 1].h[5] ^= 1;
                    assert_false(verifies(&q, &root, n, v, i, e[i].bytes));
                }
                /* the encoding: round trip, every flipped byte, every length */
                uint8_t enc[ZP_PD_PROOF_HEADER + 32 + 32 * ZP_DS_MAX_DEPTH + 8];
                size_t len = zp_pd_proof_encode(&p, enc, sizeof enc);
                assert_int_equal(len, zp_pd_proof_size(&p));
                assert_int_equal(zp_pd_proof_decode(enc, len, &q, &err), ZA_OK);
                assert_true(verifies(&q, &root, n, v, i, e[i].bytes));
                if (n == MAX_N || n == 5) {
                    for (size_t k = 0; k < len; k++) {
                        enc[k] ^= 0x01;
                        int ok = zp_pd_proof_decode(enc, len, &q, &err) == ZA_OK &&
                                 verifies(&q, &root, n, v, i, e[i].bytes);
                        assert_false(ok);
                        enc[k] ^= 0x01;
                    }
                    for (size_t l = 0; l < len + 8; l++)
                        if (l != len)
                            assert_int_not_equal(zp_pd_proof_decode(enc, l, &q, &err), ZA_OK);
                }
            }
        }
    }
    /* a proof refuses a leaf that is not its preimage's */
    make(e, leaves, 4, ZP_PD_LABELS, &rng);
    zp_pd_proof p;
    proof_of(e, 2, ZP_PD_LABELS, 0, &p);
    p.label ^= 1;
    assert_int_equal(zp_pd_prove(leaves, 4, 2, &p, &err), ZA_ERR_MISMATCH);
}

/* ---- the data layer over an index file ---- */

#define EX_BYTES 64
#define N_EX 300

typedef struct {
    uint64_t n, next;
    uint8_t buf[EX_BYTES];
} fake_state;

/* example i: 64 pseudo-random bytes (no two alike, none a substring of a
 * reveal's fixed fields by chance) and label i % 7 */
static void fake_example(uint64_t i, uint8_t *b, uint32_t *label)
{
    uint64_t s = 0x9e3779b97f4a7c15ull * (i + 1);
    for (int k = 0; k < EX_BYTES; k++)
        b[k] = (uint8_t)zt_next(&s);
    *label = (uint32_t)(i % 7);
}

static za_status fake_next(void *state, zd_example *e, int *end, za_error *err)
{
    (void)err;
    fake_state *s = state;
    if (s->next == s->n) {
        *end = 1;
        return ZA_OK;
    }
    fake_example(s->next, s->buf, &e->label);
    e->data = s->buf;
    e->len = EX_BYTES;
    s->next++;
    return ZA_OK;
}

static void fake_close(void *state)
{
    free(state);
}

static const zd_source_ops fake_ops = { fake_next, fake_close };

static char dir[64];

static const char *path_in(const char *name)
{
    static char p[6][256];
    static int k;
    k = (k + 1) % 6;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static zd_db *make_db(const char *name)
{
    const char *p = path_in(name);
    unlink(p);
    zd_db *db;
    za_error err;
    assert_int_equal(zd_db_open(p, 1, &db, &err), ZA_OK);
    zd_source *src = calloc(1, sizeof *src);
    fake_state *s = calloc(1, sizeof *s);
    assert_non_null(src);
    assert_non_null(s);
    s->n = N_EX;
    src->ops = &fake_ops;
    src->state = s;
    strcpy(src->info.format, "fake");
    strcpy(src->info.dtype, "uint8");
    src->info.count = N_EX;
    src->info.rank = 2;
    src->info.shape[0] = 8;
    src->info.shape[1] = 8;
    src->info.n_labels = 7;
    zd_import_opts o = { "docs", "test", "", "v1;identity", NULL, NULL };
    assert_int_equal(zd_db_import(db, src, &o, NULL, &err), ZA_OK);
    zd_source_close(src);
    return db;
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/za_test_pd_XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, m))
            return 1;
    return 0;
}

static void seed_of(uint8_t seed[32], uint8_t tag)
{
    memset(seed, tag, 32);
}

static void test_commit_salts_and_secrets(void **state)
{
    (void)state;
    zd_db *db = make_db("a.db");
    za_error err;
    zp_pd_commitment c1, c2;
    const char *s1 = path_in("s1.db"), *s2 = path_in("s2.db");
    assert_int_equal(zd_private_commit(db, "docs", ZP_PD_LABELS, s1, &c1, &err), ZA_OK);
    assert_int_equal(zd_private_commit(db, "docs", ZP_PD_LABELS, s2, &c2, &err), ZA_OK);
    assert_int_equal(c1.count, N_EX);
    assert_memory_not_equal(c1.root, c2.root, 32);
    struct stat sb;
    assert_int_equal(stat(s1, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    zd_secrets_meta m1, m2;
    uint8_t *a = NULL, *b = NULL;
    assert_int_equal(zd_secrets_read(s1, &m1, &a, &err), ZA_OK);
    assert_int_equal(zd_secrets_read(s2, &m2, &b, &err), ZA_OK);
    assert_memory_equal(m1.root, c1.root, 32);
    assert_int_equal(m1.count, N_EX);
    /* fresh salts: none equal between the two commitments, none equal within one */
    for (uint64_t i = 0; i < N_EX; i++) {
        assert_memory_not_equal(a + 64 * i, b + 64 * i, 32);
        assert_memory_not_equal(a + 64 * i + 32, b + 64 * i + 32, 32);
        assert_memory_not_equal(a + 64 * i, a + 64 * i + 32, 32);
        if (i)
            assert_memory_not_equal(a + 64 * i, a + 64 * (i - 1), 32);
    }
    free(a);
    free(b);
    /* never overwritten */
    assert_int_equal(zd_private_commit(db, "docs", ZP_PD_LABELS, s1, &c2, &err), ZA_ERR_ARG);
    assert_int_equal(zd_secrets_read(s1, &m2, &a, &err), ZA_OK);
    assert_memory_equal(m2.root, c1.root, 32);
    free(a);
    /* the commitment file round trip */
    char *json = NULL;
    assert_int_equal(zp_pd_commitment_to_json(&c1, &json, &err), ZA_OK);
    zp_pd_commitment back;
    assert_int_equal(zp_pd_commitment_parse(json, strlen(json), "c.json", &back, &err), ZA_OK);
    assert_memory_equal(back.root, c1.root, 32);
    assert_int_equal(back.variant, ZP_PD_LABELS);
    assert_int_equal(back.rank, 2);
    assert_int_equal(back.n_labels, 7);
    assert_string_equal(back.prep, "v1;identity");
    free(json);
    /* not a secrets file */
    assert_int_not_equal(zd_secrets_read(path_in("a.db"), &m1, &a, &err), ZA_OK);
    zd_db_close(db);
}

/* a reveal of the first k of the draw of `seed` */
static void reveal(zd_db *db, const zp_pd_commitment *c, const char *secrets, const uint8_t seed[32],
                   uint64_t k, zp_pd_reveal *r, uint8_t **enc, size_t *len)
{
    za_error err;
    uint64_t idx[64];
    assert_true(k <= 64);
    assert_int_equal(zp_sample_indices(seed, c->count, k, idx, &err), ZA_OK);
    assert_int_equal(zd_private_reveal(db, c, secrets, idx, k, c->variant == ZP_PD_NO_LABELS, r,
                                       &err),
                     ZA_OK);
    assert_int_equal(zp_pd_reveal_encode(r, enc, len, &err), ZA_OK);
}

static za_status check_bytes(const uint8_t *enc, size_t len, const zp_pd_commitment *c,
                             const uint8_t seed[32], za_error *err)
{
    zp_pd_reveal r;
    za_status st = zp_pd_reveal_decode(enc, len, "reveal", &r, err);
    if (st == ZA_OK)
        st = zp_pd_reveal_check(&r, c, seed, err);
    zp_pd_reveal_free(&r);
    return st;
}

static void test_reveal(void **state)
{
    (void)state;
    zd_db *db = make_db("b.db");
    za_error err;
    zp_pd_commitment cl, cn;
    const char *sl = path_in("sl.db"), *sn = path_in("sn.db");
    assert_int_equal(zd_private_commit(db, "docs", ZP_PD_LABELS, sl, &cl, &err), ZA_OK);
    assert_int_equal(zd_private_commit(db, "docs", ZP_PD_NO_LABELS, sn, &cn, &err), ZA_OK);
    uint8_t seed[32], other[32];
    seed_of(seed, 0x5a);
    seed_of(other, 0x5b);
    const uint64_t K = 20;
    for (int vv = 0; vv < 2; vv++) {
        const zp_pd_commitment *c = vv ? &cn : &cl;
        const char *sec = vv ? sn : sl;
        zp_pd_reveal r;
        uint8_t *enc = NULL;
        size_t len = 0;
        reveal(db, c, sec, seed, K, &r, &enc, &len);
        assert_int_equal(check_bytes(enc, len, c, seed, &err), ZA_OK);
        /* exactly the draw: K items, the indices of the permutation */
        uint64_t want[64];
        assert_int_equal(zp_sample_indices(seed, N_EX, K, want, &err), ZA_OK);
        assert_int_equal(r.n, K);
        uint8_t *sampled = calloc(N_EX, 1);
        assert_non_null(sampled);
        for (uint64_t i = 0; i < K; i++) {
            assert_int_equal(r.indices[i], want[i]);
            sampled[want[i]] = 1;
        }
        /* nothing of any unsampled example; the sampled ones' bytes only in
         * the review flow; the labels of the committed-labels flow */
        for (uint64_t i = 0; i < N_EX; i++) {
            uint8_t b[EX_BYTES];
            uint32_t label;
            fake_example(i, b, &label);
            int in = contains(enc, len, b, EX_BYTES);
            if (sampled[i] && vv)
                assert_true(in);
            else
                assert_false(in);
        }
        if (!vv)
            for (uint64_t i = 0; i < K; i++)
                assert_int_equal(r.proofs[i].label, r.indices[i] % 7);
        free(sampled);
        /* another draw's reveal is not this draw */
        assert_int_equal(check_bytes(enc, len, c, other, &err), ZA_ERR_MISMATCH);
        assert_non_null(strstr(err.msg, "not the draw"));
        /* tampering with the reveal file: each is caught */
        size_t item0 = 4 + 3 + 32 + 8 + 32 + 32 + 1 + 32 + 4 + 8;
        size_t plen = zp_pd_proof_size(&r.proofs[0]);
        struct {
            const char *what;
            size_t at;
        } cases[] = {
            { "index", item0 },                             /* u64 index */
            { "proof salt", item0 + 12 + 24 + 3 },          /* leaf salt */
            { "label", item0 + 12 + 57 },                   /* label */
            { "input digest", item0 + 12 + 61 + 4 },
            { "sibling", item0 + 12 + plen - 1 },
            { "input byte", item0 + 12 + plen + 7 },        /* review: stored byte */
            { "input salt", item0 + 12 + ZP_PD_PROOF_HEADER + 1 }, /* review */
        };
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            if (!vv && (k == 5 || k == 6))
                continue;
            if (vv && k == 2)
                continue; /* no labels: the marker check refuses a label (below) */
            enc[cases[k].at] ^= 0x01;
            za_status st = check_bytes(enc, len, c, seed, &err);
            if (st == ZA_OK)
                fail_msg("a changed %s was not caught", cases[k].what);
            enc[cases[k].at] ^= 0x01;
        }
        if (vv) {
            enc[item0 + 12 + 57] ^= 1; /* a label in a no-labels reveal */
            assert_int_not_equal(check_bytes(enc, len, c, seed, &err), ZA_OK);
            enc[item0 + 12 + 57] ^= 1;
        }
        /* two items swapped (proofs stay valid, the order is not the draw) */
        zp_pd_reveal sw;
        assert_int_equal(zp_pd_reveal_decode(enc, len, "r", &sw, &err), ZA_OK);
        uint64_t ti = sw.indices[0];
        zp_pd_proof tp = sw.proofs[0];
        sw.indices[0] = sw.indices[1], sw.proofs[0] = sw.proofs[1];
        sw.indices[1] = ti, sw.proofs[1] = tp;
        if (vv) {
            uint8_t tmp[EX_BYTES];
            memcpy(tmp, sw.stored, EX_BYTES);
            memcpy(sw.stored, sw.stored + EX_BYTES, EX_BYTES);
            memcpy(sw.stored + EX_BYTES, tmp, EX_BYTES);
        }
        assert_int_equal(zp_pd_reveal_check(&sw, c, seed, &err), ZA_ERR_MISMATCH);
        /* the right indices with one item's proof for another index */
        sw.indices[1] = sw.indices[0];
        assert_int_not_equal(zp_pd_reveal_check(&sw, c, seed, &err), ZA_OK);
        zp_pd_reveal_free(&sw);
        /* truncated or extended */
        for (size_t l = 0; l < len; l += (l < 200 ? 1 : 97))
            assert_int_not_equal(check_bytes(enc, l, c, seed, &err), ZA_OK);
        uint8_t *ext = malloc(len + 1);
        assert_non_null(ext);
        memcpy(ext, enc, len);
        ext[len] = 0;
        assert_int_equal(check_bytes(ext, len + 1, c, seed, &err), ZA_ERR_MALFORMED);
        free(ext);
        /* the other commitment is not this reveal's */
        assert_int_equal(check_bytes(enc, len, vv ? &cl : &cn, seed, &err), ZA_ERR_MISMATCH);
        free(enc);
        zp_pd_reveal_free(&r);
    }
    /* a committed-labels commitment never reveals its inputs */
    uint64_t idx[1] = { 3 };
    zp_pd_reveal r;
    assert_int_equal(zd_private_reveal(db, &cl, sl, idx, 1, 1, &r, &err), ZA_ERR_ARG);
    /* the salts of another commitment */
    assert_int_equal(zd_private_reveal(db, &cl, sn, idx, 1, 0, &r, &err), ZA_ERR_MISMATCH);
    zd_db_close(db);
    /* the holder changes a stored example after the commitment, consistently
     * enough for its own index (input, hash and leaf rewritten, then the
     * index's root too): the private root no longer matches */
    const char *p = path_in("b.db");
    sqlite3 *h;
    assert_int_equal(sqlite3_open(p, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "UPDATE examples SET label = (label + 1) % 7 WHERE idx = 5",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(zd_db_open(p, 0, &db, &err), ZA_OK);
    assert_int_not_equal(zd_private_reveal(db, &cl, sl, idx, 1, 0, &r, &err), ZA_OK);
    zd_db_close(db);
}

/* committed labels: a request's labels come from the reveal of its draw */
static void test_reveal_labels(void **state)
{
    (void)state;
    zd_db *db = make_db("c.db");
    za_error err;
    zp_pd_commitment cl, cn;
    const char *sl = path_in("sl2.db"), *sn = path_in("sn2.db");
    assert_int_equal(zd_private_commit(db, "docs", ZP_PD_LABELS, sl, &cl, &err), ZA_OK);
    assert_int_equal(zd_private_commit(db, "docs", ZP_PD_NO_LABELS, sn, &cn, &err), ZA_OK);
    /* a request against cl (its transcript decides the draw) */
    zp_request rq;
    const uint64_t K = 12;
    assert_int_equal(zp_request_alloc(&rq, K, EX_BYTES, EX_BYTES, &err), ZA_OK);
    strcpy(rq.dataset_name, "docs");
    memcpy(rq.transcript.dataset_root, cl.root, 32);
    rq.transcript.dataset_count = cl.count;
    memset(rq.transcript.buyer_seed, 3, 32);
    memset(rq.transcript.seller_seed, 4, 32);
    uint8_t seed[32];
    zp_request_seed(&rq, seed);
    assert_int_equal(zp_sample_indices(seed, cl.count, K, rq.indices, &err), ZA_OK);
    zp_pd_reveal r;
    uint8_t *enc = NULL;
    size_t len = 0;
    reveal(db, &cl, sl, seed, 16, &r, &enc, &len); /* a longer prefix of the same draw */
    uint32_t labels[16];
    assert_int_equal(zp_pd_reveal_labels(&r, &cl, &rq, labels, &err), ZA_OK);
    for (uint64_t i = 0; i < K; i++) {
        uint8_t b[EX_BYTES];
        uint32_t want;
        fake_example(rq.indices[i], b, &want);
        assert_int_equal(labels[i], want);
    }
    /* a changed label in the reveal, another draw, the other commitment */
    zp_pd_reveal t;
    assert_int_equal(zp_pd_reveal_decode(enc, len, "r", &t, &err), ZA_OK);
    t.proofs[2].label ^= 1;
    assert_int_equal(zp_pd_reveal_labels(&t, &cl, &rq, labels, &err), ZA_ERR_MISMATCH);
    zp_pd_reveal_free(&t);
    rq.transcript.seller_seed[0] ^= 1;
    assert_int_equal(zp_pd_reveal_labels(&r, &cl, &rq, labels, &err), ZA_ERR_MISMATCH);
    rq.transcript.seller_seed[0] ^= 1;
    assert_int_equal(zp_pd_reveal_labels(&r, &cn, &rq, labels, &err), ZA_ERR_MISMATCH);
    /* a reveal shorter than the request */
    zp_pd_reveal s4;
    uint8_t *e4 = NULL;
    size_t l4 = 0;
    reveal(db, &cl, sl, seed, 4, &s4, &e4, &l4);
    assert_int_equal(zp_pd_reveal_labels(&s4, &cl, &rq, labels, &err), ZA_ERR_MISMATCH);
    free(e4);
    zp_pd_reveal_free(&s4);
    free(enc);
    zp_pd_reveal_free(&r);
    zp_request_free(&rq);
    zd_db_close(db);
}

static void test_request_mode(void **state)
{
    (void)state;
    zp_request rq;
    memset(&rq, 0, sizeof rq);
    assert_int_equal(zp_request_data_mode(&rq), ZP_DATA_PUBLIC);
    za_error err;
    assert_int_equal(zp_request_alloc(&rq, 1, 1, 1, &err), ZA_OK);
    uint8_t pub[8] = { 'Z', 'K', 'D', 'I', 1, 0, 0, 0 };
    assert_int_equal(zp_request_set_inclusion(&rq, 0, pub, sizeof pub, &err), ZA_OK);
    assert_int_equal(zp_request_data_mode(&rq), ZP_DATA_PUBLIC);
    uint8_t pri[8] = { 'Z', 'K', 'P', 'I', 1, 0, 0, 1 };
    assert_int_equal(zp_request_set_inclusion(&rq, 0, pri, sizeof pri, &err), ZA_OK);
    assert_int_equal(zp_request_data_mode(&rq), ZP_DATA_PRIVATE_REVIEW);
    pri[5] = 1;
    assert_int_equal(zp_request_set_inclusion(&rq, 0, pri, sizeof pri, &err), ZA_OK);
    assert_int_equal(zp_request_data_mode(&rq), ZP_DATA_PRIVATE_LABELS);
    assert_string_equal(zp_data_mode_name(ZP_DATA_PRIVATE_REVIEW), "private-review");
    zp_request_free(&rq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_roots_and_proofs),
        cmocka_unit_test(test_commit_salts_and_secrets),
        cmocka_unit_test(test_reveal),
        cmocka_unit_test(test_reveal_labels),
        cmocka_unit_test(test_request_mode),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
