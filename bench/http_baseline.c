/* http_baseline - the bound for bench/http_bench.sh: a libmicrohttpd endpoint with the same TLS
 * (certificate through the same GnuTLS retrieve callback), flags, thread pool and limits as
 * `tlsrpt-collector serve`, which reads each POST body and answers 200 without decoding or storing.
 * Runs until SIGTERM/SIGINT.
 *
 *   http_baseline CERT KEY PORT THREADS
 */
#include "tls.h"

#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY (4u << 20)

struct body {
    size_t len;
};

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    struct body *b = *con_cls;
    if (!b) {
        b = calloc(1, sizeof *b);
        *con_cls = b;
        return b ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        b->len += *upload_size; /* read, not kept: the bound does no work on the body */
        *upload_size = 0;
        return b->len <= MAX_BODY ? MHD_YES : MHD_NO;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    free(*con_cls);
    *con_cls = NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: http_baseline CERT KEY PORT THREADS\n");
        return 2;
    }
    struct tlsrpt_tls *tls;
    struct tlsrpt_error err;
    if (tlsrpt_tls_load(argv[1], argv[2], &tls, &err) != 0) {
        fprintf(stderr, "http_baseline: %s\n", err.message);
        return 1;
    }
    tlsrpt_tls_activate(tls);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG | MHD_USE_TLS,
        (uint16_t)atoi(argv[3]), NULL, NULL, handle, NULL, MHD_OPTION_HTTPS_CERT_CALLBACK,
        tlsrpt_tls_retrieve, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[4]),
        MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_CONNECTION_TIMEOUT, 15u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32u << 10), MHD_OPTION_NOTIFY_COMPLETED,
        completed, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "http_baseline: cannot listen on port %s\n", argv[3]);
        tlsrpt_tls_free(tls);
        return 1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("http_baseline listening on port %u\n", di ? (unsigned)di->port : 0u);
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    tlsrpt_tls_free(tls);
    return 0;
}
