/* net.c - sockets with deadlines (net.h). */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t tlsrpt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for `events` on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline_ms)
{
    for (;;) {
        int64_t left = deadline_ms - tlsrpt_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        return r < 0 ? -1 : r > 0;
    }
}

static int make_addr(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *len = sizeof *in4;
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof *in6;
        return 0;
    }
    return -1;
}

int tlsrpt_tcp_connect(const char *addr, int port, int64_t deadline_ms, char *why, size_t whylen)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd = -1, soerr = 0;
    socklen_t el = sizeof soerr;

    if (make_addr(addr, port, &ss, &sl) != 0) {
        snprintf(why, whylen, "not a numeric address: %s", addr);
        return -1;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(why, whylen, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        if (errno != EINPROGRESS) {
            snprintf(why, whylen, "%s", strerror(errno));
            goto fail;
        }
        int w = wait_fd(fd, POLLOUT, deadline_ms);
        if (w == 0) {
            snprintf(why, whylen, "connect timed out");
            goto fail;
        }
        if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) != 0 || soerr != 0) {
            snprintf(why, whylen, "%s", strerror(soerr ? soerr : errno));
            goto fail;
        }
    }
    /* Back to blocking: GnuTLS and our reads bound themselves with poll() and deadlines. */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        snprintf(why, whylen, "fcntl: %s", strerror(errno));
        goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

ssize_t tlsrpt_read_until(int fd, void *buf, size_t len, int64_t deadline_ms, char *why,
                          size_t whylen)
{
    int w = wait_fd(fd, POLLIN, deadline_ms);
    if (w <= 0) {
        snprintf(why, whylen, "%s", w == 0 ? "timed out waiting for the server" : strerror(errno));
        return w == 0 ? TLSRPT_NET_TIMEOUT : -1;
    }
    ssize_t n;
    do
        n = recv(fd, buf, len, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        snprintf(why, whylen, "read: %s", strerror(errno));
    return n;
}

int tlsrpt_write_all(int fd, const void *buf, size_t len, int64_t deadline_ms, char *why,
                     size_t whylen)
{
    const char *p = buf;
    while (len > 0) {
        int w = wait_fd(fd, POLLOUT, deadline_ms);
        if (w <= 0) {
            snprintf(why, whylen, "%s", w == 0 ? "timed out writing" : strerror(errno));
            return w == 0 ? TLSRPT_NET_TIMEOUT : -1;
        }
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, whylen, "write: %s", strerror(errno));
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}
