/* test_maildir.c - the Maildir source on a real Maildir on disk with a real database: names and
 * flags, moves that never replace, where each kind of message ends up, a Maildir++ tree with
 * existing flags, hostile files (symlink, FIFO, oversize), a message moved away by another client,
 * a crash between commit and rename. */
#include "store_env.h"
#include "testutil.h"

#include "db.h"
#include "ingest.h"
#include "maildir.h"
#include "maildir_run.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct env {
    char root[4096]; /* the tmpdir */
    char md[4096];   /* root/Maildir */
    struct tlsrpt_db *db;
    struct tlsrpt_ingest *ing;
};

/* snprintf into a path buffer; a test path that does not fit is a test bug. */
static void pathf(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pathf(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < len);
}

static void mkdirs(const char *base, const char *sub)
{
    char p[4096];
    static const char *const parts[] = {"", "/tmp", "/new", "/cur"};
    for (size_t i = 0; i < 4; i++) {
        pathf(p, sizeof p, "%s%s%s", base, sub, parts[i]);
        assert_true(mkdir(p, 0700) == 0 || errno == EEXIST);
    }
}

static void put(const struct env *e, const char *rel, const void *data, size_t len)
{
    char p[4096];
    pathf(p, sizeof p, "%s/%s", e->md, rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void put_fixture(const struct env *e, const char *fixture, const char *rel)
{
    char p[4096];
    pathf(p, sizeof p, "%s/tests/fixtures/mail/%s.eml", tu_source_dir(), fixture);
    size_t len;
    uint8_t *data = tu_read_file(p, &len);
    assert_non_null(data);
    put(e, rel, data, len);
    free(data);
}

static int exists(const struct env *e, const char *rel)
{
    char p[4096];
    struct stat st;
    pathf(p, sizeof p, "%s/%s", e->md, rel);
    return lstat(p, &st) == 0;
}

static long long count(const struct env *e, const char *sql)
{
    return tu_count(e->db, sql);
}

/* Files (not directories) under dir, recursively: "nothing is ever deleted" is checked with this.
 */
static size_t count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char p[4096];
        struct stat st;
        pathf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (lstat(p, &st) != 0)
            continue;
        n += S_ISDIR(st.st_mode) ? count_files(p) : 1;
    }
    closedir(d);
    return n;
}

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    pathf(e->root, sizeof e->root, "%s", tu_tmpdir());
    pathf(e->md, sizeof e->md, "%s/Maildir", e->root);
    mkdirs(e->md, "");
    char dbp[4096];
    pathf(dbp, sizeof dbp, "%s/t.db", e->root);
    struct tlsrpt_error err = {0};
    if (tlsrpt_db_open(dbp, TLSRPT_DB_READWRITE, &e->db, &err) != 0)
        fail_msg("db: %s", err.message);
    assert_int_equal(tlsrpt_ingest_new(e->db, NULL, &e->ing), 0);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    tlsrpt_ingest_free(e->ing);
    tlsrpt_db_close(e->db);
    tu_rmtree(e->root);
    free(e);
    return 0;
}

static struct tlsrpt_maildir *open_md(struct env *e, struct tlsrpt_maildir_opts *o)
{
    struct tlsrpt_maildir_opts def;
    if (o == NULL) {
        tlsrpt_maildir_opts_default(&def);
        o = &def;
    }
    o->dir = e->md;
    struct tlsrpt_maildir *md = NULL;
    struct tlsrpt_error err = {0};
    if (tlsrpt_maildir_open(e->ing, o, &md, &err) != 0)
        fail_msg("open: %s", err.message);
    return md;
}

static void run_scan(struct env *e, struct tlsrpt_maildir_opts *o, struct tlsrpt_run_counts *c)
{
    struct tlsrpt_maildir *md = open_md(e, o);
    assert_int_equal(tlsrpt_maildir_scan(md, NULL), 0);
    tlsrpt_maildir_counts(md, c);
    tlsrpt_maildir_close(md);
}

static const char broken_report[] =
    "From: noreply@sender.example\nSubject: Report Domain: example.org\n"
    "TLS-Report-Domain: example.org\nTLS-Report-Submitter: sender.example\nMIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=tlsrpt; boundary=zz\n\n"
    "--zz\nContent-Type: text/plain\n\nreport attached\n"
    "--zz\nContent-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n\n"
    "H4sIAAAAAAAAA+this+is+not+a+gzip+stream\n--zz--\n";

