/* safe_file.h - reads a file from a directory others can write to (a Maildir, an import folder)
 * without trusting it (style.md §9): open with O_NOFOLLOW|O_NONBLOCK, fstat the descriptor, accept
 * only a regular file no larger than the cap, then read exactly what fstat said (a file growing
 * meanwhile is cut there). */
#ifndef TLSRPT_SAFE_FILE_H
#define TLSRPT_SAFE_FILE_H

#include "buf.h"
#include "error.h"

#include <stddef.h>

enum tlsrpt_read_status {
    TLSRPT_READ_OK = 0,
    TLSRPT_READ_VANISHED, /* ENOENT: another process moved it; not an error for a Maildir scan */
    TLSRPT_READ_SKIPPED,  /* not a regular file (symlink, FIFO, device, directory): err says what */
    TLSRPT_READ_TOO_LARGE,
    TLSRPT_READ_ERROR, /* permission or I/O error: err says what */
};

/* Reads path into out (re-initialised with max as its cap). err is set for every status but OK. */
enum tlsrpt_read_status tlsrpt_read_file_safe(const char *path, size_t max, struct tlsrpt_buf *out,
                                              struct tlsrpt_error *err);

#endif
