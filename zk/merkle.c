/* zk/merkle.c - see merkle.h. */
#include "zk/merkle.h"

#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/parallel.h"
#include "common/sha256.h"
#include "zk/encode.h"

/* Below these sizes the work (~80 ns per node) is too small to be worth
 * the tens of microseconds that starting threads costs. */
#define PAR_MIN_LEAVES ((size_t)1 << 14)  /* tree build */
#define PAR_MIN_LEAF_WORK ((size_t)1 << 20) /* leaf hashing, bytes + 64 per leaf */
#define PAR_MIN_SUBTREE ((size_t)1 << 10)   /* leaves per parallel subtree */
#define SMALL_LEAF 64                       /* leaves below this are copied once */

_Static_assert(ZA_MAX_MERKLE_DEPTH < 64, "indices are uint64_t");

/* ------------------------------------------------------------------ hashing */

void zk_merkle_leaf_hash(const void *data, size_t len, zk_digest *out)
{
    static const uint8_t tag = 0x00;
    za_sha256_ctx c;
    za_sha256_init(&c);
    if (len < SMALL_LEAF) {
        /* short leaves (single field elements): one update of tag || data */
        uint8_t buf[SMALL_LEAF];
        buf[0] = tag;
        if (len)
            memcpy(buf + 1, data, len);
        za_sha256_update(&c, buf, len + 1);
    } else {
        za_sha256_update(&c, &tag, 1);
        za_sha256_update(&c, data, len);
    }
    za_sha256_final(&c, out->h);
}

void zk_merkle_node_hash(const zk_digest *left, const zk_digest *right, zk_digest *out)
{
    /* one 65-byte update: the tag and both children, copied first so that
     * out may alias an input */
    uint8_t buf[65];
    za_sha256_ctx c;
    buf[0] = 0x01;
    memcpy(buf + 1, left->h, 32);
    memcpy(buf + 33, right->h, 32);
    za_sha256_init(&c);
    za_sha256_update(&c, buf, sizeof buf);
    za_sha256_final(&c, out->h);
}

typedef struct {
    const uint8_t *data;
    const zk_fp *fp;
    size_t leaf_bytes; /* bytes per leaf, or elements per leaf for fp */
    zk_digest *out;
} leaves_job;

static void hash_leaves_range(void *ctx, size_t b, size_t e)
{
    const leaves_job *j = ctx;
    for (size_t i = b; i < e; i++)
        zk_merkle_leaf_hash(j->data + i * j->leaf_bytes, j->leaf_bytes, &j->out[i]);
}

static int want_threads(int threads)
{
    return threads <= 0 ? za_default_threads() : threads;
}

