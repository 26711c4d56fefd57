/*
 * server/http.c - libmicrohttpd glue: the daemon, its limits, the dispatch of each request
 * to the embedded files, /api/info, /tile and /render, and the answers.
 *
 * Invariants: a connection thread never iterates: it parses, then submits a job to the
 * render queue (tiles.c) and waits for it, looking every 100 ms whether its client hung up
 * (then the job is cancelled and the connection dropped). MHD runs one thread per
 * connection, capped by --max-connections and --per-ip; a suspended MHD connection is not
 * watched for a hang-up, which is why waiting happens here rather than by suspend/resume.
 * MHD's idle timeout does not stop a client that sends one byte a second, so a watchdog
 * shuts down every connection whose request has not arrived whole within --timeout: the
 * first request from the connection's start, each next one on a kept-alive connection
 * from the end of the one before.
 */
#include "server.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mandel.h"

atomic_bool serve_stopping;

typedef struct request {
    char *uri;           /* the request target as received: path and query, undecoded */
    bool called;         /* on_request has seen the headers once */
} request;

/* The connections whose request line and headers have not all arrived yet. */
typedef struct pending {
    int fd;
    struct timespec since;
    bool arrived;
    struct pending *next;
} pending;

static struct {
    struct MHD_Daemon *daemon;
    serve_limits limits;
    char *info;
    char *page;                /* index.html with the info inside */
    size_t page_len;
    uint32_t header_timeout_s;
    pthread_mutex_t lock;
    pending *pending;
    pthread_t watchdog;
    bool watchdog_running;
    pthread_cond_t wake;
} h = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* Answers with `body`: copied, or (held not NULL) sent from the tile cache's own copy,
 * which the cache keeps until MHD is done with it (tiles_cached_release): a cached tile
 * costs no allocation and no copy of its bytes (up to 4 MiB). */
static enum MHD_Result send_body(struct MHD_Connection *c, unsigned status, const char *type,
                                 const void *body, size_t len, const char *etag,
                                 bool immutable, void *held)
{
    struct MHD_Response *const r =
        held != NULL ? MHD_create_response_from_buffer_with_free_callback_cls(
                           len, (void *)body, tiles_cached_release, held)
                     : MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL) {
        if (held != NULL) tiles_cached_release(held);
        return MHD_NO;
    }
    if (type != NULL) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (etag != NULL) MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    if (immutable)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                                "public, max-age=31536000, immutable");
    else MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    if (status == 503) MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    if (status == 405) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result const ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_bytes(struct MHD_Connection *c, unsigned status, const char *type,
                                  const void *body, size_t len, const char *etag,
                                  bool immutable)
{
    return send_body(c, status, type, body, len, etag, immutable, NULL);
}

static enum MHD_Result send_cached(struct MHD_Connection *c, const void *body, size_t len,
                                   const char *type, const char *etag, void *held)
{
    return send_body(c, 200, type, body, len, etag, true, held);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *why)
{
    char body[2 * SERVE_ERROR_LEN + 32];
    size_t n = (size_t)snprintf(body, sizeof body, "{\"error\": \"");
    for (const char *s = why; *s != '\0' && n + 8 < sizeof body; s++) {
        unsigned char const ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') body[n++] = '\\', body[n++] = (char)ch;
        else body[n++] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
    }
    n += (size_t)snprintf(body + n, sizeof body - n, "\"}\n");
    return send_bytes(c, status, "application/json", body, n, NULL, false);
}

/* True when the client closed its end or the connection broke. */
static bool client_gone(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *const info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info == NULL) return true;
    struct pollfd p = {.fd = info->connect_fd, .events = POLLRDHUP};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

