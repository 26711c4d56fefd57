/*
 * mpi/mpi_main.c - 'mandel-mpi render': one picture rendered by the ranks of an MPI job
 * (each with the library's thread pool) and written by rank 0 through the library's own
 * pipeline (mandel_picture_write_rows), so the file is `mandel render`'s, byte for byte.
 *
 * Work: the picture's rows are cut into units of about 16K samples. Rank 0 hands them out
 * in order, AHEAD to each worker rank (a master that also computes: a thread of rank 0
 * renders units too, taking them from the same counter). Each worker renders its units in
 * the order given and sends each one's fields back; rank 0 receives them into a ring of
 * slots and the pipeline takes them, in order, as it colours and writes band by band.
 *
 * Rank 0 has three threads: the main thread only talks MPI (hands out units, receives
 * results), the writer thread runs the picture pipeline (colour, encode, write) on the
 * units as they become ready, and the local thread renders rank 0's share. So a worker's
 * next unit never waits for a band to be deflated.
 *
 * Invariant: rank 0 holds at most `ring` units at once: a unit is handed out only when its
 * slot is free (every unit `ring` or more before it has been written), so memory is bounded
 * whatever the speed of the ranks, and a slow rank holds the writer back, never the heap.
 *
 * Rank 0's writer runs the pipeline on the threads of every rank of rank 0's node (-t times
 * their number, at most the CPUs rank 0 may run on): a picture of cheap pixels ends with the
 * writer alone (the colouring of a field kept whole, the PNG), the others idle.
 *
 * Only rank 0's main thread calls MPI (MPI_THREAD_FUNNELED); it polls with short sleeps
 * (50 us, backing off to 1 ms while nothing comes) rather than blocking, since Open MPI's
 * blocking calls spin a core the renders need.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/syscall.h>

#include <mpi.h>

#include "cli.h"
#include "mandel.h"
#include "mpi_common.h"
#include "render_opts.h"

#define UNIT_SAMPLES (1u << 14) /* samples a unit, about: small enough to spread the work */
#define UNITS_A_RANK 64         /* at least, where the rows allow */
#define AHEAD 4                 /* units handed to a worker before it asks */

int mpi_rank, mpi_ranks;
int mpi_node_ranks = 1;
char mpi_held_message[MSG_LEN];

/* Prints "mandel-mpi: <message>" on rank 0 only: bad options are told once, not N times.
 * Other ranks keep the message in case rank 0 did not fail where they did. */
int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mpi_held_message, sizeof mpi_held_message, fmt, ap);
    va_end(ap);
    if (mpi_rank == 0) fprintf(stderr, "mandel-mpi: %s\n", mpi_held_message);
    return code;
}

static const char usage_text[] =
    "Usage: mpirun -n N mandel-mpi render [options] -o FILE\n"
    "       mpirun -n N mandel-mpi zoom [options] -o VIDEO   ('mandel-mpi zoom --help')\n"
    "       srun -N NODES --ntasks-per-node 1 mandel-mpi render [options] -o FILE\n"
    "\n"
    "Renders one picture with the N ranks of an MPI job and writes it from rank 0: the\n"
    "same options as 'mandel render' (see 'mandel render --help') and the same file, byte\n"
    "for byte, for any N, format and engine. Each rank runs the library's thread pool\n"
    "(-t, --threads N threads a rank; default every online CPU of its node, so start one\n"
    "rank a node, or give -t when several share one). The picture's rows go out in units\n"
    "of about 16K samples, handed out in order as ranks finish the ones they hold, so\n"
    "slow ranks or expensive rows do not idle the others; rank 0 renders units too, and\n"
    "writes the file as the units arrive, in order, holding at most 4N+8 units or\n"
    "64 MiB of them, whichever is more. Rank 0 colours and compresses on the threads of\n"
    "every rank of its node together (-t times those ranks, at most the CPUs it may run\n"
    "on): the ranks are idle by the time a picture's last part is written.\n"
    "A deep view's reference orbit is computed by every rank itself.\n"
    "\n"
    "Output: written to a temporary file next to FILE and renamed when complete; a job\n"
    "that fails, or any of whose ranks dies, leaves no FILE (rank 0 removes the temporary\n"
    "when the job is stopped). -o - with --format FORMAT writes the picture to rank 0's\n"
    "standard output, which mpirun passes on to its own (rank 0 cannot tell whether\n"
    "that is a terminal: redirect it to a file or a pipe).\n"
    "--from is not available here; there is no progress bar. --stats prints, on rank 0,\n"
    "the time, the units each rank rendered and the writer's threads.\n"
    "\n"
    "Options only here:\n"
    "  -h, --help              this text\n"
    "\n"
    "Environment:\n"
    "  MANDEL_MPI_TEST_DIE=R:K rank R exits abruptly after rendering K units (render) or\n"
    "                          keyframes (zoom), for the tests of a failing rank\n"
    "\n"
    "Exit status: 0 success, 1 failure (a rank failed or died, FILE cannot be written),\n"
    "2 usage error (told once, by rank 0).\n"
    "\n"
    "Open MPI binds each rank to one core when it starts 2 ranks or fewer: with threads\n"
    "in a rank, give --bind-to none (or --map-by ppr:1:node:PE=CORES).\n"
    "\n"
    "Examples:\n"
    "  mpirun -n 4 --map-by ppr:1:node --bind-to none mandel-mpi render -s 16000x9000 \\\n"
    "      -t 8 -o poster.png\n"
    "  srun -N 8 --ntasks-per-node 1 --cpus-per-task 32 mandel-mpi render -t 32 \\\n"
    "      --location deep.kfr -o deep.png\n";

