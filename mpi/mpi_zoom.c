/*
 * mpi/mpi_zoom.c - 'mandel-mpi zoom': a zoom video whose keyframes are rendered by the
 * ranks of an MPI job, made by 'mandel zoom''s own code (cli/cmd_zoom.c, driven through
 * zoom_main's hooks), so the video is 'mandel zoom''s, byte for byte.
 *
 * Every rank reads the options and plans the video; rank 0 decides (its failure is told
 * once and ends every rank). Rank 0 finds the keyframes its cache lacks and hands them out
 * one at a time, the deepest first, to the workers and to a thread of its own; each comes
 * back whole (kw x kh smooth values) and rank 0's main thread stores it in the cache as
 * 'mandel zoom' would. Then the workers are done, and rank 0 makes the frames from the
 * cache and encodes them in order (the frames are a box filter over a keyframe: a few
 * percent of a deep zoom's time, and they need the previous frame's keyframe anyway).
 *
 * Every rank renders with the deepest keyframe's reference orbit (each computes it
 * itself, once: zoom_keyframe_render), so a keyframe's values are the same whichever rank
 * made it (test_adopt: an adopted orbit gives the bits of a view's own).
 *
 * Only rank 0's main thread calls MPI (MPI_THREAD_FUNNELED).
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mandel.h"
#include "mpi_common.h"
#include "zoom.h"

static const char zoom_usage[] =
    "Usage: mpirun -n N mandel-mpi zoom [options] -o VIDEO\n"
    "\n"
    "Makes the zoom video of 'mandel zoom' (see 'mandel zoom --help': the same options\n"
    "and the same file, byte for byte, for any N) with the N ranks of an MPI job: the\n"
    "keyframes, one a doubling of the zoom and nearly all of a deep zoom's time, are\n"
    "handed out one at a time, the deepest first, to every rank (rank 0 renders them too,\n"
    "on a thread of its own) and sent back to rank 0, which keeps them in the cache\n"
    "directory as 'mandel zoom' does, then makes the frames and writes VIDEO. Each rank\n"
    "runs the library's thread pool (-t, --threads N threads a rank) and computes the\n"
    "deepest keyframe's reference orbit itself.\n"
    "\n"
    "A job stopped (Ctrl-C, a rank that dies, mpirun killed) leaves no VIDEO; the\n"
    "keyframes already in the cache stay, so the same command continues from them.\n"
    "Rank 0 draws a progress bar (keyframes stored, then frames) when its standard error\n"
    "is a terminal: Open MPI's mpirun gives it a pipe, so none shows there.\n"
    "Not here: --exact (render each frame directly: 'mandel zoom --exact').\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error (told once, by rank 0).\n"
    "\n"
    "Example:\n"
    "  mpirun -n 8 --map-by ppr:1:node --bind-to none mandel-mpi zoom -t 32 \\\n"
    "      --location examples/locations/1e50.kfr -s 1920x1080 --aa 2 -o zoom.mp4\n";

/* ---- a worker rank ------------------------------------------------------------------- */

/* Renders the keyframes rank 0 gives, one at a time, and sends each back whole. */
static int worker(zoom_job *j)
{
    size_t const n = zoom_keyframe_samples(j);
    float *const buf = malloc(n * sizeof *buf);
    zoom_renderer r = {zoom_job_ctx(j), NULL};
    long const die = mpi_test_die_after();
    long done = 0;
    int rc = EXIT_OK;
    for (;;) {
        long long k;
        MPI_Request req;
        if (MPI_Irecv(&k, 1, MPI_LONG_LONG, 0, TAG_ASSIGN, MPI_COMM_WORLD, &req) !=
                MPI_SUCCESS || mpi_wait(&req) != 0) {
            rc = EXIT_FAIL;
            break;
        }
        if (k < 0) break;
        int const err = buf != NULL ? zoom_keyframe_render(j, &r, (uint32_t)k, buf)
                                    : MANDEL_ENOMEM;
        if (done++ == die) _exit(3);
        if (err != MANDEL_OK) {
            char msg[MSG_LEN];
            snprintf(msg, sizeof msg, "rank %d: keyframe %lld: %s", mpi_rank, k,
                     buf != NULL ? mandel_errmsg(r.ctx) : "out of memory");
            MPI_Send(msg, (int)strlen(msg) + 1, MPI_CHAR, 0, TAG_FAIL, MPI_COMM_WORLD);
            rc = EXIT_FAIL;
            break; /* rank 0 aborts the job */
        }
        MPI_Request sent;
        if (MPI_Isend(buf, (int)n, MPI_FLOAT, 0, TAG_RESULT, MPI_COMM_WORLD, &sent) !=
                MPI_SUCCESS || mpi_wait(&sent) != 0) {
            rc = EXIT_FAIL;
            break;
        }
    }
    zoom_renderer_clear(&r);
    free(buf);
    if (rc != EXIT_OK)
        for (;;) pause(); /* rank 0 aborts the job on our message, or mpirun on its death */
    return rc;
}

