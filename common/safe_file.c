#include "safe_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    return "not a regular file";
}

enum tlsrpt_read_status tlsrpt_read_file_safe(const char *path, size_t max, struct tlsrpt_buf *out,
                                              struct tlsrpt_error *err)
{
    tlsrpt_buf_free(out);
    tlsrpt_buf_init(out, max);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) {
            tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s: vanished", path);
            return TLSRPT_READ_VANISHED;
        }
        if (e == ELOOP) {
            tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s: is a symbolic link, not followed", path);
            return TLSRPT_READ_SKIPPED;
        }
        tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s: %s", path, strerror(e));
        return TLSRPT_READ_ERROR;
    }
    enum tlsrpt_read_status status = TLSRPT_READ_ERROR;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s: fstat: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s: %s, skipped", path, kind_of(st.st_mode));
        status = TLSRPT_READ_SKIPPED;
        goto out;
    }
    if ((unsigned long long)st.st_size > max) {
        tlsrpt_error_set(err, TLSRPT_E_TOO_LARGE, "", "%s: %lld bytes, over the cap of %zu", path,
                         (long long)st.st_size, max);
        status = TLSRPT_READ_TOO_LARGE;
        goto out;
    }
    size_t want = (size_t)st.st_size;
    while (out->len < want) {
        size_t avail = 0;
        uint8_t *p = tlsrpt_buf_reserve(out, want - out->len, &avail);
        if (p == NULL) {
            tlsrpt_error_set(err, TLSRPT_E_NOMEM, "", "%s: out of memory", path);
            goto out;
        }
        ssize_t n = read(fd, p, want - out->len < avail ? want - out->len : avail);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            tlsrpt_error_set(err, TLSRPT_E_IO, "", "%s: read: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break; /* truncated meanwhile: take what is there */
        tlsrpt_buf_commit(out, (size_t)n);
    }
    if (out->data == NULL) /* empty file: still hand back a valid empty string */
        tlsrpt_buf_append(out, "", 0);
    status = TLSRPT_READ_OK;
out:
    close(fd);
    if (status != TLSRPT_READ_OK)
        tlsrpt_buf_reset(out);
    return status;
}
