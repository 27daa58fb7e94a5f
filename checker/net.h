/* net.h - TCP connect and reads with a deadline (monotonic milliseconds). */
#ifndef TLSRPT_CHECK_NET_H
#define TLSRPT_CHECK_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int64_t tlsrpt_now_ms(void);

/* Connects to a numeric IPv4/IPv6 address; gives up at the deadline. Returns a blocking socket, or
 * -1 with why set ("connection refused", "timed out after 2000 ms", ...). */
int tlsrpt_tcp_connect(const char *addr, int port, int64_t deadline_ms, char *why, size_t whylen);

#define TLSRPT_NET_TIMEOUT (-2) /* returned when the deadline passed */

/* Reads what is available (at most len bytes), waiting until the deadline. Returns the byte count,
 * 0 on EOF, -1 on error, TLSRPT_NET_TIMEOUT at the deadline (why set for both). */
ssize_t tlsrpt_read_until(int fd, void *buf, size_t len, int64_t deadline_ms, char *why,
                          size_t whylen);
/* Writes all of buf before the deadline. Returns 0, -1 or TLSRPT_NET_TIMEOUT (why set). */
int tlsrpt_write_all(int fd, const void *buf, size_t len, int64_t deadline_ms, char *why,
                     size_t whylen);

#endif
