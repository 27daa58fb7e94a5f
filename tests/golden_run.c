/* golden_run.c - runs one golden case directory (Jansson style): `golden_run <casedir>`.
 *
 *   input.json | input.json.gz  the report as it arrives; .gz goes through tlsrpt_decode() like
 * real input hints                       optional, one line: the TLS-Report-Domain used when
 * policy-domain is missing expected.json               valid case: tlsrpt_report_to_json() dumped
 * with sorted keys, indent 2 error                       invalid case: one line "<errcode-name>
 * <path>: <message>"; the actual line must equal it or start with it (so a case may pin only code
 * and path)
 *
 * Exit status 0 when the result matches, 1 when it does not (a unified-style diff goes to stdout),
 * 2 when the case directory itself is broken.
 *
 * Regenerating: TLSRPT_GOLDEN_UPDATE=1 golden_run <casedir> writes expected.json or error from the
 * actual result instead of comparing. Which of the two is decided by the file already present, else
 * by the parent folder name (valid/ or invalid/). Read every regenerated file before committing it:
 * the update mode records whatever the code does, right or wrong. */
#include "decode.h"
#include "error.h"
#include "limits.h"
#include "report_json.h"
#include "report_parse.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE                                                                                   \
    (TLSRPT_DEF_MAX_COMPRESSED) /* a golden input is never larger than real input may be */
#define MAX_DIFF_LINES 4000     /* lines compared; a golden file is far shorter */
#define DIFF_CONTEXT 3

struct diff_op {
    char kind; /* ' ', '-' (expected only) or '+' (actual only) */
    const char *line;
};

static bool exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Reads dir/name into a NUL-terminated malloc'd buffer; NULL (and a message) on failure. */
static char *read_file(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    char *buf = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    struct tlsrpt_buf b;
    tlsrpt_buf_init(&b, MAX_FILE);
    for (;;) {
        size_t avail;
        uint8_t *p = tlsrpt_buf_reserve(&b, 65536, &avail);
        if (p == NULL) {
            fprintf(stderr, "%s: larger than %u bytes or out of memory\n", path, MAX_FILE);
            goto out;
        }
        size_t n = fread(p, 1, avail, f);
        tlsrpt_buf_commit(&b, n);
        if (n < avail)
            break;
    }
    if (ferror(f)) {
        perror(path);
        goto out;
    }
    if (tlsrpt_buf_append(&b, "", 0) != 0) /* makes an empty file a valid "" too */
        goto out;
    buf = (char *)tlsrpt_buf_steal(&b, len);
out:
    tlsrpt_buf_free(&b);
    fclose(f);
    return buf;
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
        perror(path);
        return 2;
    }
    printf("wrote %s\n", path);
    return 0;
}

/* Splits text into lines in place (at '\n'); returns the count, lines[] points into text. */
static size_t split_lines(char *text, char **lines, size_t max)
{
    size_t n = 0;
    char *p = text;
    while (*p != '\0' && n < max) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    return n;
}

/* Prints a line diff of a (expected) against b (actual) from a longest-common-subsequence table. */
static void print_diff(const char *expected, const char *actual)
{
    char *ea = strdup(expected), *aa = strdup(actual);
    char **a = calloc(MAX_DIFF_LINES, sizeof *a), **b = calloc(MAX_DIFF_LINES, sizeof *b);
    unsigned short *t = NULL;
    struct diff_op *ops = NULL;
    if (ea == NULL || aa == NULL || a == NULL || b == NULL)
        goto out;
    size_t na = split_lines(ea, a, MAX_DIFF_LINES), nb = split_lines(aa, b, MAX_DIFF_LINES);
    printf("--- expected\n+++ actual\n");
    t = calloc((na + 1) * (nb + 1), sizeof *t);
    if (t == NULL) {
        for (size_t i = 0; i < na; i++)
            printf("-%s\n", a[i]);
        for (size_t j = 0; j < nb; j++)
            printf("+%s\n", b[j]);
        goto out;
    }
#define T(i, j) t[(i) * (nb + 1) + (j)]
    for (size_t i = na; i-- > 0;)
        for (size_t j = nb; j-- > 0;)
            T(i, j) = strcmp(a[i], b[j]) == 0      ? (unsigned short)(T(i + 1, j + 1) + 1)
                      : T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j)
                                                   : T(i, j + 1);
    /* Walk the table into an edit script, then print it with 3 lines of context around changes. */
    ops = malloc((na + nb) * sizeof *ops);
    if (ops == NULL)
        goto out;
    size_t n_ops = 0, i = 0, j = 0;
    while (i < na || j < nb) {
        if (i < na && j < nb && strcmp(a[i], b[j]) == 0) {
            ops[n_ops++] = (struct diff_op){' ', a[i]};
            i++;
            j++;
        } else if (i < na && (j == nb || T(i + 1, j) >= T(i, j + 1))) {
            ops[n_ops++] = (struct diff_op){'-', a[i++]};
        } else {
            ops[n_ops++] = (struct diff_op){'+', b[j++]};
        }
    }
    bool skipped = false;
    for (size_t k = 0; k < n_ops; k++) {
        bool near = false;
        for (size_t d = k > DIFF_CONTEXT ? k - DIFF_CONTEXT : 0; d < n_ops && d <= k + DIFF_CONTEXT;
             d++)
            near = near || ops[d].kind != ' ';
        if (!near) {
            skipped = true;
            continue;
        }
        if (skipped)
            printf("@@\n");
        skipped = false;
        printf("%c%s\n", ops[k].kind, ops[k].line);
    }
