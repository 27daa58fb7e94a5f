/* main.c - tlsrpt-collector: dispatches to the subcommands in collector/commands.h. */
#include "commands.h"
#include "exit_codes.h"
#include "log.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"import", tlsrpt_cmd_import, "read report files, .eml files and directories (read-only)"},
    {"reprocess", tlsrpt_cmd_reprocess, "parse every stored input again (after an upgrade)"},
    {"maildir", tlsrpt_cmd_maildir, "take report mails out of a Maildir, moving each once stored"},
    {"serve", tlsrpt_cmd_serve, "HTTPS endpoint for rua=https:// reports (and --maildir)"},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: tlsrpt-collector COMMAND [OPTIONS] [ARGS]\n"
               "\n"
               "Collects SMTP TLS reports (RFC 8460, TLS-RPT) into an SQLite database for\n"
               "tlsrpt-report and tlsrpt-web. Every input is kept (raw bytes) and deduplicated;\n"
               "inputs that do not decode or parse are stored as rejects with the reason.\n"
               "\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\n"
            "Every command takes --db=PATH (default: $TLSRPT_DB, else /var/lib/tlsrpt/tlsrpt.db)\n"
            "and --help. Example:\n"
            "  tlsrpt-collector import --db ./tlsrpt.db reports/\n"
            "  tlsrpt-report --db ./tlsrpt.db --since 14d\n");
}

int main(int argc, char **argv)
{
    /* Fixed malloc thresholds (mallopt(3)): by default glibc raises them after a large block is
     * freed, so once a hostile input's 20 MiB decoder buffer is freed the next ones come from, and
     * stay in, each thread's arena (about 25 MB per thread, measured). With fixed thresholds a
     * large block is mmapped and goes back to the kernel when freed, and the daemon's RSS returns
     * to its baseline (tests/hostile/test_hostile_daemon.sh). 1 MiB, not glibc's initial 128 KiB:
     * the decoder's working buffer is 128 KiB, and mapping and unmapping it for every report cost
     * a tenth of a Maildir reader's time. */
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
    tlsrpt_log_init("tlsrpt-collector", TLSRPT_LOG_INFO);
    if (argc < 2) {
        usage(stderr);
        return TLSRPT_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return TLSRPT_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tlsrpt-collector %s\n", TLSRPT_VERSION);
        return TLSRPT_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tlsrpt-collector: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return TLSRPT_EXIT_USAGE;
}
