/*
 * cli/zoom_video.c - the frames of 'mandel zoom' into a file: YUV4MPEG2 written here, a
 * numbered sequence of pictures through the library's writers, or raw RGB frames on a pipe
 * to the ffmpeg program, which encodes them.
 *
 * Invariant: -o names a complete video or nothing. The .y4m and ffmpeg's output go to a
 * temporary beside it, renamed only once the last frame is in (and ffmpeg exited 0); any
 * failure removes the temporary. A sequence's pictures are each written atomically.
 */
#include "zoom_video.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static const struct container {
    const char *ext, *format, *codec;
} containers[] = {
    {".mp4", "mp4", "libx264"},
    {".mkv", "matroska", "libx264"},
    {".webm", "webm", "libvpx-vp9"},
};

static bool ends_with(const char *s, const char *tail)
{
    size_t const n = strlen(s), m = strlen(tail);
    return n >= m && strcasecmp(s + n - m, tail) == 0;
}

/* A sequence pattern: exactly one %d, optionally %0Nd (N 1..9), and %% for a percent
 * sign; nothing else after a '%'. */
static bool sequence_pattern(const char *path, bool *has_conversion)
{
    int conversions = 0;
    for (const char *p = path; *p != '\0'; p++) {
        if (*p != '%') continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        const char *q = p + 1;
        if (*q == '0') q++;
        if (*q >= '1' && *q <= '9') q++;
        if (*q != 'd') return false;
        conversions++;
        p = q;
    }
    *has_conversion = conversions == 1;
    return conversions <= 1;
}

bool video_have_ffmpeg(void)
{
    const char *const path = getenv("PATH");
    if (path == NULL) return false;
    char dir[4096];
    for (const char *p = path;;) {
        const char *const colon = strchr(p, ':');
        size_t const len = colon ? (size_t)(colon - p) : strlen(p);
        if (len > 0 && len < sizeof dir - 8) {
            memcpy(dir, p, len);
            memcpy(dir + len, "/ffmpeg", 8);
            if (access(dir, X_OK) == 0) return true;
        }
        if (colon == NULL) return false;
        p = colon + 1;
    }
}

int video_choose(video *v, const char *path, uint32_t width, uint32_t height, uint32_t fps)
{
    v->path = path;
    v->width = width;
    v->height = height;
    v->fps = fps;
    bool conversion = false;
    if (!sequence_pattern(path, &conversion))
        return cli_error(EXIT_USAGE, "-o '%s': a frame pattern holds one %%d (or %%05d), and "
                                     "%%%% for a percent sign", path);
    if (conversion) {
        v->kind = VIDEO_SEQUENCE;
        if (mandel_format_from_path(path, &v->format) != MANDEL_OK ||
            (v->format != MANDEL_FORMAT_PNG && v->format != MANDEL_FORMAT_JPEG &&
             v->format != MANDEL_FORMAT_PPM && v->format != MANDEL_FORMAT_NPY))
            return cli_error(EXIT_USAGE, "-o '%s': frames are .png, .jpg, .ppm or .npy (smooth "
                                         "values)", path);
        return -1;
    }
    if (ends_with(path, ".y4m")) {
        v->kind = VIDEO_Y4M;
        return -1;
    }
    for (size_t i = 0; i < sizeof containers / sizeof *containers; i++) {
        if (!ends_with(path, containers[i].ext)) continue;
        v->kind = VIDEO_FFMPEG;
        v->container = containers[i].format;
        v->codec = containers[i].codec;
        if (width % 2 != 0 || height % 2 != 0)
            return cli_error(EXIT_USAGE, "--size '%ux%u': %s video needs an even width and "
                                         "height (4:2:0 colour)", width, height,
                             containers[i].ext);
        if (!video_have_ffmpeg())
            return cli_error(EXIT_FAIL, "-o '%s': %s video is made by the ffmpeg program, which "
                                        "is not on PATH (Debian: apt-get install ffmpeg); .y4m "
                                        "needs no ffmpeg", path, containers[i].ext);
        return -1;
    }
    return cli_error(EXIT_USAGE, "-o '%s': unknown extension (use .mp4, .webm, .mkv, .y4m, or "
                                 "a frame pattern such as frames/%%05d.png)", path);
}

