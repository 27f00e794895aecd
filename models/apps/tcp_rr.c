/* A request/response application over TCP (see tcp_rr.h), in the manner
 * of netperf's TCP_RR and TCP_CRR tests and of an RPC or HTTP service:
 *
 * - Requests arrive at the client at a rate (Poisson or fixed spacing,
 *   open loop) or, without a rate, back to back on each connection (closed
 *   loop: the next request leaves when the previous response is in).
 * - connections="new": every request gets a connection of its own: SYN,
 *   request, response, then the server closes (HTTP/1.0 style: its FIN
 *   rides on the response's last segment) and the client closes in turn,
 *   so TIME-WAIT stays at the server. connections="persistent": 'conns'
 *   connections are opened at the start and carry one request at a time
 *   each (no pipelining). A request that finds every connection busy
 *   waits at the client, first come first served.
 * - The server reads the whole request, queues it for one of 'workers'
 *   workers (first come first served), holds the worker for a service
 *   time and writes the response.
 *
 * Message boundaries: the server learns each request's length and its
 * response's length from the client element (as a length-prefixed
 * protocol would tell it), so no byte needs to be stored. */
#include <config.h>
#include "models/apps/tcp_rr.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "models/apps/dist.h"
#include "models/transport/tcp_endpoint.h"
#include "models/transport/tcp_flow.h"
#include "net/app.h"
#include "net/tcp.h"
#include "net/wire.h"
#include "stats/histogram.h"
#include "stats/welford.h"

typedef enum {
    RR_NEW,                     /* a connection per request */
    RR_PERSISTENT,              /* a pool of persistent connections */
} RrMode;

/* What both halves share; owned by the client. */
typedef struct {
    RrMode mode;
    uint32_t conns;             /* client connections (slots) */
    double rate;                /* requests per second; 0: closed loop */
    bool poisson;               /* exponential gaps, else fixed */
    VnsDist *req;               /* request size, bytes; owned */
    VnsDist *resp;              /* response size, bytes; owned */
    VnsDist *service;           /* service time, ps; owned; NULL: zero */
    uint32_t workers;
    VnsTime start, stop;        /* requests are issued in [start, stop) */
    uint64_t max_requests;      /* 0: no limit */
    VnsTcpConf tcp;             /* the client's TCP settings */
} RrConf;

typedef struct RrClient RrClient;
typedef struct RrServer RrServer;

/* One client connection. */
typedef struct {
    RrClient *cl;
    VnsTcpConn *c;              /* owned */
    VnsPort *port;
    bool up;                    /* established and not closing */
    bool was_up;                /* the current connection was established */
    bool busy;                  /* a request is outstanding on it */
    bool idle_listed;           /* on the idle stack */
    VnsTime t_connect;          /* the first SYN of the current connection */
    VnsTime t_issue;            /* the current request's arrival */
    uint64_t written;           /* bytes written on this connection */
    uint64_t req_end;           /* where the current request ends in them */
    uint64_t resp_size;         /* the current response's bytes */
    uint64_t resp_got;          /* and how many arrived */
} RrSlot;

struct RrClient {
    VnsElement base;            /* must stay first */
    RrConf conf;
    bool configured;
    char *flow_name;            /* owned */
    RrSlot *slots;              /* conf.conns of them; owned */
    GHashTable *by_port;        /* local port -> slot index + 1; owned */
    uint32_t *idle;             /* stack of slot indices; owned */
    uint32_t n_idle;
    VnsTime *waiting;           /* ring of arrival times; owned */
    uint32_t wait_cap, wait_head, wait_len;
    RrServer *server;           /* borrowed */
    VnsEventId arrival_ev;
    uint64_t issued_total;      /* requests issued since time 0 */
    bool issuing;               /* within [start, stop) and under the limit */
    VnsTcpCounters st;
    VnsHistogram *completion;   /* request completion times, ps; owned */
    VnsHistogram *setup;        /* SYN to ESTABLISHED, ps; owned */
    /* Counters of the measurement window. */
    uint64_t issued, done, failed, connects, connect_failed;
    VnsTime t_reset, t_end;
    bool stopped;
};

/* A server connection; the server keeps a pool of them. */
typedef struct RrSConn RrSConn;
struct RrSConn {
    RrServer *srv;
    VnsTcpConn *c;              /* owned */
    VnsIpAddr raddr;            /* the key in the table: remote address */
    uint16_t rport;             /* and port, host order */
    bool in_table;
    bool queued, in_service;    /* its request waits for, or holds, a worker */
    bool dead;                  /* closed while in service */
    uint64_t rx;                /* request bytes received on it */
    uint64_t served_end;        /* rx at the end of the last request taken */
    uint64_t resp_size;         /* of the queued or served request */
    VnsTime t_ready;            /* its request was complete, ps */
    VnsEventId svc_ev;
    RrSConn *next;              /* next in the worker queue */
};

struct RrServer {
    VnsElement base;            /* must stay first */
    RrClient *client;           /* borrowed */
    VnsPort *port;
    VnsTcpConf tcp;             /* server side */
    VnsTcpConn *listener;       /* answers segments of no connection; owned */
    GHashTable *table;          /* RrSConn* set, by (raddr, rport) */
    GPtrArray *all;             /* every RrSConn, owned */
    GPtrArray *spare;           /* unused ones, borrowed */
    RrSConn *q_head, *q_tail;   /* requests waiting for a worker */
    uint64_t q_len;
    uint32_t busy;              /* workers serving */
    VnsTcpCounters st;
    VnsWelford wait;            /* queueing delay at the server, s */
    uint64_t served;
    uint64_t q_max;
};