static void test_flags(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } rows[] = {
        {"1700.M1.host", "1700.M1.host:2,S"},        {"1700.M1.host:2,", "1700.M1.host:2,S"},
        {"1700.M1.host:2,FR", "1700.M1.host:2,FRS"}, {"1700.M1.host:2,ST", "1700.M1.host:2,ST"},
        {"1700.M1.host:2,Ta", "1700.M1.host:2,STa"}, {"1700.M1.host:2,RF", "1700.M1.host:2,FRS"},
        {"1700.M1.host:1,xyz", "1700.M1.host:2,S"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        assert_int_equal(tlsrpt_maildir_name_with_flag(rows[i].in, 'S', out, sizeof out), 0);
        assert_string_equal(out, rows[i].want);
    }
    assert_int_equal(tlsrpt_maildir_name_with_flag("1700.M1.host:2,FR", 'S', out, 12), -1);
    assert_true(tlsrpt_maildir_has_flag("a:2,FS", 'S'));
    assert_false(tlsrpt_maildir_has_flag("a:2,F", 'S'));
    assert_false(tlsrpt_maildir_has_flag("aS", 'S'));
    assert_true(tlsrpt_maildir_valid_folder(".tlsrpt-rejected"));
    assert_false(tlsrpt_maildir_valid_folder("Rejected"));
    assert_false(tlsrpt_maildir_valid_folder(".."));
    assert_false(tlsrpt_maildir_valid_folder(".a/b"));
}

static void test_move_never_replaces(void **state)
{
    struct env *e = *state;
    put(e, "new/a", "first", 5);
    put(e, "cur/b", "second", 6);
    char from[4096], to[4096];
    pathf(from, sizeof from, "%s/new/a", e->md);
    pathf(to, sizeof to, "%s/cur/b", e->md);
    assert_int_equal(tlsrpt_maildir_move(AT_FDCWD, from, AT_FDCWD, to), EEXIST);
    assert_true(exists(e, "new/a"));
    size_t len;
    uint8_t *b = tu_read_file(to, &len);
    assert_memory_equal(b, "second", 6);
    free(b);
    pathf(to, sizeof to, "%s/cur/a:2,S", e->md);
    assert_int_equal(tlsrpt_maildir_move(AT_FDCWD, from, AT_FDCWD, to), 0);
    assert_false(exists(e, "new/a"));
    assert_true(exists(e, "cur/a:2,S"));
    assert_int_equal(tlsrpt_maildir_move(AT_FDCWD, from, AT_FDCWD, to), ENOENT);
}

static void test_make_folder(void **state)
{
    struct env *e = *state;
    mkdirs(e->md, "/.Keep");
    put(e, ".Keep/cur/old:2,S", "x", 1);
    assert_int_equal(tlsrpt_maildir_make_folder(e->md, ".Keep"), 0);
    assert_int_equal(tlsrpt_maildir_make_folder(e->md, ".New"), 0);
    assert_true(exists(e, ".Keep/cur/old:2,S"));
    assert_true(exists(e, ".New/tmp") && exists(e, ".New/new") && exists(e, ".New/cur"));
    assert_true(exists(e, ".New/maildirfolder"));
    char p[4096];
    pathf(p, sizeof p, "%s/.New", e->md);
    assert_true(tlsrpt_maildir_is_maildir(p));
}

