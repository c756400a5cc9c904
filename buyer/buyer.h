/* buyer/buyer.h - the buyer command's subcommands. */
#ifndef ZB_BUYER_H
#define ZB_BUYER_H

int zb_cmd_verify_proof(int argc, char **argv);

#endif
