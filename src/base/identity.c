/*
 * identity.c — printable names for identity fields (backend ids, protection bits).
 * Pure formatting; no policy decisions live here.
 */
#include "arca/identity.h"

#include <stdio.h>
#include <string.h>

const char *arca_backend_id_name(uint16_t backend)
{
    switch (backend) {
    case ARCA_BACKEND_ID_SIM: return "sim";
    case ARCA_BACKEND_ID_PROCESS: return "process";
    case ARCA_BACKEND_ID_SGX: return "sgx";
    case ARCA_BACKEND_ID_CVM: return "cvm";
    default: return "unknown";
    }
}

int arca_protections_str(uint32_t protections, char *buf, size_t cap)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } bits[] = {
        {ARCA_PROT_SEPARATE_PROCESS, "separate-process"},
        {ARCA_PROT_NODUMP, "nodump"},
        {ARCA_PROT_NOCORE, "nocore"},
        {ARCA_PROT_NO_NEW_PRIVS, "no-new-privs"},
        {ARCA_PROT_NAMESPACES, "namespaces"},
        {ARCA_PROT_LANDLOCK, "landlock"},
        {ARCA_PROT_SECRETMEM, "secretmem"},
        {ARCA_PROT_MLOCK, "mlock"},
        {ARCA_PROT_SECCOMP, "seccomp"},
    };
    size_t used = 0;
    int total = 0;
    if (cap > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        if (!(protections & bits[i].bit))
            continue;
        int n = snprintf(cap > used ? buf + used : NULL, cap > used ? cap - used : 0, "%s%s",
                         total ? "," : "", bits[i].name);
        total += n;
        used += (size_t)n;
    }
    if (total == 0)
        total = snprintf(buf, cap, "none");
    return total;
}