/* "DIR/.NAME.tmp-XXXXXX" beside `path`, created with O_EXCL; -1 on failure (errno). */
static int make_temp(video *v)
{
    size_t const len = strlen(v->path);
    v->temp = malloc(len + 16);
    if (v->temp == NULL) {
        errno = ENOMEM;
        return -1;
    }
    const char *const slash = strrchr(v->path, '/');
    size_t const dir_len = slash ? (size_t)(slash - v->path) + 1 : 0;
    memcpy(v->temp, v->path, dir_len);
    snprintf(v->temp + dir_len, len + 16 - dir_len, ".%s.tmp-XXXXXX", v->path + dir_len);
    int const fd = mkstemp(v->temp);
    if (fd >= 0) {
        /* the mode a plain creat() would give, as the library's writers do */
        mode_t const mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask);
    }
    return fd;
}

/* Starts `ffmpeg ... -f FORMAT TEMP` reading raw RGB frames from a pipe; its stderr goes
 * to a scratch file, so that its complaint can be quoted in one line. */
static int start_ffmpeg(video *v)
{
    int fds[2];
    if (pipe(fds) != 0) return cli_error(EXIT_FAIL, "cannot start ffmpeg: %s", strerror(errno));
    v->child_err = tmpfile();
    if (v->child_err == NULL) {
        close(fds[0]);
        close(fds[1]);
        return cli_error(EXIT_FAIL, "cannot start ffmpeg: %s", strerror(errno));
    }
    char size[32], rate[16];
    snprintf(size, sizeof size, "%ux%u", v->width, v->height);
    snprintf(rate, sizeof rate, "%u", v->fps);
    bool const x264 = strcmp(v->codec, "libx264") == 0;
    const char *argv[40];
    int n = 0;
    argv[n++] = "ffmpeg";
    argv[n++] = "-hide_banner";
    argv[n++] = "-loglevel";
    argv[n++] = "error";
    argv[n++] = "-nostdin";
    argv[n++] = "-y";
    argv[n++] = "-f";
    argv[n++] = "rawvideo";
    argv[n++] = "-pix_fmt";
    argv[n++] = "rgb24";
    argv[n++] = "-s";
    argv[n++] = size;
    argv[n++] = "-r";
    argv[n++] = rate;
    argv[n++] = "-i";
    argv[n++] = "pipe:0";
    argv[n++] = "-c:v";
    argv[n++] = v->codec;
    argv[n++] = "-pix_fmt";
    argv[n++] = "yuv420p";
    if (x264) {
        argv[n++] = "-crf";
        argv[n++] = "18";
    } else {
        argv[n++] = "-crf";
        argv[n++] = "30";
        argv[n++] = "-b:v";
        argv[n++] = "0";
    }
    if (strcmp(v->container, "mp4") == 0) {
        argv[n++] = "-movflags";
        argv[n++] = "+faststart";
    }
    argv[n++] = "-f";
    argv[n++] = v->container;
    argv[n++] = v->temp;
    argv[n] = NULL;
    pid_t const pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return cli_error(EXIT_FAIL, "cannot start ffmpeg: %s", strerror(errno));
    }
    if (pid == 0) {
        dup2(fds[0], STDIN_FILENO);
        dup2(fileno(v->child_err), STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        signal(SIGPIPE, SIG_DFL);
        execvp("ffmpeg", (char *const *)argv);
        fprintf(stderr, "cannot run ffmpeg: %s\n", strerror(errno));
        _exit(127);
    }
    close(fds[0]);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    v->child = pid;
    v->out = fdopen(fds[1], "wb");
    if (v->out == NULL) {
        close(fds[1]);
        return cli_error(EXIT_FAIL, "cannot start ffmpeg: %s", strerror(errno));
    }
    return -1;
}

