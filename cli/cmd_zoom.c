/*
 * cli/cmd_zoom.c - 'mandel zoom': a video from the whole set (or --from-zoom) down to a
 * view, at a constant speed in log scale.
 *
 * One keyframe a doubling of the zoom (zoom_frames.c), rendered as smooth values, kept in
 * a cache directory under a name made of everything that shapes it, so that an interrupted
 * run started again with the same command renders only what is missing; every frame is
 * resampled from its keyframe and coloured after, then handed to the video (zoom_video.c).
 * With the perturbation engine the deepest keyframe is rendered first and the others adopt
 * its reference orbit (mandel_view_adopt_orbit): one orbit for the whole video. --exact
 * renders every frame directly instead, for comparison.
 *
 * Invariant: frame f of N has the zoom target / 2^((N-1-f)/P), P frames a doubling (f
 * counted from the deepest with --out), whichever way it is made; -o is a whole video or
 * nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mandel.h"
#include "progress.h"
#include "render_opts.h"
#include "zoom.h"
#include "zoom_frames.h"
#include "zoom_video.h"

/* The most frames one video may have: ten hours at 60 fps. */
#define MAX_FRAMES 2160000u

static const char help_text[] =
    "Usage: mandel zoom [options] -o VIDEO\n"
    "\n"
    "Makes a zoom video: from the whole set (or --from-zoom) into the view given by\n"
    "--center and --zoom (or --radius), or by --location, at a constant speed in log\n"
    "scale, every frame centred on that view's centre. The video is made from one\n"
    "keyframe a doubling of the zoom, rendered oversized on every core as smooth\n"
    "iteration values; each frame is cut from its keyframe at full resolution, its values\n"
    "interpolated and then coloured. With the perturbation engine (zooms beyond 1e13 or\n"
    "so) the deepest keyframe's reference orbit serves every other keyframe.\n"
    "\n"
    "VIDEO, by its extension:\n"
    "  .y4m          YUV4MPEG2 (4:2:0), written by mandel: no other program needed\n"
    "  .mp4          H.264, yuv420p, faststart   } encoded by the ffmpeg program, fed\n"
    "  .mkv          H.264                       } raw frames on a pipe (Debian package\n"
    "  .webm         VP9                         } ffmpeg); even width and height\n"
    "  DIR/%05d.png  one picture a frame, numbered from 0 (also .jpg, .ppm, or .npy:\n"
    "                the frame's smooth values as float32, for numpy.load)\n"
    "The video is written to a temporary file and renamed when complete: VIDEO is a whole\n"
    "video or is not there (a picture sequence: each picture whole).\n"
    "\n"
    "Zoom:\n"
    "  -c, --center RE,IM      where the zoom goes (also spelled --centre)\n"
    "  -z, --zoom Z            the last frame's zoom: radius = 2/Z, any depth\n"
    "  -r, --radius R          or its half-height in plane units\n"
    "      --location FILE     or a Kalles Fraktaler .kfr location (Re, Im, Zoom,\n"
    "                          Iterations)\n"
    "      --from-zoom Z       the first frame's zoom (default 1: the whole set, radius 2)\n"
    "      --seconds-per-doubling S\n"
    "                          video time to double the zoom, 0.01..3600 (default 1)\n"
    "      --duration T        or the whole video's length in seconds (0.01..36000)\n"
    "      --fps N             frames a second, 1..240 (default 30)\n"
    "      --out               zoom out: from the view back to --from-zoom\n"
    "      --exact             render every frame directly (slow; for comparison)\n"
    "      --cache DIR         where keyframes are kept while the video is made\n"
    "                          (default: .mandel-zoom-cache beside VIDEO); a run stopped\n"
    "                          with Ctrl-C and started again with the same command\n"
    "                          continues from them; removed when the video is done\n"
    "\n"
    "Picture (as 'mandel render'):\n"
    "  -s, --size WxH          frame size (default 1200x800)\n"
    "  -i, --iterations N      iteration limit (default 1000, or the location's)\n"
    "  -p, --palette NAME      a built-in cycling palette (see 'mandel palettes'): the\n"
    "                          colours follow the smooth iteration value (--color smooth)\n"
    "      --interior #rrggbb  colour of points that never escape (default #000000)\n"
    "      --color smooth      the only colouring of a zoom (also spelled --colour)\n"
    "      --palette-period P  one turn of the palette per P units of sqrt(iterations)\n"
    "      --palette-offset F  start F of a turn later (0..1)\n"
    "      --aa N              N x N samples a pixel (1..8), averaged in linear light; the\n"
    "                          keyframes hold them (N^2 the cost), so that a frame at a\n"
    "                          keyframe's zoom is what 'mandel render --aa N' makes\n"
    "      --quality Q         JPEG quality of a .jpg sequence, 1..100 (default 90)\n"
    "\n"
    "Machine (as 'mandel render'):\n"
    "  -t, --threads N, --engine NAME, --isa NAME, --no-shortcuts\n"
    "  -q, --quiet             no progress bar (it shows frames done and time left)\n"
    "      --stats             print where the time went on stderr when done\n"
    "  -h, --help              this text\n"
    "\n"
    "Ctrl-C stops the video and removes its temporary; the keyframes stay in the cache,\n"
    "so the same command continues. If ffmpeg fails or stops reading, mandel says so in\n"
    "one line (with ffmpeg's last message) and writes no video.\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error, 130 interrupted.\n"
    "\n"
    "Examples:\n"
    "  mandel zoom --location examples/locations/1e14.kfr -s 640x360 -o zoom.mp4\n"
    "  mandel zoom -c -0.743643887037151,0.131825904205330 -z 1e12 --duration 20 \\\n"
    "      -s 1280x720 -i 5000 -o seahorse.y4m\n"
    "  mandel zoom --location examples/locations/1e50.kfr --out -o frames/%05d.png\n";

