/* SHA-256 of byte strings and files, through OpenSSL's EVP interface; see sha256.h. */
#include <errno.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "thermolearn/error.h"
#include "thermolearn/sha256.h"

void tl_sha256_init(tl_sha256 *s)
{
    s->ctx = EVP_MD_CTX_new();
    if (!s->ctx || EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1) error("OpenSSL: cannot start a SHA-256 digest");
}

void tl_sha256_update(tl_sha256 *s, const void *data, size_t n)
{
    if (n && EVP_DigestUpdate(s->ctx, data, n) != 1) error("OpenSSL: SHA-256 update failed");
}

void tl_sha256_final_hex(tl_sha256 *s, char hex[TL_SHA256_HEX])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(s->ctx, digest, &len) != 1 || len != 32) error("OpenSSL: SHA-256 final failed");
    EVP_MD_CTX_free(s->ctx);
    s->ctx = NULL;
    for (unsigned int i = 0; i < len; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

int tl_sha256_file(const char *path, char hex[TL_SHA256_HEX])
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    tl_sha256 s;
    tl_sha256_init(&s);
    unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) tl_sha256_update(&s, buf, n);
    int bad = ferror(f), saved = errno;
    fclose(f);
    tl_sha256_final_hex(&s, hex);
    if (bad) {
        errno = saved ? saved : EIO;
        return -1;
    }
    return 0;
}