/* ---- the output's temporary, for the signal handler ----------------------------------- */

static char temp_path[4096];
static volatile sig_atomic_t closing_now; /* mandel_image_close() has been called */

/* mpirun stops the other ranks with SIGTERM when one dies: the temporary goes. */
static void on_signal(int sig)
{
    (void)sig;
    static const char removed[] =
        "mandel-mpi: stopped (a rank failed or the job was killed); no file written\n";
    static const char other[] = "mandel-mpi: stopped\n";
    /* Before close the temporary may have no name yet (O_TMPFILE): then it goes with us. */
    bool const gone = temp_path[0] != '\0' &&
                      (unlink(temp_path) == 0 || (errno == ENOENT && !closing_now));
    ssize_t const w = gone ? write(STDERR_FILENO, removed, sizeof removed - 1)
                           : write(STDERR_FILENO, other, sizeof other - 1);
    (void)w;
    _exit(EXIT_FAIL);
}

/* The CLI's signals and SIGABRT too: the MPI library aborts the process on some failures
 * of a peer (Open MPI's shared-memory transport when the sender dies mid-message), and
 * exit() runs leave_no_temp(). SIGKILL (MPICH's launcher cleaning up) leaves nothing
 * either: the temporary has no name until close (O_TMPFILE). */
static void set_signals(void (*handler)(int))
{
    cli_set_signals(handler);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGABRT, &sa, NULL);
}

static void leave_no_temp(void)
{
    if (temp_path[0] != '\0' && (unlink(temp_path) == 0 || errno == ENOENT))
        fputs("mandel-mpi: the job failed; no file written\n", stderr);
}

void mpi_nap(long ns)
{
    struct timespec const t = {ns / 1000000000, ns % 1000000000};
    nanosleep(&t, NULL);
}

void mpi_idle(long *pause_ns, bool got)
{
    *pause_ns = got || *pause_ns <= 0 ? 50000 : *pause_ns * 2 > 1000000 ? 1000000 : *pause_ns * 2;
    mpi_nap(*pause_ns);
}

/* ---- the units ---------------------------------------------------------------------- */

/* The picture's geometry and the units' layout, the same on every rank. */
typedef struct plan {
    mandel_format format;
    uint32_t width, height, aa;
    size_t samples_row;        /* aa * width */
    uint32_t unit_rows;        /* picture rows a unit */
    uint32_t units;
    int smooth, distance;      /* the fields the picture needs */
    size_t unit_bytes;         /* of one unit's fields, packed: counts, smooth, distance */
} plan;

static void plan_make(plan *pl, mandel_spec *spec, mandel_format format)
{
    pl->format = format;
    mandel_spec_geometry(spec, &pl->width, &pl->height, &pl->aa, NULL);
    mandel_picture_needs(spec, format, &pl->smooth, &pl->distance);
    pl->samples_row = (size_t)pl->width * pl->aa;
    size_t const per_row = pl->samples_row * pl->aa;
    pl->unit_rows = (uint32_t)(UNIT_SAMPLES / per_row ? UNIT_SAMPLES / per_row : 1);
    /* Small pictures (or deep ones, whose rows are expensive) in more units: the last unit
     * of a rank is what the others may wait for. */
    uint32_t const fair = pl->height / ((uint32_t)mpi_ranks * UNITS_A_RANK);
    if (fair < pl->unit_rows) pl->unit_rows = fair > 0 ? fair : 1;
    if (pl->unit_rows > pl->height) pl->unit_rows = pl->height;
    pl->units = (pl->height + pl->unit_rows - 1) / pl->unit_rows;
    pl->unit_bytes = per_row * pl->unit_rows * (1 + (size_t)pl->smooth + (size_t)pl->distance) * 4;
}

