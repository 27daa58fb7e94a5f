#include "maildir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tlsrpt_maildir_has_flag(const char *name, char f)
{
    const char *info = strstr(name, ":2,");
    return info != NULL && strchr(info + 3, f) != NULL;
}

int tlsrpt_maildir_name_with_flag(const char *name, char f, char *out, size_t outlen)
{
    const char *info = strrchr(name, ':');
    size_t base = info ? (size_t)(info - name) : strlen(name);
    const char *flags = info && strncmp(info, ":2,", 3) == 0 ? info + 3 : "";
    /* Letters are kept in ASCII order, each once (the Maildir spec). */
    char set[128] = {0};
    for (const char *p = flags; *p; p++)
        if ((unsigned char)*p < 128)
            set[(unsigned char)*p] = 1;
    set[(unsigned char)f] = 1;
    if (base + 4 > outlen)
        return -1;
    memcpy(out, name, base);
    size_t n = base;
    memcpy(out + n, ":2,", 3);
    n += 3;
    for (int c = 33; c < 127; c++) {
        if (!set[c])
            continue;
        if (n + 2 > outlen)
            return -1;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return 0;
}

static int is_dir_at(const char *dir, const char *sub)
{
    char p[4096];
    struct stat st;
    int n = snprintf(p, sizeof p, "%s/%s", dir, sub);
    return n > 0 && (size_t)n < sizeof p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int tlsrpt_maildir_is_maildir(const char *dir)
{
    return is_dir_at(dir, "cur") && is_dir_at(dir, "new") && is_dir_at(dir, "tmp");
}

int tlsrpt_maildir_valid_folder(const char *name)
{
    return name[0] == '.' && name[1] != '\0' && strcmp(name, "..") != 0 &&
           strchr(name, '/') == NULL && strlen(name) < 200;
}

int tlsrpt_maildir_make_folder(const char *dir, const char *folder)
{
    char p[4096];
    static const char *const subs[] = {"", "/tmp", "/new", "/cur"};
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
        int n = snprintf(p, sizeof p, "%s/%s%s", dir, folder, subs[i]);
        if (n < 0 || (size_t)n >= sizeof p)
            return ENAMETOOLONG;
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return errno;
    }
    /* Courier/maildrop mark a subfolder with an empty maildirfolder file (Maildir++). */
    int n = snprintf(p, sizeof p, "%s/%s/maildirfolder", dir, folder);
    if (n < 0 || (size_t)n >= sizeof p)
        return ENAMETOOLONG;
    int fd = open(p, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

int tlsrpt_maildir_move(int from_dirfd, const char *from, int to_dirfd, const char *to)
{
    if (renameat2(from_dirfd, from, to_dirfd, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return errno;
    /* No RENAME_NOREPLACE here (some network file systems): the classic Maildir link + unlink. */
    if (linkat(from_dirfd, from, to_dirfd, to, 0) != 0)
        return errno;
    if (unlinkat(from_dirfd, from, 0) != 0)
        return errno;
    return 0;
}