static void rr_issue(RrClient *cl, RrSlot *s, VnsTime t_issue);
static void rr_slot_available(RrClient *cl, RrSlot *s);
static void rr_wait_push(RrClient *cl, VnsTime t);

/* ------------------------------------------------------------------ */
/* Client                                                              */

static void
rr_slot_write_request(RrSlot *s)
{
    RrClient *cl = s->cl;
    gsl_rng *rng = vns_element_rng(&cl->base);
    uint64_t req = (uint64_t) vns_dist_sample(cl->conf.req, rng);
    uint64_t resp = (uint64_t) vns_dist_sample(cl->conf.resp, rng);

    s->req_end = s->written + req;
    s->resp_size = resp;
    s->resp_got = 0;
    s->written += req;
    vns_tcp_conn_write(s->c, req);
}

static void
rr_slot_connect(RrSlot *s)
{
    s->t_connect = vns_element_now(&s->cl->base);
    s->written = 0;
    s->up = false;
    s->was_up = false;
    vns_tcp_conn_connect(s->c);
}

/* A request that arrived at 't_issue' starts on slot 's'. */
static void
rr_issue(RrClient *cl, RrSlot *s, VnsTime t_issue)
{
    VnsTcpState st = vns_tcp_conn_state(s->c);

    if (!s->up && st != VNS_TCP_CLOSED && st != VNS_TCP_SYN_SENT) {
        /* The connection is closing: the request waits (first in line,
         * as nothing else waits while a slot is idle) until
         * rr_client_closed() makes the slot available again. */
        rr_wait_push(cl, t_issue);
        return;
    }
    s->busy = true;
    s->t_issue = t_issue;
    if (s->up)
        rr_slot_write_request(s);
    else if (st == VNS_TCP_CLOSED)
        rr_slot_connect(s);
    /* else: SYN-SENT; rr_client_established() writes the request. */
}

static void
rr_wait_push(RrClient *cl, VnsTime t)
{
    if (cl->wait_len == cl->wait_cap) {
        /* Grows only when the backlog reaches a new maximum. */
        uint32_t cap = MAX(16u, cl->wait_cap * 2);
        VnsTime *w = g_new(VnsTime, cap);
        for (uint32_t i = 0; i < cl->wait_len; i++)
            w[i] = cl->waiting[(cl->wait_head + i) % cl->wait_cap];
        g_free(cl->waiting);
        cl->waiting = w;
        cl->wait_cap = cap;
        cl->wait_head = 0;
    }
    cl->waiting[(cl->wait_head + cl->wait_len) % cl->wait_cap] = t;
    cl->wait_len++;
}

static VnsTime
rr_wait_pop(RrClient *cl)
{
    VnsTime t = cl->waiting[cl->wait_head];

    cl->wait_head = (cl->wait_head + 1) % cl->wait_cap;
    cl->wait_len--;
    return t;
}

/* Slot 's' can take a request: a waiting one, the next of the closed
 * loop, or it goes on the idle stack. */
static void
rr_slot_available(RrClient *cl, RrSlot *s)
{
    if (cl->wait_len > 0) {
        rr_issue(cl, s, rr_wait_pop(cl));
        return;
    }
    if (cl->conf.rate == 0 && cl->issuing &&
        vns_element_now(&cl->base) >= cl->conf.start) {
        VnsTime now = vns_element_now(&cl->base);
        if (now < cl->conf.stop &&
            (cl->conf.max_requests == 0 || cl->issued_total < cl->conf.max_requests)) {
            cl->issued_total++;
            cl->issued++;
            rr_issue(cl, s, now);
            return;
        }
        cl->issuing = false;
    }
    if (!s->idle_listed) {
        s->idle_listed = true;
        cl->idle[cl->n_idle++] = (uint32_t) (s - cl->slots);
    }
}

static void
rr_client_established(void *app, VnsTcpConn *c)
{
    RrSlot *s = app;
    RrClient *cl = s->cl;

    vns_histogram_record(cl->setup, (uint64_t) (vns_element_now(&cl->base) - s->t_connect));
    cl->connects++;
    s->up = true;
    s->was_up = true;
    if (s->busy)
        rr_slot_write_request(s);
}

static void
rr_client_received(void *app, VnsTcpConn *c, uint64_t bytes)
{
    RrSlot *s = app;
    RrClient *cl = s->cl;

    if (!s->busy)
        return;
    s->resp_got += bytes;
    if (s->resp_got < s->resp_size)
        return;
    vns_histogram_record(cl->completion,
                         (uint64_t) (vns_element_now(&cl->base) - s->t_issue));
    cl->done++;
    s->busy = false;
    /* A new connection closes after its response; a persistent one takes
     * the next request. */
    if (cl->conf.mode == RR_PERSISTENT)
        rr_slot_available(cl, s);
}

static void
rr_client_eof(void *app, VnsTcpConn *c)
{
    RrSlot *s = app;

    /* The server closed (after the response, or on its own): close too. */
    s->up = false;
    vns_tcp_conn_close(c);
}

