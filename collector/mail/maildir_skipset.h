/* maildir_skipset.h - the messages a Maildir scan found to hold no report (or could not read), so
 * that the rescans of --watch do not read them again while they stay unchanged (same size and
 * mtime). A fixed open-addressing table: memory is set at creation; when it is 3/4 full nothing
 * more is remembered, and those messages are simply read again by the next rescan. */
#ifndef TLSRPT_MAILDIR_SKIPSET_H
#define TLSRPT_MAILDIR_SKIPSET_H

#include <stddef.h>
#include <stdint.h>

struct tlsrpt_skipset;

struct tlsrpt_skipset *tlsrpt_skipset_new(size_t slots); /* NULL when out of memory */
void tlsrpt_skipset_free(struct tlsrpt_skipset *s);

/* A message's key: its folder index, "new"/"cur" and name (Maildir names are unique). */
uint64_t tlsrpt_skipset_key(size_t folder, const char *sub, const char *name);
/* 1 when key was added and the file at path still has the size and mtime it had then. */
int tlsrpt_skipset_has(const struct tlsrpt_skipset *s, uint64_t key, const char *path);
/* Remembers key with the current size and mtime of path (nothing when path cannot be stat'ed). */
void tlsrpt_skipset_add(struct tlsrpt_skipset *s, uint64_t key, const char *path);

#endif
