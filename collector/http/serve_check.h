/* serve_check.h - `serve --check-domains`: the live check of tlsrpt-check (checker/check.h) run
 * periodically inside serve, on a thread of its own with its own read-write database handle. Each
 * round checks every configured domain, one after another, and stores each result with its time
 * (checker/check_store.h): the checks table keeps the history, and the analyzer's verdict uses the
 * newest check. Rounds start every `interval` seconds; a round that overruns the interval is
 * followed at once by the next (never two at a time, no catching up on missed rounds).
 *
 * Stopping: the wait between rounds is a condition variable (CLOCK_MONOTONIC), woken at once by
 * tlsrpt_serve_check_request_stop; the stop flag is also read before each domain. A domain whose
 * check is under way is finished first: the check has no cancellation point, its own deadlines
 * (DNS, policy fetch, each MX address) bound it. Nothing here stops the daemon: a check that
 * cannot run and a result that cannot be stored are logged, and the round goes on. */
#ifndef TLSRPT_HTTP_SERVE_CHECK_H
#define TLSRPT_HTTP_SERVE_CHECK_H

#include "check.h"
#include "domains.h"
#include "error.h"

#include <stddef.h>
#include <stdint.h>

#define TLSRPT_SERVE_CHECK_DEF_INTERVAL 86400 /* seconds between rounds: daily */
#define TLSRPT_SERVE_CHECK_MIN_INTERVAL 1     /* tests; below an hour is warned about */
#define TLSRPT_SERVE_CHECK_WARN_INTERVAL 3600 /* a shorter interval is logged as a warning */
#define TLSRPT_SERVE_CHECK_MAX_INTERVAL (366 * 86400) /* a year: anything longer is a typo */
#define TLSRPT_SERVE_CHECK_FIRST_DELAY 2              /* seconds from start to the first round */
#define TLSRPT_SERVE_CHECK_MAX_DOMAINS 1000           /* entries of check-domains */

struct tlsrpt_serve_check_config {
    const char *db_path;
    const struct tlsrpt_domain_list *domains; /* from tlsrpt_serve_check_parse_domains; copied */
    uint64_t interval;                        /* seconds between the starts of two rounds */
    struct tlsrpt_check_opts check;           /* its strings are copied */
};

/* "example.com, example.org" (commas and/or blanks) into out: each entry normalised by
 * tlsrpt_check_domain_arg (lower case, no trailing dot, an LDH name with a dot), duplicates
 * dropped, at most TLSRPT_SERVE_CHECK_MAX_DOMAINS. NULL or blank text gives an empty list.
 * Returns 0, or -1 with why naming the entry; free out with tlsrpt_domain_list_free. */
int tlsrpt_serve_check_parse_domains(const char *text, struct tlsrpt_domain_list *out, char *why,
                                     size_t whylen);

/* The policy-address override of tlsrpt-check --policy-connect-to: "[ADDR]:PORT", "ADDR:PORT" or
 * ":PORT" (ADDR empty: the resolved address). Sets o->policy_port, and o->policy_addr to addr
 * (ADDR without brackets, cap bytes) or NULL. Returns 0 or -1. Pure. */
int tlsrpt_serve_check_parse_connect_to(const char *s, char *addr, size_t cap,
                                        struct tlsrpt_check_opts *o);

struct tlsrpt_serve_check;

/* Opens the database read-write and starts the thread (the checker itself is made by the thread,
 * once, before its first round; libcurl's global init must have been done: checker/fetch.h). The
 * caller's signal mask is inherited: block the signals the thread must not take first. Returns 0,
 * TLSRPT_E_DB (database) or TLSRPT_E_NOMEM. */
int tlsrpt_serve_check_start(const struct tlsrpt_serve_check_config *cfg,
                             struct tlsrpt_serve_check **out, struct tlsrpt_error *err);
/* Asks the thread to stop and returns at once: a wait between rounds ends now, a round ends after
 * the domain under way. NULL is allowed. */
void tlsrpt_serve_check_request_stop(struct tlsrpt_serve_check *c);
/* Stops the thread (as above), waits for it, logs its totals and frees. NULL is allowed. */
void tlsrpt_serve_check_stop(struct tlsrpt_serve_check *c);

#endif