/* Where each kind of message ends up after one pass. */
static void test_outcomes(void **state)
{
    struct env *e = *state;
    put_fixture(e, "google-lf", "new/1.M1.host");                  /* report: -> cur/...:2,S */
    put_fixture(e, "two-reports", "cur/2.M2.host:2,F");            /* unseen in cur: -> :2,FS */
    put_fixture(e, "microsoft-html", "cur/3.M3.host:2,S");         /* seen: never read */
    put_fixture(e, "cron", "new/4.M4.host");                       /* no report: stays */
    put(e, "new/5.M5.host", broken_report, strlen(broken_report)); /* -> .tlsrpt-rejected/new */
    put_fixture(e, "zip", "tmp/6.M6.host");                        /* being delivered: never read */
    put_fixture(e, "json-7bit", "new/.hidden");                    /* not a message name */
    struct tlsrpt_run_counts c;
    run_scan(e, NULL, &c);

    assert_true(exists(e, "cur/1.M1.host:2,S"));
    assert_false(exists(e, "new/1.M1.host"));
    assert_true(exists(e, "cur/2.M2.host:2,FS"));
    assert_true(exists(e, "cur/3.M3.host:2,S"));
    assert_true(exists(e, "new/4.M4.host"));
    assert_true(exists(e, ".tlsrpt-rejected/new/5.M5.host"));
    assert_true(exists(e, ".tlsrpt-rejected/maildirfolder"));
    assert_false(exists(e, "new/5.M5.host"));
    assert_true(exists(e, "tmp/6.M6.host"));
    assert_true(exists(e, "new/.hidden"));

    assert_int_equal(c.imported, 3); /* google-lf + the two of two-reports */
    assert_int_equal(c.rejected, 1);
    assert_int_equal(c.skipped, 1);
    assert_int_equal(c.failed, 0);
    assert_int_equal(c.inputs, 4);
    assert_int_equal(count(e, "SELECT count(*) FROM reports"), 3);
    assert_int_equal(count(e, "SELECT count(*) FROM rejects"), 1);
    /* The reject keeps the part's bytes and the reason; the receipt keeps the mail headers. */
    assert_int_equal(count(e, "SELECT count(*) FROM rejects r JOIN raw_inputs w ON w.id = r.raw_id "
                              "WHERE length(r.reason) > 0 AND w.size > 0"),
                     1);
    assert_int_equal(count(e, "SELECT count(*) FROM receipts WHERE kind = 'mail' AND "
                              "json_extract(meta, '$.tls_report_domain') = 'example.org'"),
                     2);

    /* A second pass changes nothing and stores nothing new. */
    run_scan(e, NULL, &c);
    assert_int_equal(c.imported + c.duplicates + c.rejected, 0);
    assert_int_equal(c.skipped, 1);
    assert_int_equal(count(e, "SELECT count(*) FROM reports"), 3);
}

/* A crash between commit and rename leaves a stored message in new/: it is read again, counted as a
 * duplicate and moved; the database still holds it once. */
static void test_crash_between_commit_and_rename(void **state)
{
    struct env *e = *state;
    put_fixture(e, "google-crlf", "new/10.M10.host");
    struct tlsrpt_run_counts c;
    run_scan(e, NULL, &c);
    assert_int_equal(c.imported, 1);
    char from[4096], to[4096];
    pathf(from, sizeof from, "%s/cur/10.M10.host:2,S", e->md);
    pathf(to, sizeof to, "%s/new/10.M10.host", e->md);
    assert_int_equal(rename(from, to), 0); /* as if the rename never happened */
    run_scan(e, NULL, &c);
    assert_int_equal(c.imported, 0);
    assert_int_equal(c.duplicates, 1);
    assert_true(exists(e, "cur/10.M10.host:2,S"));
    assert_int_equal(count(e, "SELECT count(*) FROM reports"), 1);
}

/* Symlinks, FIFOs, directories and oversize files in new/ are skipped with a reason and left alone.
 */
static void test_hostile_files(void **state)
{
    struct env *e = *state;
    char p[4096], t[4096];
    pathf(t, sizeof t, "%s/tests/fixtures/mail/google-lf.eml", tu_source_dir());
    pathf(p, sizeof p, "%s/new/20.link", e->md);
    assert_int_equal(symlink(t, p), 0);
    pathf(p, sizeof p, "%s/new/21.fifo", e->md);
    assert_int_equal(mkfifo(p, 0600), 0);
    pathf(p, sizeof p, "%s/new/22.dir", e->md);
    assert_int_equal(mkdir(p, 0700), 0);
    put_fixture(e, "google-crlf", "new/23.big");
    struct tlsrpt_maildir_opts o;
    tlsrpt_maildir_opts_default(&o);
    o.limits.max_message = 1000; /* the fixture is larger */
    struct tlsrpt_run_counts c;
    run_scan(e, &o, &c);
    assert_int_equal(c.skipped, 4);
    assert_true(exists(e, "new/20.link") && exists(e, "new/21.fifo") && exists(e, "new/22.dir") &&
                exists(e, "new/23.big"));
    assert_int_equal(count(e, "SELECT count(*) FROM reports"), 0);
}