enum { OPT_FPS = 512, OPT_SPD, OPT_DURATION, OPT_FROM_ZOOM, OPT_OUT, OPT_EXACT, OPT_CACHE };

/* zoom's own options; the rest of argv goes to the render option parser. */
static const struct option zoom_options[] = {
    {"fps", required_argument, NULL, OPT_FPS},
    {"seconds-per-doubling", required_argument, NULL, OPT_SPD},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"from-zoom", required_argument, NULL, OPT_FROM_ZOOM},
    {"out", no_argument, NULL, OPT_OUT},
    {"exact", no_argument, NULL, OPT_EXACT},
    {"cache", required_argument, NULL, OPT_CACHE},
    {NULL, 0, NULL, 0},
};

typedef struct zoom_opts {
    uint32_t fps;
    double spd, duration;
    bool have_spd, have_duration, out, exact;
    const char *from_zoom;
    const char *cache;
} zoom_opts;

/* A number of seconds lo..hi, all of `text`. */
static bool seconds(const char *text, double lo, double hi, double *out)
{
    char *end = NULL;
    double const v = text[0] != '\0' && strchr("+-.0123456789", text[0]) ? strtod(text, &end) : 0;
    if (end == NULL || *end != '\0' || !(v >= lo && v <= hi)) return false;
    *out = v;
    return true;
}

/* Takes zoom's own options out of argv (in place; *argc shrinks). Returns -1 to go on,
 * else an exit code after a message. */
static int take_zoom_options(int *argc, char **argv, zoom_opts *z)
{
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        const char *const arg = argv[i];
        const struct option *opt = NULL;
        const char *value = NULL;
        if (strncmp(arg, "--", 2) == 0) {
            for (const struct option *o = zoom_options; o->name != NULL; o++) {
                size_t const n = strlen(o->name);
                if (strncmp(arg + 2, o->name, n) == 0 &&
                    (arg[2 + n] == '\0' || (arg[2 + n] == '=' && o->has_arg))) {
                    opt = o;
                    if (arg[2 + n] == '=') value = arg + 3 + n;
                    break;
                }
            }
        }
        if (strcmp(arg, "--") == 0) {
            /* the end of the options: the rest is the render parser's to refuse */
            for (; i < *argc; i++) argv[kept++] = argv[i];
            break;
        }
        if (opt == NULL) {
            argv[kept++] = argv[i];
            continue;
        }
        if (opt->has_arg && value == NULL) {
            if (i + 1 >= *argc)
                return cli_error(EXIT_USAGE, "--%s: missing value (see 'mandel zoom --help')",
                                 opt->name);
            value = argv[++i];
        }
        switch (opt->val) {
        case OPT_FPS:
            if (!cli_whole(value, 240, &z->fps))
                return cli_error(EXIT_USAGE, "--fps '%s': must be 1..240", value);
            break;
        case OPT_SPD:
            if (!seconds(value, 0.01, 3600, &z->spd))
                return cli_error(EXIT_USAGE, "--seconds-per-doubling '%s': must be 0.01..3600",
                                 value);
            z->have_spd = true;
            break;
        case OPT_DURATION:
            if (!seconds(value, 0.01, 36000, &z->duration))
                return cli_error(EXIT_USAGE, "--duration '%s': must be 0.01..36000 seconds",
                                 value);
            z->have_duration = true;
            break;
        case OPT_FROM_ZOOM: {
            zoom_value v;
            if (!zoom_value_parse(value, &v))
                return cli_error(EXIT_USAGE, "--from-zoom '%s': not a number above 0", value);
            z->from_zoom = value;
            break;
        }
        case OPT_OUT: z->out = true; break;
        case OPT_EXACT: z->exact = true; break;
        case OPT_CACHE:
            if (*value == '\0') return cli_error(EXIT_USAGE, "--cache: empty directory name");
            z->cache = value;
            break;
        }
    }
    argv[kept] = NULL;
    *argc = kept;
    if (z->have_spd && z->have_duration)
        return cli_error(EXIT_USAGE, "--seconds-per-doubling and --duration say the same "
                                     "thing; give one");
    return -1;
}

/* Whether the spec's option `name` was given other than as `plain`. */
static bool given_other(const mandel_spec *spec, const char *name, const char *plain)
{
    const char *const v = mandel_spec_get(spec, name);
    return v != NULL && (plain == NULL || strcmp(v, plain) != 0);
}

