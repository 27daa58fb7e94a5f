/* testutil.h - helpers shared by the cmocka unit tests (never linked into the programs). */
#ifndef TLSRPT_TESTUTIL_H
#define TLSRPT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* $TLSRPT_SOURCE_DIR (set by ctest), else ".". */
const char *tu_source_dir(void);
/* $TLSRPT_SHARED_DIR/corpus/public if that folder exists, else NULL (tests then print that they
 * skip). */
const char *tu_corpus_dir(void);
/* Reads a whole file into a malloc'd buffer (NUL-terminated); NULL on failure. */
uint8_t *tu_read_file(const char *path, size_t *len);
/* gzip-compresses with zlib (a real gzip member); malloc'd result. */
uint8_t *tu_gzip(const uint8_t *data, size_t len, size_t *out_len);
/* A fresh temporary directory (mkdtemp under $TMPDIR or /tmp); static storage, valid until next
 * call. */
const char *tu_tmpdir(void);
/* rm -rf of a directory made by tu_tmpdir(). */
void tu_rmtree(const char *path);

#endif