static void
rr_client_closed(void *app, VnsTcpConn *c, VnsTcpCloseReason why)
{
    RrSlot *s = app;
    RrClient *cl = s->cl;

    if (!s->was_up)
        cl->connect_failed++;       /* refused or timed out in SYN-SENT */
    s->up = false;
    if (s->busy) {
        /* Reset or timed out with a request outstanding. */
        cl->failed++;
        s->busy = false;
    }
    if (cl->stopped)
        return;
    rr_slot_available(cl, s);
    /* A persistent connection is opened again while requests come. */
    if (cl->conf.mode == RR_PERSISTENT && !s->busy && cl->issuing &&
        vns_tcp_conn_state(s->c) == VNS_TCP_CLOSED)
        rr_slot_connect(s);
}

static const VnsTcpConnCallbacks rr_client_cb = {
    rr_client_established, rr_client_received, rr_client_eof, rr_client_closed,
};

static void rr_arrival_run(VnsSim *sim, void *ctx, void *arg);

static const VnsEventType rr_arrival_type = {
    "tcp-rr-arrival", rr_arrival_run, NULL,
};

/* Schedules the next open-loop arrival after 'now'. */
static void
rr_arrival_next(RrClient *cl, VnsTime now)
{
    double gap_s = cl->conf.poisson
                       ? gsl_ran_exponential(vns_element_rng(&cl->base), 1.0 / cl->conf.rate)
                       : 1.0 / cl->conf.rate;
    VnsTime at = now + MAX((VnsTime) llround(gap_s * (double) VNS_SEC), (VnsTime) 1);

    if (at >= cl->conf.stop) {
        cl->issuing = false;
        return;
    }
    cl->arrival_ev = vns_sim_schedule_at(cl->base.sim, at, &rr_arrival_type, cl, NULL);
}

static void
rr_arrival_run(VnsSim *sim, void *ctx, void *arg)
{
    RrClient *cl = ctx;
    VnsTime now = vns_sim_now(sim);

    cl->arrival_ev = VNS_EVENT_NONE;
    if (!cl->issuing)
        return;
    cl->issued_total++;
    cl->issued++;
    if (cl->n_idle > 0) {
        RrSlot *s = &cl->slots[cl->idle[--cl->n_idle]];
        s->idle_listed = false;
        rr_issue(cl, s, now);
    } else {
        rr_wait_push(cl, now);
    }
    if (cl->conf.max_requests > 0 && cl->issued_total >= cl->conf.max_requests) {
        cl->issuing = false;
        return;
    }
    rr_arrival_next(cl, now);
}

static void rr_start_run(VnsSim *sim, void *ctx, void *arg);

static const VnsEventType rr_start_type = {
    "tcp-rr-start", rr_start_run, NULL,
};

/* At 'start': persistent connections open; the first arrival comes
 * (open loop) or every connection takes a request (closed loop). */
static void
rr_start_run(VnsSim *sim, void *ctx, void *arg)
{
    RrClient *cl = ctx;

    cl->arrival_ev = VNS_EVENT_NONE;
    cl->issuing = true;
    if (cl->conf.rate > 0) {
        for (uint32_t i = 0; i < cl->conf.conns; i++) {
            RrSlot *s = &cl->slots[cl->conf.conns - 1 - i];
            if (cl->conf.mode == RR_PERSISTENT)
                rr_slot_connect(s);
            s->idle_listed = true;
            cl->idle[cl->n_idle++] = cl->conf.conns - 1 - i;
        }
        /* The first request arrives at 'start' itself. */
        cl->arrival_ev = vns_sim_schedule_at(sim, vns_sim_now(sim), &rr_arrival_type,
                                             cl, NULL);
        return;
    }
    for (uint32_t i = 0; i < cl->conf.conns; i++)
        rr_slot_available(cl, &cl->slots[i]);
}

static bool
rr_client_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    RrClient *cl = (RrClient *) self;

    /* Made by the <tcp-rr> builder only. */
    g_assert(cfg == NULL);
    cl->completion = vns_histogram_new(VNS_HISTOGRAM_DEFAULT_BITS, NULL);
    cl->setup = vns_histogram_new(VNS_HISTOGRAM_DEFAULT_BITS, NULL);
    cl->by_port = g_hash_table_new(g_direct_hash, g_direct_equal);
    return true;
}

static bool
rr_client_start(VnsElement *self, GError **error)
{
    RrClient *cl = (RrClient *) self;

    g_assert(cl->configured);
    cl->arrival_ev = vns_sim_schedule_at(self->sim, cl->conf.start, &rr_start_type, cl, NULL);
    return true;
}

static void
rr_client_reset(VnsElement *self)
{
    RrClient *cl = (RrClient *) self;

    cl->t_reset = vns_element_now(self);
    cl->issued = cl->done = cl->failed = cl->connects = cl->connect_failed = 0;
    vns_histogram_reset(cl->completion);
    vns_histogram_reset(cl->setup);
    vns_tcp_counters_reset(&cl->st);
}

static void
rr_client_stop(VnsElement *self)
{
    RrClient *cl = (RrClient *) self;

    vns_sim_cancel(self->sim, cl->arrival_ev);
    cl->arrival_ev = VNS_EVENT_NONE;
    cl->issuing = false;
    cl->stopped = true;
    cl->t_end = vns_element_now(self);
    for (uint32_t i = 0; i < cl->conf.conns; i++)
        vns_tcp_conn_stop(cl->slots[i].c);
}

static double
rr_s(double ps)
{
    return ps / (double) VNS_SEC;
}