/* Render options that make no sense for a zoom: refused by name. */
static int refuse_render_options(const render_opts *o)
{
    const char *bad = NULL;
    const char *const palette = mandel_spec_get(o->spec, "palette");
    int index;
    if (given_other(o->spec, "bounds", NULL))
        bad = "--bounds (a zoom has a centre: --center with --zoom)";
    else if (given_other(o->spec, "formula", "mandelbrot")) bad = "--formula";
    else if (given_other(o->spec, "power", "2")) bad = "--power";
    else if (given_other(o->spec, "julia", NULL)) bad = "--julia";
    else if (given_other(o->spec, "npy", NULL)) bad = "--npy (write frames as DIR/%05d.npy)";
    else if (given_other(o->spec, "guess", NULL)) bad = "--guess";
    else if (o->format_name != NULL) bad = "--format (the extension of -o decides)";
    else if (o->save_location != NULL) bad = "--save-location";
    else if (palette != NULL && mandel_palette_find(palette, &index) != MANDEL_OK)
        bad = "--palette FILE (built-in palettes only)";
    else if (given_other(o->spec, "color", "smooth")) bad = "--color other than smooth";
    if (bad != NULL) return cli_error(EXIT_USAGE, "zoom: %s is not an option of a zoom", bad);
    if (strcmp(o->output, "-") == 0)
        return cli_error(EXIT_USAGE, "zoom: -o -: a video is written to a file");
    return -1;
}

/* ------------------------------------------------------------------------------------- */
/* Signals: the temporaries go, the keyframes stay                                        */

static char video_temp[4096];
static char keyframe_temp[4096];

static void on_signal(int sig)
{
    (void)sig;
    static const char msg[] = "\nmandel: interrupted; no video written (the keyframes stay in "
                              "the cache: the same command continues)\n";
    if (video_temp[0] != '\0') unlink(video_temp);
    if (keyframe_temp[0] != '\0') unlink(keyframe_temp);
    ssize_t const w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(EXIT_INTERRUPTED);
}

static void block_signals(sigset_t *old)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, old);
}

/* ------------------------------------------------------------------------------------- */
/* The job                                                                                */

struct zoom_job {
    const zoom_hooks *hooks;
    render_opts o;
    zoom_opts z;
    uint32_t width, height, aa, max_iter; /* the spec's (the location's limit) */
    char *center_copy;     /* the centre's text, split at its comma: re, im */
    mandel_location *loc;  /* --location, read again for its zoom's text */
    const char *zoom_text;
    mandel_ctx *ctx;
    mandel_color color;
    zoom_value target, start;
    const char *re, *im;
    double per_doubling;   /* frames a doubling: fps * seconds per doubling */
    uint32_t frames;       /* N */
    uint32_t keyframes;    /* J + 1: keyframe j has the zoom target / 2^j */
    keyframe kf;           /* geometry; smooth holds the keyframe in use */
    uint32_t kf_loaded;    /* which keyframe kf.smooth holds, or UINT32_MAX */
    uint8_t *kf_rgb;       /* a keyframe coloured: kw x kh sRGB samples */
    uint32_t kf_coloured;  /* which keyframe kf_rgb holds, or UINT32_MAX */
    char cache_dir[4096];
    bool cache_made;       /* we created the directory */
    video vid;
    progress bar;
    char label[64];
    float *values;         /* a frame's samples: width*aa x height*aa */
    uint8_t *rgb;          /* the frame */
    double kf_seconds, frame_seconds;
    double orbit_seconds, bla_seconds; /* of the renders, summed */
    uint32_t kf_rendered, kf_cached;
};

/* Doublings of zoom above the target of frame f (0 for the target itself). */
static double frame_depth(const zoom_job *j, uint32_t f)
{
    uint32_t const from_target = j->z.out ? f : j->frames - 1 - f;
    return (double)from_target / j->per_doubling;
}

/* A 64-bit FNV-1a hash of the text, continued from h. */
static uint64_t hash_text(uint64_t h, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        h ^= *p;
        h *= 0x100000001b3u;
    }
    h ^= 0xff; /* a separator, so ("ab","c") and ("a","bc") differ */
    return h * 0x100000001b3u;
}

/* The cache file of keyframe `index`: named by all that shapes its values. */
static void keyframe_path(const zoom_job *j, uint32_t index, char *buf, size_t len)
{
    char zoom[96], numbers[160];
    zoom_value_text(&j->target, index, zoom, sizeof zoom);
    const char *const engine = mandel_spec_get(j->o.spec, "engine");
    const char *const isa = mandel_spec_get(j->o.spec, "isa");
    snprintf(numbers, sizeof numbers, "kf2 %ux%u %u %s %d %s", j->kf.width, j->kf.height,
             j->max_iter, engine ? engine : "auto",
             mandel_spec_get(j->o.spec, "no-shortcuts") == NULL, isa ? isa : "auto");
    uint64_t h = 0xcbf29ce484222325u;
    h = hash_text(h, j->re);
    h = hash_text(h, j->im);
    h = hash_text(h, zoom);
    h = hash_text(h, numbers);
    snprintf(buf, len, "%s/kf-%016llx.npy", j->cache_dir, (unsigned long long)h);
}