/* Another mail program moves the message new/ -> cur/ after we read it but before our commit: no
 * error, the report is stored, and the next pass marks it seen as a duplicate. */
static void test_vanished_between_read_and_move(void **state)
{
    struct env *e = *state;
    put_fixture(e, "google-lf", "new/30.M30.host");
    struct tlsrpt_maildir *md = open_md(e, NULL);
    assert_int_equal(tlsrpt_maildir_take(md, 0, "new", "30.M30.host"), 0);
    assert_int_equal(tlsrpt_maildir_take(md, 0, "new", "no-such-message"), 0);
    char from[4096], to[4096];
    pathf(from, sizeof from, "%s/new/30.M30.host", e->md);
    pathf(to, sizeof to, "%s/cur/30.M30.host:2,", e->md);
    assert_int_equal(rename(from, to), 0);
    assert_int_equal(tlsrpt_maildir_commit(md), 0);
    struct tlsrpt_run_counts c;
    tlsrpt_maildir_counts(md, &c);
    assert_int_equal(c.imported, 1);
    assert_int_equal(c.inputs, 1);
    tlsrpt_maildir_close(md);
    assert_true(exists(e, "cur/30.M30.host:2,"));
    run_scan(e, NULL, &c);
    assert_int_equal(c.duplicates, 1);
    assert_true(exists(e, "cur/30.M30.host:2,S"));
}

/* Nothing moves before the commit: the callback that renames runs only after it. */
static void test_no_move_before_commit(void **state)
{
    struct env *e = *state;
    put_fixture(e, "google-lf", "new/40.M40.host");
    struct tlsrpt_maildir *md = open_md(e, NULL);
    assert_int_equal(tlsrpt_maildir_take(md, 0, "new", "40.M40.host"), 0);
    assert_true(exists(e, "new/40.M40.host"));
    assert_int_equal(tlsrpt_maildir_pending(md, NULL), 1);
    assert_int_equal(tlsrpt_maildir_commit(md), 0);
    assert_false(exists(e, "new/40.M40.host"));
    assert_true(exists(e, "cur/40.M40.host:2,S"));
    tlsrpt_maildir_close(md);
}

/* A Maildir++ tree with nested folders and existing flags: flags and folders are kept. */
static void test_maildirpp_tree(void **state)
{
    struct env *e = *state;
    mkdirs(e->md, "/.Reports");
    mkdirs(e->md, "/.Reports.2024");
    mkdirs(e->md, "/.Trash");
    put(e, ".Reports/maildirfolder", "", 0);
    put(e, "subscriptions", "Reports\nReports.2024\n", 21);
    put(e, "dovecot-uidlist", "3 V1 N4\n", 8);
    put_fixture(e, "google-lf", "cur/50.M50.host:2,RT");
    put_fixture(e, "microsoft-html", ".Reports/new/51.M51.host");
    put_fixture(e, "json-qp", ".Reports/cur/52.M52.host:2,F");
    put_fixture(e, "zip", ".Reports.2024/cur/53.M53.host:2,Sa"); /* already seen: untouched */
    put_fixture(e, "uuencode", ".Reports.2024/cur/54.M54.host:2,Fab");
    put_fixture(e, "cron", ".Trash/cur/55.M55.host:2,T");
    size_t files_before = count_files(e->md);

    /* Without --recursive only the Maildir itself. */
    struct tlsrpt_run_counts c;
    run_scan(e, NULL, &c);
    assert_int_equal(c.imported, 1);
    assert_true(exists(e, "cur/50.M50.host:2,RST"));
    assert_true(exists(e, ".Reports/new/51.M51.host"));

    struct tlsrpt_maildir_opts o;
    tlsrpt_maildir_opts_default(&o);
    o.recursive = 1;
    run_scan(e, &o, &c);
    assert_int_equal(c.imported, 3);
    assert_int_equal(c.skipped, 1);
    assert_true(exists(e, ".Reports/cur/51.M51.host:2,S"));
    assert_true(exists(e, ".Reports/cur/52.M52.host:2,FS"));
    assert_true(exists(e, ".Reports.2024/cur/53.M53.host:2,Sa"));
    assert_true(exists(e, ".Reports.2024/cur/54.M54.host:2,FSab"));
    assert_true(exists(e, ".Trash/cur/55.M55.host:2,T"));
    assert_true(exists(e, "subscriptions") && exists(e, "dovecot-uidlist"));
    assert_true(exists(e, ".Reports/maildirfolder"));
    assert_false(exists(e, ".tlsrpt-rejected"));
    assert_int_equal(count_files(e->md), files_before);
    assert_int_equal(count(e, "SELECT count(*) FROM reports"), 4);
}

