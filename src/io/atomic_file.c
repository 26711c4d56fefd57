/*
 * io/atomic_file.c - write to a temporary file in the same directory, rename when done.
 *
 * Invariant: the destination path is either untouched or holds a complete file; rename()
 * within one directory is atomic on POSIX file systems.
 */
#include "io/image_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_file_open(mandel_ctx *ctx, atomic_file *af, const char *path)
{
    memset(af, 0, sizeof *af);
    struct stat st;
    FAIL_IF(ctx, stat(path, &st) == 0 && S_ISDIR(st.st_mode), MANDEL_EIO,
            "cannot write '%s': it is a directory", path);
    size_t const len = strlen(path);
    af->path = ctx_strdup(ctx, path);
    af->tmp_path = ctx_alloc(ctx, len + sizeof ".tmp-XXXXXX");
    if (af->path == NULL || af->tmp_path == NULL) {
        atomic_file_discard(ctx, af);
        return ctx_fail(ctx, MANDEL_ENOMEM, "out of memory for a file name");
    }
    memcpy(af->tmp_path, path, len);
    memcpy(af->tmp_path + len, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
    int const fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        int const e = errno;
        ctx_free(ctx, af->tmp_path);
        af->tmp_path = NULL;
        atomic_file_discard(ctx, af);
        return ctx_fail(ctx, MANDEL_EIO, "cannot create '%s': %s", path, strerror(e));
    }
    /* mkstemp makes 0600; give the file the mode a plain creat() would. */
    mode_t const mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
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
    int const e = errno;
    bool const close_ok = fclose(af->fp) == 0;
    af->fp = NULL;
    if (!write_ok || !close_ok) {
        int const err = ctx_fail(ctx, MANDEL_EIO, "cannot write '%s': %s", af->path,
                                 strerror(write_ok ? errno : e));
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
    if (af->tmp_path != NULL) unlink(af->tmp_path);
    ctx_free(ctx, af->tmp_path);
    ctx_free(ctx, af->path);
    memset(af, 0, sizeof *af);
}
