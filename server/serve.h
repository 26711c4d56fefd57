/*
 * server/serve.h - the one entry point the CLI calls: `mandel serve ARGS...`.
 */
#ifndef MANDEL_SERVE_H
#define MANDEL_SERVE_H

/* argv[0] is "serve". Returns the exit status (0, 1 failure, 2 usage). */
int serve_main(int argc, char **argv);

#endif /* MANDEL_SERVE_H */
