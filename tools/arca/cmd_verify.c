/*
 * cmd_verify.c — `arca verify --policy policy.conf [--nonce HEX] [--json] evidence.bin`:
 * check attestation evidence against a policy, like arca_verify_evidence() from a shell.
 * --nonce gives the expected report data (the nonce the relying party sent) on the command
 * line, for a policy file that does not fix it.
 *
 * Exit 0 and the claims on success; exit 1 and the failed check (its result name and
 * detail) otherwise. It must never report success for evidence it did not fully verify.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arca/verify.h"
#include "commands.h"
#include "common/error.h"
#include "common/hex.h"
#include "common/image.h"

#define EVIDENCE_FILE_MAX (1u << 20)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arca verify --policy POLICY.conf [--nonce HEX] [--json] EVIDENCE.bin\n"
            "\n"
            "Verify attestation evidence (from arca_get_evidence) against a policy.\n"
            "\n"
            "  -p, --policy FILE   policy.conf: Measurement, SignerID, ProductID, MinSVN,\n"
            "                      AllowDebug, AllowDevPlatform, AllowSimulation,\n"
            "                      TrustedPlatformCert, ReportData, MaxAgeSeconds,\n"
            "                      ClockSkewSeconds, Backend, RequireProtections, RuntimeDigest\n"
            "  -n, --nonce HEX     the report data to expect (the nonce you sent, 1 to 64 bytes,\n"
            "                      zero-padded), for a policy without ReportData\n"
            "  -j, --json          print the claims (or the failure) as JSON on stdout\n"
            "  -h, --help          show this help\n"
            "\n"
            "A policy must demand freshness: ReportData or --nonce, or MaxAgeSeconds.\n"
            "Exit status: 0 verified, 1 verification failed (the failed check is printed),\n"
            "2 usage error, 3 the evidence file cannot be read.\n");
}

static void print_claims(const arca_claims_t *c)
{
    char prot[256];
    arca_protections_str(c->identity.protections, prot, sizeof prot);
    printf("%-14s %s\n", "platform", c->platform_kind == ARCA_PLATFORM_DEV ? "dev" : "arcad");
    printf("%-14s ", "platform id");
    cli_print_hex(c->platform_id, sizeof c->platform_id);
    printf("\n%-14s ", "measurement");
    cli_print_hex(c->identity.measurement, sizeof c->identity.measurement);
    printf("\n%-14s ", "signer id");
    cli_print_hex(c->identity.signer_id, sizeof c->identity.signer_id);
    printf("\n%-14s %u\n%-14s %u\n%-14s %s\n", "product id", c->identity.product_id, "svn",
           c->identity.svn, "debug", (c->identity.attributes & ARCA_ATTR_DEBUG) ? "yes" : "no");
    printf("%-14s %s\n%-14s %s\n", "backend", arca_backend_id_name(c->identity.backend),
           "protections", prot);
    printf("%-14s ", "report data");
    cli_print_hex(c->report_data, sizeof c->report_data);
    printf("\n%-14s ", "runtime");
    cli_print_hex(c->runtime_digest, sizeof c->runtime_digest);
    printf("\n%-14s %llu (unix ns)\n", "timestamp", (unsigned long long)c->timestamp_ns);
}

int cmd_verify(int argc, char **argv)
{
    static const struct option options[] = {
        {"policy", required_argument, NULL, 'p'},
        {"nonce", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL, *nonce_hex = NULL, *evidence_path;
    uint8_t nonce[64];
    size_t nonce_len = 0;
    int json = 0, c, status = ARCA_EXIT_FAILURE;
    arca_policy_t *policy = NULL;
    uint8_t *evidence = NULL;
    size_t len = 0;
    arca_claims_t claims;
    arca_result_t r;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:n:jh", options, NULL)) != -1) {
        switch (c) {
        case 'p': policy_path = optarg; break;
        case 'n': nonce_hex = optarg; break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return ARCA_EXIT_OK;
        default:
            return cli_option_error("verify", c, argv, usage);
        }
    }
    if (!policy_path || optind != argc - 1) {
        usage(stderr);
        return ARCA_EXIT_USAGE;
    }
    if (nonce_hex && (arca__hex_decode(nonce_hex, strlen(nonce_hex), nonce, sizeof nonce,
                                       &nonce_len) != ARCA_OK || nonce_len == 0)) {
        fprintf(stderr, "arca verify: --nonce must be 2 to 128 hex digits (1 to 64 bytes), not '%s'\n",
                nonce_hex);
        return ARCA_EXIT_USAGE;
    }
    evidence_path = argv[optind];
    if (arca__read_file(evidence_path, EVIDENCE_FILE_MAX, &evidence, &len) != ARCA_OK) {
        fprintf(stderr, "arca verify: %s\n", arca__error_detail());
        return ARCA_EXIT_IO;
    }
    r = nonce_hex ? arca_policy_load_file_with_nonce(policy_path, nonce, nonce_len, &policy)
                  : arca_policy_load_file(policy_path, &policy);
    if (r == ARCA_OK)
        r = arca_verify_evidence(evidence, len, policy, &claims);
    if (r == ARCA_OK) {
        status = ARCA_EXIT_OK;
        if (json) {
            char buf[2048];
            if (arca_claims_to_json(&claims, buf, sizeof buf, NULL) != ARCA_OK) {
                fprintf(stderr, "arca verify: %s\n", arca_verify_last_error());
                status = ARCA_EXIT_FAILURE;
            } else {
                printf("{\"verified\":true,\"claims\":%s}\n", buf);
            }
        } else {
            printf("OK: %s verifies under %s\n", evidence_path, policy_path);
            print_claims(&claims);
        }
    } else {
        if (json) {
            printf("{\"verified\":false,\"result\":\"%s\",\"message\":", arca_result_name(r));
            cli_print_json_string(arca_result_str(r));
            printf(",\"detail\":");
            cli_print_json_string(arca_verify_last_error());
            printf("}\n");
        }
        fprintf(stderr, "arca verify: FAILED: %s: %s\n  %s\n", arca_result_name(r), arca_result_str(r),
                arca_verify_last_error());
    }
    arca_policy_free(policy);
    free(evidence);
    return status;
}
