/*
 * io/atomic_file.c - write to a temporary file in the same directory, rename when done.
 *
 * Invariant: the destination path is either untouched or holds a complete file; rename()
 * within one directory is atomic on POSIX file systems.
 *
 * Where Linux can (O_TMPFILE, and /proc to name the file later), the temporary has no name
 * while it is written: a process killed outright (SIGKILL, the OOM killer, an MPI launcher
 * cleaning up) leaves nothing, since the kernel frees an unnamed file with its last
 * descriptor. At commit it is linked under the temporary name and renamed over the
 * destination, so only that instant has a name to leave behind. Elsewhere the temporary is
 * named from the start and removed on failure (and by the caller's signal handlers).
 *
 * The process's umask is only ever
 * read by the kernel: the temporary is created with mode 0666 by open(O_CREAT | O_EXCL), so
 * it gets exactly the mode a plain creat() would (mkstemp's 0600 would need a fchmod to the
 * umask, and reading the umask means setting it, a race with every other thread).
 */
#include "io/image_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_SUFFIX ".tmp-XXXXXX"
#define TMP_TRIES 100

/* Fills the six X's of `name` with letters and digits that are hard to guess, so that
 * another user's file of that name is unlikely (O_EXCL refuses it anyway, and we retry). */
static void fill_name(char *x6)
{
    static const char chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static atomic_uint_fast64_t counter;
    uint64_t r;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15u ^ (uint64_t)ts.tv_sec ^
            (uint64_t)getpid() << 32 ^ atomic_fetch_add(&counter, 1) * 0xbf58476d1ce4e5b9u;
    }
    for (int i = 0; i < 6; i++, r /= 62) x6[i] = chars[r % 62];
}

/* An unnamed file in the directory of `path`, mode 0666 less the umask, that can be given a
 * name later through /proc/self/fd; -1 where the kernel, the file system or a missing
 * /proc cannot. */
static int create_unnamed(const char *path)
{
#ifdef O_TMPFILE
    const char *const slash = strrchr(path, '/');
    char dir[4096];
    if (slash == NULL) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else if ((size_t)(slash - path) < sizeof dir) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    } else {
        return -1;
    }
    int const fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) return -1;
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (access(proc, F_OK) != 0) {
        close(fd);
        return -1;
    }
    return fd;
#else
    (void)path;
    return -1;
#endif
}

/* Gives the unnamed file af->fp a name: af->tmp_path (another if that one is taken). */
static int name_unnamed(atomic_file *af)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fileno(af->fp));
    char *const x6 = af->tmp_path + strlen(af->tmp_path) - 6;
    for (int tries = 0; tries < TMP_TRIES; tries++) {
        if (linkat(AT_FDCWD, proc, AT_FDCWD, af->tmp_path, AT_SYMLINK_FOLLOW) == 0) return 0;
        if (errno != EEXIST) return -1;
        fill_name(x6);
    }
    return -1;
}

/* Creates `tmp_path` (ending in six X's) as a new file with mode 0666 less the umask.
 * Returns the descriptor, or -1 with errno set. */
static int create_temp(char *tmp_path)
{
    char *const x6 = tmp_path + strlen(tmp_path) - 6;
    for (int tries = 0; tries < TMP_TRIES; tries++) {
        fill_name(x6);
        int const fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;
}

int atomic_file_open(mandel_ctx *ctx, atomic_file *af, const char *path)
{
    memset(af, 0, sizeof *af);
    struct stat st;
    FAIL_IF(ctx, stat(path, &st) == 0 && S_ISDIR(st.st_mode), MANDEL_EIO,
            "cannot write '%s': it is a directory", path);
    size_t const len = strlen(path);
    af->path = ctx_strdup(ctx, path);
    af->tmp_path = ctx_alloc(ctx, len + sizeof TMP_SUFFIX);
    if (af->path == NULL || af->tmp_path == NULL) {
        atomic_file_discard(ctx, af);
        return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a file name");
    }
    memcpy(af->tmp_path, path, len);
    memcpy(af->tmp_path + len, TMP_SUFFIX, sizeof TMP_SUFFIX);
    int fd = create_unnamed(path);
    if (fd >= 0) {
        af->unnamed = true;
        fill_name(af->tmp_path + strlen(af->tmp_path) - 6); /* the name it will get */
    } else {
        fd = create_temp(af->tmp_path);
    }
    if (fd < 0) {
        int const e = errno;
        ctx_free(ctx, af->tmp_path);
        af->tmp_path = NULL;
        atomic_file_discard(ctx, af);
        return ctx_fail(ctx, MANDEL_EIO, "cannot create '%s': %s", path, strerror(e));
    }
    af->fp = fdopen(fd, "wb");
    if (af->fp == NULL) {
        close(fd);
        atomic_file_discard(ctx, af);
        return ctx_fail(ctx, MANDEL_EIO, "cannot open '%s': %s", path, strerror(errno));
    }
    return MANDEL_OK;
}

int atomic_file_commit(mandel_ctx *ctx, atomic_file *af)
{
    bool const write_ok = fflush(af->fp) == 0 && !ferror(af->fp);
    int e = errno;
    bool named = write_ok && !af->unnamed;
    if (write_ok && af->unnamed) {
        named = name_unnamed(af) == 0;
        e = errno;
        af->unnamed = !named;
    }
    bool const close_ok = fclose(af->fp) == 0;
    af->fp = NULL;
    if (!write_ok || !named || !close_ok) {
        int const err = ctx_fail(ctx, MANDEL_EIO, "cannot write '%s': %s", af->path,
                                 strerror(write_ok && named ? errno : e));
        atomic_file_discard(ctx, af);
        return err;
    }
    if (rename(af->tmp_path, af->path) != 0) {
        int const err = ctx_fail(ctx, MANDEL_EIO, "cannot rename '%s' to '%s': %s",
                                 af->tmp_path, af->path, strerror(errno));
        atomic_file_discard(ctx, af);
        return err;
    }
    ctx_free(ctx, af->tmp_path);
    ctx_free(ctx, af->path);
    memset(af, 0, sizeof *af);
    return MANDEL_OK;
}

void atomic_file_discard(mandel_ctx *ctx, atomic_file *af)
{
    if (af->fp != NULL) fclose(af->fp);
    if (af->tmp_path != NULL && !af->unnamed) unlink(af->tmp_path);
    ctx_free(ctx, af->tmp_path);
    ctx_free(ctx, af->path);
    memset(af, 0, sizeof *af);
}