void zk_merkle_hash_leaves(const void *data, size_t leaf_bytes, size_t n, zk_digest *out,
                           int threads)
{
    leaves_job j = { data, NULL, leaf_bytes, out };
    if (n == 0)
        return;
    int t = want_threads(threads);
    size_t work = (leaf_bytes + 64) * n; /* no overflow: the data exists in memory */
    if (t > 1 && n > 1 && work >= PAR_MIN_LEAF_WORK)
        za_parallel_for(n, t, hash_leaves_range, &j);
    else
        hash_leaves_range(&j, 0, n);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* a zk_fp array in memory is its canonical little-endian encoding */
void zk_merkle_hash_fp_leaves(const zk_fp *v, size_t per_leaf, size_t n, zk_digest *out,
                              int threads)
{
    zk_merkle_hash_leaves(v, per_leaf * sizeof *v, n, out, threads);
}
#else
static void hash_fp_range(void *ctx, size_t b, size_t e)
{
    const leaves_job *j = ctx;
    static const uint8_t tag = 0x00;
    uint8_t buf[8 * 64];
    for (size_t i = b; i < e; i++) {
        const zk_fp *x = j->fp + i * j->leaf_bytes;
        za_sha256_ctx c;
        za_sha256_init(&c);
        za_sha256_update(&c, &tag, 1);
        for (size_t done = 0; done < j->leaf_bytes;) {
            size_t m = 0;
            for (; m < 64 && done < j->leaf_bytes; m++, done++)
                zk_fp_to_bytes(x[done], buf + 8 * m);
            za_sha256_update(&c, buf, 8 * m);
        }
        za_sha256_final(&c, j->out[i].h);
    }
}

void zk_merkle_hash_fp_leaves(const zk_fp *v, size_t per_leaf, size_t n, zk_digest *out,
                              int threads)
{
    leaves_job j = { NULL, v, per_leaf, out };
    int t = want_threads(threads);
    if (t > 1 && n > 1 && (8 * per_leaf + 64) * n >= PAR_MIN_LEAF_WORK)
        za_parallel_for(n, t, hash_fp_range, &j);
    else if (n)
        hash_fp_range(&j, 0, n);
}
#endif

/* ------------------------------------------------------------------ trees */

static int log2_exact(size_t n, unsigned *depth)
{
    if (n == 0 || (n & (n - 1)) != 0)
        return 0;
    unsigned d = 0;
    while (((size_t)1 << d) < n)
        d++;
    *depth = d;
    return 1;
}

za_status zk_merkle_alloc(zk_merkle *t, size_t n)
{
    unsigned depth;
    memset(t, 0, sizeof *t);
    if (!log2_exact(n, &depth) || depth > ZA_MAX_MERKLE_DEPTH ||
        n > SIZE_MAX / (2 * sizeof(zk_digest)))
        return ZA_ERR_ARG;
    zk_digest *nodes = malloc(2 * n * sizeof *nodes);
    if (!nodes)
        return ZA_ERR_NOMEM;
    memset(&nodes[0], 0, sizeof nodes[0]); /* unused slot */
    t->depth = depth;
    t->n_leaves = n;
    t->nodes = nodes;
    return ZA_OK;
}

/* Hash every inner node of heap indices [lo, hi) at one level. */
static void hash_level(zk_digest *nodes, size_t lo, size_t hi)
{
    for (size_t j = lo; j < hi; j++)
        zk_merkle_node_hash(&nodes[2 * j], &nodes[2 * j + 1], &nodes[j]);
}

typedef struct {
    zk_digest *nodes;
    size_t n;      /* leaves */
    size_t s;      /* subtrees */
    unsigned hs;   /* height of a subtree root */
} build_job;

/* Build subtrees [b, e) completely, level by level (each subtree is
 * contiguous at every level, so ranges never touch each other's nodes). */
static void build_range(void *ctx, size_t b, size_t e)
{
    const build_job *j = ctx;
    for (unsigned h = 1; h <= j->hs; h++) {
        size_t level = j->n >> h;  /* first heap index of height h */
        size_t per = level / j->s; /* nodes per subtree at height h */
        hash_level(j->nodes, level + b * per, level + e * per);
    }
}

void zk_merkle_compute(zk_merkle *t, int threads)
{
    size_t n = t->n_leaves;
    if (n <= 1)
        return; /* the root is the leaf */
    int th = want_threads(threads);
    size_t s = 1;
    if (th > 1 && n >= PAR_MIN_LEAVES) {
        while (s < (size_t)th && n / (2 * s) >= PAR_MIN_SUBTREE)
            s *= 2;
    }
    if (s > 1) {
        unsigned ls = 0;
        while (((size_t)1 << ls) < s)
            ls++;
        build_job j = { t->nodes, n, s, t->depth - ls };
        za_parallel_for(s, th, build_range, &j);
        /* the top levels, heap indices s-1 down to 1 (children first) */
        for (size_t k = s - 1; k >= 1; k--)
            zk_merkle_node_hash(&t->nodes[2 * k], &t->nodes[2 * k + 1], &t->nodes[k]);
        return;
    }
    for (size_t k = n - 1; k >= 1; k--)
        zk_merkle_node_hash(&t->nodes[2 * k], &t->nodes[2 * k + 1], &t->nodes[k]);
}

za_status zk_merkle_build(zk_merkle *t, const zk_digest *leaves, size_t n, int threads)
{
    za_status st = zk_merkle_alloc(t, n);
    if (st != ZA_OK)
        return st;
    memcpy(zk_merkle_leaves(t), leaves, n * sizeof *leaves);
    zk_merkle_compute(t, threads);
    return ZA_OK;
}

void zk_merkle_free(zk_merkle *t)
{
    free(t->nodes);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------ openings */

/* Check depth and the index set; code is the status for a bad set. */
static za_status check_indices(unsigned depth, const uint64_t *idx, size_t k, za_status code,
                               za_error *err)
{
    if (depth > ZA_MAX_MERKLE_DEPTH)
        return za_error_set(err, ZA_ERR_LIMIT,
                            "merkle opening: tree depth %u above the limit of %d", depth,
                            ZA_MAX_MERKLE_DEPTH);
    if (k == 0)
        return za_error_set(err, code, "merkle opening: no leaf indices");
    uint64_t n = (uint64_t)1 << depth;
    for (size_t j = 0; j < k; j++) {
        if (idx[j] >= n)
            return za_error_set(err, code,
                                "merkle opening: index %llu (position %zu) out of range for a "
                                "tree of %llu leaves",
                                (unsigned long long)idx[j], j, (unsigned long long)n);
        if (j > 0 && idx[j] <= idx[j - 1])
            return za_error_set(err, code,
                                "merkle opening: index %llu (position %zu) not above the "
                                "previous index %llu (indices must be strictly increasing)",
                                (unsigned long long)idx[j], j, (unsigned long long)idx[j - 1]);
    }
    return ZA_OK;
}

typedef struct {
    unsigned h;
    uint64_t pos;
    zk_digest d;
} frame;

/* Where the walk gets leaf and sibling digests.  Prover mode (tree != NULL):
 * siblings come from the tree and go to out (if not NULL), nothing is
 * hashed.  Verifier mode: leaves and siblings come from the caller's arrays
 * and the root is recomputed. */
typedef struct {
    const zk_merkle *tree;
    zk_digest *out;
    size_t cap;
    const zk_digest *leaves;
    const zk_digest *in;
    size_t n_in;
    size_t used; /* siblings taken or emitted */
} walk_io;

static za_status sibling(walk_io *io, unsigned depth, unsigned h, uint64_t pos, zk_digest *d,
                         za_error *err)
{
    if (io->tree) {
        /* (*d is unused in prover mode, but always set) */
        if (io->tree->nodes)
            *d = io->tree->nodes[(((size_t)1 << depth) >> h) + pos];
        else
            memset(d, 0, sizeof *d); /* counting only */
        if (io->out) {
            if (io->used >= io->cap)
                return za_error_set(err, ZA_ERR_LIMIT,
                                    "merkle opening: sibling buffer of %zu digests too small",
                                    io->cap);
            io->out[io->used] = *d;
        }
        io->used++;
        return ZA_OK;
    }
    if (io->used >= io->n_in)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "merkle opening: too few sibling digests (%zu given, more needed)",
                            io->n_in);
    *d = io->in[io->used++];
    return ZA_OK;
}

/* The multi-opening walk shared by the prover and the verifier (see the
 * order in merkle.h).  The stack holds finished subtrees whose right
 * sibling still contains an opened leaf, at strictly decreasing heights,
 * plus the node being climbed: at most depth+1 frames.  Invariant: the top
 * frame's subtree holds no opened leaf after the current one, so once its
 * sibling holds none either, that sibling comes from the opening. */
static za_status walk(unsigned depth, const uint64_t *idx, size_t k, walk_io *io,
                      zk_digest *root, za_error *err)
{
    frame st[ZA_MAX_MERKLE_DEPTH + 2];
    size_t sp = 0;
    const uint64_t n = (uint64_t)1 << depth;
    const int hashing = io->tree == NULL;
    for (size_t j = 0; j < k; j++) {
        uint64_t next = j + 1 < k ? idx[j + 1] : n;
        if (sp >= sizeof st / sizeof st[0]) /* cannot happen for a checked index set */
            return za_error_set(err, ZA_ERR_MALFORMED, "merkle opening: stack overflow");
        st[sp].h = 0;
        st[sp].pos = idx[j];
        if (hashing)
            st[sp].d = io->leaves[j];
        sp++;
        for (;;) {
            frame *top = &st[sp - 1];
            unsigned h = top->h;
            uint64_t p = top->pos;
            if (h == depth)
                break;
            zk_digest sib, parent;
            za_status s;
            if (p & 1) {
                /* right child: its left sibling is on the stack if it holds
                 * an opened leaf, else it comes from the opening */
                if (sp >= 2 && st[sp - 2].h == h && st[sp - 2].pos == p - 1) {
                    if (hashing)
                        zk_merkle_node_hash(&st[sp - 2].d, &top->d, &parent);
                    sp -= 2;
                } else {
                    if ((s = sibling(io, depth, h, p - 1, &sib, err)) != ZA_OK)
                        return s;
                    if (hashing)
                        zk_merkle_node_hash(&sib, &top->d, &parent);
                    sp -= 1;
                }
            } else {
                /* left child: wait if the next opened leaf is under the
                 * right sibling */
                if ((next >> h) == p + 1)
                    break;
                if ((s = sibling(io, depth, h, p + 1, &sib, err)) != ZA_OK)
                    return s;
                if (hashing)
                    zk_merkle_node_hash(&top->d, &sib, &parent);
                sp -= 1;
            }
            st[sp].h = h + 1;
            st[sp].pos = p >> 1;
            if (hashing)
                st[sp].d = parent;
            sp++;
        }
    }
    if (sp != 1 || st[0].h != depth) /* cannot happen for a checked index set */
        return za_error_set(err, ZA_ERR_MALFORMED, "merkle opening: walk did not reach the root");
    if (root)
        *root = st[0].d;
    return ZA_OK;
}

za_status zk_merkle_opening_size(unsigned depth, const uint64_t *indices, size_t k,
                                 size_t *n_siblings, za_error *err)
{
    *n_siblings = 0;
    za_status st = check_indices(depth, indices, k, ZA_ERR_MALFORMED, err);
    if (st != ZA_OK)
        return st;
    /* the prover walk in counting mode needs a tree only for its depth */
    zk_merkle fake = { depth, (size_t)1 << depth, NULL };
    walk_io io = { &fake, NULL, 0, NULL, NULL, 0, 0 };
    st = walk(depth, indices, k, &io, NULL, err);
    if (st == ZA_OK)
        *n_siblings = io.used;
    return st;
}

za_status zk_merkle_open(const zk_merkle *t, const uint64_t *indices, size_t k,
                         zk_digest *siblings, size_t cap, size_t *n_siblings, za_error *err)
{
    *n_siblings = 0;
    if (!t->nodes)
        return za_error_set(err, ZA_ERR_ARG, "merkle opening: empty tree");
    za_status st = check_indices(t->depth, indices, k, ZA_ERR_ARG, err);
    if (st != ZA_OK)
        return st;
    walk_io io = { t, siblings, siblings ? cap : 0, NULL, NULL, 0, 0 };
    st = walk(t->depth, indices, k, &io, NULL, err);
    if (st == ZA_OK)
        *n_siblings = io.used;
    return st;
}

za_status zk_merkle_verify(unsigned depth, const zk_digest *root, const uint64_t *indices,
                           const zk_digest *leaves, size_t k, const zk_digest *siblings,
                           size_t n_siblings, za_error *err)
{
    za_status st = check_indices(depth, indices, k, ZA_ERR_MALFORMED, err);
    if (st != ZA_OK)
        return st;
    walk_io io = { NULL, NULL, 0, leaves, siblings, n_siblings, 0 };
    zk_digest got;
    st = walk(depth, indices, k, &io, &got, err);
    if (st != ZA_OK)
        return st;
    if (io.used != n_siblings)
        return za_error_set(err, ZA_ERR_MALFORMED,
                            "merkle opening: too many sibling digests (%zu given, %zu needed)",
                            n_siblings, io.used);
    if (memcmp(got.h, root->h, sizeof got.h) != 0)
        return za_error_set(err, ZA_ERR_MISMATCH,
                            "merkle opening: the opened leaves do not hash to the committed root");
    return ZA_OK;
}

/* ------------------------------------------------------------------ encoding */

void zk_merkle_opening_write(zk_writer *w, const zk_merkle_opening *o)
{
    zk_write_u64_vec(w, o->indices, o->k);
    zk_write_digest_vec(w, o->leaves, o->k);
    zk_write_digest_vec(w, o->siblings, o->n_siblings);
}

void zk_merkle_opening_free(zk_merkle_opening *o)
{
    free(o->indices);
    free(o->leaves);
    free(o->siblings);
    memset(o, 0, sizeof *o);
}

za_status zk_merkle_opening_read(zk_reader *r, unsigned depth, size_t max_k,
                                 zk_merkle_opening *o)
{
    memset(o, 0, sizeof *o);
    if (depth > ZA_MAX_MERKLE_DEPTH)
        return zk_reader_fail(r, r->off, ZA_ERR_LIMIT, "merkle opening",
                              "tree depth %u above the limit of %d", depth, ZA_MAX_MERKLE_DEPTH);
    if (max_k > ZA_MAX_MERKLE_QUERIES)
        max_k = ZA_MAX_MERKLE_QUERIES;
    size_t at = r->off + 4; /* the first index, after the count */
    if (zk_read_u64_vec(r, "merkle opening indices", max_k, &o->indices, &o->k) != ZA_OK)
        goto fail;
    if (o->k == 0) {
        zk_reader_fail(r, at - 4, ZA_ERR_MALFORMED, "merkle opening indices", "no indices");
        goto fail;
    }
    uint64_t n = (uint64_t)1 << depth;
    for (size_t j = 0; j < o->k; j++) {
        if (o->indices[j] >= n) {
            zk_reader_fail(r, at + 8 * j, ZA_ERR_MALFORMED, "merkle opening indices",
                           "index %llu out of range for a tree of %llu leaves",
                           (unsigned long long)o->indices[j], (unsigned long long)n);
            goto fail;
        }
        if (j > 0 && o->indices[j] <= o->indices[j - 1]) {
            zk_reader_fail(r, at + 8 * j, ZA_ERR_MALFORMED, "merkle opening indices",
                           "index %llu not above the previous index %llu (indices must be "
                           "strictly increasing)",
                           (unsigned long long)o->indices[j],
                           (unsigned long long)o->indices[j - 1]);
            goto fail;
        }
    }
    size_t m;
    if (zk_merkle_opening_size(depth, o->indices, o->k, &m, NULL) != ZA_OK) {
        zk_reader_fail(r, at, ZA_ERR_MALFORMED, "merkle opening indices", "invalid index set");
        goto fail;
    }
    size_t nl;
    at = r->off;
    if (zk_read_digest_vec(r, "merkle opening leaf digests", o->k, &o->leaves, &nl) != ZA_OK)
        goto fail;
    if (nl != o->k) {
        zk_reader_fail(r, at, ZA_ERR_MALFORMED, "merkle opening leaf digests",
                       "%zu digests for %zu indices", nl, o->k);
        goto fail;
    }
    at = r->off;
    if (zk_read_digest_vec(r, "merkle opening siblings", m, &o->siblings, &o->n_siblings) !=
        ZA_OK)
        goto fail;
    if (o->n_siblings != m) {
        zk_reader_fail(r, at, ZA_ERR_MALFORMED, "merkle opening siblings",
                       "%zu sibling digests, the indices need exactly %zu", o->n_siblings, m);
        goto fail;
    }
    return ZA_OK;
fail:
    zk_merkle_opening_free(o);
    return zk_reader_status(r);
}

za_status zk_merkle_opening_verify(const zk_merkle_opening *o, unsigned depth,
                                   const zk_digest *root, za_error *err)
{
    return zk_merkle_verify(depth, root, o->indices, o->leaves, o->k, o->siblings,
                            o->n_siblings, err);
}
