/* SHA-256 (FIPS 180-4) of a byte string or of a file's content, computed by
 * OpenSSL (libcrypto).
 *
 * Files named by input parameters (TL_PARAM_FILE) are identified by the
 * SHA-256 of their content: in the checkpoint fingerprint, so that a resume
 * after the file changed is refused, and in the output file, where the
 * digest can be compared with `sha256sum FILE`.
 */
#ifndef THERMOLEARN_SHA256_H
#define THERMOLEARN_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define TL_SHA256_HEX 65 /* 64 hexadecimal digits and the terminating NUL */

typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct {
    EVP_MD_CTX *ctx; /* freed by tl_sha256_final_hex */
} tl_sha256;

void tl_sha256_init(tl_sha256 *s);
void tl_sha256_update(tl_sha256 *s, const void *data, size_t n);
/* The digest as 64 lowercase hexadecimal digits. */
void tl_sha256_final_hex(tl_sha256 *s, char hex[TL_SHA256_HEX]);

/* The digest of a whole file.  Returns 0, or -1 with errno set when the file
 * cannot be opened or read (a directory: EISDIR). */
int tl_sha256_file(const char *path, char hex[TL_SHA256_HEX]);

#endif
