/* vec.h - a growable array of fixed-size elements with a ceiling (style.md §1). Pointers into it
 * are invalidated by vec_push: keep indices, not pointers, across pushes. */
#ifndef TLSRPT_VEC_H
#define TLSRPT_VEC_H

#include <stddef.h>

#define TLSRPT_VEC_MAX_ELEMS ((size_t)1 << 26)

struct vec {
    void *data;
    size_t len, cap, elem;
};

void vec_init(struct vec *v, size_t elem_size);
void vec_free(struct vec *v);
/* Appends a zeroed element and returns it, or NULL when out of memory or past the cap. */
void *vec_push(struct vec *v);
#define VEC_AT(v, type, i) (&((type *)(v)->data)[i])

#endif
