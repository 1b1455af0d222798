/*
 * cmd_verify.c — `arca verify --policy policy.conf [--collateral PATH]... [--at TIME]
 * [--nonce HEX] [--json] evidence`: check attestation evidence against a policy, like
 * arca_verify_evidence_at() from a shell. The evidence may be Arca evidence or hardware
 * evidence (an Intel SGX or TDX DCAP quote, an AMD SEV-SNP report, an Azure vTPM HCL report):
 * the library recognises the format from the bytes. --collateral gives hardware evidence's
 * collateral (files or directories), --at the verification time, --nonce the expected report
 * data (the nonce the relying party sent) for a policy file that does not fix it.
 *
 * Exit 0 and the claims on success; exit 1 and the failed check (its result name and a
 * sentence naming the check) otherwise. It must never report success for evidence it did not
 * fully verify.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arca/verify.h"
#include "commands.h"
#include "base/error.h"
#include "base/hex.h"
#include "formats/image.h"

#define EVIDENCE_FILE_MAX (1u << 20)
#define MAX_COLLATERAL 64

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arca verify --policy POLICY.conf [--collateral PATH]... [--at TIME]\n"
            "                   [--nonce HEX] [--json] EVIDENCE\n"
            "\n"
            "Verify attestation evidence against a policy: Arca evidence (from\n"
            "arca_get_evidence), an Intel SGX or TDX DCAP quote, an AMD SEV-SNP report or an\n"
            "Azure vTPM HCL report. The format is recognised from the bytes.\n"
            "\n"
            "  -p, --policy FILE      policy.conf. Arca evidence: Measurement, SignerID,\n"
            "                         ProductID, MinSVN, AllowDebug, AllowDevPlatform,\n"
            "                         AllowSimulation, TrustedPlatformCert, TrustedArcadRoot,\n"
            "                         ReportData, MaxAgeSeconds, ClockSkewSeconds, Backend,\n"
            "                         RequireProtections, RuntimeDigest. Hardware evidence:\n"
            "                         TEE, SGX.MRENCLAVE, SGX.MRSIGNER, SGX.ISVPRODID,\n"
            "                         SGX.MinISVSVN, TDX.MRTD, TDX.RTMR0..3, TDX.MinTeeTcbSvn,\n"
            "                         SNP.Measurement, SNP.HostData, SNP.MinTCB, SNP.AllowVMPL,\n"
            "                         AllowTcbStatus, AllowAdvisories, TrustedRoot,\n"
            "                         AllowDebug, ReportData\n"
            "  -c, --collateral PATH  collateral for hardware evidence, a file or a directory\n"
            "                         of files (repeatable): Intel TCB Info and QE identity,\n"
            "                         certificates (VCEK/VLEK, ASK, issuer chains), CRLs, the\n"
            "                         TD quote of an Azure TDX HCL report\n"
            "  -a, --at TIME          verify as of TIME (2025-06-20T00:00:00Z or unix seconds)\n"
            "                         instead of now: certificates, collateral and the age of\n"
            "                         Arca evidence are judged at that time\n"
            "  -n, --nonce HEX        the report data to expect (the nonce you sent, 1 to 64\n"
            "                         bytes, zero-padded), for a policy without ReportData\n"
            "  -j, --json             print the claims (or the failure) as JSON on stdout\n"
            "  -h, --help             show this help\n"
            "\n"
            "A policy must demand freshness: ReportData or --nonce, or (Arca evidence only)\n"
            "MaxAgeSeconds. Exit status: 0 verified, 1 verification failed (the failed check\n"
            "is printed), 2 usage error, 3 the evidence or a collateral file cannot be read.\n");
}

static void print_hex_line(const char *label, const uint8_t *bytes, size_t n)
{
    printf("%-14s ", label);
    cli_print_hex(bytes, n);
    printf("\n");
}

static void print_arca_claims(const arca_claims_t *c)
{
    char prot[256];
    arca_protections_str(c->identity.protections, prot, sizeof prot);
    printf("%-14s %s\n", "platform", c->platform_kind == ARCA_PLATFORM_DEV ? "dev" : "arcad");
    print_hex_line("platform id", c->platform_id, sizeof c->platform_id);
    print_hex_line("measurement", c->identity.measurement, sizeof c->identity.measurement);
    print_hex_line("signer id", c->identity.signer_id, sizeof c->identity.signer_id);
    printf("%-14s %u\n%-14s %u\n%-14s %s\n", "product id", c->identity.product_id, "svn",
           c->identity.svn, "debug", (c->identity.attributes & ARCA_ATTR_DEBUG) ? "yes" : "no");
    printf("%-14s %s\n%-14s %s\n", "backend", arca_backend_id_name(c->identity.backend),
           "protections", prot);
    print_hex_line("report data", c->report_data, sizeof c->report_data);
    print_hex_line("runtime", c->runtime_digest, sizeof c->runtime_digest);
    printf("%-14s %llu (unix ns)\n", "timestamp", (unsigned long long)c->timestamp_ns);
}

/* The common claims shape of hardware evidence, and what identifies the TEE's instance. */
static void print_tee_claims(const arca_tee_claims_t *t)
{
    char when[40] = "";
    time_t secs = (time_t)t->verified_at;
    struct tm tm;

    printf("%-14s %s%s\n", "tee", arca_tee_name(t->tee),
           t->wrapped_azure ? " (in an Azure HCL report)" : "");
    printf("%-14s %u\n", "version", t->evidence_version);
    print_hex_line("measurement", t->measurement, t->measurement_len);
    for (int i = 0; t->has_rtmr && i < 4; i++) {
        char label[8];
        snprintf(label, sizeof label, "rtmr%d", i);
        print_hex_line(label, t->rtmr[i], 48);
    }
    if (t->signer_len)
        print_hex_line("signer", t->signer, t->signer_len);
    if (t->has_product_id)
        printf("%-14s %u\n", "product id", t->product_id);
    if (t->has_svn)
        printf("%-14s %u\n", "svn", t->svn);
    printf("%-14s %s\n", "debug", t->debug ? "yes" : "no");
    print_hex_line("report data", t->report_data, 64);
    if (t->tee == ARCA_TEE_SNP) {
        print_hex_line("host data", t->snp.host_data, 32);
        printf("%-14s %u\n", "vmpl", t->snp.vmpl);
        printf("%-14s bootloader=%u, tee=%u, snp=%u, microcode=%u", "reported tcb",
               t->snp.reported_tcb.bootloader, t->snp.reported_tcb.tee, t->snp.reported_tcb.snp,
               t->snp.reported_tcb.microcode);
        if (t->snp.turin_layout)
            printf(", fmc=%u", t->snp.reported_tcb.fmc);
        printf("\n");
    }
    printf("%-14s %s\n", "tcb status", arca_tcb_status_name(t->tcb_status));
    printf("%-14s", "advisories");
    for (size_t i = 0; i < t->advisory_count; i++)
        printf("%s%s", i ? ", " : " ", t->advisories[i]);
    printf("%s\n", t->advisory_count ? "" : " none");
    if (t->has_fmspc)
        print_hex_line("fmspc", t->fmspc, 6);
    if (t->has_chip_id)
        print_hex_line("chip id", t->chip_id, t->chip_id_len);
    print_hex_line("root sha256", t->root_hash, 32);
    if (gmtime_r(&secs, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("%-14s %s\n", "verified at", when);
}

/* The claims as {"verified":true,"claims":...} on stdout. */
static int print_json_claims(const arca_claims_t *claims)
{
    size_t needed = 0;
    char *buf = NULL;
    int status = ARCA_EXIT_FAILURE;

    if (arca_claims_to_json(claims, NULL, 0, &needed) == ARCA_ERR_BUFFER_TOO_SMALL &&
        (buf = malloc(needed)) != NULL &&
        arca_claims_to_json(claims, buf, needed, NULL) == ARCA_OK) {
        printf("{\"verified\":true,\"format\":\"%s\",\"claims\":%s}\n",
               arca_evidence_format_name(claims->format), buf);
        status = ARCA_EXIT_OK;
    } else {
        fprintf(stderr, "arca verify: cannot write the claims as JSON: %s\n",
                arca_verify_last_error());
    }
    free(buf);
    return status;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option options[] = {
        {"policy", required_argument, NULL, 'p'},
        {"collateral", required_argument, NULL, 'c'},
        {"at", required_argument, NULL, 'a'},
        {"nonce", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL, *nonce_hex = NULL, *at_text = NULL, *evidence_path;
    const char *collateral[MAX_COLLATERAL];
    size_t collateral_count = 0;
    uint8_t nonce[64];
    size_t nonce_len = 0;
    uint64_t at_ns = 0;
    int json = 0, c, status = ARCA_EXIT_FAILURE;
    arca_policy_t *policy = NULL;
    uint8_t *evidence = NULL;
    size_t len = 0;
    arca_claims_t *claims = NULL;
    arca_result_t r;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:c:a:n:jh", options, NULL)) != -1) {
        switch (c) {
        case 'p': policy_path = optarg; break;
        case 'c':
            if (collateral_count == MAX_COLLATERAL) {
                fprintf(stderr, "arca verify: more than %d --collateral paths (give directories)\n",
                        MAX_COLLATERAL);
                return ARCA_EXIT_USAGE;
            }
            collateral[collateral_count++] = optarg;
            break;
        case 'a': at_text = optarg; break;
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
    if (at_text && arca_verify_parse_time(at_text, &at_ns) != ARCA_OK) {
        fprintf(stderr, "arca verify: --at: %s\n", arca_verify_last_error());
        return ARCA_EXIT_USAGE;
    }
    evidence_path = argv[optind];
    if (arca__read_file(evidence_path, EVIDENCE_FILE_MAX, &evidence, &len) != ARCA_OK) {
        fprintf(stderr, "arca verify: %s\n", arca__error_detail());
        return ARCA_EXIT_IO;
    }
    claims = calloc(1, sizeof *claims);
    if (!claims) {
        fprintf(stderr, "arca verify: out of memory\n");
        free(evidence);
        return ARCA_EXIT_FAILURE;
    }
    r = nonce_hex ? arca_policy_load_file_with_nonce(policy_path, nonce, nonce_len, &policy)
                  : arca_policy_load_file(policy_path, &policy);
    for (size_t i = 0; r == ARCA_OK && i < collateral_count; i++) {
        r = arca_policy_add_collateral_path(policy, collateral[i]);
        if (r == ARCA_ERR_IO) {
            fprintf(stderr, "arca verify: --collateral: %s\n", arca_verify_last_error());
            status = ARCA_EXIT_IO;
            goto done;
        }
    }
    if (r == ARCA_OK)
        r = arca_verify_evidence_at(evidence, len, policy, at_ns, claims);
    if (r == ARCA_OK) {
        if (json) {
            status = print_json_claims(claims);
        } else {
            status = ARCA_EXIT_OK;
            printf("OK: %s (%s) verifies under %s\n", evidence_path,
                   arca_evidence_format_name(claims->format), policy_path);
            if (claims->format == ARCA_EVIDENCE_ARCA)
                print_arca_claims(claims);
            else
                print_tee_claims(&claims->tee);
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
done:
    arca_policy_free(policy);
    free(claims);
    free(evidence);
    return status;
}
