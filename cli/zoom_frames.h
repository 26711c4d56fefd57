/*
 * cli/zoom_frames.h - the frames of a zoom video from keyframes: one keyframe a doubling
 * of the zoom, rendered (smooth values) oversized so that every frame until the next
 * keyframe can be cut from it at full resolution, kept in a cache directory, and frames
 * resampled from it.
 */
#ifndef MANDEL_CLI_ZOOM_FRAMES_H
#define MANDEL_CLI_ZOOM_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "mandel.h"

/* Zoom values of any magnitude: mant * 10^exp10, 1 <= mant < 10 (or the text as given). */
typedef struct zoom_value {
    const char *text;  /* as the user gave it (for the target's own view) */
    double mant;
    int64_t exp10;
} zoom_value;

/* Parses positive decimal text of any magnitude ("1e1086", "5.00e227", "2.5").
 * False if it is not one. */
bool zoom_value_parse(const char *text, zoom_value *out);

/* log2(a / b). */
double zoom_value_log2_ratio(const zoom_value *a, const zoom_value *b);

/* The text of z / 2^u into buf (at least 64 bytes): "%.17g" where the value is a double
 * (exact for whole u: the same text a user would compute), z's own text for u = 0, else
 * "MANTeEXP". */
void zoom_value_text(const zoom_value *z, double u, char *buf, size_t len);

/* A keyframe: the target's centre at zoom z / 2^index, a width x height view (the frame's
 * samples: its pixels times the anti-aliasing factor each way) extended on every side
 * (2W + 6 by 2H + 6 samples), so that every frame whose zoom lies between it and half of
 * it is inside it with a sample to spare. */
typedef struct keyframe {
    uint32_t index;
    uint32_t width, height;   /* of the frames' samples */
    uint32_t kw, kh;          /* of the keyframe */
    int64_t mx, my;           /* the frame view's pixel (0, 0) is the keyframe's (mx, my) */
    float *smooth;            /* kw * kh smooth values; the limit inside */
} keyframe;

/* Sets the keyframe's geometry for frames of width x height. */
void keyframe_geometry(keyframe *kf, uint32_t width, uint32_t height);

/* The view of keyframe `kf`: a tile of the width x height view at zoom `zoom_text`
 * (mandel_view_new_tile), so that its pixels equal the frame's at that zoom. Returns a
 * mandel error code. */
int keyframe_view(mandel_ctx *ctx, const keyframe *kf, const char *re, const char *im,
                  const char *zoom_text, mandel_view **out);

/* Where the frame whose zoom is the keyframe's divided by 2^v (0 <= v < 1) reads the
 * keyframe: its samples (width x height) in keyframe samples, for mandel_values_resample.
 * At v = 0 the positions are whole: the frame is the keyframe's own samples, exactly. */
mandel_resample keyframe_resample(const keyframe *kf, double v, uint32_t max_iter);

/* The same frame's samples over the keyframe coloured (kw x kh sRGB samples in `rgb`), for
 * mandel_rgb_area: each pixel the mean of the keyframe's colours under it. */
mandel_area keyframe_area(const keyframe *kf, double v, const uint8_t *rgb);

#endif /* MANDEL_CLI_ZOOM_FRAMES_H */
