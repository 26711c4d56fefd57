/*
 * tests/cli/slow_rename.c - an LD_PRELOAD shim for tests/cli/signal.sh: rename() first
 * creates the file $SLOW_RENAME_MARK (so the test knows the program is inside it), then
 * waits $SLOW_RENAME_SECONDS (default 10), then renames. It widens the moment between a
 * finished temporary file and its rename, where a signal must still remove the temporary,
 * from microseconds to seconds, without a test hook in the program. Test-only; not built
 * into anything installed.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int rename(const char *from, const char *to);

int rename(const char *from, const char *to)
{
    const char *const mark = getenv("SLOW_RENAME_MARK");
    if (mark != NULL) {
        int const fd = open(mark, O_WRONLY | O_CREAT, 0644);
        if (fd >= 0) close(fd);
    }
    const char *const secs = getenv("SLOW_RENAME_SECONDS");
    double const wait = secs != NULL ? atof(secs) : 10.0;
    struct timespec t = {.tv_sec = (time_t)wait,
                         .tv_nsec = (long)((wait - (double)(time_t)wait) * 1e9)};
    while (nanosleep(&t, &t) != 0) continue;
    int (*const real)(const char *, const char *) =
        (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    return real(from, to);
}