#undef T
out:
    free(ops);
    free(t);
    free(a);
    free(b);
    free(ea);
    free(aa);
}

/* The report text: input.json as is, input.json.gz through the real decoder. Returns 0, -1 when the
 * case is broken, or the decoder's error code (err set) for a .gz input that does not decode. */
static int load_input(const char *dir, char **text, size_t *len, struct tlsrpt_error *err)
{
    *text = NULL;
    if (exists(dir, "input.json")) {
        *text = read_file(dir, "input.json", len);
        return *text ? 0 : -1;
    }
    size_t glen;
    char *gz = read_file(dir, "input.json.gz", &glen);
    if (gz == NULL)
        return -1;
    struct tlsrpt_buf out;
    tlsrpt_buf_init(&out, 0);
    int rc = tlsrpt_decode((const uint8_t *)gz, glen, NULL, &out, NULL, err);
    if (rc == 0)
        *text = (char *)tlsrpt_buf_steal(&out, len);
    tlsrpt_buf_free(&out);
    free(gz);
    return rc;
}

/* Reads the optional hints file: its first line, trailing CR/LF removed. */
static char *load_hint(const char *dir)
{
    size_t len;
    if (!exists(dir, "hints"))
        return NULL;
    char *h = read_file(dir, "hints", &len);
    if (h != NULL)
        h[strcspn(h, "\r\n")] = '\0';
    return h;
}

/* "valid" or "invalid": from the expected file present, else from the parent folder name. */
static int case_kind(const char *dir, bool *valid)
{
    if (exists(dir, "expected.json") || exists(dir, "error")) {
        *valid = exists(dir, "expected.json");
        return 0;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    size_t n = strlen(tmp);
    while (n > 0 && tmp[n - 1] == '/')
        tmp[--n] = '\0';
    char *slash = strrchr(tmp, '/');
    if (slash == NULL)
        return -1;
    *slash = '\0';
    const char *parent = strrchr(tmp, '/') ? strrchr(tmp, '/') + 1 : tmp;
    if (strcmp(parent, "valid") != 0 && strcmp(parent, "invalid") != 0)
        return -1;
    *valid = strcmp(parent, "valid") == 0;
    return 0;
}

static int compare(const char *dir, const char *name, const char *actual, bool prefix_ok,
                   bool update)
{
    if (update)
        return write_file(dir, name, actual);
    size_t len;
    char *expected = read_file(dir, name, &len);
    if (expected == NULL)
        return 2;
    int rc = 0;
    if (prefix_ok) { /* error: the first line of the file must equal or prefix the actual line */
        expected[strcspn(expected, "\r\n")] = '\0';
        if (expected[0] == '\0' || strncmp(actual, expected, strlen(expected)) != 0)
            rc = 1;
    } else if (strcmp(expected, actual) != 0) {
        rc = 1;
    }
    if (rc != 0) {
        printf("%s/%s: mismatch\n", dir, name);
        print_diff(expected, actual);
    }
    free(expected);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: golden_run <casedir>\n");
        return 2;
    }
    const char *dir = argv[1];
    const char *upd = getenv("TLSRPT_GOLDEN_UPDATE");
    bool update = upd != NULL && strcmp(upd, "1") == 0;
    bool valid;
    int rc = 2;
    size_t len = 0;
    char *text = NULL, *hint = NULL, *dump = NULL;
    struct tlsrpt_report *report = NULL;
    json_t *j = NULL;

    if (case_kind(dir, &valid) != 0) {
        fprintf(stderr, "%s: no expected.json or error, and not under valid/ or invalid/\n", dir);
        goto out;
    }
    struct tlsrpt_error err;
    int prc = load_input(dir, &text, &len, &err);
    if (prc < 0)
        goto out;
    if (prc == 0) {
        hint = load_hint(dir);
        struct tlsrpt_parse_hints hints = {.report_domain = hint};
        prc = tlsrpt_report_parse(text, len, NULL, &hints, &report, &err);
    }

    char line[1024] = "";
    if (prc != 0) {
        char msg[512];
        tlsrpt_error_format(&err, msg, sizeof msg);
        snprintf(line, sizeof line, "%s %s\n", tlsrpt_errcode_name(err.code), msg);
    }
    if (valid) {
        if (prc != 0) {
            printf("%s: expected a report, got: %s", dir, line);
            rc = 1;
            goto out;
        }
        j = tlsrpt_report_to_json(report);
        dump = j ? json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
        char *withnl = dump ? malloc(strlen(dump) + 2) : NULL;
        if (withnl == NULL) {
            fprintf(stderr, "out of memory\n");
            goto out;
        }
        sprintf(withnl, "%s\n", dump);
        rc = compare(dir, "expected.json", withnl, false, update);
        free(withnl);
    } else {
        if (prc == 0) {
            printf("%s: expected an error, but the report was accepted\n", dir);
            rc = 1;
            goto out;
        }
        rc = compare(dir, "error", line, true, update);
    }

out:
    json_decref(j);
    free(dump);
    tlsrpt_report_free(report);
    free(hint);
    free(text);
    return rc;
}