/* Loads keyframe `index` from the cache into j->kf.smooth; false if it is not there whole. */
static bool keyframe_load(zoom_job *j, uint32_t index)
{
    char path[4200];
    keyframe_path(j, index, path, sizeof path);
    if (access(path, R_OK) != 0) return false;
    mandel_npy *npy;
    if (mandel_npy_read(j->ctx, path, &npy) != MANDEL_OK) return false;
    uint32_t w, h;
    int is_float;
    const void *data;
    mandel_npy_get(npy, &w, &h, &is_float, &data, NULL);
    bool const ok = is_float && w == j->kf.kw && h == j->kf.kh;
    if (ok) memcpy(j->kf.smooth, data, (size_t)w * h * sizeof(float));
    mandel_npy_free(npy);
    if (ok) j->kf_loaded = index;
    return ok;
}

/* Writes `values` as keyframe `index` into the cache, atomically, on ctx. */
int zoom_keyframe_store(zoom_job *j, mandel_ctx *ctx, uint32_t index, const float *values)
{
    if (!j->cache_made && mkdir(j->cache_dir, 0777) == 0) j->cache_made = true;
    char path[4200];
    keyframe_path(j, index, path, sizeof path);
    mandel_image_options const opts = {.npy_float = 1};
    mandel_image *image;
    sigset_t old;
    block_signals(&old);
    int err = mandel_image_open(ctx, &image, path, MANDEL_FORMAT_NPY, j->kf.kw, j->kf.kh,
                                &opts);
    if (err == MANDEL_OK)
        snprintf(keyframe_temp, sizeof keyframe_temp, "%s", mandel_image_temp_path(image));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != MANDEL_OK)
        return cli_error(EXIT_FAIL, "--cache: %s", mandel_errmsg(ctx));
    err = mandel_image_write_rows(image, values, j->kf.kh);
    if (err == MANDEL_OK) {
        err = mandel_image_close(image);
    } else {
        mandel_image_abort(image);
    }
    keyframe_temp[0] = '\0';
    if (err != MANDEL_OK) return cli_error(EXIT_FAIL, "--cache: %s", mandel_errmsg(ctx));
    return -1;
}

static int render_failed(zoom_job *j)
{
    return cli_error(EXIT_FAIL, "%s", mandel_errmsg(j->ctx));
}

/* Renders smooth values of `view` (w x h) into out on ctx: a mandel error code. */
static int render_values(const zoom_job *j, mandel_ctx *ctx, const mandel_view *view,
                         uint32_t w, uint32_t h, float *out)
{
    mandel_fields const f = {NULL, out, NULL, w, (size_t)w * h};
    mandel_rect const rect = {0, 0, w, h};
    return mandel_render_fields(ctx, view, j->max_iter, rect, &f);
}

/* Adds the job's ctx's last render's orbit and BLA time to the job's (--stats). */
static void add_render_stats(zoom_job *j)
{
    mandel_stats st;
    mandel_ctx_stats(j->ctx, &st);
    j->orbit_seconds += st.orbit_seconds;
    j->bla_seconds += st.bla_seconds;
}

/* The same on the job's ctx, its time added to the job's: -1 or an exit code. */
static int render_smooth(zoom_job *j, const mandel_view *view, uint32_t w, uint32_t h,
                         float *out)
{
    if (render_values(j, j->ctx, view, w, h, out) != MANDEL_OK) return render_failed(j);
    add_render_stats(j);
    return -1;
}

static bool is_deep(const zoom_job *j, const mandel_view *view)
{
    const char *const engine = mandel_spec_get(j->o.spec, "engine");
    if (engine != NULL && strcmp(engine, "perturb") == 0) return true;
    if (engine != NULL && strcmp(engine, "auto") != 0) return false;
    return mandel_view_engine(view) == MANDEL_ENGINE_PERTURB;
}

mandel_ctx *zoom_job_ctx(zoom_job *j) { return j->ctx; }

size_t zoom_keyframe_samples(const zoom_job *j) { return (size_t)j->kf.kw * j->kf.kh; }

void zoom_renderer_clear(zoom_renderer *r)
{
    mandel_view_free(r->donor);
    r->donor = NULL;
}

void zoom_keyframes_progress(zoom_job *j, uint32_t done, uint32_t n)
{
    if (done == 0) {
        progress_init(&j->bar, j->o.quiet, n, j->label);
        j->bar.written = 1; /* nothing is written in this phase */
    }
    snprintf(j->label, sizeof j->label, "keyframes %u/%u", done, n);
    progress_update(&j->bar, done, n);
    if (done == n) progress_done(&j->bar);
}

/* The view of keyframe k on ctx: a mandel error code. */
static int keyframe_view_of(const zoom_job *j, mandel_ctx *ctx, uint32_t k, mandel_view **out)
{
    char zoom[96];
    zoom_value_text(&j->target, k, zoom, sizeof zoom);
    return keyframe_view(ctx, &j->kf, j->re, j->im, zoom, out);
}

