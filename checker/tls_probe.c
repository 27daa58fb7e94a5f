/* tls_probe.c - GnuTLS handshake and certificate facts (tls_probe.h). */
#include "tls_probe.h"

#include "net.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAN_MAX 64 /* subjectAltName entries looked at */

struct tlsrpt_probe_tls {
    gnutls_certificate_credentials_t cred;
};

int tlsrpt_probe_tls_new(const char *ca_file, struct tlsrpt_probe_tls **out,
                         struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_IO;
    struct tlsrpt_probe_tls *t = calloc(1, sizeof *t);
    *out = NULL;
    if (t == NULL)
        return tlsrpt_error_set(err, TLSRPT_E_NOMEM, NULL, "out of memory");
    int g = gnutls_certificate_allocate_credentials(&t->cred);
    if (g < 0) {
        t->cred = NULL;
        tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "GnuTLS credentials: %s", gnutls_strerror(g));
        goto out;
    }
    g = ca_file ? gnutls_certificate_set_x509_trust_file(t->cred, ca_file, GNUTLS_X509_FMT_PEM)
                : gnutls_certificate_set_x509_system_trust(t->cred);
    if (g <= 0) { /* the count of CA certificates loaded: none is an error too */
        tlsrpt_error_set(err, TLSRPT_E_IO, NULL, "no CA certificates loaded from %s%s%s",
                         ca_file ? ca_file : "the system trust store", g < 0 ? ": " : "",
                         g < 0 ? gnutls_strerror(g) : "");
        goto out;
    }
    *out = t;
    t = NULL;
    rc = 0;
out:
    tlsrpt_probe_tls_free(t);
    return rc;
}

void tlsrpt_probe_tls_free(struct tlsrpt_probe_tls *t)
{
    if (t == NULL)
        return;
    if (t->cred != NULL)
        gnutls_certificate_free_credentials(t->cred);
    free(t);
}

static void append_name(char *names, size_t cap, const char *name)
{
    size_t n = strlen(names);
    if (n + 2 + strlen(name) + 1 > cap)
        return;
    snprintf(names + n, cap - n, "%s%s", n ? ", " : "", name);
}

/* Reads names, dates and issuer from the leaf certificate. */
static int leaf_facts(gnutls_x509_crt_t crt, const char *host, struct tlsrpt_cert_facts *out)
{
    char buf[256];
    size_t sz;
    for (unsigned i = 0; i < SAN_MAX; i++) {
        sz = sizeof buf - 1;
        int type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &sz, NULL);
        if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (type != GNUTLS_SAN_DNSNAME)
            continue; /* other types (IP, email, too-long names) do not name a host */
        buf[sz] = '\0';
        out->n_dns_san++;
        out->wildcard_san |= buf[0] == '*' && buf[1] == '.';
        append_name(out->names, sizeof out->names, buf);
    }
    if (out->n_dns_san == 0) {
        sz = sizeof buf - 4;
        memcpy(buf, "CN=", 3);
        if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf + 3, &sz) ==
            0)
            append_name(out->names, sizeof out->names, buf);
    }
    /* Only trusted when a dNSName exists: GnuTLS would otherwise fall back to the CN. */
    out->name_ok = out->n_dns_san > 0 && gnutls_x509_crt_check_hostname2(crt, host, 0) != 0;
    out->not_before = gnutls_x509_crt_get_activation_time(crt);
    out->not_after = gnutls_x509_crt_get_expiration_time(crt);
    sz = sizeof out->issuer;
    if (gnutls_x509_crt_get_issuer_dn(crt, out->issuer, &sz) != 0)
        out->issuer[0] = '\0';
    return 0;
}

static void session_facts(gnutls_session_t s, const char *host, struct tlsrpt_cert_facts *out)
{
    char *desc = gnutls_session_get_desc(s);
    if (desc != NULL) {
        snprintf(out->desc, sizeof out->desc, "%s", desc);
        gnutls_free(desc);
    }
    const char *v = gnutls_protocol_get_name(gnutls_protocol_get_version(s));
    const char *c = gnutls_cipher_get_name(gnutls_cipher_get(s));
    snprintf(out->tls_version, sizeof out->tls_version, "%s", v ? v : "");
    snprintf(out->cipher, sizeof out->cipher, "%s", c ? c : "");

    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(s, &n);
    gnutls_x509_crt_t crt = NULL;
    if (certs == NULL || n == 0 || gnutls_x509_crt_init(&crt) != 0)
        return;
    if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0) {
        out->have_cert = 1;
        leaf_facts(crt, host, out);
    }
    gnutls_x509_crt_deinit(crt);

    /* Chain and dates against our trust store, without the host name (judged above). */
    unsigned st = 0;
    if (gnutls_certificate_verify_peers2(s, &st) != 0)
        st = GNUTLS_CERT_INVALID;
    out->chain_status = st;
    gnutls_datum_t txt = {NULL, 0};
    if (st != 0 &&
        gnutls_certificate_verification_status_print(st, GNUTLS_CRT_X509, &txt, 0) == 0) {
        snprintf(out->status_text, sizeof out->status_text, "%s", (char *)txt.data);
        gnutls_free(txt.data);
    }
}

int tlsrpt_tls_probe(struct tlsrpt_probe_tls *t, int fd, const char *host, int64_t deadline_ms,
                     struct tlsrpt_cert_facts *out)
{
    gnutls_session_t s = NULL;
    int g;

    memset(out, 0, sizeof *out);
    if ((g = gnutls_init(&s, GNUTLS_CLIENT)) < 0) {
        s = NULL;
        goto out;
    }
    if ((g = gnutls_set_default_priority(s)) < 0 ||
        (g = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, t->cred)) < 0 ||
        (g = gnutls_server_name_set(s, GNUTLS_NAME_DNS, host, strlen(host))) < 0)
        goto out;
    gnutls_transport_set_int(s, fd);
    /* No gnutls_session_set_verify_cert(): it would abort on the first problem and hide the rest.
     */
    do {
        int64_t left = deadline_ms - tlsrpt_now_ms();
        if (left <= 0) {
            g = GNUTLS_E_TIMEDOUT;
            break;
        }
        gnutls_handshake_set_timeout(s, (unsigned)left);
        g = gnutls_handshake(s);
    } while (g < 0 && !gnutls_error_is_fatal(g));
    if (g < 0)
        goto out;
    out->handshake_ok = 1;
    session_facts(s, host, out);
    gnutls_bye(s, GNUTLS_SHUT_WR); /* close_notify; we do not wait for the peer's */
out:
    if (!out->handshake_ok)
        snprintf(out->error, sizeof out->error, "TLS handshake failed: %s", gnutls_strerror(g));
    if (s != NULL)
        gnutls_deinit(s);
    return out->handshake_ok ? 0 : -1;
}
