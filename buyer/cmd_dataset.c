/* buyer/cmd_dataset.c - `buyer dataset ...` (being built: issue 5). */
#include <stdio.h>

#include "buyer/buyer.h"

int zb_cmd_dataset(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("buyer: dataset: not built yet\n", stderr);
    return 2;
}