static GString *
rr_completion_file(const RrClient *cl)
{
    GString *out = g_string_new(NULL);
    VnsHistogramIter it;
    VnsHistogramBucket b;
    uint64_t n = vns_histogram_count(cl->completion);

    g_string_append_printf(out, "# flow %s (tcp-rr): request completion time histogram\n"
                           "# completion_lo_s completion_hi_s count cumulative_fraction\n",
                           cl->flow_name);
    vns_histogram_iter_init(&it, cl->completion);
    while (vns_histogram_iter_next(&it, &b))
        g_string_append_printf(out, "%.12g %.12g %" G_GUINT64_FORMAT " %.12g\n",
                               rr_s((double) b.lo), rr_s((double) b.hi), b.count,
                               (double) b.cumulative / (double) n);
    return out;
}

static void
rr_client_stats(VnsElement *self, VnsReport *report)
{
    RrClient *cl = (RrClient *) self;
    const RrServer *srv = cl->server;
    VnsTime t_end = cl->stopped ? cl->t_end : vns_element_now(self);
    double window = vns_time_to_s(t_end - cl->t_reset);
    bool have = vns_histogram_count(cl->completion) > 0;
    bool have_setup = vns_histogram_count(cl->setup) > 0;
    g_autofree char *file = g_strdup_printf("completion-%s.dat", cl->flow_name);

    vns_report_row(report, "flows", cl->flow_name);
    vns_report_str(report, "cc", cl->conf.tcp.cc->name);
    vns_report_str(report, "connections", cl->conf.mode == RR_NEW ? "new" : "persistent");
    vns_report_int(report, "requests_issued", (int64_t) cl->issued);
    vns_report_int(report, "requests_done", (int64_t) cl->done);
    vns_report_int(report, "requests_failed", (int64_t) cl->failed);
    vns_report_int(report, "requests_waiting", (int64_t) cl->wait_len);
    vns_report_num(report, "requests_per_s", window > 0 ? (double) cl->done / window : NAN);
    vns_report_num(report, "completion_mean_s",
                   have ? rr_s(vns_histogram_mean(cl->completion)) : NAN);
    vns_report_num(report, "completion_p50_s",
                   have ? rr_s(vns_histogram_quantile(cl->completion, 0.5)) : NAN);
    vns_report_num(report, "completion_p99_s",
                   have ? rr_s(vns_histogram_quantile(cl->completion, 0.99)) : NAN);
    vns_report_num(report, "completion_p999_s",
                   have ? rr_s(vns_histogram_quantile(cl->completion, 0.999)) : NAN);
    vns_report_num(report, "completion_max_s",
                   have ? rr_s((double) vns_histogram_max(cl->completion)) : NAN);
    vns_report_int(report, "connects", (int64_t) cl->connects);
    vns_report_int(report, "connects_failed", (int64_t) cl->connect_failed);
    vns_report_num(report, "setup_mean_s",
                   have_setup ? rr_s(vns_histogram_mean(cl->setup)) : NAN);
    vns_report_num(report, "setup_p50_s",
                   have_setup ? rr_s(vns_histogram_quantile(cl->setup, 0.5)) : NAN);
    vns_report_num(report, "setup_p99_s",
                   have_setup ? rr_s(vns_histogram_quantile(cl->setup, 0.99)) : NAN);
    vns_report_num(report, "server_wait_mean_s", vns_welford_count(&srv->wait) > 0
                       ? vns_welford_mean(&srv->wait) : NAN);
    vns_report_int(report, "server_served", (int64_t) srv->served);
    vns_report_int(report, "server_queue_max", (int64_t) srv->q_max);
    vns_report_int(report, "server_connections", (int64_t) srv->all->len);
    vns_tcp_counters_report(&cl->st, report);
    vns_report_int(report, "server_retransmissions", (int64_t) srv->st.retransmits);
    vns_report_int(report, "server_timeouts", (int64_t) srv->st.timeouts);
    vns_report_file(report, file, rr_completion_file(cl));
}

static void
rr_client_free(VnsElement *self)
{
    RrClient *cl = (RrClient *) self;

    if (cl->slots != NULL) {
        for (uint32_t i = 0; i < cl->conf.conns; i++)
            vns_tcp_conn_free(cl->slots[i].c);
    }
    g_free(cl->slots);
    g_free(cl->idle);
    g_free(cl->waiting);
    g_free(cl->flow_name);
    g_hash_table_destroy(cl->by_port);
    vns_histogram_free(cl->completion);
    vns_histogram_free(cl->setup);
    vns_dist_free(cl->conf.req);
    vns_dist_free(cl->conf.resp);
    vns_dist_free(cl->conf.service);
}

static void
rr_client_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    RrClient *cl = (RrClient *) self;

    g_assert(port < cl->conf.conns);
    vns_tcp_conn_input(cl->slots[port].c, pkt);
}

const VnsElementOps vns_tcp_rr_client_ops = {
    .type = "tcp-rr-client",
    .instance_size = sizeof(RrClient),
    .create = rr_client_create,
    .start = rr_client_start,
    .receive = rr_client_receive,
    .reset = rr_client_reset,
    .stop = rr_client_stop,
    .stats = rr_client_stats,
    .free = rr_client_free,
};

/* ------------------------------------------------------------------ */
/* Server                                                              */

static guint
rr_key_hash(gconstpointer p)
{
    const RrSConn *k = p;
    guint h = k->rport * 2654435761u;

    if (k->raddr.family == VNS_IP_V4)
        return h ^ k->raddr.v4;
    for (int i = 0; i < 16; i += 4)
        h = h * 31u + vns_wire_get32(k->raddr.v6.b + i);
    return h;
}

