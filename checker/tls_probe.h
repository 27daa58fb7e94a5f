/* tls_probe.h - a GnuTLS client handshake on a connected socket that never aborts on a bad
 * certificate: it finishes, then records everything cert.h judges. Used after STARTTLS on the MX
 * hosts and directly on the policy host (where curl's own verdict says only "it failed"). */
#ifndef TLSRPT_CHECK_TLS_PROBE_H
#define TLSRPT_CHECK_TLS_PROBE_H

#include "cert.h"
#include "error.h"

#include <stdint.h>

struct tlsrpt_probe_tls; /* credentials (trust store), made once per run */

/* ca_file NULL: the system trust store. Returns 0 or an error code with err set. */
int tlsrpt_probe_tls_new(const char *ca_file, struct tlsrpt_probe_tls **out,
                         struct tlsrpt_error *err);
void tlsrpt_probe_tls_free(struct tlsrpt_probe_tls *t);

/* Handshakes on fd with SNI = host, before the deadline; fills out. The socket stays open (the
 * caller closes it). Returns 0 when the handshake completed, -1 otherwise (out->error says why). */
int tlsrpt_tls_probe(struct tlsrpt_probe_tls *t, int fd, const char *host, int64_t deadline_ms,
                     struct tlsrpt_cert_facts *out);

#endif