int video_open(video *v, mandel_ctx *ctx)
{
    (void)ctx;
    if (v->kind == VIDEO_SEQUENCE) return -1;
    int const fd = make_temp(v);
    if (fd < 0) {
        int const e = errno;
        free(v->temp);
        v->temp = NULL;
        return cli_error(EXIT_FAIL, "cannot create '%s': %s", v->path, strerror(e));
    }
    if (v->kind == VIDEO_FFMPEG) {
        close(fd); /* ffmpeg opens it by name and overwrites it (-y) */
        return start_ffmpeg(v);
    }
    v->out = fdopen(fd, "wb");
    size_t const cw = (v->width + 1) / 2, ch = (v->height + 1) / 2;
    v->yuv = malloc((size_t)v->width * v->height + 2 * cw * ch);
    if (v->out == NULL || v->yuv == NULL) {
        if (v->out == NULL) close(fd);
        return cli_error(EXIT_FAIL, "out of memory for a %ux%u frame", v->width, v->height);
    }
    /* 4:2:0 with chroma between the luma samples (JPEG's siting), BT.601 studio range: what
     * ffmpeg, mpv and x264 read from a y4m with no range tag. */
    fprintf(v->out, "YUV4MPEG2 W%u H%u F%u:1 Ip A1:1 C420jpeg\n", v->width, v->height, v->fps);
    return -1;
}

void video_frame_path(const video *v, uint32_t n, char *buf, size_t len)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(buf, len, v->path, (int)n);
#pragma GCC diagnostic pop
}

/* RGB to BT.601 studio-range Y'CbCr, chroma averaged over 2x2 blocks. */
static void to_yuv(const video *v, const uint8_t *rgb)
{
    uint32_t const w = v->width, h = v->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
    uint8_t *const y = v->yuv, *const cb = y + (size_t)w * h, *const cr = cb + (size_t)cw * ch;
    for (uint32_t k = 0; k < h; k++) {
        for (uint32_t i = 0; i < w; i++) {
            const uint8_t *const p = rgb + ((size_t)k * w + i) * 3;
            double const luma = 16 + 0.256788 * p[0] + 0.504129 * p[1] + 0.097906 * p[2];
            y[(size_t)k * w + i] = (uint8_t)(luma + 0.5);
        }
    }
    for (uint32_t k = 0; k < ch; k++) {
        for (uint32_t i = 0; i < cw; i++) {
            double r = 0, g = 0, b = 0;
            int n = 0;
            for (uint32_t dk = 0; dk < 2; dk++) {
                for (uint32_t di = 0; di < 2; di++) {
                    uint32_t const yy = 2 * k + dk, xx = 2 * i + di;
                    if (yy >= h || xx >= w) continue;
                    const uint8_t *const p = rgb + ((size_t)yy * w + xx) * 3;
                    r += p[0];
                    g += p[1];
                    b += p[2];
                    n++;
                }
            }
            r /= n;
            g /= n;
            b /= n;
            cb[(size_t)k * cw + i] = (uint8_t)(128 - 0.148223 * r - 0.290993 * g + 0.439216 * b + 0.5);
            cr[(size_t)k * cw + i] = (uint8_t)(128 + 0.439216 * r - 0.367788 * g - 0.071427 * b + 0.5);
        }
    }
}

/* Reads back ffmpeg's last line of complaint into buf ("" if it said nothing). */
static void ffmpeg_said(video *v, char *buf, size_t len)
{
    buf[0] = '\0';
    if (v->child_err == NULL) return;
    fflush(v->child_err);
    rewind(v->child_err);
    char line[512];
    while (fgets(line, sizeof line, v->child_err) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '\0') snprintf(buf, len, "%s", line);
    }
}

/* Waits for ffmpeg; its exit status, or -1 if it died by a signal (*sig). */
static int reap(video *v, int *sig)
{
    int status = 0;
    *sig = 0;
    while (waitpid(v->child, &status, 0) < 0 && errno == EINTR) {}
    v->child = 0;
    if (WIFSIGNALED(status)) {
        *sig = WTERMSIG(status);
        return -1;
    }
    return WEXITSTATUS(status);
}

/* ffmpeg stopped taking frames or failed: one line, with what it said. */
static int ffmpeg_failed(video *v, const char *when)
{
    if (v->out != NULL) fclose(v->out);
    v->out = NULL;
    int sig;
    int const code = v->child > 0 ? reap(v, &sig) : 0;
    char said[512];
    ffmpeg_said(v, said, sizeof said);
    char status[48];
    if (code < 0) snprintf(status, sizeof status, "killed by signal %d", sig);
    else snprintf(status, sizeof status, "exit status %d", code);
    video_abort(v);
    return cli_error(EXIT_FAIL, "ffmpeg %s (%s)%s%s; no video written", when, status,
                     said[0] ? ": " : "", said);
}

