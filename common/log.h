/* log.h - one line per event on stderr: "2026-11-28T19:05:07Z tlsrpt-collector[123]: warning:
 * text". Levels follow Postfix's split (style.md §6): info/warning for what happened, error for a
 * failed operation the process survives, fatal for a broken environment (exits). Bad input is never
 * fatal. */
#ifndef TLSRPT_LOG_H
#define TLSRPT_LOG_H

enum tlsrpt_log_level { TLSRPT_LOG_DEBUG, TLSRPT_LOG_INFO, TLSRPT_LOG_WARNING, TLSRPT_LOG_ERROR };

void tlsrpt_log_init(const char *progname, enum tlsrpt_log_level min_level);
void tlsrpt_log(enum tlsrpt_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
_Noreturn void tlsrpt_fatal(int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) tlsrpt_log(TLSRPT_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) tlsrpt_log(TLSRPT_LOG_INFO, __VA_ARGS__)
#define log_warning(...) tlsrpt_log(TLSRPT_LOG_WARNING, __VA_ARGS__)
#define log_error(...) tlsrpt_log(TLSRPT_LOG_ERROR, __VA_ARGS__)

#endif
