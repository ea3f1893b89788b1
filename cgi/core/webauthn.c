/* webauthn.c — see webauthn.h. */
#include "webauthn.h"
#include <string.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/sha.h>
#include "cbor.h"

/* COSE key parameters (RFC 9053): kty 1, alg 3, crv -1, x -2, y -3. */
enum { COSE_KTY = 1, COSE_ALG = 3, COSE_CRV = -1, COSE_X = -2, COSE_Y = -3,
       COSE_KTY_EC2 = 2, COSE_ALG_ES256 = -7, COSE_CRV_P256 = 1 };

static int cose_int(const cbor_item *key, int64_t label, int64_t want)
{
    cbor_item v;
    int64_t n;
    return !cbor_map_get(key, NULL, label, &v) && !cbor_int(&v, &n) && n == want;
}

static int cose_coord(const cbor_item *key, int64_t label, unsigned char out[32])
{
    cbor_item v;
    if (cbor_map_get(key, NULL, label, &v) || v.type != CBOR_BYTES || v.n != 32) return -1;
    memcpy(out, v.p, 32);
    return 0;
}

/* The COSE key item as a point; its end is where authenticator data goes on. */
static int cose_item_p256(const cbor_item *key, unsigned char out[WA_P256_POINT_LEN])
{
    if (key->type != CBOR_MAP || !cose_int(key, COSE_KTY, COSE_KTY_EC2) || !cose_int(key, COSE_ALG, COSE_ALG_ES256) ||
        !cose_int(key, COSE_CRV, COSE_CRV_P256))
        return -1;
    out[0] = 0x04;
    return cose_coord(key, COSE_X, out + 1) || cose_coord(key, COSE_Y, out + 33) ? -1 : 0;
}

int wa_cose_p256(const unsigned char *k, size_t n, unsigned char out[WA_P256_POINT_LEN])
{
    cbor_item key;
    return cbor_read(k, n, &key) || key.end != k + n ? -1 : cose_item_p256(&key, out);
}

int wa_authdata_parse(const unsigned char *d, size_t n, wa_authdata *out)
{
    memset(out, 0, sizeof *out);
    if (!d || n < 37) return -1;                         /* rpIdHash 32, flags 1, signCount 4 */
    out->rp_id_hash = d;
    out->flags = d[32];
    out->sign_count = (uint32_t)d[33] << 24 | (uint32_t)d[34] << 16 | (uint32_t)d[35] << 8 | d[36];
    const unsigned char *p = d + 37, *end = d + n;
    if (out->flags & WA_FLAG_AT) {
        if (end - p < 18) return -1;                     /* aaguid 16, length 2 */
        size_t len = (size_t)p[16] << 8 | p[17];
        p += 18;
        if (len == 0 || len > WA_CRED_ID_MAX || (size_t)(end - p) < len) return -1;
        out->cred_id = p;
        out->cred_id_len = len;
        p += len;
        cbor_item key;
        if (cbor_read(p, (size_t)(end - p), &key) || cose_item_p256(&key, out->public_key)) return -1;
        out->has_credential = 1;
        p = key.end;
    }
    if (out->flags & WA_FLAG_ED) {
        cbor_item ext;
        if (cbor_read(p, (size_t)(end - p), &ext) || ext.type != CBOR_MAP) return -1;
        p = ext.end;
    }
    return p == end ? 0 : -1;                            /* nothing unaccounted for */
}

int wa_attestation_parse(const unsigned char *obj, size_t n, wa_authdata *out, const unsigned char **ad, size_t *ad_len)
{
    cbor_item top, fmt, stmt, data;
    if (cbor_read(obj, n, &top) || top.end != obj + n || top.type != CBOR_MAP) return -1;
    if (cbor_map_get(&top, "fmt", 0, &fmt) || fmt.type != CBOR_TEXT) return -1;
    if (cbor_map_get(&top, "attStmt", 0, &stmt) || stmt.type != CBOR_MAP) return -1;
    if (cbor_map_get(&top, "authData", 0, &data) || data.type != CBOR_BYTES) return -1;
    if (wa_authdata_parse(data.p, (size_t)data.n, out) || !out->has_credential) return -1;
    *ad = data.p;
    *ad_len = (size_t)data.n;
    return 0;
}

int wa_verify_es256(const unsigned char public_key[WA_P256_POINT_LEN], const unsigned char *authdata, size_t ad_len,
                    const unsigned char *client_data, size_t cd_len, const unsigned char *sig, size_t sig_len)
{
    unsigned char cd_hash[SHA256_DIGEST_LENGTH];
    if (!SHA256(client_data, cd_len, cd_hash)) return 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)public_key, WA_P256_POINT_LEN),
        OSSL_PARAM_construct_end(),
    };
    int ok = 0;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (kctx && md && EVP_PKEY_fromdata_init(kctx) == 1 &&
        EVP_PKEY_fromdata(kctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1 &&
        EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
        EVP_DigestVerifyUpdate(md, authdata, ad_len) == 1 &&
        EVP_DigestVerifyUpdate(md, cd_hash, sizeof cd_hash) == 1)
        ok = EVP_DigestVerifyFinal(md, sig, sig_len) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(kctx);
    return ok;
}