int zoom_keyframe_render(const zoom_job *j, zoom_renderer *r, uint32_t k, float *out)
{
    mandel_view *view;
    int err = keyframe_view_of(j, r->ctx, k, &view);
    if (err != MANDEL_OK) return err;
    bool const deep = is_deep(j, view);
    if (deep && k != 0 && r->donor == NULL) {
        /* The deepest keyframe's orbit, from one pixel of it: it serves every keyframe. */
        mandel_view *deepest;
        err = keyframe_view_of(j, r->ctx, 0, &deepest);
        float one;
        mandel_fields const f = {NULL, &one, NULL, 1, 1};
        if (err == MANDEL_OK)
            err = mandel_render_fields(r->ctx, deepest, j->max_iter, (mandel_rect){0, 0, 1, 1},
                                       &f);
        if (err == MANDEL_OK) r->donor = deepest;
        else mandel_view_free(deepest);
    }
    if (err == MANDEL_OK && deep && k != 0)
        err = mandel_view_adopt_orbit(r->ctx, view, r->donor, j->max_iter);
    if (err == MANDEL_OK) err = render_values(j, r->ctx, view, j->kf.kw, j->kf.kh, out);
    if (err == MANDEL_OK && deep && k == 0 && r->donor == NULL) r->donor = view;
    else mandel_view_free(view);
    return err;
}

/* Phase 1: every keyframe the cache lacks, the deepest first (its orbit serves the rest),
 * here or (hooks) elsewhere. */
static int make_keyframes(zoom_job *j)
{
    uint32_t *const missing = calloc(j->keyframes, sizeof *missing);
    if (missing == NULL) return cli_error(EXIT_FAIL, "out of memory");
    uint32_t n = 0;
    for (uint32_t k = 0; k < j->keyframes; k++) {
        /* read whole: a file cut short (a full disk) or damaged is rendered again */
        if (!keyframe_load(j, k)) missing[n++] = k;
    }
    j->kf_cached = j->keyframes - n;
    double const t0 = progress_now();
    int rc = -1;
    if (j->hooks != NULL && j->hooks->keyframes != NULL) {
        /* called when none is missing too: the workers wait for the word */
        rc = j->hooks->keyframes(j, missing, n, j->hooks->user);
        j->kf_rendered = n;
        j->kf_loaded = UINT32_MAX;
    } else if (n > 0) {
        zoom_renderer r = {j->ctx, NULL};
        uint64_t const kf_samples = (uint64_t)j->kf.kw * j->kf.kh;
        progress_init(&j->bar, j->o.quiet, kf_samples * n, j->label);
        j->bar.written = 1; /* nothing is written in this phase */
        mandel_ctx_set_phase_progress(j->ctx, progress_phase_update, &j->bar);
        for (uint32_t i = 0; i < n && rc < 0; i++) {
            snprintf(j->label, sizeof j->label, "keyframe %u/%u", i + 1, n);
            j->bar.orbit_seen = false;
            j->bar.done_before = kf_samples * i;
            int const err = zoom_keyframe_render(j, &r, missing[i], j->kf.smooth);
            if (err != MANDEL_OK) {
                rc = cli_error(err == MANDEL_EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s",
                               mandel_errmsg(j->ctx));
                break;
            }
            add_render_stats(j);
            rc = zoom_keyframe_store(j, j->ctx, missing[i], j->kf.smooth);
            j->kf_loaded = missing[i];
            j->kf_rendered++;
        }
        zoom_renderer_clear(&r);
        mandel_ctx_set_phase_progress(j->ctx, NULL, NULL);
        progress_done(&j->bar);
    }
    j->kf_seconds = progress_now() - t0;
    free(missing);
    return rc;
}

/* Frame f into j->rgb (and j->values for .npy frames): resampled from its keyframe, or
 * (--exact) rendered. */
