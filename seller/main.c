/* seller/main.c - entry point of bin/seller: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/log.h"
#include "common/version.h"
#include "seller/seller.h"

static const char usage_text[] =
    "usage: seller <command> [options]\n"
    "\n"
    "The seller side of a zkaudit accuracy audit.\n"
    "\n"
    "commands:\n"
    "  inspect     show a .tflite model's ops, tensors, quantization and cost\n"
    "  infer       run bit-exact int8/uint8 inference (the computation proofs attest to)\n"
    "  make-input  write a deterministic test input for a model (zeros, random:SEED)\n"
    "  commit-model  commit to a model's weights (writes M.commit, prints the model id)\n"
    "  prove       prove a batch of inferences of the committed model\n"
    "  sample join answer a buyer's audit offer with a random seller seed\n"
    "  prove-batch prove every sample of an audit request into a resumable bundle\n"
    "              (under mpirun: spread over the MPI ranks)\n"
    "  merge       merge the bundles of --shard K/N runs into one\n"
    "  serve       the audit service over HTTP(S): join, requests, proving jobs, bundles\n"
    "  dataset     private data: commit-private (a hiding commitment to the holder's\n"
    "              own dataset), reveal (the sampled examples only)\n"
    "\n"
    "Run 'seller <command> --help' for a command's options.\n"
    "Global options: -v/--verbose (debug log), -q/--quiet (errors only), --version.\n";

/* Take the global options out of argv (anywhere on the line), so that the
 * subcommands' own option parsers never see them. */
static int strip_global_options(int argc, char **argv)
{
    int out = 1;
    za_log_level level = ZA_LOG_INFO;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
            level = ZA_LOG_DEBUG;
        else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
            level = ZA_LOG_ERROR;
        else
            argv[out++] = argv[i];
    }
    argv[out] = NULL;
    za_log_init("seller", level);
    return out;
}

int main(int argc, char **argv)
{
    za_log_init("seller", ZA_LOG_INFO);
    argc = strip_global_options(argc, argv);
    za_alloc_tune_for_proving();
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("seller (zkaudit) %s\n", ZA_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "inspect"))
        return zs_cmd_inspect(argc - 1, argv + 1);
    if (!strcmp(cmd, "infer"))
        return zs_cmd_infer(argc - 1, argv + 1);
    if (!strcmp(cmd, "commit-model"))
        return zs_cmd_commit_model(argc - 1, argv + 1);
    if (!strcmp(cmd, "prove"))
        return zs_cmd_prove(argc - 1, argv + 1);
    if (!strcmp(cmd, "prove-batch"))
        return zs_cmd_prove_batch(argc - 1, argv + 1);
    if (!strcmp(cmd, "sample"))
        return zs_cmd_sample(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve"))
        return zs_cmd_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "dataset"))
        return zs_cmd_dataset(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge"))
        return zs_cmd_merge(argc - 1, argv + 1);
    if (!strcmp(cmd, "make-input"))
        return zs_cmd_make_input(argc - 1, argv + 1);
    fprintf(stderr, "seller: unknown command '%s'\n\n%s", cmd, usage_text);
    return 2;
}
