/* seller/seller.h - the seller command's subcommands. */
#ifndef ZS_SELLER_H
#define ZS_SELLER_H

int zs_cmd_inspect(int argc, char **argv);
int zs_cmd_infer(int argc, char **argv);
int zs_cmd_make_input(int argc, char **argv);
int zs_cmd_commit_model(int argc, char **argv);
int zs_cmd_prove(int argc, char **argv);
int zs_cmd_prove_batch(int argc, char **argv);
int zs_cmd_sample(int argc, char **argv);
/* seller/cmd_serve.c: `seller serve` */
int zs_cmd_serve(int argc, char **argv);
int zs_cmd_merge(int argc, char **argv);
/* seller/cmd_dataset.c: `seller dataset commit-private|reveal` (private data) */
int zs_cmd_dataset(int argc, char **argv);

#endif
