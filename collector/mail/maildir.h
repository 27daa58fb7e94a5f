/* maildir.h - the Maildir conventions tlsrpt-collector follows when it owns a mailbox
 * (https://cr.yp.to/proto/maildir.html, Courier's Maildir++):
 *   - a message is a file in new/ (not yet seen by a mail program) or cur/ ("unique:2,FLAGS", the
 * flags being ASCII letters in order, S = seen); tmp/ is a writer's and is never read;
 *   - a folder is a Maildir of its own, DIR/.Name (".Sub.Folder" for nesting), with a maildirfolder
 * file;
 *   - a message changes state by rename(2) only; tlsrpt never deletes one and never replaces a
 * file. */
#ifndef TLSRPT_MAILDIR_H
#define TLSRPT_MAILDIR_H

#include <stddef.h>

#define TLSRPT_MAILDIR_SEEN 'S'

/* 1 when a cur/ name carries flag f in its ":2," info, else 0. */
int tlsrpt_maildir_has_flag(const char *name, char f);

/* The name with flag f added to its ":2," info (added if missing), flags kept sorted and unique:
 * "123.x.host" -> "123.x.host:2,S", "123.x.host:2,FR" -> "123.x.host:2,FRS". Other info (":1,...")
 * is replaced. Returns 0, or -1 when out is too small. */
int tlsrpt_maildir_name_with_flag(const char *name, char f, char *out, size_t outlen);

/* 1 when dir has cur/, new/ and tmp/ directories. */
int tlsrpt_maildir_is_maildir(const char *dir);

/* Creates the Maildir++ folder dir/<folder> (folder starts with '.') with tmp/, new/, cur/ and a
 * maildirfolder file, keeping whatever exists. Returns 0, or an errno value. */
int tlsrpt_maildir_make_folder(const char *dir, const char *folder);

/* Renames from_dirfd/from to to_dirfd/to, never replacing an existing file (renameat2 NOREPLACE,
 * else link + unlink on file systems without it). Returns 0, or an errno value: EEXIST when the
 * target exists, ENOENT when the message vanished (another client moved it). */
int tlsrpt_maildir_move(int from_dirfd, const char *from, int to_dirfd, const char *to);

/* 1 when name is a valid Maildir++ folder name for an option value: ".Name", no '/', not "." or
 * "..". */
int tlsrpt_maildir_valid_folder(const char *name);

#endif