static gboolean
rr_key_equal(gconstpointer a, gconstpointer b)
{
    const RrSConn *x = a, *y = b;

    return x->rport == y->rport && vns_ip_addr_equal(&x->raddr, &y->raddr);
}

static void rr_service_run(VnsSim *sim, void *ctx, void *arg);

static const VnsEventType rr_service_type = {
    "tcp-rr-service", rr_service_run, NULL,
};

/* A worker takes the request of 'sc'. */
static void
rr_serve(RrServer *srv, RrSConn *sc)
{
    VnsTime now = vns_element_now(&srv->base);
    const RrConf *conf = &srv->client->conf;
    VnsTime svc = conf->service != NULL
                      ? (VnsTime) llround(vns_dist_sample(conf->service,
                                                          vns_element_rng(&srv->base)))
                      : 0;

    srv->busy++;
    sc->in_service = true;
    vns_welford_add(&srv->wait, vns_time_to_s(now - sc->t_ready));
    sc->svc_ev = vns_sim_schedule_at(srv->base.sim, now + MAX(svc, (VnsTime) 0),
                                     &rr_service_type, sc, NULL);
}

static void
rr_spare(RrServer *srv, RrSConn *sc)
{
    sc->dead = false;
    g_ptr_array_add(srv->spare, sc);
}

/* The next waiting request, if a worker is free. */
static void
rr_dispatch(RrServer *srv)
{
    while (srv->q_head != NULL && srv->busy < srv->client->conf.workers) {
        RrSConn *sc = srv->q_head;
        srv->q_head = sc->next;
        if (srv->q_head == NULL)
            srv->q_tail = NULL;
        sc->next = NULL;
        sc->queued = false;
        srv->q_len--;
        rr_serve(srv, sc);
    }
}

static void
rr_service_run(VnsSim *sim, void *ctx, void *arg)
{
    RrSConn *sc = ctx;
    RrServer *srv = sc->srv;

    sc->svc_ev = VNS_EVENT_NONE;
    sc->in_service = false;
    srv->busy--;
    srv->served++;
    if (sc->dead) {
        rr_spare(srv, sc);
    } else {
        vns_tcp_conn_write(sc->c, sc->resp_size);
        if (srv->client->conf.mode == RR_NEW ||
            vns_tcp_conn_state(sc->c) == VNS_TCP_CLOSE_WAIT)
            vns_tcp_conn_close(sc->c);
    }
    rr_dispatch(srv);
}

static void
rr_server_received(void *app, VnsTcpConn *c, uint64_t bytes)
{
    RrSConn *sc = app;
    RrServer *srv = sc->srv;
    RrClient *cl = srv->client;
    gpointer v = g_hash_table_lookup(cl->by_port, GUINT_TO_POINTER(sc->rport));
    const RrSlot *s;

    sc->rx += bytes;
    if (v == NULL || sc->queued || sc->in_service)
        return;
    s = &cl->slots[GPOINTER_TO_UINT(v) - 1];
    /* The client's current request on this connection is complete. */
    if (!s->busy || s->req_end <= sc->served_end || sc->rx < s->req_end)
        return;
    sc->served_end = s->req_end;
    sc->resp_size = s->resp_size;
    sc->t_ready = vns_element_now(&srv->base);
    sc->queued = true;
    if (srv->q_tail != NULL)
        srv->q_tail->next = sc;
    else
        srv->q_head = sc;
    srv->q_tail = sc;
    srv->q_len++;
    srv->q_max = MAX(srv->q_max, srv->q_len);
    rr_dispatch(srv);
}

static void
rr_server_eof(void *app, VnsTcpConn *c)
{
    /* The client closed: close our side too (after a response being
     * served, if any: the FIN follows what is written). */
    RrSConn *sc = app;

    if (!sc->in_service && !sc->queued)
        vns_tcp_conn_close(c);
}

static void
rr_server_closed(void *app, VnsTcpConn *c, VnsTcpCloseReason why)
{
    RrSConn *sc = app;
    RrServer *srv = sc->srv;

    if (sc->in_table) {
        g_hash_table_remove(srv->table, sc);
        sc->in_table = false;
    }
    if (sc->queued) {
        RrSConn **p = &srv->q_head, *prev = NULL;
        while (*p != sc) {
            prev = *p;
            p = &(*p)->next;
        }
        *p = sc->next;
        if (srv->q_tail == sc)
            srv->q_tail = prev;
        sc->next = NULL;
        sc->queued = false;
        srv->q_len--;
    }
    if (sc->in_service) {
        sc->dead = true;        /* back to the pool when the service ends */
        return;
    }
    rr_spare(srv, sc);
}

static const VnsTcpConnCallbacks rr_server_cb = {
    NULL, rr_server_received, rr_server_eof, rr_server_closed,
};

/* A spare connection object, or a new one when all are in use (the pool
 * grows to the largest number of simultaneous connections, TIME-WAIT
 * included, then stays). */
static RrSConn *
rr_server_take(RrServer *srv)
{
    RrSConn *sc;

    if (srv->spare->len > 0)
        return g_ptr_array_remove_index(srv->spare, srv->spare->len - 1);
    sc = g_new0(RrSConn, 1);
    sc->srv = srv;
    sc->c = vns_tcp_conn_new(&srv->base, srv->port, &srv->tcp, &srv->st, &rr_server_cb, sc);
    g_ptr_array_add(srv->all, sc);
    return sc;
}