static enum MHD_Result serve_job_route(struct MHD_Connection *c, int route, const char *query,
                                       size_t query_len)
{
    serve_query q;
    char why[SERVE_ERROR_LEN];
    if (!query_parse(query, query_len, route, &h.limits, &q, why)) return send_error(c, 400, why);
    char etag[40] = "";
    char *key = NULL;
    if (route == SERVE_ROUTE_TILE) {
        key = query_key(&q, true);
        if (key == NULL) {
            query_free(&q);
            return send_error(c, 503, "out of memory");
        }
        /* The version is part of the tag: another build may compute other bits. */
        char *const tagged = malloc(strlen(key) + 32);
        if (tagged == NULL) {
            free(key);
            query_free(&q);
            return send_error(c, 503, "out of memory");
        }
        sprintf(tagged, "%s;v=%s", key, mandel_version_string());
        snprintf(etag, sizeof etag, "\"%016" PRIx64 "\"", query_hash(tagged));
        free(tagged);
        const char *const inm =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
        if (inm != NULL && strstr(inm, etag) != NULL) {
            free(key);
            query_free(&q);
            return send_bytes(c, 304, NULL, "", 0, etag, true);
        }
        const void *body;
        size_t len;
        const char *type;
        void *const held = tiles_cached(key, &body, &len, &type);
        if (held != NULL) {
            enum MHD_Result const ret = send_cached(c, body, len, type, etag, held);
            free(key);
            query_free(&q);
            return ret;
        }
        free(key);
    }
    serve_job *const job = tiles_submit(&q);
    query_free(&q);
    if (job == NULL) return send_error(c, 503, "the render queue is full; try again");
    while (!tiles_wait(job, 100)) {
        if (client_gone(c) || atomic_load(&serve_stopping)) {
            tiles_cancel(job);
            tiles_release(job);
            return MHD_NO;
        }
    }
    const void *body;
    size_t len;
    const char *type;
    int const status = tiles_result(job, &body, &len, &type);
    enum MHD_Result const ret =
        send_bytes(c, (unsigned)status, type, body, len, status == 200 && etag[0] ? etag : NULL,
                   status == 200 && etag[0]);
    tiles_release(job);
    return ret;
}

/* GET /api/progress?VIEW: the view's anchor's preparation, never cached by the browser. */
static enum MHD_Result serve_progress(struct MHD_Connection *c, const char *query,
                                      size_t query_len)
{
    serve_query q;
    char why[SERVE_ERROR_LEN];
    if (!query_parse(query, query_len, SERVE_ROUTE_PROGRESS, &h.limits, &q, why))
        return send_error(c, 400, why);
    char json[256];
    bool const ok = tiles_progress(&q, json, sizeof json);
    query_free(&q);
    if (!ok) return send_error(c, 503, "out of memory");
    return send_bytes(c, 200, "application/json", json, strlen(json), NULL, false);
}

/* The connection's request has arrived whole (arrived), or it has been answered and the
 * connection waits for the next one, whose headers get --timeout from now (!arrived):
 * a kept-alive connection is no way around the watchdog. */
static void mark_pending(struct MHD_Connection *c, bool arrived)
{
    const union MHD_ConnectionInfo *const info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info == NULL) return;
    pthread_mutex_lock(&h.lock);
    for (pending *p = h.pending; p != NULL; p = p->next)
        if (p->fd == info->connect_fd) {
            p->arrived = arrived;
            if (!arrived) clock_gettime(CLOCK_MONOTONIC, &p->since);
        }
    pthread_mutex_unlock(&h.lock);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls, (void)url, (void)version, (void)upload_data;
    request *const req = *con_cls;
    mark_pending(c, true);
    if (req == NULL || req->uri == NULL) return send_error(c, 500, "out of memory");
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        *upload_data_size = 0;
        return send_error(c, 405, "method: only GET and HEAD");
    }
    /* The first call has the headers only. A response queued then, before MHD has seen the
     * request's end, makes MHD close the connection after it (Connection: close): every
     * tile cost the browser a new connection. So a good request is answered at the second
     * call, and only a request that announces a body at the first (then closed). */
    if (!req->called) {
        req->called = true;
        const char *const length =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if ((length != NULL && strcmp(length, "0") != 0) ||
            MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                        MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
            return send_error(c, 400, "body: a GET request carries none");
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return send_error(c, 400, "body: a GET request carries none");
    }
    const char *const uri = req->uri;
    const char *const mark = strchr(uri, '?');
    size_t const path_len = mark != NULL ? (size_t)(mark - uri) : strlen(uri);
    const char *const query = mark != NULL ? mark + 1 : "";
    size_t const query_len = strlen(query);
    if (path_len == 9 && memcmp(uri, "/api/info", 9) == 0)
        return send_bytes(c, 200, "application/json", h.info, strlen(h.info), NULL, false);
    if (path_len == 5 && memcmp(uri, "/tile", 5) == 0)
        return serve_job_route(c, SERVE_ROUTE_TILE, query, query_len);
    if (path_len == 13 && memcmp(uri, "/api/progress", 13) == 0)
        return serve_progress(c, query, query_len);
    if (path_len == 7 && memcmp(uri, "/render", 7) == 0)
        return serve_job_route(c, SERVE_ROUTE_RENDER, query, query_len);
    if (path_len == 11 && memcmp(uri, "/api/period", 11) == 0)
        return serve_job_route(c, SERVE_ROUTE_PERIOD, query, query_len);
    const char *type;
    const serve_asset *const a = assets_find(uri, path_len, &type);
    if (a != NULL && h.page != NULL && strcmp(a->name, "index.html") == 0)
        return send_bytes(c, 200, type, h.page, h.page_len, NULL, false);
    if (a != NULL) return send_bytes(c, 200, type, a->data, a->len, NULL, false);
    return send_error(c, 404, "no such page");
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls, (void)c;
    request *const req = calloc(1, sizeof *req);
    if (req != NULL) req->uri = strdup(uri);
    return req;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)toe;
    request *const req = *con_cls;
    if (req != NULL) free(req->uri);
    free(req);
    *con_cls = NULL;
    mark_pending(c, false);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *const info =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        pending *const p = calloc(1, sizeof *p);
        if (p == NULL || info == NULL) {
            free(p);
            return;
        }
        p->fd = info->connect_fd;
        clock_gettime(CLOCK_MONOTONIC, &p->since);
        pthread_mutex_lock(&h.lock);
        p->next = h.pending;
        h.pending = p;
        pthread_mutex_unlock(&h.lock);
        *socket_context = p;
    } else {
        /* called before MHD closes the socket, so the watchdog never touches a reused fd */
        pending *const p = *socket_context;
        if (p == NULL) return;
        pthread_mutex_lock(&h.lock);
        for (pending **at = &h.pending; *at != NULL; at = &(*at)->next)
            if (*at == p) {
                *at = p->next;
                break;
            }
        pthread_mutex_unlock(&h.lock);
        free(p);
        *socket_context = NULL;
    }
}

