/* buyer/buyer.h - the buyer command's subcommands. */
#ifndef ZB_BUYER_H
#define ZB_BUYER_H

int zb_cmd_verify_proof(int argc, char **argv);
/* buyer/cmd_dataset.c: `buyer dataset import|list|show|commit|verify|...` */
int zb_cmd_dataset(int argc, char **argv);
/* buyer/cmd_plan.c: `buyer plan` */
int zb_cmd_plan(int argc, char **argv);
/* buyer/cmd_sample.c: `buyer sample init|draw|check` */
int zb_cmd_sample(int argc, char **argv);
/* buyer/cmd_fetch.c: `buyer fetch` */
int zb_cmd_fetch(int argc, char **argv);
/* buyer/cmd_verify.c: `buyer verify` */
int zb_cmd_verify(int argc, char **argv);
/* buyer/cmd_report.c: `buyer report` */
int zb_cmd_report(int argc, char **argv);

#endif