/* ---- rank 0 ---------------------------------------------------------------------------- */

typedef struct master {
    zoom_job *j;
    const uint32_t *missing;
    uint32_t n;
    size_t samples;
    mandel_ctx *ctx;          /* the main thread's, for storing (the job's is the thread's) */
    float *rbuf;              /* a worker's keyframe, received */
    long long *given;         /* per worker: the keyframe it renders, or -1 */
    bool *told;               /* the worker was told there is no more */
    uint32_t stored;
    /* Guarded by lock (shared with the local thread): */
    pthread_mutex_t lock;
    pthread_cond_t moved;
    uint32_t next;            /* the next of missing[] to hand out */
    float *lbuf;              /* the local thread's keyframe */
    long long lready;         /* the keyframe in lbuf, to be stored; -1 if none */
    int lerr;
    char lmsg[MSG_LEN];
    bool stop;
    zoom_renderer r;          /* the local thread's: the job's ctx */
} master;

/* Rank 0's share, on a thread of its own (no MPI here; the main thread handles signals). */
static void *local_render(void *arg)
{
    master *const m = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    long const die = mpi_test_die_after();
    long done = 0;
    pthread_mutex_lock(&m->lock);
    for (;;) {
        while (!m->stop && m->lready >= 0) pthread_cond_wait(&m->moved, &m->lock);
        if (m->stop || m->next >= m->n) break;
        uint32_t const k = m->missing[m->next++];
        pthread_mutex_unlock(&m->lock);
        int const err = zoom_keyframe_render(m->j, &m->r, k, m->lbuf);
        if (done++ == die) _exit(3);
        pthread_mutex_lock(&m->lock);
        if (err != MANDEL_OK) {
            m->lerr = err;
            snprintf(m->lmsg, sizeof m->lmsg, "rank 0: keyframe %u: %s", k,
                     mandel_errmsg(m->r.ctx));
            break;
        }
        m->lready = k;
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

/* Gives every idle worker its next keyframe, or the word that there is none. */
static int feed(master *m)
{
    for (int w = 1; w < mpi_ranks; w++) {
        if (m->given[w] >= 0 || m->told[w]) continue;
        pthread_mutex_lock(&m->lock);
        long long const k = m->next < m->n ? (long long)m->missing[m->next++] : -1;
        pthread_mutex_unlock(&m->lock);
        if (MPI_Send(&k, 1, MPI_LONG_LONG, w, TAG_ASSIGN, MPI_COMM_WORLD) != MPI_SUCCESS)
            return cli_error(EXIT_FAIL, "the MPI job failed (a rank died?)");
        m->given[w] = k;
        m->told[w] = k < 0;
    }
    return -1;
}

/* One look at the local thread and the messages: stores what came. -1, or an exit code
 * after a message; *got counts the keyframes stored. */
static int pump(master *m, unsigned *got)
{
    pthread_mutex_lock(&m->lock);
    long long const k = m->lready;
    int const lerr = m->lerr;
    pthread_mutex_unlock(&m->lock);
    if (lerr != MANDEL_OK) return cli_error(EXIT_FAIL, "%s", m->lmsg);
    int rc = -1;
    if (k >= 0) {
        /* the local thread waits until lready is cleared: lbuf is ours meanwhile */
        rc = zoom_keyframe_store(m->j, m->ctx, (uint32_t)k, m->lbuf);
        pthread_mutex_lock(&m->lock);
        m->lready = -1;
        pthread_cond_broadcast(&m->moved);
        pthread_mutex_unlock(&m->lock);
        m->stored++;
        (*got)++;
    }
    while (rc < 0) {
        int flag = 0;
        MPI_Status st;
        if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS)
            return cli_error(EXIT_FAIL, "the MPI job failed (a rank died?)");
        if (!flag) break;
        int const w = st.MPI_SOURCE;
        if (st.MPI_TAG == TAG_FAIL) {
            char msg[MSG_LEN];
            mpi_recv_failure(w, msg);
            return cli_error(EXIT_FAIL, "%s", msg);
        }
        if (st.MPI_TAG != TAG_RESULT || m->given[w] < 0)
            return cli_error(EXIT_FAIL, "rank %d sent an unexpected message", w);
        if (MPI_Recv(m->rbuf, (int)m->samples, MPI_FLOAT, w, TAG_RESULT, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return cli_error(EXIT_FAIL, "the MPI job failed (a rank died?)");
        rc = zoom_keyframe_store(m->j, m->ctx, (uint32_t)m->given[w], m->rbuf);
        m->given[w] = -1;
        m->stored++;
        (*got)++;
        if (rc < 0) rc = feed(m);
    }
    return rc;
}

/* zoom_hooks.keyframes on rank 0: the missing keyframes from every rank into the cache. */
static int master_keyframes(zoom_job *j, const uint32_t *missing, uint32_t n, void *user)
{
    (void)user;
    master m = {.j = j, .missing = missing, .n = n, .samples = zoom_keyframe_samples(j),
                .lready = -1, .lerr = MANDEL_OK};
    if (m.samples > INT_MAX)
        return cli_error(EXIT_FAIL, "a keyframe of %zu samples is more than one MPI message "
                                    "holds here (%d)", m.samples, INT_MAX);
    m.ctx = mandel_ctx_new(NULL);
    m.rbuf = malloc(m.samples * sizeof *m.rbuf);
    m.lbuf = malloc(m.samples * sizeof *m.lbuf);
    m.given = malloc((size_t)mpi_ranks * sizeof *m.given);
    m.told = calloc((size_t)mpi_ranks, sizeof *m.told);
    m.r.ctx = zoom_job_ctx(j);
    int rc = -1;
    if (m.ctx == NULL || m.rbuf == NULL || m.lbuf == NULL || m.given == NULL || m.told == NULL)
        rc = cli_error(EXIT_FAIL, "out of memory: two keyframes of %zu samples", m.samples);
    for (int w = 0; w < mpi_ranks && m.given != NULL; w++) m.given[w] = -1;
    pthread_mutex_init(&m.lock, NULL);
    pthread_cond_init(&m.moved, NULL);
    pthread_t thread;
    bool const threaded = rc < 0 && pthread_create(&thread, NULL, local_render, &m) == 0;
    if (rc < 0 && !threaded) rc = cli_error(EXIT_FAIL, "cannot start a thread");
    if (rc < 0) rc = feed(&m);
    if (n > 0) zoom_keyframes_progress(j, 0, n);
    long pause_ns = 0;
    while (rc < 0 && m.stored < n) {
        unsigned got = 0;
        rc = pump(&m, &got);
        if (got && rc < 0) zoom_keyframes_progress(j, m.stored, n);
        if (rc < 0 && m.stored < n) mpi_idle(&pause_ns, got > 0);
    }
    pthread_mutex_lock(&m.lock);
    m.stop = true;
    pthread_cond_broadcast(&m.moved);
    pthread_mutex_unlock(&m.lock);
    if (threaded) pthread_join(thread, NULL);
    if (rc < 0) rc = feed(&m); /* the word that there is no more, to every worker */
    zoom_renderer_clear(&m.r);
    mandel_ctx_free(m.ctx);
    free(m.rbuf);
    free(m.lbuf);
    free(m.given);
    free(m.told);
    return rc;
}

static bool engaged; /* the workers wait for rank 0's keyframes */

/* zoom_hooks.decide: rank 0's word for every rank; a worker works here and ends. */
static int decide(zoom_job *j, int rc, void *user)
{
    (void)user;
    int const decided = mpi_decide(rc);
    engaged = decided < 0;
    if (mpi_rank == 0 || decided >= 0) return decided;
    return worker(j);
}

int mpi_zoom(int argc, char **argv)
{
    int rc = -1;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0 && rc < 0; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            if (mpi_rank == 0) fputs(zoom_usage, stdout);
            rc = EXIT_OK;
        } else if (strcmp(argv[i], "--exact") == 0) {
            rc = cli_error(EXIT_USAGE, "--exact: not available in mandel-mpi (it renders "
                                       "every frame on one machine: 'mandel zoom --exact')");
        }
    }
    if (rc >= 0) return rc;
    zoom_hooks const hooks = {decide, master_keyframes, NULL};
    rc = zoom_main(argc, argv, &hooks);
    if (rc != EXIT_OK && mpi_rank == 0 && engaged) {
        /* the video's temporary is gone (zoom_main); the workers may be waiting */
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, rc);
    }
    return rc;
}
