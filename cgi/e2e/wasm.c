/* wasm.c — the module's face in static/e2e.wasm (built only for wasm32-wasi, never natively):
 * each export is a thin wrapper under the name static/js/e2e.js calls. Pointers are offsets
 * into the module's memory; JavaScript owns what it gets from e2e_alloc and gives it back
 * with e2e_free (the only allocation: the page needs somewhere to put its bytes). */
#include <stdlib.h>
#include "e2e.h"
#include "file.h"
#include "group.h"
#include "keys.h"
#include "link.h"
#include "prim.h"
#include "qr.h"
#include "ratchet.h"
#include "safety.h"

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("alloc") void *w_alloc(size_t n) { return calloc(1, n ? n : 1); }
EXPORT("free") void w_free(void *p) { free(p); }
EXPORT("init") int w_init(void) { return e2e_init(); }

/* Sizes of the structures JavaScript allocates and passes by pointer. */
EXPORT("sizeof_identity") size_t w_sizeof_identity(void) { return sizeof(e2e_identity); }
EXPORT("sizeof_prekey") size_t w_sizeof_prekey(void) { return sizeof(e2e_prekey); }
EXPORT("sizeof_bundle") size_t w_sizeof_bundle(void) { return sizeof(e2e_bundle); }
EXPORT("sizeof_session") size_t w_sizeof_session(void) { return sizeof(e2e_session); }
EXPORT("sizeof_group") size_t w_sizeof_group(void) { return sizeof(e2e_group_key); }
EXPORT("identity_public") const unsigned char *w_identity_public(const e2e_identity *id) { return id->sign_pk; }
EXPORT("prekey_public") const unsigned char *w_prekey_public(const e2e_prekey *pk) { return pk->pk; }
EXPORT("prekey_signature") const unsigned char *w_prekey_signature(const e2e_prekey *pk) { return pk->sig; }
EXPORT("prekey_id") uint32_t w_prekey_id(const e2e_prekey *pk) { return pk->id; }

/* Primitives (for the Wycheproof vectors under Node). */
EXPORT("hmac") int w_hmac(int hash, const unsigned char *k, size_t kl, const unsigned char *m, size_t ml, unsigned char *out)
{ return e2e_hmac(hash, k, kl, m, ml, out); }
EXPORT("hkdf") int w_hkdf(int hash, const unsigned char *s, size_t sl, const unsigned char *i, size_t il,
                          const unsigned char *n, size_t nl, unsigned char *o, size_t ol)
{ return e2e_hkdf(hash, s, sl, i, il, n, nl, o, ol); }
EXPORT("x25519") int w_x25519(const unsigned char *s, const unsigned char *p, unsigned char *o) { return e2e_x25519(s, p, o); }
EXPORT("ed25519_verify") int w_ed25519_verify(const unsigned char *sig, const unsigned char *m, size_t ml, const unsigned char *pk)
{ return e2e_ed25519_verify(sig, m, ml, pk); }
EXPORT("aead_seal") long w_aead_seal(const unsigned char *k, size_t kl, const unsigned char *n, size_t nl, const unsigned char *a,
                                     size_t al, const unsigned char *m, size_t ml, unsigned char *o)
{ return e2e_aead_seal(k, kl, n, nl, a, al, m, ml, o); }
EXPORT("aead_open") long w_aead_open(const unsigned char *k, size_t kl, const unsigned char *n, size_t nl, const unsigned char *a,
                                     size_t al, const unsigned char *c, size_t cl, unsigned char *o)
{ return e2e_aead_open(k, kl, n, nl, a, al, c, cl, o); }

/* Keys. */
EXPORT("identity_new") int w_identity_new(e2e_identity *id) { return e2e_identity_new(id, NULL); }
EXPORT("identity_save") long w_identity_save(const e2e_identity *id, unsigned char *o, size_t c) { return e2e_identity_save(id, o, c); }
EXPORT("identity_load") int w_identity_load(e2e_identity *id, const unsigned char *i, size_t n) { return e2e_identity_load(id, i, n); }
EXPORT("signed_prekey_new") int w_signed_prekey_new(e2e_prekey *pk, const e2e_identity *id, uint32_t kid)
{ return e2e_signed_prekey_new(pk, id, kid); }
EXPORT("onetime_prekey_new") int w_onetime_prekey_new(e2e_prekey *pk, uint32_t kid) { return e2e_onetime_prekey_new(pk, kid); }
EXPORT("prekey_save") long w_prekey_save(const e2e_prekey *pk, unsigned char *o, size_t c) { return e2e_prekey_save(pk, o, c); }
EXPORT("prekey_load") int w_prekey_load(e2e_prekey *pk, const unsigned char *i, size_t n) { return e2e_prekey_load(pk, i, n); }
EXPORT("bundle_encode") long w_bundle_encode(const e2e_identity *id, const e2e_prekey *spk, const e2e_prekey *opk,
                                             unsigned char *o, size_t c)
{ return e2e_bundle_encode(id, spk, opk, o, c); }
EXPORT("bundle_decode") int w_bundle_decode(e2e_bundle *b, const unsigned char *i, size_t n) { return e2e_bundle_decode(b, i, n); }
/* Attachments: sealed under a fresh key and header (both written to k and h). */
EXPORT("file_sealed_len") size_t w_file_sealed_len(size_t n) { return e2e_file_sealed_len(n); }
EXPORT("file_seal") long w_file_seal(unsigned char *k, unsigned char *h, const unsigned char *in, size_t n, unsigned char *o,
                                     size_t cap)
{ return e2e_file_seal(k, h, in, n, o, cap); }
EXPORT("file_open") long w_file_open(const unsigned char *k, const unsigned char *h, const unsigned char *in, size_t n,
                                     unsigned char *o, size_t cap)
{ return e2e_file_open(k, h, in, n, o, cap); }
/* The safety number (or any short text) as a QR code: side × side module bytes into o. */
EXPORT("qr_encode") int w_qr_encode(const unsigned char *t, size_t l, unsigned char *o, size_t cap)
{ return e2e_qr_encode(t, l, o, cap); }
EXPORT("safety_number") int w_safety_number(const unsigned char *a, const unsigned char *ia, size_t la, const unsigned char *b,
                                            const unsigned char *ib, size_t lb, char *out)
{ return e2e_safety_number(a, ia, la, b, ib, lb, out); }

