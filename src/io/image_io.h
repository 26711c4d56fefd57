/*
 * io/image_io.h - image files: the atomic temporary file and one writer per format.
 */
#ifndef MANDEL_IMAGE_IO_H
#define MANDEL_IMAGE_IO_H

#include <stdio.h>

#include "mandel_internal.h"

/* A file written under a temporary name in the destination's directory and renamed over
 * the destination only when complete, so a failed or interrupted write leaves nothing. */
typedef struct atomic_file {
    FILE *fp;
    char *path;      /* the destination */
    char *tmp_path;  /* what is being written, or the name it will get (unnamed) */
    bool unnamed;    /* an O_TMPFILE file: no name until commit */
} atomic_file;

int atomic_file_open(mandel_ctx *ctx, atomic_file *af, const char *path);
int atomic_file_commit(mandel_ctx *ctx, atomic_file *af);
void atomic_file_discard(mandel_ctx *ctx, atomic_file *af);

/* One format's writer. begin() runs after the file is open, rows() takes tightly packed
 * rows in the format's mandel_format_pixels() layout, end() completes the stream,
 * destroy() frees the writer's state whether or not end() ran. */
typedef struct image_writer {
    int (*begin)(mandel_image *img);
    int (*rows)(mandel_image *img, const void *rows, uint32_t n_rows);
    int (*end)(mandel_image *img);
    void (*destroy)(mandel_image *img);
} image_writer;

struct mandel_image {
    mandel_ctx *ctx;
    mandel_write_fn write; /* a stream's writer; NULL when writing `file` */
    void *write_user;
    uint8_t *buf;          /* a stream's bytes not yet handed to write(), IMAGE_STREAM_BUFFER */
    size_t buf_fill;
    int sink_err;          /* the first failure of image_put(), answered from then on */
    mandel_format format;
    const image_writer *writer;
    uint32_t width, height, rows_written;
    int jpeg_quality;
    mandel_pixels layout;  /* what rows are made of */
    char *comment;
    atomic_file file;
    void *state;     /* the writer's own */
};

extern const image_writer write_png;
extern const image_writer write_jpeg;
extern const image_writer write_ppm;
extern const image_writer write_pgm;
extern const image_writer write_pbm;
extern const image_writer write_npy;

/* A stream's writer gets the bytes in chunks of at most this size (bigger writes go
 * straight through), so an encoder's many small writes cost one call each 64 KiB. */
#define IMAGE_STREAM_BUFFER ((size_t)64 * 1024)

/* The one way a writer's bytes leave: to the file or to the stream's writer. Fails with
 * MANDEL_EIO and the reason in the ctx; after a failure every call answers the same code
 * without writing, and the encoders keep this message rather than their own. */
int image_put(mandel_image *img, const void *data, size_t bytes);

/* "'path'" or "the output stream", for messages. */
const char *image_name(const mandel_image *img, char *buf, size_t len);

#endif /* MANDEL_IMAGE_IO_H */
