#include "buf.h"

#include "error.h"

#include <stdlib.h>
#include <string.h>

void tlsrpt_buf_init(struct tlsrpt_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

static int grow(struct tlsrpt_buf *b, size_t need)
{
    /* need excludes the terminating NUL */
    if (need > b->max)
        return TLSRPT_E_TOO_LARGE;
    if (need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need + 1)
        cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL)
        return TLSRPT_E_NOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int tlsrpt_buf_append(struct tlsrpt_buf *b, const void *data, size_t len)
{
    if (len > SIZE_MAX - b->len - 1)
        return TLSRPT_E_TOO_LARGE;
    int rc = grow(b, b->len + len);
    if (rc != 0)
        return rc;
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

uint8_t *tlsrpt_buf_reserve(struct tlsrpt_buf *b, size_t want, size_t *avail)
{
    size_t room = b->max - b->len;
    if (room == 0) {
        *avail = 0;
        return NULL;
    }
    if (want > room)
        want = room;
    if (grow(b, b->len + want) != 0) {
        *avail = 0;
        return NULL;
    }
    *avail = b->cap - 1 - b->len;
    if (*avail > room)
        *avail = room;
    return b->data + b->len;
}

void tlsrpt_buf_commit(struct tlsrpt_buf *b, size_t n)
{
    b->len += n;
    b->data[b->len] = '\0';
}

void tlsrpt_buf_reset(struct tlsrpt_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void tlsrpt_buf_free(struct tlsrpt_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

uint8_t *tlsrpt_buf_steal(struct tlsrpt_buf *b, size_t *len)
{
    uint8_t *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