/* The reject folder is configurable and never read; skipped mail can be moved when asked. */
static void test_custom_folders(void **state)
{
    struct env *e = *state;
    put(e, "new/60.M60.host", broken_report, strlen(broken_report));
    put_fixture(e, "person", "cur/61.M61.host:2,");
    struct tlsrpt_maildir_opts o;
    tlsrpt_maildir_opts_default(&o);
    o.reject_folder = ".Bad";
    o.skipped_folder = ".NotReports";
    o.recursive = 1;
    struct tlsrpt_run_counts c;
    run_scan(e, &o, &c);
    assert_int_equal(c.rejected, 1);
    assert_int_equal(c.skipped, 1);
    assert_true(exists(e, ".Bad/new/60.M60.host"));
    assert_true(exists(e, ".NotReports/cur/61.M61.host:2,"));
    /* Recursive again: neither folder is read back in. */
    run_scan(e, &o, &c);
    assert_int_equal(c.inputs, 0);
    assert_int_equal(count(e, "SELECT attempts FROM rejects"), 1);
}

static void test_not_a_maildir(void **state)
{
    struct env *e = *state;
    struct tlsrpt_maildir_opts o;
    tlsrpt_maildir_opts_default(&o);
    o.dir = e->root; /* has no cur/new/tmp */
    struct tlsrpt_maildir *md = NULL;
    struct tlsrpt_error err = {0};
    assert_int_equal(tlsrpt_maildir_open(e->ing, &o, &md, &err), TLSRPT_E_IO);
    assert_null(md);
    assert_non_null(strstr(err.message, "not a Maildir"));
}

/* A message with no report is read once per process, not at every rescan, unless it changes. */
static void test_skipped_not_reread_unless_changed(void **state)
{
    struct env *e = *state;
    put_fixture(e, "cron", "new/70.M70.host");
    struct tlsrpt_maildir *md = open_md(e, NULL);
    struct tlsrpt_run_counts c;
    assert_int_equal(tlsrpt_maildir_scan(md, NULL), 0);
    tlsrpt_maildir_counts(md, &c);
    assert_int_equal(c.inputs, 1);
    assert_int_equal(c.skipped, 1);
    assert_int_equal(tlsrpt_maildir_scan(md, NULL), 0);
    tlsrpt_maildir_counts(md, &c);
    assert_int_equal(c.inputs, 1);                  /* not read again */
    put_fixture(e, "google-lf", "new/70.M70.host"); /* rewritten in place: size and mtime change */
    assert_int_equal(tlsrpt_maildir_scan(md, NULL), 0);
    tlsrpt_maildir_counts(md, &c);
    assert_int_equal(c.inputs, 2);
    assert_int_equal(c.imported, 1);
    tlsrpt_maildir_close(md);
    assert_true(exists(e, "cur/70.M70.host:2,S"));
}

/* A stop request (SIGTERM) ends the pass early, after committing what was taken. */
static void test_stop_flag(void **state)
{
    struct env *e = *state;
    put_fixture(e, "google-lf", "new/80.M80.host");
    put_fixture(e, "google-crlf", "new/81.M81.host");
    volatile sig_atomic_t stop = 1;
    struct tlsrpt_maildir *md = open_md(e, NULL);
    assert_int_equal(tlsrpt_maildir_scan(md, &stop), 0);
    struct tlsrpt_run_counts c;
    tlsrpt_maildir_counts(md, &c);
    assert_int_equal(c.inputs, 0);
    tlsrpt_maildir_close(md);
    assert_true(exists(e, "new/80.M80.host") && exists(e, "new/81.M81.host"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags),
        cmocka_unit_test_setup_teardown(test_move_never_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_make_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outcomes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_between_commit_and_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vanished_between_read_and_move, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_move_before_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maildirpp_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_folders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_maildir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skipped_not_reread_unless_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_flag, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
