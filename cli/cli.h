/*
 * cli/cli.h - what the subcommands of the mandel program share.
 */
#ifndef MANDEL_CLI_H
#define MANDEL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, as in sysexits' spirit and the shell's convention. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

int cmd_render(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_palettes(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_colour(int argc, char **argv);
int cmd_zoom(int argc, char **argv);

/* Prints "mandel: <message>" on stderr and returns `code`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Memory one command may plan to hold: the library's default MANDEL_OPT_MAX_MEMORY, half
 * the physical memory. */
unsigned long long cli_memory_budget(void);

/* A whole number 1..max, all of `text` (the machine's options: --quality, --repeat,
 * bench --threads; a picture's are the library's). */
bool cli_whole(const char *text, uint32_t max, uint32_t *out);

/* -o -: a mandel_image_open_stream() writer of the picture's bytes to standard output,
 * waiting on a non-blocking pipe; returns 0 or the errno of the failure (EPIPE when the
 * reader has gone: the programs ignore SIGPIPE). */
int cli_write_stdout(void *user, const void *bytes, size_t len);

/* Installs `handler` (or SIG_DFL) for SIGINT, SIGTERM and SIGHUP: the signals after which a
 * command removes its temporary output before it ends. */
void cli_set_signals(void (*handler)(int));

#endif /* MANDEL_CLI_H */
