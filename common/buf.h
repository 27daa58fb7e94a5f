/* buf.h - a growable byte buffer that always has a ceiling (style.md §1: no buffer without a
 * maximum). */
#ifndef TLSRPT_BUF_H
#define TLSRPT_BUF_H

#include <stddef.h>
#include <stdint.h>

struct tlsrpt_buf {
    uint8_t *data; /* owned; NUL-terminated after every append (not counted in len) */
    size_t len;
    size_t cap;
    size_t max; /* appends that would make len exceed max fail with TLSRPT_E_TOO_LARGE */
};

void tlsrpt_buf_init(struct tlsrpt_buf *b, size_t max);
/* 0 on success, TLSRPT_E_TOO_LARGE past max, TLSRPT_E_NOMEM when malloc fails; b is unchanged on
 * failure. */
int tlsrpt_buf_append(struct tlsrpt_buf *b, const void *data, size_t len);
/* Makes room for at least `want` more bytes (capped by max); returns the writable tail or NULL. */
uint8_t *tlsrpt_buf_reserve(struct tlsrpt_buf *b, size_t want, size_t *avail);
/* Marks n bytes written into the tail returned by reserve as part of the buffer. */
void tlsrpt_buf_commit(struct tlsrpt_buf *b, size_t n);
void tlsrpt_buf_reset(struct tlsrpt_buf *b); /* len = 0, memory kept */
void tlsrpt_buf_free(struct tlsrpt_buf *b);
/* Hands the data to the caller (who must free() it) and leaves b empty. */
uint8_t *tlsrpt_buf_steal(struct tlsrpt_buf *b, size_t *len);

#endif
