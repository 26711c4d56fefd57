/*
 * mpi/mpi_common.h - what mandel-mpi's commands share: the job's ranks, the message tags,
 * waiting without spinning, and the test hook of a dying rank.
 */
#ifndef MANDEL_MPI_COMMON_H
#define MANDEL_MPI_COMMON_H

#include <stdbool.h>

#include <mpi.h>

#define MSG_LEN 512

enum { TAG_ASSIGN = 1, TAG_RESULT = 2, TAG_FAIL = 3 };

extern int mpi_rank, mpi_ranks;

/* Ranks of the job on rank 0's node, rank 0 included (main() finds it at the start). */
extern int mpi_node_ranks;

/* The failure a worker (or rank 0 before its decision is broadcast) keeps instead of
 * printing it (cli_error prints on rank 0 only). */
extern char mpi_held_message[MSG_LEN];

/* Waits for `req` without spinning a core (Open MPI's blocking calls busy-poll): 0, or -1
 * if MPI failed. */
int mpi_wait(MPI_Request *req);

/* Sleeps `ns` nanoseconds. */
void mpi_nap(long ns);

/* Rank 0's main thread between two looks at the messages: sleeps 50 us after a look that
 * found something (`got`; or the first, *pause_ns 0), twice the last pause after one that
 * found nothing, up to 1 ms. */
void mpi_idle(long *pause_ns, bool got);

/* MANDEL_MPI_TEST_DIE=R:K: on rank R, K (units or keyframes rendered before the rank exits
 * abruptly); -1 on every other rank or without the variable. */
long mpi_test_die_after(void);

/* Rank 0: receives rank w's failure message (TAG_FAIL, probed) into msg. */
void mpi_recv_failure(int w, char msg[MSG_LEN]);

/* Rank 0 decides: every rank calls this with its own setup's result (-1 = all well, else
 * an exit code), and gets rank 0's. A rank that failed where rank 0 did not says why and
 * aborts the job. */
int mpi_decide(int rc);

/* 'mandel-mpi zoom' (mpi_zoom.c). */
int mpi_zoom(int argc, char **argv);

#endif /* MANDEL_MPI_COMMON_H */