static int make_frame(zoom_job *j, uint32_t f)
{
    double const u = frame_depth(j, f);
    uint32_t const aa = j->aa, w = j->width, h = j->height;
    bool const values = j->vid.kind == VIDEO_SEQUENCE && j->vid.format == MANDEL_FORMAT_NPY;
    mandel_resample rs;
    if (j->z.exact) {
        char zoom[96];
        zoom_value_text(&j->target, u, zoom, sizeof zoom);
        mandel_view *view;
        if (mandel_view_new_zoom(j->ctx, &view, w * aa, h * aa, j->re, j->im, zoom) != MANDEL_OK)
            return cli_error(EXIT_USAGE, "%s", mandel_errmsg(j->ctx));
        int const rc = render_smooth(j, view, w * aa, h * aa, j->values);
        mandel_view_free(view);
        if (rc >= 0) return rc;
        /* colouring the rendered samples as they are: a resampling at step 1 */
        rs = (mandel_resample){.src = j->values, .src_width = w * aa, .src_height = h * aa,
                               .src_stride = (size_t)w * aa, .step = 1,
                               .limit = (float)j->max_iter};
        if (values) return -1;
    } else {
        double const whole = floor(u);
        uint32_t const k = (uint32_t)whole;
        if (j->kf_loaded != k && !keyframe_load(j, k))
            return cli_error(EXIT_FAIL, "--cache: keyframe %u is missing from '%s' (removed "
                                        "while the video was made?)", k, j->cache_dir);
        if (values) {
            rs = keyframe_resample(&j->kf, u - whole, j->max_iter);
            if (mandel_values_resample(j->ctx, &rs, w, h, j->values, (size_t)w * h) != MANDEL_OK)
                return render_failed(j);
            return -1;
        }
        size_t const kf_bytes = (size_t)j->kf.kw * j->kf.kh * 3;
        if (j->kf_coloured != k) {
            /* every keyframe sample coloured once, on every core: a step-1 resampling */
            mandel_resample const all = {
                .src = j->kf.smooth, .src_width = j->kf.kw, .src_height = j->kf.kh,
                .src_stride = j->kf.kw, .step = 1, .limit = (float)j->max_iter};
            if (mandel_values_resample_rgb(j->ctx, &all, &j->color, 1, j->kf.kw, j->kf.kh,
                                           j->kf_rgb, kf_bytes) != MANDEL_OK)
                return render_failed(j);
            j->kf_coloured = k;
        }
        mandel_area const area = keyframe_area(&j->kf, u - whole, j->kf_rgb);
        if (mandel_rgb_area(j->ctx, &area, aa, w, h, j->rgb, (size_t)w * h * 3) != MANDEL_OK)
            return render_failed(j);
        return -1;
    }
    if (mandel_values_resample_rgb(j->ctx, &rs, &j->color, aa, w, h, j->rgb,
                                   (size_t)w * h * 3) != MANDEL_OK)
        return render_failed(j);
    return -1;
}

/* Phase 2: the frames, in order, into the video. */
static int make_frames(zoom_job *j)
{
    double const t0 = progress_now();
    progress_init(&j->bar, j->o.quiet, j->frames, j->label);
    if (j->z.exact) mandel_ctx_set_progress(j->ctx, NULL, NULL);
    for (uint32_t f = 0; f < j->frames; f++) {
        snprintf(j->label, sizeof j->label, "frame %u/%u", f + 1, j->frames);
        int rc = make_frame(j, f);
        if (rc >= 0) return rc;
        progress_update(&j->bar, f + 1, j->frames);
        progress_write_begin(&j->bar);
        rc = video_write(&j->vid, j->ctx, j->rgb, j->values);
        progress_write_end(&j->bar, (double)(f + 1) / j->frames);
        if (rc >= 0) return rc;
    }
    progress_done(&j->bar);
    j->frame_seconds = progress_now() - t0;
    return -1;
}

/* Removes this video's keyframes from the cache, and the directory if this run made it
 * and it is then empty. */
static void clear_cache(zoom_job *j)
{
    for (uint32_t k = 0; k < j->keyframes && j->cache_dir[0] != '\0'; k++) {
        char path[4200];
        keyframe_path(j, k, path, sizeof path);
        unlink(path);
    }
    if (j->cache_made || j->z.cache == NULL) rmdir(j->cache_dir);
}

/* The plan: zooms, frame and keyframe counts, the cache's place. -1 to go on. */
static int plan(zoom_job *j)
{
    render_opts *const o = &j->o;
    const char *center = mandel_spec_get(o->spec, "center");
    const char *const radius_text = mandel_spec_get(o->spec, "radius");
    j->zoom_text = mandel_spec_get(o->spec, "zoom");
    const char *const location = mandel_spec_get(o->spec, "location");
    if (location != NULL) {
        /* the spec read it too (its limit is in j->max_iter); its zoom's text is here */
        if (mandel_location_read(j->ctx, location, &j->loc) != MANDEL_OK)
            return cli_error(EXIT_FAIL, "--location '%s': %s", location, mandel_errmsg(j->ctx));
        const char *re, *im;
        mandel_location_get(j->loc, &re, &im, &j->zoom_text, NULL);
        j->center_copy = malloc(strlen(re) + strlen(im) + 2);
        if (j->center_copy != NULL) sprintf(j->center_copy, "%s,%s", re, im);
        center = NULL;
    } else if (center != NULL) {
        j->center_copy = strdup(center);
    } else {
        j->center_copy = strdup("-0.75,0");
    }
    if (j->center_copy == NULL) return cli_error(EXIT_FAIL, "out of memory");
    char *const comma = strchr(j->center_copy, ','); /* the spec checked there is one */
    *comma = '\0';
    j->re = j->center_copy;
    j->im = comma + 1;
    if (j->zoom_text == NULL && radius_text == NULL)
        return cli_error(EXIT_USAGE, "zoom: give the view to zoom to: --center with --zoom "
                                     "(or --radius), or --location FILE");
    static char radius_zoom[96];
    if (j->zoom_text == NULL) {
        /* zoom = 2 / radius */
        zoom_value r;
        if (!zoom_value_parse(radius_text, &r))
            return cli_error(EXIT_USAGE, "--radius '%s': not a number above 0", radius_text);
        double m = 2.0 / r.mant;
        int64_t e = -r.exp10;
        if (m < 1) {
            m *= 10;
            e--;
        }
        snprintf(radius_zoom, sizeof radius_zoom, "%.17ge%lld", m, (long long)e);
        j->zoom_text = radius_zoom;
    }
    if (!zoom_value_parse(j->zoom_text, &j->target))
        return cli_error(EXIT_USAGE, "--zoom '%s': not a number above 0", j->zoom_text);
    const char *const from = j->z.from_zoom ? j->z.from_zoom : "1";
    if (!zoom_value_parse(from, &j->start))
        return cli_error(EXIT_USAGE, "--from-zoom '%s': not a number above 0", from);
    double const doublings = zoom_value_log2_ratio(&j->target, &j->start);
    if (!(doublings > 0))
        return cli_error(EXIT_USAGE, "--from-zoom '%s': must be below the zoom of the view, %s",
                         from, j->zoom_text);
    double const spd = j->z.have_duration ? j->z.duration / doublings
                                          : j->z.have_spd ? j->z.spd : 1.0;
    j->per_doubling = spd * j->z.fps;
    double const frames = floor(doublings * j->per_doubling + 1e-9) + 1;
    if (frames > MAX_FRAMES)
        return cli_error(EXIT_USAGE, "zoom: %.0f frames (%.4g doublings at %.4g frames a "
                         "doubling); at most %u", frames, doublings, j->per_doubling, MAX_FRAMES);
    j->frames = (uint32_t)frames;
    if (j->frames < 2)
        return cli_error(EXIT_USAGE, "zoom: %.4g doublings at %.4g frames a doubling make one "
                         "frame; give a longer --duration or --seconds-per-doubling",
                         doublings, j->per_doubling);
    j->keyframes = (uint32_t)floor(frame_depth(j, j->z.out ? j->frames - 1 : 0)) + 1;
    return -1;
}

