/* exit_codes.h - exit statuses shared by every program (documented in the man pages and README).
 * sysexits.h values for usage and environment errors, so scripts can tell them apart. */
#ifndef TLSRPT_EXIT_CODES_H
#define TLSRPT_EXIT_CODES_H

#include <sysexits.h>

#define TLSRPT_EXIT_OK 0
#define TLSRPT_EXIT_USAGE EX_USAGE         /* 64: bad option or argument */
#define TLSRPT_EXIT_NOINPUT EX_NOINPUT     /* 66: an input path does not exist or cannot be read */
#define TLSRPT_EXIT_SOFTWARE EX_SOFTWARE   /* 70: internal error (a bug) */
#define TLSRPT_EXIT_OSERR EX_OSERR         /* 71: system error (out of memory, fork...) */
#define TLSRPT_EXIT_CANTCREAT EX_CANTCREAT /* 73: database cannot be created/opened/written */
#define TLSRPT_EXIT_IOERR EX_IOERR         /* 74: I/O error */
#define TLSRPT_EXIT_TEMPFAIL EX_TEMPFAIL   /* 75: temporary failure (database locked); try again */
#define TLSRPT_EXIT_CONFIG EX_CONFIG       /* 78: configuration file error */

#endif