/* Sessions. */
EXPORT("session_initiate") int w_session_initiate(e2e_session *s, const e2e_identity *me, const e2e_bundle *b)
{ return e2e_session_initiate(s, me, b); }
EXPORT("prekey_message_peek") int w_prekey_message_peek(const unsigned char *m, size_t n, unsigned char *ik, uint32_t *spk,
                                                        int *has, uint32_t *opk)
{ return e2e_prekey_message_peek(m, n, ik, spk, has, opk); }
EXPORT("session_respond") long w_session_respond(e2e_session *s, const e2e_identity *me, const e2e_prekey *spk,
                                                 const e2e_prekey *opk, const unsigned char *m, size_t n, unsigned char *o, size_t c)
{ return e2e_session_respond(s, me, spk, opk, m, n, o, c); }
EXPORT("session_encrypt") long w_session_encrypt(e2e_session *s, const unsigned char *p, size_t n, unsigned char *o, size_t c)
{ return e2e_session_encrypt(s, p, n, o, c); }
EXPORT("session_decrypt") long w_session_decrypt(e2e_session *s, const unsigned char *m, size_t n, unsigned char *o, size_t c)
{ return e2e_session_decrypt(s, m, n, o, c); }
EXPORT("session_save") long w_session_save(const e2e_session *s, unsigned char *o, size_t c) { return e2e_session_save(s, o, c); }
EXPORT("session_load") int w_session_load(e2e_session *s, const unsigned char *i, size_t n) { return e2e_session_load(s, i, n); }

/* Groups. */
EXPORT("group_new") int w_group_new(e2e_group_key *k, uint32_t id) { return e2e_group_new(k, id); }
EXPORT("group_rotate") int w_group_rotate(e2e_group_key *k) { return e2e_group_rotate(k); }
EXPORT("group_distribution") long w_group_distribution(const e2e_group_key *k, unsigned char *o, size_t c)
{ return e2e_group_distribution(k, o, c); }
EXPORT("group_accept") int w_group_accept(e2e_group_key *k, const unsigned char *i, size_t n) { return e2e_group_accept(k, i, n); }
EXPORT("group_encrypt") long w_group_encrypt(e2e_group_key *k, const unsigned char *p, size_t n, unsigned char *o, size_t c)
{ return e2e_group_encrypt(k, p, n, o, c); }
EXPORT("group_decrypt") long w_group_decrypt(e2e_group_key *k, const unsigned char *m, size_t n, unsigned char *o, size_t c)
{ return e2e_group_decrypt(k, m, n, o, c); }
EXPORT("group_save") long w_group_save(const e2e_group_key *k, unsigned char *o, size_t c) { return e2e_group_save(k, o, c); }
EXPORT("group_load") int w_group_load(e2e_group_key *k, const unsigned char *i, size_t n) { return e2e_group_load(k, i, n); }

/* Linking a new device (link.h): the code, the channel key and the sealed transfer. */
EXPORT("link_keypair") int w_link_keypair(unsigned char *sk, unsigned char *pk) { return e2e_link_keypair(sk, pk); }
EXPORT("link_code") int w_link_code(const char *id, const unsigned char *secret, char *out) { return e2e_link_code(id, secret, out); }
EXPORT("link_code_parse") int w_link_code_parse(const char *t, size_t n, char *id, unsigned char *secret)
{ return e2e_link_code_parse(t, n, id, secret); }
EXPORT("link_key") int w_link_key(unsigned char *k, const unsigned char *sk, const unsigned char *peer, const unsigned char *npk,
                                  const unsigned char *opk, const unsigned char *secret, const char *id)
{ return e2e_link_key(k, sk, peer, npk, opk, secret, id); }
EXPORT("link_sealed_len") size_t w_link_sealed_len(size_t n) { return e2e_link_sealed_len(n); }
EXPORT("link_seal") long w_link_seal(const unsigned char *k, const unsigned char *in, size_t n, unsigned char *o, size_t cap)
{ return e2e_link_seal(k, in, n, o, cap); }
EXPORT("link_open") long w_link_open(const unsigned char *k, const unsigned char *in, size_t n, unsigned char *o, size_t cap)
{ return e2e_link_open(k, in, n, o, cap); }