static uint32_t unit_rows_of(const plan *pl, uint32_t u)
{
    uint32_t const y = u * pl->unit_rows;
    return pl->height - y < pl->unit_rows ? pl->height - y : pl->unit_rows;
}

/* The fields of unit u packed in `buf` (unit_bytes): counts, then smooth, then distance,
 * each the unit's full size. */
static mandel_fields unit_fields(const plan *pl, void *buf)
{
    size_t const n = pl->samples_row * pl->aa * pl->unit_rows;
    uint32_t *const counts = buf;
    float *const rest = (float *)(counts + n);
    return (mandel_fields){counts, pl->smooth ? rest : NULL,
                           pl->distance ? rest + (pl->smooth ? n : 0) : NULL, pl->samples_row, n};
}

static int render_unit(mandel_ctx *ctx, mandel_spec *spec, const plan *pl, uint32_t u, void *buf)
{
    mandel_fields const f = unit_fields(pl, buf);
    return mandel_picture_render(ctx, spec, pl->format, u * pl->unit_rows, unit_rows_of(pl, u), &f);
}

long mpi_test_die_after(void)
{
    const char *const v = getenv("MANDEL_MPI_TEST_DIE");
    int r;
    long k;
    if (v == NULL || sscanf(v, "%d:%ld", &r, &k) != 2 || r != mpi_rank) return -1;
    return k;
}

/* ---- a worker rank ---------------------------------------------------------------------- */