/* The colours: the spec's, from a built-in palette that cycles (a range would change
 * every frame). */
static int setup_colour(zoom_job *j)
{
    int const err = mandel_spec_color(j->o.spec, &j->color);
    if (err != MANDEL_OK)
        return cli_error(err == MANDEL_EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s",
                         mandel_errmsg(j->ctx));
    const char *const palette = mandel_spec_get(j->o.spec, "palette");
    if (mandel_palette_needs_range(j->color.palette))
        return cli_error(EXIT_USAGE, "--palette '%s': it maps each picture's own range of "
                         "values, which changes every frame; a zoom needs a cycling palette "
                         "(see 'mandel palettes')", palette ? palette : "default");
    return -1;
}

/* The machine options of the spec (threads, engine, isa, shortcuts) on the ctx. */
static int setup_ctx(zoom_job *j)
{
    int const err = mandel_spec_apply(j->o.spec, j->ctx);
    if (err != MANDEL_OK)
        return cli_error(err == MANDEL_EISA || err == MANDEL_EINVAL ? EXIT_USAGE : EXIT_FAIL,
                         "%s", mandel_errmsg(j->ctx));
    return -1;
}

/* The cache directory: --cache, else .mandel-zoom-cache beside the video. */
static void choose_cache(zoom_job *j)
{
    if (j->z.cache != NULL) {
        snprintf(j->cache_dir, sizeof j->cache_dir, "%s", j->z.cache);
        return;
    }
    const char *const slash = strrchr(j->o.output, '/');
    int const dir_len = slash ? (int)(slash - j->o.output) : 0;
    if (slash != NULL)
        snprintf(j->cache_dir, sizeof j->cache_dir, "%.*s/.mandel-zoom-cache", dir_len,
                 j->o.output);
    else
        snprintf(j->cache_dir, sizeof j->cache_dir, ".mandel-zoom-cache");
}

/* The buffers of a frame and a keyframe. */
static int allocate(zoom_job *j)
{
    size_t const w = j->width, h = j->height, aa = j->aa;
    size_t const samples = w * aa * h * aa;
    size_t const kf = j->z.exact ? 0 : (size_t)j->kf.kw * j->kf.kh;
    unsigned long long const need = samples * 4 + w * h * 3 + kf * (4 + 3);
    if (need >= cli_memory_budget())
        return cli_error(EXIT_FAIL, "a %zux%zu zoom needs %llu bytes of memory; the limit is "
                         "%llu (half the RAM)", w, h, need, cli_memory_budget());
    j->values = malloc(samples * 4);
    j->rgb = malloc(w * h * 3);
    j->kf.smooth = kf ? malloc(kf * 4) : NULL;
    j->kf_rgb = kf ? malloc(kf * 3) : NULL;
    if (j->values == NULL || j->rgb == NULL || (kf && (j->kf.smooth == NULL || j->kf_rgb == NULL)))
        return cli_error(EXIT_FAIL, "out of memory: %llu bytes needed", need);
    return -1;
}

