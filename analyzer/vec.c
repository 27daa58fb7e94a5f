/* vec.c - see vec.h. */
#include "vec.h"

#include <stdlib.h>
#include <string.h>

void vec_init(struct vec *v, size_t elem_size)
{
    memset(v, 0, sizeof *v);
    v->elem = elem_size;
}

void vec_free(struct vec *v)
{
    free(v->data);
    vec_init(v, v->elem);
}

void *vec_push(struct vec *v)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        if (cap > TLSRPT_VEC_MAX_ELEMS)
            return NULL;
        void *d = realloc(v->data, cap * v->elem);
        if (d == NULL)
            return NULL;
        v->data = d;
        v->cap = cap;
    }
    void *p = (char *)v->data + v->len * v->elem;
    memset(p, 0, v->elem);
    v->len++;
    return p;
}
