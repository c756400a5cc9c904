/* buyer/main.c - entry point of bin/buyer.
 *
 * The buyer's commands (dataset import, plan, sample, verify, report) arrive
 * with their issues; today the command only identifies itself, and says so
 * rather than pretending.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/version.h"

static const char usage_text[] =
    "usage: buyer <command> [options]\n"
    "\n"
    "The buyer side of a zkaudit accuracy audit.\n"
    "\n"
    "No buyer commands are available in this version yet: dataset import,\n"
    "plan, sample, verify and report are being built (see docs/roadmap.md).\n"
    "Global options: --help, --version.\n";

int main(int argc, char **argv)
{
    za_log_init("buyer", ZA_LOG_INFO);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
                      !strcmp(argv[1], "help"))) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        printf("buyer (zkaudit) %s\n", ZA_VERSION);
        return 0;
    }
    if (argc >= 2)
        fprintf(stderr, "buyer: unknown command '%s'\n\n", argv[1]);
    fputs(usage_text, stderr);
    return 2;
}