static void
rr_server_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    RrServer *srv = (RrServer *) self;
    const VnsFlowKey *k = vns_packet_parse_l3(pkt);
    RrSConn key = { 0 }, *sc;
    bool icmp = k->proto == VNS_IPPROTO_ICMP || k->proto == VNS_IPPROTO_ICMPV6;
    bool syn;

    if (k->family == VNS_IP_NONE || pkt->l4_off == VNS_OFF_NONE ||
        (k->proto != VNS_IPPROTO_TCP && !icmp)) {
        vns_packet_free(pkt);
        return;
    }
    if (icmp) {
        /* An error about one of our segments: the quoted packet's
         * destination is the connection's peer. */
        VnsFlowKey q;
        VnsFlowOffsets qo;
        const uint8_t *d = vns_packet_data(pkt);
        uint32_t at = (uint32_t) pkt->l4_off + 8;
        if (at >= pkt->len || !vns_flow_key_parse_ip(&q, &qo, d + at, pkt->len - at)) {
            vns_packet_free(pkt);
            return;
        }
        key.raddr = q.dst;
        key.rport = q.dport;
    } else {
        key.raddr = k->src;
        key.rport = k->sport;
    }
    sc = g_hash_table_lookup(srv->table, &key);
    syn = !icmp && (k->tcp_flags & (VNS_TCP_SYN | VNS_TCP_ACK)) == VNS_TCP_SYN;
    if (sc != NULL && syn && vns_tcp_conn_state(sc->c) == VNS_TCP_TIME_WAIT) {
        /* A new SYN for a four-tuple in TIME-WAIT starts a new connection
         * (RFC 9293 section 3.10.7.4 allows it; Linux's
         * tcp_timewait_state_process() accepts it). */
        vns_tcp_conn_abort(sc->c);
        sc = NULL;
    }
    if (sc == NULL && syn) {
        sc = rr_server_take(srv);
        sc->raddr = key.raddr;
        sc->rport = key.rport;
        sc->rx = sc->served_end = 0;
        sc->in_table = true;
        g_hash_table_add(srv->table, sc);
    }
    if (sc == NULL) {
        if (icmp)
            vns_packet_free(pkt);
        else
            vns_tcp_conn_input(srv->listener, pkt);     /* RST */
        return;
    }
    vns_tcp_conn_input(sc->c, pkt);
}

static bool
rr_server_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    RrServer *srv = (RrServer *) self;

    g_assert(cfg == NULL);
    srv->table = g_hash_table_new(rr_key_hash, rr_key_equal);
    srv->all = g_ptr_array_new();
    srv->spare = g_ptr_array_new();
    vns_welford_init(&srv->wait);
    return true;
}

static void
rr_server_reset(VnsElement *self)
{
    RrServer *srv = (RrServer *) self;

    vns_welford_init(&srv->wait);
    srv->served = 0;
    srv->q_max = srv->q_len;
    vns_tcp_counters_reset(&srv->st);
}

static void
rr_server_stop(VnsElement *self)
{
    RrServer *srv = (RrServer *) self;

    for (guint i = 0; i < srv->all->len; i++) {
        RrSConn *sc = srv->all->pdata[i];
        vns_sim_cancel(self->sim, sc->svc_ev);
        sc->svc_ev = VNS_EVENT_NONE;
        vns_tcp_conn_stop(sc->c);
    }
    if (srv->listener != NULL)
        vns_tcp_conn_stop(srv->listener);
}

static void
rr_server_free(VnsElement *self)
{
    RrServer *srv = (RrServer *) self;

    for (guint i = 0; i < srv->all->len; i++) {
        RrSConn *sc = srv->all->pdata[i];
        vns_tcp_conn_free(sc->c);
        g_free(sc);
    }
    vns_tcp_conn_free(srv->listener);
    g_ptr_array_free(srv->all, TRUE);
    g_ptr_array_free(srv->spare, TRUE);
    g_hash_table_destroy(srv->table);
}

const VnsElementOps vns_tcp_rr_server_ops = {
    .type = "tcp-rr-server",
    .instance_size = sizeof(RrServer),
    .create = rr_server_create,
    .receive = rr_server_receive,
    .reset = rr_server_reset,
    .stop = rr_server_stop,
    .free = rr_server_free,
};

/* ------------------------------------------------------------------ */
/* The builder                                                         */

