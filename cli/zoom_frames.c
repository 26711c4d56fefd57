/*
 * cli/zoom_frames.c - keyframes of a zoom video and frames resampled from them; zoom
 * values of any magnitude as text.
 *
 * A keyframe at zoom K serves every frame of zoom K/2 < z <= K: such a frame's samples are
 * s = K/z (1 <= s < 2) keyframe pixels apart, and the keyframe, a tile of the frame view
 * at K extended by half a frame and two samples on every side, holds them all with their
 * four neighbours.
 *
 * A picture frame is made from the keyframe coloured (each keyframe sample coloured from
 * its own smooth value, once a keyframe): each pixel is the mean in linear light of the
 * keyframe samples it covers (mandel_rgb_area), aa*s x aa*s of them, so that a frame is
 * anti-aliased by every sample the keyframe has under it and costs a filter, not a
 * colouring. Interpolating smooth values and colouring them instead (as .npy frames of
 * values still are) put colours on values no point has and sampled the keyframe at the
 * frame's density only: a frame between keyframes was then further from the truth (an
 * --aa 4 render) than a direct render at the same --aa.
 *
 * Invariant: a frame at a keyframe's own zoom (s = 1) is the keyframe's samples unchanged,
 * which are the frame view's own (mandel_view_new_tile): the direct render's values.
 */
#include "zoom_frames.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool zoom_value_parse(const char *text, zoom_value *out)
{
    const char *p = text;
    if (*p == '+') p++;
    /* The digits: the exponent of the first that is not 0 follows from where it stands
     * (an integer digit's from how many integer digits there are in all). */
    int64_t n_int = 0, n_frac = 0, lead = 0;
    bool point = false, any = false, found = false, lead_in_int = false;
    char sig[24];
    int n_sig = 0;
    for (; *p != '\0' && *p != 'e' && *p != 'E'; p++) {
        if (*p == '.') {
            if (point) return false;
            point = true;
            continue;
        }
        if (*p < '0' || *p > '9') return false;
        any = true;
        if (point) n_frac++;
        else n_int++;
        if (*p == '0' && !found) continue;
        if (!found) {
            found = true;
            lead_in_int = !point;
            lead = point ? -n_frac : n_int; /* an integer digit's position, 1-based */
        }
        if (n_sig < 17) sig[n_sig++] = *p;
    }
    if (!any || !found) return false;
    if (lead_in_int) lead = n_int - lead;
    int64_t exp_part = 0;
    if (*p == 'e' || *p == 'E') {
        char *end;
        long long const e = strtoll(p + 1, &end, 10);
        if (end == p + 1 || *end != '\0' || e > INT64_MAX / 4 || e < -INT64_MAX / 4)
            return false;
        exp_part = e;
    }
    sig[n_sig] = '\0';
    char buf[48];
    snprintf(buf, sizeof buf, "%c.%se0", sig[0], sig + 1);
    out->text = text;
    out->mant = strtod(buf, NULL);
    out->exp10 = lead + exp_part;
    return out->mant >= 1 && out->mant < 10;
}

double zoom_value_log2_ratio(const zoom_value *a, const zoom_value *b)
{
    double const l10 = log10(a->mant) - log10(b->mant) + (double)(a->exp10 - b->exp10);
    return l10 / log10(2.0);
}

void zoom_value_text(const zoom_value *z, double u, char *buf, size_t len)
{
    if (u == 0) {
        snprintf(buf, len, "%s", z->text);
        return;
    }
    double const whole = floor(u), part = u - whole;
    if (z->exp10 > -290 && z->exp10 < 290) {
        /* In double: the zoom's own double halved `whole` times (exact), then 2^-part. */
        double const zd = strtod(z->text, NULL);
        double const v = ldexp(zd, -(int)whole) * (part > 0 ? exp2(-part) : 1.0);
        if (v > 1e-290 && v < 1e290) {
            snprintf(buf, len, "%.17g", v);
            return;
        }
    }
    double const l = log10(z->mant) - u * log10(2.0);
    double const fl = floor(l);
    double m = pow(10.0, l - fl);
    int64_t e = z->exp10 + (int64_t)fl;
    if (m >= 10) {
        m /= 10;
        e++;
    }
    snprintf(buf, len, "%.17ge%lld", m, (long long)e);
}

void keyframe_geometry(keyframe *kf, uint32_t width, uint32_t height)
{
    kf->width = width;
    kf->height = height;
    /* Frame samples reach (W-1)/2 -+ s*W/2 with s < 2: from -(W+1)/2 to (3W-1)/2, and
     * interpolation reads one beyond. */
    kf->mx = width / 2 + 2;
    kf->my = height / 2 + 2;
    kf->kw = 2 * width + 6;
    kf->kh = 2 * height + 6;
}

int keyframe_view(mandel_ctx *ctx, const keyframe *kf, const char *re, const char *im,
                  const char *zoom_text, mandel_view **out)
{
    mandel_view *anchor;
    int err = mandel_view_new_zoom(ctx, &anchor, kf->width, kf->height, re, im, zoom_text);
    if (err != MANDEL_OK) return err;
    err = mandel_view_new_tile(ctx, out, anchor, -kf->mx, -kf->my, kf->kw, kf->kh);
    mandel_view_free(anchor);
    return err;
}

mandel_resample keyframe_resample(const keyframe *kf, double v, uint32_t max_iter)
{
    /* Sample q's offset from the centre, in frame samples (q - (n-1)/2), is s times as
     * many keyframe samples from the keyframe's centre (its anchor's (n-1)/2, plus the
     * margin): x = (n-1)/2 * (1 - s) + margin + q*s, whole at s = 1. */
    double const s = exp2(v);
    double const hx = (kf->width - 1) / 2.0, hy = (kf->height - 1) / 2.0;
    return (mandel_resample){
        .src = kf->smooth, .src_width = kf->kw, .src_height = kf->kh, .src_stride = kf->kw,
        .x0 = hx - hx * s + (double)kf->mx, .y0 = hy - hy * s + (double)kf->my, .step = s,
        .limit = (float)max_iter,
    };
}

mandel_area keyframe_area(const keyframe *kf, double v, const uint8_t *rgb)
{
    mandel_resample const rs = keyframe_resample(kf, v, 0);
    return (mandel_area){.src = rgb, .src_width = kf->kw, .src_height = kf->kh,
                         .src_stride = (size_t)kf->kw * 3, .x0 = rs.x0, .y0 = rs.y0,
                         .step = rs.step};
}
