/* Types shared by host and enclave of the file-encryptor-style sample. */
#ifndef SHARED_H
#define SHARED_H
#include <stddef.h>
#define HASH_VALUE_SIZE_IN_BYTES 32
#define ENCRYPTION_KEY_SIZE_IN_BYTES 32
#define SALT_SIZE_IN_BYTES 16
typedef struct _encryption_header {
    size_t file_data_size;
    unsigned char digest[HASH_VALUE_SIZE_IN_BYTES];
    unsigned char encrypted_key[ENCRYPTION_KEY_SIZE_IN_BYTES];
    unsigned char salt[SALT_SIZE_IN_BYTES];
} encryption_header_t;
#endif