static void *watchdog(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&h.lock);
    while (!atomic_load(&serve_stopping)) {
        struct timespec now, until;
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (pending *p = h.pending; p != NULL; p = p->next)
            if (!p->arrived && now.tv_sec - p->since.tv_sec >= (time_t)h.header_timeout_s) {
                shutdown(p->fd, SHUT_RDWR);
                p->arrived = true;
            }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&h.wake, &h.lock, &until);
    }
    pthread_mutex_unlock(&h.lock);
    return NULL;
}

int http_start(const serve_http_config *cfg, const serve_limits *lim, uint16_t *port,
               char *why, size_t why_len)
{
    h.limits = *lim;
    h.header_timeout_s = cfg->timeout_s;
    h.info = routes_info(lim);
    if (h.info == NULL) return snprintf(why, why_len, "out of memory"), 1;
    const char *type;
    const serve_asset *const index = assets_find("/", 1, &type);
    h.page = index != NULL ? routes_page(index, h.info, &h.page_len) : NULL;
    if (index != NULL && h.page == NULL) return snprintf(why, why_len, "out of memory"), 1;
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM}, *ai;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)cfg->port);
    if (getaddrinfo(cfg->bind, service, &hints, &ai) != 0) {
        snprintf(why, why_len, "--bind '%s': not a numeric IPv4 or IPv6 address", cfg->bind);
        return 1;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    h.daemon = MHD_start_daemon(
        flags, cfg->port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->memory_limit,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_END);
    freeaddrinfo(ai);
    if (h.daemon == NULL) {
        snprintf(why, why_len, "cannot listen on %s port %u (in use, or not allowed)",
                 cfg->bind, (unsigned)cfg->port);
        return 1;
    }
    const union MHD_DaemonInfo *const info =
        MHD_get_daemon_info(h.daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info != NULL ? info->port : cfg->port;
    if (pthread_create(&h.watchdog, NULL, watchdog, NULL) == 0) h.watchdog_running = true;
    return 0;
}

void http_stop(void)
{
    if (h.watchdog_running) {
        pthread_mutex_lock(&h.lock);
        pthread_cond_broadcast(&h.wake);
        pthread_mutex_unlock(&h.lock);
        pthread_join(h.watchdog, NULL);
        h.watchdog_running = false;
    }
    if (h.daemon != NULL) MHD_stop_daemon(h.daemon);
    h.daemon = NULL;
    free(h.info);
    free(h.page);
    h.info = NULL;
    h.page = NULL;
}
