/*
 * cli/zoom.h - 'mandel zoom' as a job other front ends can drive: mandel-mpi renders the
 * keyframes on the ranks of an MPI job and lets rank 0 make the frames, with the same code
 * and the same bytes as 'mandel zoom'.
 */
#ifndef MANDEL_CLI_ZOOM_H
#define MANDEL_CLI_ZOOM_H

#include <stddef.h>
#include <stdint.h>

#include "mandel.h"

typedef struct zoom_job zoom_job;

/* What renders keyframes: a ctx (one thread at a time) and the deepest keyframe's view,
 * whose reference orbit the others adopt (NULL until a deep keyframe needs it). */
typedef struct zoom_renderer {
    mandel_ctx *ctx;
    mandel_view *donor;
} zoom_renderer;

typedef struct zoom_hooks {
    /* Called once on every path, after the options are read and checked and before any
     * file is made: `rc` is -1 if all is well, else the exit code of a failure already
     * told. Returns -1 to go on and make the video here, else the exit code to end with
     * (a worker rank does its work inside, then ends). */
    int (*decide)(zoom_job *j, int rc, void *user);
    /* Makes the keyframes missing[0..n-1] (ascending: the deepest first; n may be 0) and
     * stores each with zoom_keyframe_store(), in any order. Returns -1 or an exit code. */
    int (*keyframes)(zoom_job *j, const uint32_t *missing, uint32_t n, void *user);
    void *user;
} zoom_hooks;

/* 'mandel zoom' with argv as given to it (argv[0] "zoom"); hooks may be NULL. */
int zoom_main(int argc, char **argv, const zoom_hooks *hooks);

/* The job's ctx (the machine options applied), for a renderer of the main thread. */
mandel_ctx *zoom_job_ctx(zoom_job *j);

/* Samples of one keyframe (floats). */
size_t zoom_keyframe_samples(const zoom_job *j);

/* Renders keyframe k's smooth values into out (zoom_keyframe_samples floats) with r.
 * Returns a mandel error code (the message is r->ctx's). */
int zoom_keyframe_render(const zoom_job *j, zoom_renderer *r, uint32_t k, float *out);

/* The keyframes' progress bar (on a terminal, without --quiet) when they are made
 * elsewhere: `done` of `n` stored; 0 starts it, n ends it. */
void zoom_keyframes_progress(zoom_job *j, uint32_t done, uint32_t n);

/* Frees what r holds (not its ctx). */
void zoom_renderer_clear(zoom_renderer *r);

/* Stores keyframe k (zoom_keyframe_samples floats) in the job's cache, atomically, with
 * ctx (the job's, or another for a thread of its own). Returns -1 or an exit code after a
 * message. */
int zoom_keyframe_store(zoom_job *j, mandel_ctx *ctx, uint32_t k, const float *values);

#endif /* MANDEL_CLI_ZOOM_H */
