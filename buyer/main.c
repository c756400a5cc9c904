/* buyer/main.c - entry point of bin/buyer: dispatches to a subcommand.
 *
 * The commands follow an audit: dataset, plan, sample, verify, report.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/version.h"
#include "buyer/buyer.h"

static const char usage_text[] =
    "usage: buyer <command> [options]\n"
    "\n"
    "The buyer side of a zkaudit accuracy audit.\n"
    "\n"
    "commands:\n"
    "  dataset       the committed test-set index: import, list, show, commit, verify,\n"
    "                prove-inclusion, check-inclusion ('buyer dataset --help')\n"
    "  plan          samples (and cost) a margin needs, per statistical method\n"
    "  sample        the unbiased draw: init (offer + seed commitment), draw (the\n"
    "                request for the seller), check (recompute and check a request)\n"
    "  fetch         wait for the seller's service to prove an audit, download the bundle\n"
    "  verify        check every proof of a seller's bundle against the request\n"
    "  report        verify and write the audit report (JSON, Markdown, HTML)\n"
    "  verify-proof  check one proof of a batch of inferences against a model commitment\n"
    "\n"
    "Run 'buyer <command> --help' for a command's options.\n"
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
    if (argc >= 2 && !strcmp(argv[1], "verify-proof"))
        return zb_cmd_verify_proof(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "dataset"))
        return zb_cmd_dataset(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "plan"))
        return zb_cmd_plan(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "sample"))
        return zb_cmd_sample(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "fetch"))
        return zb_cmd_fetch(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "verify"))
        return zb_cmd_verify(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "report"))
        return zb_cmd_report(argc - 1, argv + 1);
    if (argc >= 2)
        fprintf(stderr, "buyer: unknown command '%s'\n\n", argv[1]);
    fputs(usage_text, stderr);
    return 2;
}
