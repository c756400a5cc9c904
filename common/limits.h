/* common/limits.h - every cap that hostile input can push against.
 *
 * Kept in one place (as SQLite's sqliteLimit.h) so that reviewers can see the
 * whole attack surface of the parsers at a glance.
 */
#ifndef ZA_COMMON_LIMITS_H
#define ZA_COMMON_LIMITS_H

#define ZA_MAX_MODEL_FILE_BYTES ((size_t)1 << 30)   /* 1 GiB .tflite */
#define ZA_MAX_TENSORS 100000
#define ZA_MAX_OPS 100000
#define ZA_MAX_BUFFERS 100000
#define ZA_MAX_SUBGRAPHS 64
#define ZA_MAX_RANK 6
#define ZA_MAX_TENSOR_ELEMENTS ((int64_t)1 << 31)   /* per tensor */
#define ZA_MAX_ARENA_BYTES ((int64_t)8 << 30)       /* all activations of one run */
#define ZA_MAX_QUANT_CHANNELS 65536
#define ZA_MAX_OP_IO 64                             /* inputs/outputs of one op */
#define ZA_MAX_NAME_BYTES 4096

/* audit statistics (protocol/stats_*.h) */
#define ZA_MAX_CLASSES 100000u                      /* confusion matrix: n^2 counts */
#define ZA_MAX_PLAN_SAMPLES 1000000000ull           /* a sample-size search gives up beyond */
#define ZA_MAX_CS_EXACT_GRID 10000u                 /* confidence sequence: K/N grid up to this N */

/* dataset importers (datasets/cifar.c, csv.c, image_folder.c, image_decode.c)
 * and input preparation (datasets/prepare.c) */
#define ZA_MAX_EXAMPLE_BYTES ((size_t)1 << 24)      /* one stored example (16 MiB) */
#define ZA_MAX_CSV_LINE_BYTES ((size_t)1 << 20)     /* one CSV line, end of line excluded */
#define ZA_MAX_IMAGE_FILE_BYTES ((size_t)64 << 20)  /* one PNG/JPEG file, read whole */
#define ZA_MAX_IMAGE_DIM 16384                      /* decoded width or height */
#define ZA_MAX_IMAGE_PIXELS ((uint64_t)1 << 26)     /* decoded width x height */
#define ZA_MAX_JPEG_SCANS 64                        /* progressive scans (each re-decodes) */
#define ZA_MAX_FOLDER_FILES ((size_t)1 << 24)       /* images in one image folder */
#define ZA_MAX_FOLDER_NAME_BYTES ((size_t)1 << 30)  /* their path names, summed */
#define ZA_MAX_PREP_STRING 256                      /* a preparation recipe string */
#define ZA_MAX_PREP_TERM 65535                      /* each integer of a recipe's real= */

/* reports (reports/report.h) */
#define ZA_MAX_REPORT_BYTES ((size_t)1 << 30)      /* one rendered report */
#define ZA_MAX_REPORT_CHART_CLASSES 100u            /* per-class and confusion charts drawn up to */
#define ZA_MAX_REPORT_LABEL_CHARS 40u               /* a label drawn in a chart (tables: whole) */

/* proofs (zk/encode.h, zk/merkle.h) */
#define ZA_MAX_PROOF_BYTES ((size_t)64 << 20)      /* one proof container, header included */
#define ZA_MAX_REQUEST_BYTES ((size_t)2 << 30)     /* one audit request (all sampled inputs) */
#define ZA_MAX_MERKLE_DEPTH 40                      /* tree height: at most 2^40 leaves */
#define ZA_MAX_MERKLE_QUERIES 65536                 /* leaves opened by one multi-opening */
#define ZA_MAX_PCS_HIDING_OPENINGS 64               /* openings a hiding commitment allows (B) */

/* dataset index (datasets/idx.c, db.c, fetch.c, protocol/dataset_commit.c) */
#define ZA_MAX_DATASET_EXAMPLES ((uint64_t)1 << 32) /* examples in one dataset */
#define ZA_MAX_IDX_DIM 65536                        /* one IDX image dimension */
#define ZA_MAX_IDX_IMAGE_BYTES ((size_t)1 << 24)    /* rows x cols of one IDX image */
#define ZA_MAX_DATASET_NAME_BYTES 256               /* a dataset's name */
#define ZA_MAX_DOWNLOAD_BYTES ((uint64_t)16 << 30)  /* one fetched URL (16 GiB) */
#define ZA_MAX_INCLUSION_PROOF_BYTES 4096           /* an inclusion proof (depth <= 40) */

/* private data mode (protocol/private_dataset.c, buyer/audit_load.c); a
 * reveal is capped like a request (ZA_MAX_REQUEST_BYTES) */
#define ZA_MAX_PRIVATE_COMMIT_BYTES ((size_t)1 << 20) /* the commitment file C.json */
#define ZA_MAX_LABELS_FILE_BYTES ((size_t)64 << 20)   /* the auditor's labels CSV */
#define ZA_MAX_LABELS_LINE_BYTES 127                  /* one "index,label" line */

/* the seller's HTTP service (seller/service*.c, seller/cmd_serve.c) and the
 * buyer's client (buyer/client.c) */
#define ZA_MAX_HTTP_JSON_BYTES ((size_t)1 << 20)     /* an offer or any JSON body */
#define ZA_DEFAULT_HTTP_BODY_BYTES ((size_t)256 << 20) /* a request body, unless --max-request-bytes */
#define ZA_MAX_HTTP_PATH_BYTES 256                  /* a request's path */
#define ZA_MAX_HTTP_CONNECTIONS 512                 /* open connections to one server */
#define ZA_HTTP_TIMEOUT_S 60                        /* an idle connection is closed after */
#define ZA_MAX_TOKEN_FILE_BYTES ((size_t)1 << 16)   /* a token file */
#define ZA_MAX_TOKENS 1024                          /* tokens in a token file */
#define ZA_MIN_TOKEN_CHARS 16                       /* a shorter token is refused */
#define ZA_MAX_TOKEN_CHARS 512                      /* a longer token is refused */
#define ZA_MAX_SERVICE_WORKERS 64                   /* proving workers (--workers) */

#endif
