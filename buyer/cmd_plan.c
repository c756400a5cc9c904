/* buyer/cmd_plan.c - `buyer plan` (being built: issue 6). */
#include <stdio.h>

#include "buyer/buyer.h"

int zb_cmd_plan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("buyer: plan: not built yet\n", stderr);
    return 2;
}
