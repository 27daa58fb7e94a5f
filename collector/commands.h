/* commands.h - the subcommands of tlsrpt-collector. Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit status (see exit_codes.h). */
#ifndef TLSRPT_COMMANDS_H
#define TLSRPT_COMMANDS_H

int tlsrpt_cmd_import(int argc, char **argv);
int tlsrpt_cmd_reprocess(int argc, char **argv);
int tlsrpt_cmd_maildir(int argc, char **argv);
int tlsrpt_cmd_serve(int argc, char **argv);

#endif
