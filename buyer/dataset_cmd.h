/* buyer/dataset_cmd.h - the `buyer dataset` subcommands (buyer/cmd_dataset*.c)
 * and the small helpers they share.  Each subcommand takes argv with its own
 * name at argv[0] and returns the process exit status: 0 done / valid,
 * 1 failed (an error, a tampered dataset, an invalid proof), 2 usage. */
#ifndef ZB_DATASET_CMD_H
#define ZB_DATASET_CMD_H

#include <stdint.h>

#include "datasets/db.h"

int zb_dataset_import(int argc, char **argv);
int zb_dataset_prove_inclusion(int argc, char **argv);
int zb_dataset_check_inclusion(int argc, char **argv);
/* buyer/cmd_dataset_reveal.c: private data mode */
int zb_dataset_check_reveal(int argc, char **argv);

/* Strict decimal parse of a whole string into *v (no sign, no spaces, no
 * overflow); 0 on success, -1 otherwise. */
int zb_parse_u64(const char *s, uint64_t *v);

/* Print a dataset as `show` does (text, or JSON with json != 0). */
void zb_print_dataset(const zd_dataset *d, int json);

#endif
