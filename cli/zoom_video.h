/*
 * cli/zoom_video.h - where the frames of 'mandel zoom' go: a .y4m file written here, a
 * numbered picture sequence (frames/%05d.png), or the ffmpeg program fed raw frames on a
 * pipe (.mp4, .webm, .mkv). Every kind is written atomically: a temporary file renamed
 * when the last frame is in (a sequence: each picture on its own).
 */
#ifndef MANDEL_CLI_ZOOM_VIDEO_H
#define MANDEL_CLI_ZOOM_VIDEO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "mandel.h"

typedef enum {
    VIDEO_Y4M,      /* YUV4MPEG2, 4:2:0, written here */
    VIDEO_FFMPEG,   /* .mp4 (H.264), .webm (VP9), .mkv (H.264) through ffmpeg */
    VIDEO_SEQUENCE, /* one picture a frame: a printf pattern with one %d (png, jpg, ppm, npy) */
} video_kind;

typedef struct video {
    video_kind kind;
    const char *path;          /* -o as given */
    uint32_t width, height, fps;
    const char *container;     /* VIDEO_FFMPEG: ffmpeg's -f name */
    const char *codec;         /* VIDEO_FFMPEG: its -c:v */
    mandel_format format;      /* VIDEO_SEQUENCE: each picture's */
    int quality;               /* VIDEO_SEQUENCE: JPEG quality (0: the default) */
    char *temp;                /* the temporary being written (Y4M, FFMPEG), or NULL */
    FILE *out;                 /* Y4M: the temporary; FFMPEG: the pipe to ffmpeg */
    pid_t child;               /* FFMPEG: the ffmpeg process, or 0 */
    FILE *child_err;           /* FFMPEG: what ffmpeg said on its stderr */
    uint8_t *yuv;              /* Y4M: one frame's planes */
    uint32_t frames;           /* written so far */
} video;

/* What -o names: fills kind, container, codec, format; -1 to go on, else an exit code
 * after a message (unknown extension, a bad pattern, odd sizes for ffmpeg, no ffmpeg). */
int video_choose(video *v, const char *path, uint32_t width, uint32_t height, uint32_t fps);

/* Whether PATH holds an executable `ffmpeg`. */
bool video_have_ffmpeg(void);

/* Creates the temporary (and starts ffmpeg). The temporary's name is in v->temp as soon as
 * it exists, for a signal handler. Returns -1 to go on, else an exit code after a message. */
int video_open(video *v, mandel_ctx *ctx);

/* Appends frame number v->frames: width x height RGB bytes (SEQUENCE with .npy: float
 * smooth values in `values` instead; `rgb` unused). Returns -1 to go on, else an exit
 * code after a message. */
int video_write(video *v, mandel_ctx *ctx, const uint8_t *rgb, const float *values);

/* The path of sequence frame n into buf. */
void video_frame_path(const video *v, uint32_t n, char *buf, size_t len);

/* Finishes: flushes, waits for ffmpeg and checks its status, renames the temporary into
 * place. Returns -1 on success, else an exit code after a message (the temporary is gone). */
int video_close(video *v);

/* After a failure: removes the temporary, stops ffmpeg. Safe to call twice. */
void video_abort(video *v);

#endif /* MANDEL_CLI_ZOOM_VIDEO_H */
