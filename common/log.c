#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "tlsrpt";
static enum tlsrpt_log_level log_min = TLSRPT_LOG_INFO;

void tlsrpt_log_init(const char *progname, enum tlsrpt_log_level min_level)
{
    if (progname) {
        const char *slash = strrchr(progname, '/');
        log_prog = slash ? slash + 1 : progname;
    }
    log_min = min_level;
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* One write per line so concurrent threads do not interleave within a line. */
    fprintf(stderr, "%s %s[%ld]: %s: %s\n", ts, log_prog, (long)getpid(), level, msg);
}

void tlsrpt_log(enum tlsrpt_log_level level, const char *fmt, ...)
{
    if (level < log_min)
        return;
    static const char *names[] = {"debug", "info", "warning", "error"};
    va_list ap;
    va_start(ap, fmt);
    vlog(names[level], fmt, ap);
    va_end(ap);
}

void tlsrpt_fatal(int exit_code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("fatal", fmt, ap);
    va_end(ap);
    exit(exit_code);
}
