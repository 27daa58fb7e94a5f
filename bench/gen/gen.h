/* gen.h - tlsrpt-gen's model: domains with a role, reporters with a shape (quirks.md §1), and one
 * planned report (domain x reporter x day) turned into traffic, then JSON, then files. */
#ifndef TLSRPT_GEN_H
#define TLSRPT_GEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GEN_DAY 86400LL
#define GEN_MAX_MX 3
#define GEN_MAX_FAIL 4

/* ---- rng.c: splitmix64, seeded per report so output does not depend on generation order ---- */
struct gen_rng {
    uint64_t s;
};
void gen_rng_seed(struct gen_rng *r, uint64_t a, uint64_t b, uint64_t c, uint64_t d);
uint64_t gen_rng_next(struct gen_rng *r);
unsigned gen_rng_range(struct gen_rng *r, unsigned lo, unsigned hi); /* inclusive */
bool gen_rng_permille(struct gen_rng *r, unsigned permille);         /* true permille/1000 times */

/* ---- the reporters whose shapes we imitate ---- */
enum gen_reporter {
    GEN_GOOGLE,
    GEN_MICROSOFT,
    GEN_MAILRU,
    GEN_STALWART, /* a small Stalwart-based MTA */
    GEN_SYS4,     /* Postfix + sys4 tlsrpt-reporter */
    GEN_NREPORTERS
};

struct gen_reporter_info {
    const char *key;       /* short name for --help and stats */
    const char *org;       /* organization-name */
    const char *contact;   /* contact-info, NULL = JSON null */
    const char *from;      /* From: address */
    const char *submitter; /* TLS-Report-Submitter and the filename's first field */
};
const struct gen_reporter_info *gen_reporter_info(enum gen_reporter r);

/* ---- plan.c: domains and what happened to their mail on one day ---- */
enum gen_role {
    GEN_ROLE_READY,     /* testing, clean for long enough: switch to enforce */
    GEN_ROLE_BROKEN_MX, /* testing, mx2 has a bad certificate on several days */
    GEN_ROLE_SPARSE,    /* two days from one reporter: too little data */
    GEN_ROLE_ENFORCING, /* already enforce; a backup MX without STARTTLS */
    GEN_ROLE_RANDOM,    /* --domains N: random but plausible */
};

struct gen_domain {
    char name[64];
    enum gen_role role;
    unsigned nmx;
    char mx[GEN_MAX_MX][96];
    bool wildcard;      /* the policy says "mx: *.<name>" instead of listing hosts */
    bool max_age_first; /* publisher's line order: max_age before the mx lines */
    unsigned long max_age;
    unsigned volume;    /* Google's sessions on a weekday */
    unsigned reporters; /* bit 1u << gen_reporter for each reporter that sends */
    bool enforce;       /* random domains: published mode */
    unsigned bad_mx;    /* random domains: 0 = clean, 1 = occasional failures, 2 = one bad MX */
};

struct gen_config {
    uint64_t seed;
    unsigned ndomains;     /* random domains */
    bool scenarios;        /* the four fixed-role domains */
    unsigned days;         /* report days, the newest being yesterday */
    unsigned long reports; /* 0, or exactly this many reports cycling domains/reporters/days */
    long long today;       /* 00:00:00Z of today */
};

/* Fills *out with the scenario domains and then cfg->ndomains random ones (malloc'd). */
int gen_plan_domains(const struct gen_config *cfg, struct gen_domain **out, unsigned *n);

/* One report to write. */
struct gen_item {
    const struct gen_domain *dom;
    unsigned dom_index;
    enum gen_reporter rep;
    unsigned age;    /* days before today: 1 = yesterday */
    long long start; /* 00:00:00Z of the report day */
};

/* Whether that reporter sends a report for that domain and day (its cadence; quirks.md §4). */
bool gen_plan_sends(const struct gen_config *cfg, const struct gen_item *it);

struct gen_failure {
    const char *type; /* result-type; report.c words the failure-reason-code per reporter */
    int mx;           /* index into dom->mx, or -1 for the policy host (fetch errors) */
    unsigned count;
    unsigned variant; /* picks one of several plausible reason texts */
};

struct gen_traffic {
    bool enforce; /* the policy mode the reporter saw (it may have cached an older one) */
    unsigned success;
    unsigned nfail;
    struct gen_failure fail[GEN_MAX_FAIL];
};

void gen_plan_traffic(const struct gen_config *cfg, const struct gen_item *it,
                      struct gen_traffic *t);

/* ---- report.c: the JSON and the names around it, in each reporter's shape ---- */
struct gen_report {
    json_t *json;
    char report_id[160];
    char filename[256];   /* RFC 8460 §5.3 name, ending in .json.gz */
    char subject_id[256]; /* Report-ID as it appears in the Subject */
    char message_id[256];
    long long sent;    /* Date: of the email */
    size_t json_flags; /* json_dumps flags: compact for the big senders */
};

/* Builds the report for it; returns 0, or -1 when out of memory. Free with gen_report_free. */
int gen_report_build(const struct gen_config *cfg, const struct gen_item *it, struct gen_report *r);
void gen_report_free(struct gen_report *r);

/* ---- mime.c: an RFC 8460 §5.3 multipart/report email (LF line endings) ---- */
int gen_mime_write(FILE *f, const struct gen_item *it, const struct gen_report *r,
                   const uint8_t *gz, size_t gzlen);

/* ---- output.c: gzip and files ---- */
enum gen_format_bits {
    GEN_FMT_JSON = 1,
    GEN_FMT_JSONGZ = 2,
    GEN_FMT_EML = 4,
    GEN_FMT_MAILDIR = 8,
};

struct gen_output {
    const char *dir;
    unsigned formats;
    unsigned long serial; /* maildir name counter */
    unsigned long files;
    unsigned long long bytes;
};

/* Creates DIR and DIR/<format>/ (maildir: DIR/maildir/{tmp,new,cur}); -1 with errno on failure. */
int gen_output_open(struct gen_output *o);
/* Writes one report in every selected format; -1 with a message on stderr on failure. */
int gen_output_write(struct gen_output *o, const struct gen_item *it, const struct gen_report *r);
/* gzip (one member, mtime 0, no FNAME, like Google) into a malloc'd buffer; NULL on failure. */
uint8_t *gen_gzip(const char *data, size_t len, int os, size_t *outlen);

enum gen_timefmt {
    GEN_T_RFC3339, /* 2024-09-03T00:00:00Z */
    GEN_T_DOTS,    /* 2024.09.03T00.00.00Z (Google's Subject) */
    GEN_T_DATE,    /* 2024-09-03 */
    GEN_T_RFC5322, /* Tue, 03 Sep 2024 07:12:44 +0000 */
};
/* UTC; buf should hold 40 bytes (empty string if it does not). */
void gen_fmt_time(long long t, enum gen_timefmt f, char *buf, size_t len);

#endif