static const VnsAttrSpec tcp_rr_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The application's name: its row in the 'flows' table, its elements "
      "NAME.client and NAME.server, and the file completion-NAME.dat." },
    { "from", VNS_ATTR_STRING, true, NULL, NULL,
      "The client's host, 'host' or 'host:interface'." },
    { "to", VNS_ATTR_STRING, true, NULL, NULL,
      "The server: 'host', 'host:interface', or an IP address one of the "
      "topology's hosts owns." },
    { "family", VNS_ATTR_ENUM, false, "ipv4", NULL,
      "IP version. Default ipv4, or the family of 'to' when it is an "
      "address.", "ipv4|ipv6" },
    { "dport", VNS_ATTR_UINT, true, NULL, NULL,
      "The server's TCP port.", NULL, 1, 65535 },
    { "connections", VNS_ATTR_ENUM, false, "persistent", NULL,
      "persistent: 'conns' connections opened at 'start' carry the "
      "requests, one at a time each (netperf TCP_RR); new: a connection per "
      "request, closed by the server after its response (netperf TCP_CRR, "
      "HTTP/1.0).", "persistent|new" },
    { "conns", VNS_ATTR_UINT, false, "1", NULL,
      "Client connections: the pool (persistent), or the most connections "
      "open at once (new); each has its own ephemeral port. A request that "
      "finds none free waits at the client.", NULL, 1, 4096 },
    { "rate", VNS_ATTR_DOUBLE, false, NULL, "requests/s",
      "Open loop: requests arrive at this mean rate. Default: closed loop, "
      "each connection sends its next request when the previous response "
      "is in." },
    { "arrival", VNS_ATTR_ENUM, false, "poisson", NULL,
      "With 'rate': exponential gaps (a Poisson process) or fixed ones.",
      "poisson|fixed" },
    { "request", VNS_ATTR_STRING, false, "100", "bytes",
      "Request size: 'N', 'uniform:MIN:MAX', 'exp:MEAN[:MAX]' (rounded up "
      "to whole bytes) or 'empirical:SIZE:WEIGHT,...'. Default 100 bytes." },
    { "response", VNS_ATTR_STRING, false, "1000", "bytes",
      "Response size, as 'request'. Default 1000 bytes." },
    { "service", VNS_ATTR_STRING, false, "0s", NULL,
      "Service time per request: a duration, 'exp:MEAN', "
      "'pareto:MEAN:SHAPE' or 'uniform:MIN:MAX'. Default 0s." },
    { "workers", VNS_ATTR_UINT, false, "1", NULL,
      "Server workers; a complete request waits for a free one (first "
      "come, first served).", NULL, 1, 1000000 },
    { "start", VNS_ATTR_TIME, false, "0s", NULL,
      "When the client opens its connections and issues the first request." },
    { "stop", VNS_ATTR_TIME, false, NULL, NULL,
      "No request is issued from then on. Default: the end of the run." },
    { "requests", VNS_ATTR_UINT, false, NULL, NULL,
      "Issue at most this many requests. Default: no limit.", NULL, 1,
      UINT64_MAX },
    VNS_TCP_COMMON_ATTRS
    { NULL }
};

static const VnsSpec tcp_rr_spec = {
    "tcp-rr", "A request/response application over TCP: a client issues "
    "requests on new or persistent connections, a server with workers "
    "serves each for a service time and answers.",
    tcp_rr_attrs, NULL, false,
};

/* Reads a size distribution: "N", "uniform:MIN:MAX", "exp:MEAN[:MAX]" or
 * "empirical:SIZE:WEIGHT,...". */
static VnsDist *
rr_parse_size(const VnsConfig *cfg, const char *attr, GError **error)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) p = NULL;
    guint n;
    char *end = NULL;
    double a, b;

    if (!vns_config_string(cfg, attr, &text, error))
        return NULL;
    if (g_str_has_prefix(text, "empirical:")) {
        GError *local = NULL;
        VnsDist *d = vns_dist_new_empirical(text + strlen("empirical:"), 1,
                                            (double) UINT32_MAX, &local);
        if (d == NULL) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<tcp-rr> '%s': %s", attr, local->message);
            g_error_free(local);
        }
        return d;
    }
    p = g_strsplit(text, ":", -1);
    n = g_strv_length(p);
    a = n >= 1 ? g_ascii_strtod(p[n == 1 ? 0 : 1], &end) : NAN;
    if (n >= 1 && end != NULL && *end == '\0' && isfinite(a) && a >= 1) {
        if (n == 1 && a == floor(a))
            return vns_dist_new(VNS_DIST_FIXED, a, 0);
        if (n == 3 && strcmp(p[0], "uniform") == 0 && a == floor(a)) {
            b = g_ascii_strtod(p[2], &end);
            if (*end == '\0' && b == floor(b) && b >= a)
                return vns_dist_new(VNS_DIST_UNIFORM_INT, a, b);
        }
        if ((n == 2 || n == 3) && strcmp(p[0], "exp") == 0) {
            b = n == 3 ? g_ascii_strtod(p[2], &end) : (double) UINT32_MAX;
            if (*end == '\0' && b == floor(b) && b >= 1)
                return vns_dist_new(VNS_DIST_EXP_INT, a, b);
        }
    }
    vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                     "<tcp-rr> '%s' is '%s', expected a size in bytes (at "
                     "least 1), 'uniform:MIN:MAX', 'exp:MEAN[:MAX]' or "
                     "'empirical:SIZE:WEIGHT,...'", attr, text);
    return NULL;
}