/* Everything before a file is made: the options, the plan, the checks. -1 to go on. */
static int setup(zoom_job *j, int argc, char **args)
{
    int n = argc;
    int rc = take_zoom_options(&n, args, &j->z);
    if (rc < 0 && (j->ctx = mandel_ctx_new(NULL)) == NULL) rc = cli_error(EXIT_FAIL, "out of memory");
    if (rc < 0) rc = render_opts_parse(n, args, j->ctx, &j->o);
    if (rc >= 0) return rc;
    mandel_spec_geometry(j->o.spec, &j->width, &j->height, &j->aa, NULL);
    if ((rc = refuse_render_options(&j->o)) >= 0) return rc;
    if ((rc = video_choose(&j->vid, j->o.output, j->width, j->height, j->z.fps)) >= 0)
        return rc;
    j->vid.quality = j->o.quality;
    if (j->vid.kind == VIDEO_SEQUENCE && j->vid.format == MANDEL_FORMAT_NPY && j->aa > 1)
        return cli_error(EXIT_USAGE, "--aa %u: .npy frames hold smooth values, one a pixel",
                         j->aa);
    if ((rc = setup_ctx(j)) >= 0 || (rc = setup_colour(j)) >= 0) return rc;
    mandel_spec_geometry(j->o.spec, NULL, NULL, NULL, &j->max_iter); /* a location's too */
    if ((rc = plan(j)) >= 0) return rc;
    keyframe_geometry(&j->kf, j->width * j->aa, j->height * j->aa);
    /* The deepest view first: a zoom too deep or a centre that is no number fails now. */
    mandel_view *check;
    int const err = mandel_view_new_zoom(j->ctx, &check, j->width * j->aa, j->height * j->aa,
                                         j->re, j->im, j->zoom_text);
    if (err != MANDEL_OK)
        return cli_error(err == MANDEL_EINVAL ? EXIT_USAGE : EXIT_FAIL, "%s",
                         mandel_errmsg(j->ctx));
    mandel_view_free(check);
    return -1;
}

int cmd_zoom(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(help_text, stdout);
            return EXIT_OK;
        }
    }
    return zoom_main(argc, argv, NULL);
}

int zoom_main(int argc, char **argv, const zoom_hooks *hooks)
{
    char **const args = malloc(((size_t)argc + 1) * sizeof *args);
    if (args == NULL) return cli_error(EXIT_FAIL, "out of memory");
    memcpy(args, argv, (size_t)argc * sizeof *args);
    args[argc] = NULL;
    zoom_job *const j = calloc(1, sizeof *j);
    if (j == NULL) {
        free(args);
        return cli_error(EXIT_FAIL, "out of memory");
    }
    j->hooks = hooks;
    j->z.fps = 30;
    j->kf_loaded = UINT32_MAX;
    j->kf_coloured = UINT32_MAX;
    int rc = setup(j, argc, args);
    if (hooks != NULL && hooks->decide != NULL) {
        rc = hooks->decide(j, rc, hooks->user);
        if (rc >= 0) goto done; /* a worker's end, or the job's failure */
    }
    if (rc >= 0) goto done;
    choose_cache(j);
    if ((rc = allocate(j)) >= 0) goto done;
    if (j->vid.kind == VIDEO_SEQUENCE) {
        /* each picture is created when it is due: the directory must take them */
        char first[4096];
        video_frame_path(&j->vid, 0, first, sizeof first);
        char *const slash = strrchr(first, '/');
        if (slash != NULL) *slash = '\0';
        const char *const dir = slash != NULL ? (first[0] ? first : "/") : ".";
        if (access(dir, W_OK) != 0) {
            rc = cli_error(EXIT_FAIL, "-o '%s': cannot write into '%s': %s", j->o.output, dir,
                           strerror(errno));
            goto done;
        }
    }

    cli_set_signals(on_signal);
    sigset_t old;
    block_signals(&old);
    rc = video_open(&j->vid, j->ctx);
    if (j->vid.temp != NULL) snprintf(video_temp, sizeof video_temp, "%s", j->vid.temp);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc >= 0) goto done;
    double const t0 = progress_now();
    if (!j->z.exact && (rc = make_keyframes(j)) >= 0) goto done;
    if ((rc = make_frames(j)) >= 0) goto done;
    rc = video_close(&j->vid);
    video_temp[0] = '\0';
    if (rc >= 0) goto done;
    rc = EXIT_OK;
    if (!j->z.exact) clear_cache(j);
    if (j->o.stats)
        fprintf(stderr, "mandel: zoom: %u frames in %.3f s: %u keyframes (%u rendered, %u from "
                        "the cache) %.3f s, frames %.3f s; reference orbits %.3f s, BLA tables "
                        "%.3f s\n", j->frames, progress_now() - t0, j->keyframes, j->kf_rendered,
                j->kf_cached, j->kf_seconds, j->frame_seconds, j->orbit_seconds, j->bla_seconds);
done:
    progress_done(&j->bar);
    video_abort(&j->vid);
    cli_set_signals(SIG_DFL);
    video_temp[0] = '\0';
    /* A failure leaves nothing (an interruption never gets here: on_signal keeps the
     * keyframes for the same command to continue from). */
    if (rc != EXIT_OK && !j->z.exact) clear_cache(j);
    free(j->values);
    free(j->rgb);
    free(j->kf.smooth);
    free(j->kf_rgb);
    mandel_spec_free(j->o.spec); /* before the ctx it was made on */
    mandel_ctx_free(j->ctx);
    free(j->center_copy);
    mandel_location_free(j->loc);
    free(j);
    free(args);
    return rc;
}
