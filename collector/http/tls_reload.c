/* tls_reload.c - certificate/key pairs loaded with GnuTLS and handed out per handshake. */
#include "tls.h"

#include <gnutls/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pair {
    gnutls_pcert_st chain[TLSRPT_TLS_MAX_CHAIN];
    unsigned n;
    gnutls_privkey_t key;
    char desc[256];
    struct pair *older; /* retired pairs, freed at exit */
};

struct tlsrpt_tls {
    char *cert_path, *key_path;
    pthread_mutex_t lock;
    struct pair *cur;
};

static struct tlsrpt_tls *active;

static void pair_free(struct pair *p)
{
    while (p) {
        struct pair *older = p->older;
        for (unsigned i = 0; i < p->n; i++)
            gnutls_pcert_deinit(&p->chain[i]);
        if (p->key)
            gnutls_privkey_deinit(p->key);
        free(p);
        p = older;
    }
}

static void describe(struct pair *p, const gnutls_datum_t *cert)
{
    gnutls_x509_crt_t crt;
    snprintf(p->desc, sizeof p->desc, "%u certificate(s)", p->n);
    if (gnutls_x509_crt_init(&crt) != 0)
        return;
    if (gnutls_x509_crt_import(crt, cert, GNUTLS_X509_FMT_PEM) == 0) {
        char dn[160];
        size_t dnlen = sizeof dn;
        if (gnutls_x509_crt_get_dn(crt, dn, &dnlen) != 0)
            snprintf(dn, sizeof dn, "?");
        time_t exp = gnutls_x509_crt_get_expiration_time(crt);
        struct tm tm;
        char when[32] = "?";
        if (exp != (time_t)-1 && gmtime_r(&exp, &tm))
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        snprintf(p->desc, sizeof p->desc, "subject %s, expires %s%s", dn, when,
                 exp != (time_t)-1 && exp < time(NULL) ? " (EXPIRED)" : "");
    }
    gnutls_x509_crt_deinit(crt);
}

/* Loads both files into a new pair; checks that the key belongs to the leaf certificate. */
static int pair_load(const char *cert_path, const char *key_path, struct pair **out,
                     struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_FORMAT, gr;
    gnutls_datum_t cert = {NULL, 0}, key = {NULL, 0};
    gnutls_certificate_credentials_t check = NULL;
    struct pair *p = calloc(1, sizeof *p);
    if (!p) {
        rc = tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
        goto out;
    }
    if ((gr = gnutls_load_file(cert_path, &cert)) < 0) {
        rc = tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s: cannot read: %s", cert_path,
                              gnutls_strerror(gr));
        goto out;
    }
    if ((gr = gnutls_load_file(key_path, &key)) < 0) {
        rc = tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s: cannot read: %s", key_path,
                              gnutls_strerror(gr));
        goto out;
    }
    /* The credentials call checks that the key matches the certificate: no half-valid pair in use.
     */
    if (gnutls_certificate_allocate_credentials(&check) < 0 ||
        (gr = gnutls_certificate_set_x509_key_mem(check, &cert, &key, GNUTLS_X509_FMT_PEM)) < 0) {
        tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s / %s: %s", cert_path, key_path,
                         check ? gnutls_strerror(gr) : "out of memory");
        goto out;
    }
    p->n = TLSRPT_TLS_MAX_CHAIN;
    if ((gr = gnutls_pcert_list_import_x509_raw(p->chain, &p->n, &cert, GNUTLS_X509_FMT_PEM, 0)) <
        0) {
        p->n = 0;
        tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s: %s", cert_path, gnutls_strerror(gr));
        goto out;
    }
    if ((gr = gnutls_privkey_init(&p->key)) < 0 ||
        (gr = gnutls_privkey_import_x509_raw(p->key, &key, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        tlsrpt_error_set(err, TLSRPT_E_FORMAT, "", "%s: %s", key_path, gnutls_strerror(gr));
        goto out;
    }
    describe(p, &cert);
    *out = p;
    p = NULL;
    rc = 0;
out:
    if (check)
        gnutls_certificate_free_credentials(check);
    if (key.data) {
        gnutls_memset(key.data, 0, key.size); /* the private key leaves memory as soon as it can */
        gnutls_free(key.data);
    }
    gnutls_free(cert.data);
    pair_free(p);
    return rc;
}

int tlsrpt_tls_load(const char *cert_path, const char *key_path, struct tlsrpt_tls **out,
                    struct tlsrpt_error *err)
{
    int rc = TLSRPT_E_NOMEM;
    *out = NULL;
    struct tlsrpt_tls *t = calloc(1, sizeof *t);
    if (!t) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
        goto out;
    }
    pthread_mutex_init(&t->lock, NULL);
    if (!(t->cert_path = strdup(cert_path)) || !(t->key_path = strdup(key_path))) {
        tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "out of memory");
        goto out;
    }
    rc = pair_load(cert_path, key_path, &t->cur, err);
    if (rc != 0)
        goto out;
    *out = t;
    t = NULL;
out:
    tlsrpt_tls_free(t);
    return rc;
}

int tlsrpt_tls_reload(struct tlsrpt_tls *t, struct tlsrpt_error *err)
{
    struct pair *p = NULL;
    int rc = pair_load(t->cert_path, t->key_path, &p, err);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&t->lock);
    p->older = t->cur;
    t->cur = p;
    pthread_mutex_unlock(&t->lock);
    return 0;
}

void tlsrpt_tls_free(struct tlsrpt_tls *t)
{
    if (!t)
        return;
    if (active == t)
        active = NULL;
    pthread_mutex_destroy(&t->lock);
    pair_free(t->cur);
    free(t->cert_path);
    free(t->key_path);
    free(t);
}

void tlsrpt_tls_describe(struct tlsrpt_tls *t, char *buf, size_t len)
{
    pthread_mutex_lock(&t->lock);
    snprintf(buf, len, "%s", t->cur->desc);
    pthread_mutex_unlock(&t->lock);
}

void tlsrpt_tls_activate(struct tlsrpt_tls *t)
{
    active = t;
}

int tlsrpt_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                        const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                        gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
    struct tlsrpt_tls *t = active;
    if (!t)
        return -1;
    pthread_mutex_lock(&t->lock);
    *pcert = t->cur->chain;
    *pcert_length = t->cur->n;
    *pkey = t->cur->key;
    pthread_mutex_unlock(&t->lock);
    return 0;
}