static bool
rr_read(const VnsConfig *cfg, RrConf *conf, GError **error)
{
    g_autofree char *service = NULL;
    int mode = 0, arrival = 0;
    uint64_t conns, workers;
    VnsTime zero;

    if (!vns_config_enum(cfg, "connections", &mode, error) ||
        !vns_config_uint(cfg, "conns", &conns, error) ||
        !vns_config_enum(cfg, "arrival", &arrival, error) ||
        !vns_config_uint(cfg, "workers", &workers, error) ||
        !vns_config_time(cfg, "start", &conf->start, error) ||
        !vns_config_string(cfg, "service", &service, error))
        return false;
    conf->mode = mode == 0 ? RR_PERSISTENT : RR_NEW;
    conf->conns = (uint32_t) conns;
    conf->workers = (uint32_t) workers;
    conf->poisson = arrival == 0;
    conf->stop = VNS_TIME_NEVER;
    if (vns_config_has(cfg, "rate")) {
        if (!vns_config_double(cfg, "rate", &conf->rate, error))
            return false;
        if (!(conf->rate > 0) || !isfinite(conf->rate)) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<tcp-rr> 'rate' is %g, expected a positive "
                             "number of requests per second", conf->rate);
            return false;
        }
    } else if (conf->mode == RR_NEW) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                         "<tcp-rr connections=\"new\"> lacks 'rate', expected "
                         "a request rate (the closed loop needs persistent "
                         "connections)");
        return false;
    }
    if (vns_config_has(cfg, "stop")) {
        if (!vns_config_time(cfg, "stop", &conf->stop, error) ||
            !vns_app_check_window(cfg, conf->start, conf->stop, error))
            return false;
    }
    if (vns_config_has(cfg, "requests") &&
        !vns_config_uint(cfg, "requests", &conf->max_requests, error))
        return false;
    conf->req = rr_parse_size(cfg, "request", error);
    if (conf->req == NULL)
        return false;
    conf->resp = rr_parse_size(cfg, "response", error);
    if (conf->resp == NULL)
        return false;
    if (!vns_time_parse(service, &zero, NULL) || zero != 0) {
        GError *local = NULL;
        conf->service = vns_dist_parse_period(service, &local);
        if (conf->service == NULL) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<tcp-rr> 'service': %s", local->message);
            g_error_free(local);
            return false;
        }
    }
    return true;
}

static bool
tcp_rr_build(VnsNet *net, const VnsConfig *cfg, GError **error)
{
    g_autofree char *name = NULL, *cname = NULL, *sname = NULL;
    VnsElement *src_host = NULL, *dst_host = NULL;
    RrClient *cl;
    RrServer *srv;
    RrConf conf = { 0 };

    if (!vns_config_string(cfg, "name", &name, error))
        return false;
    for (uint32_t id = 1; id <= vns_net_n_flows(net); id++) {
        if (strcmp(vns_net_flow_name(net, id), name) == 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                             "<tcp-rr> name '%s' is already used by another "
                             "flow, expected unique flow names", name);
            return false;
        }
    }
    if (!vns_tcp_app_read(net, cfg, &conf.tcp, &src_host, &dst_host, error))
        return false;
    cname = g_strdup_printf("%s.client", name);
    sname = g_strdup_printf("%s.server", name);
    cl = (RrClient *) vns_app_add(net, cfg, &vns_tcp_rr_client_ops, cname, error);
    if (cl == NULL)
        return false;
    if (!rr_read(cfg, &conf, error)) {
        vns_dist_free(conf.req);
        vns_dist_free(conf.resp);
        vns_dist_free(conf.service);
        return false;
    }
    /* The client owns the distributions from here on. */
    cl->conf = conf;
    cl->configured = true;
    cl->flow_name = g_strdup(name);
    conf.tcp.flow_id = vns_net_flow_register(net, name);
    conf.tcp.trace_interval = VNS_MS;
    conf.tcp.stop = VNS_TIME_NEVER;
    cl->conf.tcp = conf.tcp;
    srv = (RrServer *) vns_app_add(net, cfg, &vns_tcp_rr_server_ops, sname, error);
    if (srv == NULL)
        return false;
    cl->server = srv;
    srv->client = cl;
    srv->tcp = conf.tcp;
    srv->tcp.server = true;
    srv->tcp.lport = conf.tcp.rport;
    srv->tcp.rport = 0;
    srv->port = vns_element_add_port(&srv->base, "app");
    srv->port->info.l4_proto = VNS_IPPROTO_TCP;
    srv->port->info.l4_port = srv->tcp.lport;
    srv->listener = vns_tcp_conn_new(&srv->base, srv->port, &srv->tcp, &srv->st,
                                     NULL, NULL);
    if (!vns_app_attach(cfg, dst_host, srv->port, error))
        return false;
    cl->slots = g_new0(RrSlot, conf.conns);
    cl->idle = g_new0(uint32_t, conf.conns);
    for (uint32_t i = 0; i < conf.conns; i++) {
        RrSlot *s = &cl->slots[i];
        g_autofree char *pn = g_strdup_printf("app%u", i);
        g_autofree char *hn = g_strdup_printf("%s/%u", cname, i);
        VnsTcpConf tc = cl->conf.tcp;
        tc.lport = vns_app_ephemeral_port(src_host, VNS_IPPROTO_TCP, 0,
                                          vns_element_rng(&cl->base));
        if (tc.lport == 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                             "<tcp-rr> every ephemeral port of '%s' is bound, "
                             "expected %u free ones", src_host->name, conf.conns);
            return false;
        }
        s->cl = cl;
        s->port = vns_element_add_port(&cl->base, pn);
        s->port->info.l4_proto = VNS_IPPROTO_TCP;
        s->port->info.l4_port = tc.lport;
        s->c = vns_tcp_conn_new(&cl->base, s->port, &tc, &cl->st, &rr_client_cb, s);
        g_hash_table_insert(cl->by_port, GUINT_TO_POINTER(tc.lport),
                            GUINT_TO_POINTER(i + 1));
        if (!vns_app_attach_named(cfg, src_host, s->port, hn, error))
            return false;
    }
    return true;
}

const VnsBuilder vns_tcp_rr_builder = {
    "tcp-rr", &tcp_rr_spec, tcp_rr_build,
};
