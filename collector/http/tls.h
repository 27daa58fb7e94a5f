/* tls.h - the server's certificate chain and key, swappable at run time. libmicrohttpd asks for
 * them per handshake through MHD_OPTION_HTTPS_CERT_CALLBACK (a GnuTLS retrieve function), so a
 * SIGHUP can load renewed files and the next handshake uses them, with the listener and open
 * connections untouched. A reload that fails (unreadable file, bad PEM, key not matching the
 * certificate) keeps the old pair. */
#ifndef TLSRPT_HTTP_TLS_H
#define TLSRPT_HTTP_TLS_H

#include "error.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stddef.h>

#define TLSRPT_TLS_MAX_CHAIN 16 /* certificates in the --tls-cert file */

struct tlsrpt_tls;

/* Loads cert_path (PEM chain, leaf first) and key_path (PEM). Returns 0, or TLSRPT_E_IO /
 * TLSRPT_E_FORMAT with err naming the file and the GnuTLS reason. */
int tlsrpt_tls_load(const char *cert_path, const char *key_path, struct tlsrpt_tls **out,
                    struct tlsrpt_error *err);
/* Re-reads both files. On failure the pair in use stays and err says why. Thread-safe against the
 * handshake callback. The replaced pair is kept until tlsrpt_tls_free, as sessions may still hold
 * it. */
int tlsrpt_tls_reload(struct tlsrpt_tls *t, struct tlsrpt_error *err);
void tlsrpt_tls_free(struct tlsrpt_tls *t);

/* "subject CN=..., expires 2027-01-01" for the log. */
void tlsrpt_tls_describe(struct tlsrpt_tls *t, char *buf, size_t len);

/* The retrieve callback has no user pointer: this makes t the one it serves (one server per
 * process). */
void tlsrpt_tls_activate(struct tlsrpt_tls *t);
/* The function to pass with MHD_OPTION_HTTPS_CERT_CALLBACK. */
int tlsrpt_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                        const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                        gnutls_pcert_st **pcert, unsigned int *pcert_length,
                        gnutls_privkey_t *pkey);

#endif
