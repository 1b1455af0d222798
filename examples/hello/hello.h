/* hello.h — the interface between the hello enclave and its host: plain function ids. */
#ifndef ARCA_EXAMPLE_HELLO_H
#define ARCA_EXAMPLE_HELLO_H

#define HELLO_GREET 1           /* ecall: in = a name; out = the greeting */
#define HELLO_HOST_SALUTATION 1 /* host call: out = the host's salutation ("Good morning") */
#define HELLO_NAME_MAX 64       /* longest name the enclave accepts */

#endif