int video_write(video *v, mandel_ctx *ctx, const uint8_t *rgb, const float *values)
{
    size_t const n = (size_t)v->width * v->height;
    switch (v->kind) {
    case VIDEO_SEQUENCE: {
        char path[4096];
        video_frame_path(v, v->frames, path, sizeof path);
        mandel_image_options const opts = {.jpeg_quality = v->quality,
                                           .npy_float = v->format == MANDEL_FORMAT_NPY};
        mandel_image *image;
        if (mandel_image_open(ctx, &image, path, v->format, v->width, v->height, &opts) !=
            MANDEL_OK)
            return cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
        const void *const rows = v->format == MANDEL_FORMAT_NPY ? (const void *)values
                                                                : (const void *)rgb;
        if (mandel_image_write_rows(image, rows, v->height) != MANDEL_OK) {
            mandel_image_abort(image);
            return cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
        }
        if (mandel_image_close(image) != MANDEL_OK)
            return cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
        break;
    }
    case VIDEO_Y4M: {
        size_t const cw = (v->width + 1) / 2, ch = (v->height + 1) / 2;
        to_yuv(v, rgb);
        if (fputs("FRAME\n", v->out) == EOF ||
            fwrite(v->yuv, 1, n + 2 * cw * ch, v->out) != n + 2 * cw * ch)
            return cli_error(EXIT_FAIL, "cannot write '%s': %s", v->path, strerror(errno));
        break;
    }
    case VIDEO_FFMPEG:
        if (fwrite(rgb, 3, n, v->out) != n || fflush(v->out) != 0)
            return ffmpeg_failed(v, errno == EPIPE ? "stopped reading frames" : "failed");
        break;
    }
    v->frames++;
    return -1;
}

int video_close(video *v)
{
    if (v->kind == VIDEO_SEQUENCE) return -1;
    if (v->kind == VIDEO_FFMPEG) {
        FILE *const out = v->out;
        v->out = NULL;
        if (fclose(out) != 0) {
            v->out = NULL;
            return ffmpeg_failed(v, errno == EPIPE ? "stopped reading frames" : "failed");
        }
        int sig;
        int const code = reap(v, &sig);
        if (code != 0) {
            char said[512], status[48];
            ffmpeg_said(v, said, sizeof said);
            if (code < 0) snprintf(status, sizeof status, "killed by signal %d", sig);
            else snprintf(status, sizeof status, "exit status %d", code);
            video_abort(v);
            return cli_error(EXIT_FAIL, "ffmpeg failed (%s)%s%s; no video written", status,
                             said[0] ? ": " : "", said);
        }
        struct stat st;
        if (stat(v->temp, &st) != 0 || st.st_size == 0) {
            video_abort(v);
            return cli_error(EXIT_FAIL, "ffmpeg exited 0 but wrote nothing; no video written");
        }
    } else {
        FILE *const out = v->out;
        v->out = NULL;
        if (fflush(out) != 0 || fsync(fileno(out)) != 0) {
            int const e = errno;
            fclose(out);
            video_abort(v);
            return cli_error(EXIT_FAIL, "cannot write '%s': %s", v->path, strerror(e));
        }
        if (fclose(out) != 0) {
            video_abort(v);
            return cli_error(EXIT_FAIL, "cannot write '%s': %s", v->path, strerror(errno));
        }
    }
    if (rename(v->temp, v->path) != 0) {
        int const e = errno;
        video_abort(v);
        return cli_error(EXIT_FAIL, "cannot rename the video to '%s': %s", v->path, strerror(e));
    }
    free(v->temp);
    v->temp = NULL;
    if (v->child_err != NULL) fclose(v->child_err);
    v->child_err = NULL;
    free(v->yuv);
    v->yuv = NULL;
    return -1;
}

void video_abort(video *v)
{
    if (v->out != NULL) fclose(v->out);
    v->out = NULL;
    if (v->child > 0) {
        /* it may be blocked writing: it has lost its input, so it ends; wait for it so
         * that it cannot write to the temporary after it is removed */
        int sig;
        reap(v, &sig);
    }
    if (v->temp != NULL) unlink(v->temp);
    free(v->temp);
    v->temp = NULL;
    if (v->child_err != NULL) fclose(v->child_err);
    v->child_err = NULL;
    free(v->yuv);
    v->yuv = NULL;
}
