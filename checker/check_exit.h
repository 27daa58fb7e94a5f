/* check_exit.h - tlsrpt-check's own exit statuses, below the shared sysexits ones (exit_codes.h),
 * so scripts can tell "the domain has problems" from "the check could not run". */
#ifndef TLSRPT_CHECK_EXIT_H
#define TLSRPT_CHECK_EXIT_H

#define TLSRPT_CHECK_EXIT_WARNINGS 1 /* warnings, no errors */
#define TLSRPT_CHECK_EXIT_ERRORS 2   /* at least one error finding (or --suggest found no MX) */

#endif