int mpi_wait(MPI_Request *req)
{
    for (int flag = 0; !flag; ) {
        if (MPI_Test(req, &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS) return -1;
        if (!flag) mpi_nap(100000); /* 0.1 ms: a unit takes milliseconds at least */
    }
    return 0;
}

/* Renders the units rank 0 hands out, in the order given, and sends each one back. Two
 * buffers: a unit's fields travel while the next one renders, so a rank 0 busy writing a
 * band does not stall the worker. */
static int worker(mandel_ctx *ctx, mandel_spec *spec, const plan *pl)
{
    void *buf[2] = {malloc(pl->unit_bytes), malloc(pl->unit_bytes)};
    MPI_Request sent[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    long const die = mpi_test_die_after();
    long done = 0;
    int rc = EXIT_OK, cur = 0;
    for (;;) {
        long long u;
        MPI_Request req;
        if (MPI_Irecv(&u, 1, MPI_LONG_LONG, 0, TAG_ASSIGN, MPI_COMM_WORLD, &req) != MPI_SUCCESS ||
            mpi_wait(&req) != 0 || mpi_wait(&sent[cur]) != 0) {
            rc = EXIT_FAIL;
            break;
        }
        if (u < 0) break;
        bool const have = buf[0] != NULL && buf[1] != NULL;
        int const err = have ? render_unit(ctx, spec, pl, (uint32_t)u, buf[cur]) : MANDEL_ENOMEM;
        if (done++ == die) _exit(3);
        if (err != MANDEL_OK) {
            char msg[MSG_LEN];
            snprintf(msg, sizeof msg, "rank %d: %s", mpi_rank,
                     have ? mandel_errmsg(ctx) : "out of memory");
            MPI_Send(msg, (int)strlen(msg) + 1, MPI_CHAR, 0, TAG_FAIL, MPI_COMM_WORLD);
            rc = EXIT_FAIL;
            break; /* rank 0 aborts the job */
        }
        if (MPI_Isend(buf[cur], (int)pl->unit_bytes, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD,
                      &sent[cur]) != MPI_SUCCESS) {
            rc = EXIT_FAIL;
            break;
        }
        cur ^= 1;
    }
    if (rc == EXIT_OK && (mpi_wait(&sent[0]) != 0 || mpi_wait(&sent[1]) != 0)) rc = EXIT_FAIL;
    free(buf[0]);
    free(buf[1]);
    return rc;
}

/* ---- rank 0 ---------------------------------------------------------------------------- */

#define RING_BYTES ((size_t)64 << 20) /* rank 0 may hold this many bytes of units at least */
#define RANKS_MAX 4096 /* rank 0 holds up to AHEAD units of each: 16K units of <= 192 KB */

typedef enum { SLOT_FREE, SLOT_BUSY, SLOT_READY } slot_state;

typedef struct master {
    const plan *pl;
    uint32_t ring;             /* slots: AHEAD * ranks + 8, at most the units */
    unsigned char *slots;      /* ring * unit_bytes */
    slot_state *state;         /* ring of them */
    /* Guarded by lock (the local render thread shares them): */
    pthread_mutex_t lock;
    pthread_cond_t moved;
    uint32_t next_unit;        /* the next unit to hand out */
    uint32_t consumed;         /* units the pipeline has taken whole */
    int local_err;             /* the local thread's failure, MANDEL_OK if none */
    char local_msg[MSG_LEN];
    bool stop;                 /* the local and writer threads must stop */
    bool written;              /* the writer thread is done */
    /* Main thread only: */
    uint32_t *queue;           /* per worker: its units not yet returned, AHEAD at most */
    uint32_t *queued;
    bool *stopped;             /* the worker was told there is no more */
    uint32_t *units_by;        /* units each rank rendered (--stats) */
    char fail_msg[MSG_LEN];
    /* The local render thread's own spec and ctx (one thread each). */
    mandel_ctx *lctx;
    mandel_spec *lspec;
} master;

static unsigned char *slot_of(master *m, uint32_t u)
{
    return m->slots + (size_t)(u % m->ring) * m->pl->unit_bytes;
}

/* Takes the next unit if its slot is free (the lock held): true with *u set. */
static bool take_unit(master *m, uint32_t *u)
{
    if (m->next_unit >= m->pl->units || m->next_unit >= m->consumed + m->ring) return false;
    *u = m->next_unit++;
    m->state[*u % m->ring] = SLOT_BUSY;
    return true;
}

/* Rank 0's own share of the units, on a thread of its own (no MPI here). */
static void *local_render(void *arg)
{
    master *const m = arg;
    long const die = mpi_test_die_after();
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
    long done = 0;
    pthread_mutex_lock(&m->lock);
    for (;;) {
        uint32_t u = 0;
        bool got = false;
        while (!m->stop && m->next_unit < m->pl->units && !(got = take_unit(m, &u)))
            pthread_cond_wait(&m->moved, &m->lock);
        if (!got || m->stop) break;
        /* take_unit() succeeded: u is ours */
        pthread_mutex_unlock(&m->lock);
        int const err = render_unit(m->lctx, m->lspec, m->pl, u, slot_of(m, u));
        if (done++ == die) _exit(3);
        pthread_mutex_lock(&m->lock);
        if (err != MANDEL_OK) {
            m->local_err = err;
            snprintf(m->local_msg, sizeof m->local_msg, "rank 0: %s", mandel_errmsg(m->lctx));
            break;
        }
        m->state[u % m->ring] = SLOT_READY;
        m->units_by[0]++;
        pthread_cond_broadcast(&m->moved); /* the writer may wait for this very unit */
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

/* Gives worker w its next unit, or tells it there is none (the lock held). */
static int feed(master *m, int w)
{
    while (m->queued[w] < AHEAD && !m->stopped[w]) {
        uint32_t u;
        long long msg;
        if (take_unit(m, &u)) {
            m->queue[(size_t)w * AHEAD + m->queued[w]++] = u;
            msg = u;
        } else if (m->next_unit >= m->pl->units) {
            m->stopped[w] = true;
            msg = -1;
        } else {
            return MPI_SUCCESS; /* the ring is full: later */
        }
        int const e = MPI_Send(&msg, 1, MPI_LONG_LONG, w, TAG_ASSIGN, MPI_COMM_WORLD);
        if (e != MPI_SUCCESS) return e;
    }
    return MPI_SUCCESS;
}

/* One look at the messages and the local thread: receives what came, hands out what can
 * go; *got counts the results received. Returns MANDEL_OK, or an error with m->fail_msg
 * set. */
static int pump(master *m, unsigned *got)
{
    pthread_mutex_lock(&m->lock);
    int err = MANDEL_OK;
    if (m->local_err != MANDEL_OK) {
        snprintf(m->fail_msg, sizeof m->fail_msg, "%s", m->local_msg);
        err = m->local_err;
    }
    for (int w = 1; w < mpi_ranks && err == MANDEL_OK; w++)
        if (feed(m, w) != MPI_SUCCESS) err = MANDEL_EIO;
    while (err == MANDEL_OK) {
        int flag = 0;
        MPI_Status st;
        if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS) {
            err = MANDEL_EIO;
            break;
        }
        if (!flag) break;
        int const w = st.MPI_SOURCE;
        if (st.MPI_TAG == TAG_FAIL) {
            mpi_recv_failure(w, m->fail_msg);
            err = MANDEL_EIO;
            break;
        }
        if (st.MPI_TAG != TAG_RESULT || m->queued[w] == 0) {
            snprintf(m->fail_msg, sizeof m->fail_msg, "rank %d sent an unexpected message", w);
            err = MANDEL_EIO;
            break;
        }
        /* A worker renders its units in the order given: this is the first of its queue. */
        uint32_t const u = m->queue[(size_t)w * AHEAD];
        memmove(m->queue + (size_t)w * AHEAD, m->queue + (size_t)w * AHEAD + 1,
                (AHEAD - 1) * sizeof *m->queue);
        m->queued[w]--;
        pthread_mutex_unlock(&m->lock);
        int const e = MPI_Recv(slot_of(m, u), (int)m->pl->unit_bytes, MPI_BYTE, w, TAG_RESULT,
                               MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        pthread_mutex_lock(&m->lock);
        if (e != MPI_SUCCESS) {
            err = MANDEL_EIO;
            break;
        }
        m->state[u % m->ring] = SLOT_READY;
        m->units_by[w]++;
        (*got)++;
        pthread_cond_broadcast(&m->moved);
        if (feed(m, w) != MPI_SUCCESS) err = MANDEL_EIO;
    }
    if (err == MANDEL_EIO && m->fail_msg[0] == '\0')
        snprintf(m->fail_msg, sizeof m->fail_msg, "the MPI job failed (a rank died?)");
    pthread_mutex_unlock(&m->lock);
    return err;
}

/* The pipeline's row source (the writer thread): the units holding rows y..y+rows-1,
 * waited for in order. */
static int source(void *user, uint32_t y, uint32_t rows, const mandel_fields *f)
{
    master *const m = user;
    const plan *const pl = m->pl;
    size_t const sw = pl->samples_row;
    for (uint32_t row = y; row < y + rows; ) {
        uint32_t const u = row / pl->unit_rows;
        pthread_mutex_lock(&m->lock);
        while (!m->stop && m->state[u % m->ring] != SLOT_READY)
            pthread_cond_wait(&m->moved, &m->lock);
        bool const stopped = m->stop;
        pthread_mutex_unlock(&m->lock);
        if (stopped) return 1;
        uint32_t const first = u * pl->unit_rows, end = first + unit_rows_of(pl, u);
        uint32_t const upto = end < y + rows ? end : y + rows;
        mandel_fields const from = unit_fields(pl, slot_of(m, u));
        for (uint32_t r = row; r < upto; r++) {
            for (uint32_t k = 0; k < pl->aa; k++) {
                size_t const src = ((size_t)(r - first) * pl->aa + k) * sw;
                size_t const dst = ((size_t)(r - y) * pl->aa + k) * f->stride;
                memcpy(f->counts + dst, from.counts + src, sw * 4);
                if (f->smooth) memcpy(f->smooth + dst, from.smooth + src, sw * 4);
                if (f->distance) memcpy(f->distance + dst, from.distance + src, sw * 4);
            }
        }
        row = upto;
        if (upto == end) {
            /* The unit is taken whole: its slot is free for the unit `ring` later. */
            pthread_mutex_lock(&m->lock);
            m->state[u % m->ring] = SLOT_FREE;
            m->consumed = u + 1;
            pthread_cond_broadcast(&m->moved);
            pthread_mutex_unlock(&m->lock);
        }
    }
    return 0;
}

/* Tells every worker not yet told that there is no more (the job's end or failure). */
static void stop_workers(master *m)
{
    for (int w = 1; w < mpi_ranks; w++) {
        if (m->stopped[w]) continue;
        long long const msg = -1;
        MPI_Send(&msg, 1, MPI_LONG_LONG, w, TAG_ASSIGN, MPI_COMM_WORLD);
        m->stopped[w] = true;
    }
}

typedef struct writer {
    master *m;
    mandel_ctx *ctx;
    mandel_spec *spec;
    mandel_image *image;
    int err;
} writer;

/* The writer thread: the picture pipeline, fed by source(). */
static void *write_picture(void *arg)
{
    writer *const w = arg;
    w->err = mandel_picture_write_rows(w->ctx, w->spec, w->image, source, w->m);
    pthread_mutex_lock(&w->m->lock);
    w->m->written = true;
    pthread_mutex_unlock(&w->m->lock);
    return NULL;
}

/* The main thread while the others render and write: MPI, until the writer is done or the
 * job fails (mpi_idle between looks). Returns MANDEL_OK or the failure (m->fail_msg
 * set). */
static int serve(master *m)
{
    long pause_ns = 0;
    for (;;) {
        unsigned got = 0;
        int const err = pump(m, &got);
        if (err != MANDEL_OK) return err;
        pthread_mutex_lock(&m->lock);
        bool const done = m->written;
        pthread_mutex_unlock(&m->lock);
        if (done) return MANDEL_OK;
        mpi_idle(&pause_ns, got > 0);
    }
}

/* Rank 0: renders with the others and writes the picture into `image`. */
static int run_master(mandel_ctx *ctx, mandel_spec *spec, mandel_ctx *lctx, mandel_spec *lspec,
                      const plan *pl, mandel_image *image, bool stats)
{
    master m;
    memset(&m, 0, sizeof m);
    m.pl = pl;
    m.ring = (uint32_t)mpi_ranks * AHEAD + 8;
    if (m.ring < RING_BYTES / pl->unit_bytes) m.ring = (uint32_t)(RING_BYTES / pl->unit_bytes);
    if (m.ring > pl->units) m.ring = pl->units;
    m.lctx = lctx;
    m.lspec = lspec;
    m.slots = malloc((size_t)m.ring * pl->unit_bytes);
    m.queue = calloc((size_t)mpi_ranks * AHEAD, sizeof *m.queue);
    m.queued = calloc((size_t)mpi_ranks, sizeof *m.queued);
    m.stopped = calloc((size_t)mpi_ranks, sizeof *m.stopped);
    m.units_by = calloc((size_t)mpi_ranks, sizeof *m.units_by);
    m.state = calloc(m.ring, sizeof *m.state);
    if (m.slots == NULL || m.queue == NULL || m.queued == NULL || m.stopped == NULL ||
        m.units_by == NULL || m.state == NULL)
        return cli_error(EXIT_FAIL, "out of memory: %zu bytes for %u units in flight",
                         (size_t)m.ring * pl->unit_bytes, m.ring);
    pthread_mutex_init(&m.lock, NULL);
    pthread_cond_init(&m.moved, NULL);
    double const t0 = MPI_Wtime();
    writer wr = {&m, ctx, spec, image, MANDEL_OK};
    pthread_t thread, writing;
    bool const threaded = pthread_create(&thread, NULL, local_render, &m) == 0;
    bool const writes = threaded && pthread_create(&writing, NULL, write_picture, &wr) == 0;
    int rc = EXIT_OK;
    int const served = writes ? serve(&m) : MANDEL_OK;
    pthread_mutex_lock(&m.lock);
    m.stop = true; /* the job is written, or failed: the others stop where they are */
    pthread_cond_broadcast(&m.moved);
    pthread_mutex_unlock(&m.lock);
    if (writes) pthread_join(writing, NULL);
    if (threaded) pthread_join(thread, NULL);
    if (!writes)
        rc = cli_error(EXIT_FAIL, "cannot start a thread");
    else if (served != MANDEL_OK)
        rc = cli_error(EXIT_FAIL, "%s", m.fail_msg);
    else if (wr.err != MANDEL_OK)
        rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
    if (rc == EXIT_OK) stop_workers(&m);
    if (rc == EXIT_OK && stats) {
        fprintf(stderr, "mandel-mpi: %.6f s, %d ranks, %u units of %u rows; units a rank:",
                MPI_Wtime() - t0, mpi_ranks, pl->units, pl->unit_rows);
        for (int r = 0; r < mpi_ranks; r++) fprintf(stderr, " %u", m.units_by[r]);
        const char *const threads = mandel_spec_get(spec, "threads");
        fprintf(stderr, "; writer threads: %s\n", threads != NULL ? threads : "every CPU");
    }
    free(m.slots);
    free(m.queue);
    free(m.queued);
    free(m.stopped);
    free(m.units_by);
    free(m.state);
    return rc;
}

/* ---- the command line ------------------------------------------------------------------ */

/* Everything every rank reads from argv: the options, the spec, the plan; rank 0 also opens
 * the image. Returns -1 to go on, else an exit code (printed on rank 0). */
static int setup(int argc, char **argv, mandel_ctx *ctx, render_opts *o, plan *pl)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            if (mpi_rank == 0) fputs(usage_text, stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--from") == 0 || strncmp(argv[i], "--from=", 7) == 0)
            return cli_error(EXIT_USAGE, "--from: not available in mandel-mpi (give the "
                                         "options; 'mandel info PICTURE' shows them)");
    }
    int rc = render_opts_parse(argc, argv, ctx, o);
    if (rc >= 0) return rc;
    /* No terminal check for -o - (as mandel render has): under mpirun, rank 0's standard
     * output is mpirun's pipe or pseudo-terminal, whatever mpirun's own is. */
    mandel_format format;
    if ((rc = render_opts_choose_format(o, &format)) >= 0) return rc;
    int const err = mandel_spec_check(o->spec, format);
    if (err != MANDEL_OK)
        return cli_error(err == MANDEL_EINVAL || err == MANDEL_EISA ? EXIT_USAGE : EXIT_FAIL,
                         "%s", mandel_errmsg(ctx));
    plan_make(pl, o->spec, format);
    return -1;
}

/* Rank 0: opens the image (its temporary under the signal handler, as mandel render). */
static int open_image(mandel_ctx *ctx, render_opts *o, const plan *pl, mandel_image **image)
{
    const char *comment;
    if (mandel_spec_describe(o->spec, &comment) != MANDEL_OK)
        return cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
    const char *const npy_name = mandel_spec_get(o->spec, "npy");
    mandel_image_options const image_opts = {
        .jpeg_quality = o->quality, .comment = comment,
        .npy_float = npy_name != NULL && strcmp(npy_name, "counts") != 0};
    sigset_t stop_signals, old_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
    bool const to_stdout = strcmp(o->output, "-") == 0;
    int const opened =
        to_stdout ? mandel_image_open_stream(ctx, image, cli_write_stdout, NULL, pl->format,
                                             pl->width, pl->height, &image_opts)
                  : mandel_image_open(ctx, image, o->output, pl->format, pl->width,
                                      pl->height, &image_opts);
    if (opened == MANDEL_OK && !to_stdout) {
        snprintf(temp_path, sizeof temp_path, "%s", mandel_image_temp_path(*image));
        set_signals(on_signal);
        atexit(leave_no_temp);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    if (opened != MANDEL_OK) return cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
    if (o->save_location != NULL) {
        const mandel_view *view;
        uint32_t iterations;
        mandel_spec_geometry(o->spec, NULL, NULL, NULL, &iterations);
        if (mandel_spec_view(o->spec, &view) != MANDEL_OK ||
            mandel_location_save(ctx, view, iterations, o->save_location) != MANDEL_OK)
            return cli_error(EXIT_FAIL, "--save-location: %s", mandel_errmsg(ctx));
    }
    return -1;
}

void mpi_recv_failure(int w, char msg[MSG_LEN])
{
    msg[0] = '\0';
    MPI_Recv(msg, MSG_LEN, MPI_CHAR, w, TAG_FAIL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    msg[MSG_LEN - 1] = '\0';
}

int mpi_decide(int rc)
{
    int decided = rc;
    MPI_Bcast(&decided, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (decided < 0 && rc >= 0) {
        /* This rank failed where rank 0 did not (a file only rank 0 sees?). */
        fprintf(stderr, "mandel-mpi: rank %d: %s\n", mpi_rank, mpi_held_message);
        MPI_Abort(MPI_COMM_WORLD, EXIT_FAIL);
    }
    return decided;
}

/* Stops the whole job after rank 0's failure: the temporary first, then every rank. */
static void abort_job(mandel_image *image, int rc)
{
    mandel_image_abort(image);
    temp_path[0] = '\0';
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, rc);
}

/* The writer's threads (rank 0's spec; its local renders have their own): what -t gives
 * every rank of rank 0's node together, but no more than the CPUs rank 0 may run on (Open
 * MPI binds each of 2 ranks to one core: more threads there would only take turns). Where
 * pixels are cheap, the picture's last part is the writer's alone (colouring a picture of
 * up to 4M samples waits for the whole field; then the PNG): the node's other ranks are
 * idle by then, and their cores are the job's. Without -t, every rank already has every
 * online CPU. Returns -1 to go on, else an exit code. */
static int writer_threads(mandel_ctx *ctx, mandel_spec *spec)
{
    const char *const given = mandel_spec_get(spec, "threads");
    if (given == NULL || mpi_node_ranks <= 1) return -1;
    long const per_rank = strtol(given, NULL, 10);
    long node = per_rank * mpi_node_ranks;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) < node)
        node = CPU_COUNT(&allowed);
    if (node <= per_rank) return -1;
    char text[24];
    snprintf(text, sizeof text, "%ld", node < 1024 ? node : 1024);
    if (mandel_spec_set(spec, "threads", text) != MANDEL_OK)
        return cli_error(EXIT_FAIL, "--threads %s for the writer: %s", text,
                         mandel_errmsg(ctx));
    return -1;
}

static int render(int argc, char **argv)
{
    mandel_ctx *const ctx = mandel_ctx_new(NULL);
    mandel_ctx *const lctx = mandel_ctx_new(NULL);
    render_opts o = {0}, lo = {0};
    plan pl;
    mandel_image *image = NULL;
    int rc = ctx == NULL || lctx == NULL ? cli_error(EXIT_FAIL, "out of memory")
                                         : setup(argc, argv, ctx, &o, &pl);
    if (rc < 0 && mpi_rank == 0) rc = open_image(ctx, &o, &pl, &image);
    if (rc < 0 && mpi_rank == 0) {
        /* The local render thread's own spec: a spec belongs to one thread. */
        rc = setup(argc, argv, lctx, &lo, &pl);
        if (rc < 0) rc = writer_threads(ctx, o.spec);
    }
    /* Rank 0 decides: its failure ends every rank with its code, told once. */
    int const decided = mpi_decide(rc);
    if (decided < 0) {
        if (mpi_rank == 0) {
            rc = run_master(ctx, o.spec, lctx, lo.spec, &pl, image, o.stats);
            if (rc != EXIT_OK) abort_job(image, rc);
            mandel_image *const closing = image;
            image = NULL;
            closing_now = 1;
            if (mandel_image_close(closing) != MANDEL_OK)
                rc = cli_error(EXIT_FAIL, "%s", mandel_errmsg(ctx));
            set_signals(SIG_DFL);
            temp_path[0] = '\0';
        } else {
            rc = worker(ctx, o.spec, &pl);
            if (rc != EXIT_OK) {
                /* rank 0 aborts the job on our message; wait for it */
                for (;;) pause();
            }
        }
    } else {
        rc = decided;
    }
    mandel_image_abort(image);
    set_signals(SIG_DFL);
    temp_path[0] = '\0';
    mandel_spec_free(o.spec);
    mandel_spec_free(lo.spec);
    mandel_ctx_free(ctx);
    mandel_ctx_free(lctx);
    return rc;
}

int main(int argc, char **argv)
{
    int provided;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fputs("mandel-mpi: MPI_Init_thread failed\n", stderr);
        return EXIT_FAIL;
    }
    /* A closed pipe (-o - | head) is a write error with EPIPE, told in one line. */
    signal(SIGPIPE, SIG_IGN);
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_ranks);
    /* The ranks that share rank 0's node (MPI-3): rank 0's writer takes their threads. */
    MPI_Comm node;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        int here = 1;
        MPI_Comm_size(node, &here);
        MPI_Bcast(&here, 1, MPI_INT, 0, MPI_COMM_WORLD); /* rank 0's count, to all */
        mpi_node_ranks = here > 0 ? here : 1;
        MPI_Comm_free(&node);
    }
    /* Failures come back as codes: rank 0 must remove its temporary before the job ends. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int rc;
    if (provided < MPI_THREAD_FUNNELED) {
        rc = cli_error(EXIT_FAIL, "the MPI library gives no MPI_THREAD_FUNNELED");
    } else if (mpi_ranks > RANKS_MAX) {
        rc = cli_error(EXIT_USAGE, "at most %d ranks", RANKS_MAX);
    } else if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        if (mpi_rank == 0) fputs(usage_text, argc < 2 ? stderr : stdout);
        rc = argc < 2 ? EXIT_USAGE : EXIT_OK;
    } else if (strcmp(argv[1], "render") == 0) {
        rc = render(argc - 1, argv + 1);
    } else if (strcmp(argv[1], "zoom") == 0) {
        rc = mpi_zoom(argc - 1, argv + 1);
    } else {
        rc = cli_error(EXIT_USAGE, "unknown command '%s' (mandel-mpi renders pictures and "
                                   "zoom videos: 'mandel-mpi render --help', 'mandel-mpi zoom "
                                   "--help')", argv[1]);
    }
    fflush(stdout);
    /* The ranks done first wait here for the others without spinning a core (Open MPI's
     * MPI_Finalize busy-polls): rank 0 may have a video's frames still to make. */
    MPI_Request all;
    if (MPI_Ibarrier(MPI_COMM_WORLD, &all) == MPI_SUCCESS) mpi_wait(&all);
    MPI_Finalize();
    return rc;
}
