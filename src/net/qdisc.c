/* Queue disciplines: drop-tail, CoDel (RFC 8289) and RED (Floyd and
 * Jacobson 1993) over one intrusive FIFO of packets (see qdisc.h). */
#include <config.h>
#include "net/qdisc.h"

#include <math.h>
#include "stats/time_avg.h"
#include "stats/welford.h"

struct VnsQdisc {
    VnsQdiscParams p;
    VnsPacket *head;            /* oldest packet, NULL when empty */
    VnsPacket *tail;            /* newest packet */
    uint32_t n_packets;         /* packets queued */
    uint64_t n_bytes;           /* bytes queued (vns_packet_size, no FCS) */
    VnsQdiscDropFn drop;        /* records drops made at dequeue and purges */
    void *drop_ctx;
    gsl_rng *rng;               /* RED's coin, borrowed; NULL for other kinds */

    /* CoDel state, the members of RFC 8289 section 5.2. */
    VnsTime first_above_time;   /* when the sojourn will have been above
                                 * target for an interval; 0 = below */
    VnsTime drop_next;          /* time of the next drop in dropping state */
    uint32_t count;             /* drops since entering dropping state */
    uint32_t lastcount;         /* count when dropping state was last entered */
    bool dropping;              /* in dropping state */

    /* RED state (Floyd and Jacobson 1993, section 4 and figure 2). */
    double red_avg;             /* average queue length, packets */
    int64_t red_count;          /* unmarked arrivals since the last drop */
    bool red_idle;              /* the transmitter found the queue empty */
    VnsTime red_idle_since;     /* when it did */

    /* Measurements since creation or the last reset. */
    VnsTimeAvg len_packets;
    VnsTimeAvg len_bytes;
    VnsWelford sojourn_ps;      /* enqueue to dequeue, ps */
    uint64_t enqueued, dequeued, drops_full, drops_aqm, drops_purged;
};

/* The <queue> element. Defaults live here only; the link, and later switch
 * and bridge ports, take this spec as their <queue> child. */
static const VnsAttrSpec qdisc_attrs[] = {
    { "type", VNS_ATTR_ENUM, false, "droptail", NULL,
      "The discipline: droptail (FIFO, refuses arrivals beyond 'limit'), "
      "codel (RFC 8289) or red (Floyd and Jacobson 1993); default droptail, "
      "the FIFO behaviour of Linux's default pfifo_fast.",
      "droptail|codel|red", 0, 0 },
    { "limit", VNS_ATTR_UINT, false, "1000", "packets or bytes",
      "Hard limit of the queue (the frame being transmitted not counted), in "
      "'unit'; default 1000 packets, Linux's DEFAULT_TX_QUEUE_LEN "
      "(txqueuelen) and the default limit of its codel qdisc; required "
      "with unit='bytes'.",
      NULL, 1, UINT64_MAX },
    { "unit", VNS_ATTR_ENUM, false, "packets", NULL,
      "What 'limit' counts: packets (like Linux pfifo) or bytes of frames "
      "without FCS (like Linux bfifo); default packets, as txqueuelen.",
      "packets|bytes", 0, 0 },
    { "target", VNS_ATTR_TIME, false, "5ms", "s",
      "CoDel only: the acceptable standing sojourn time; default 5 ms, "
      "RFC 8289 section 4.3.",
      NULL, 0, 0 },
    { "interval", VNS_ATTR_TIME, false, "100ms", "s",
      "CoDel only: how long the sojourn must stay above target before "
      "dropping, and the base of the drop spacing interval/sqrt(count); "
      "default 100 ms, RFC 8289 section 4.2.",
      NULL, 0, 0 },
    { "min_th", VNS_ATTR_DOUBLE, false, "5", "packets",
      "RED only: average queue length where early drops begin; default 5 "
      "packets, Floyd, 'RED: Discussions of Setting Parameters' (1997).",
      NULL, 0, 0 },
    { "max_th", VNS_ATTR_DOUBLE, false, "15", "packets",
      "RED only: average queue length where the drop probability reaches "
      "max_p; default 15 packets, three times min_th as Floyd (1997) "
      "recommends.",
      NULL, 0, 0 },
    { "max_p", VNS_ATTR_DOUBLE, false, "0.1", NULL,
      "RED only: drop probability at max_th, in (0, 1]; default 0.1, "
      "Floyd (1997).",
      NULL, 0, 0 },
    { "w_q", VNS_ATTR_DOUBLE, false, "0.002", NULL,
      "RED only: weight of each arrival in the average queue length, in "
      "(0, 1]; default 0.002, Floyd and Jacobson (1993) section 10 and "
      "Floyd (1997).",
      NULL, 0, 0 },
    { "gentle", VNS_ATTR_BOOL, false, "true", NULL,
      "RED only: between max_th and 2 max_th the drop probability rises "
      "from max_p to 1 instead of jumping to 1; default true, as Floyd "
      "recommends ('Recommendation on using the gentle_ variant of RED', "
      "2000).",
      NULL, 0, 0 },
    { NULL }
};

const VnsSpec vns_qdisc_spec = {
    .element = "queue",
    .doc = "The queue discipline in front of a transmitter.",
    .attrs = qdisc_attrs,
    .children = NULL,
    .has_text = false,
};

static const char *const qdisc_codel_attrs[] = { "target", "interval", NULL };
static const char *const qdisc_red_attrs[] = {
    "min_th", "max_th", "max_p", "w_q", "gentle", NULL
};

/*
 * vns_qdisc_kind_name:
 * Returns the <queue> 'type' name of 'kind' ("droptail", "codel", "red").
 */
const char *
vns_qdisc_kind_name(VnsQdiscKind kind)
{
    static const char *const names[] = { "droptail", "codel", "red" };

    g_return_val_if_fail((unsigned) kind < G_N_ELEMENTS(names), "?");
    return names[kind];
}

/* Refuses attributes of another discipline, which would otherwise be
 * silently ignored. */
static bool
qdisc_check_unused(const VnsConfig *cfg, VnsQdiscKind kind,
                   const char *const *attrs, VnsQdiscKind owner,
                   GError **error)
{
    if (kind == owner)
        return true;
    for (size_t i = 0; attrs[i] != NULL; i++) {
        if (vns_config_has(cfg, attrs[i])) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                             "<queue> '%s' applies to type='%s' only, but "
                             "type is '%s'", attrs[i],
                             vns_qdisc_kind_name(owner),
                             vns_qdisc_kind_name(kind));
            return false;
        }
    }
    return true;
}

/* Reads the CoDel members; both times must be positive. */
static bool
qdisc_read_codel(const VnsConfig *cfg, VnsQdiscParams *out, GError **error)
{
    if (!vns_config_time(cfg, "target", &out->target_ps, error) ||
        !vns_config_time(cfg, "interval", &out->interval_ps, error))
        return false;
    if (out->target_ps <= 0 || out->interval_ps <= 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<queue> '%s' is zero, expected a positive duration",
                         out->target_ps <= 0 ? "target" : "interval");
        return false;
    }
    return true;
}

/* Reads the RED members and checks 0 <= min_th < max_th, max_p and w_q in
 * (0, 1]. */
static bool
qdisc_read_red(const VnsConfig *cfg, VnsQdiscParams *out, GError **error)
{
    if (!vns_config_double(cfg, "min_th", &out->min_th, error) ||
        !vns_config_double(cfg, "max_th", &out->max_th, error) ||
        !vns_config_double(cfg, "max_p", &out->max_p, error) ||
        !vns_config_double(cfg, "w_q", &out->w_q, error) ||
        !vns_config_bool(cfg, "gentle", &out->gentle, error))
        return false;
    if (!(out->min_th >= 0.0 && out->min_th < out->max_th)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<queue> thresholds are min_th=%g, max_th=%g, "
                         "expected 0 <= min_th < max_th", out->min_th,
                         out->max_th);
        return false;
    }
    if (!(out->max_p > 0.0 && out->max_p <= 1.0)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<queue> 'max_p' is %g, expected a probability in "
                         "(0, 1]", out->max_p);
        return false;
    }
    if (!(out->w_q > 0.0 && out->w_q <= 1.0)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<queue> 'w_q' is %g, expected a weight in (0, 1]",
                         out->w_q);
        return false;
    }
    return true;
}

static bool
qdisc_read(const VnsConfig *cfg, VnsQdiscParams *out, GError **error)
{
    int kind, unit;

    if (!vns_config_enum(cfg, "type", &kind, error) ||
        !vns_config_enum(cfg, "unit", &unit, error))
        return false;
    out->kind = (VnsQdiscKind) kind;
    out->unit = (VnsQdiscUnit) unit;
    if (out->unit == VNS_QDISC_UNIT_BYTES && !vns_config_has(cfg, "limit")) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                         "<queue unit='bytes'> lacks 'limit', expected a "
                         "limit in bytes (the default 1000 counts packets)");
        return false;
    }
    if (!vns_config_uint(cfg, "limit", &out->limit, error))
        return false;
    if (!qdisc_check_unused(cfg, out->kind, qdisc_codel_attrs,
                            VNS_QDISC_CODEL, error) ||
        !qdisc_check_unused(cfg, out->kind, qdisc_red_attrs, VNS_QDISC_RED,
                            error))
        return false;
    /* Every member is filled, whatever the kind, so a copy of the params
     * is complete; only the kind's own are checked. */
    return qdisc_read_codel(cfg, out, error) &&
           qdisc_read_red(cfg, out, error);
}

/*
 * vns_qdisc_params_from_config:
 * Fills 'out' from a <queue> element seen through vns_qdisc_spec, or with
 * the spec's defaults when 'cfg' is NULL. Errors start with "file:line:".
 * The owner still sets max_packet_size and red_idle_tx_ps, which depend on
 * its MTU and rate. Returns false with 'error' set on a bad value.
 */
bool
vns_qdisc_params_from_config(const VnsConfig *cfg, VnsQdiscParams *out,
                             GError **error)
{
    bool ok;

    *out = (VnsQdiscParams) { 0 };
    if (cfg != NULL)
        return qdisc_read(cfg, out, error);
    /* The defaults are read through an empty <queue/>, so they come from
     * the spec table and nowhere else. */
    xmlNode *node = xmlNewNode(NULL, (const xmlChar *) "queue");
    VnsConfig *defaults = vns_config_new("(defaults)", node,
                                         &vns_qdisc_spec, NULL);
    ok = qdisc_read(defaults, out, error);
    vns_config_free(defaults);
    xmlFreeNode(node);
    return ok;
}

/*
 * vns_qdisc_new:
 * Creates an empty queue from 'params' (copied; must be valid, as
 * vns_qdisc_params_from_config() leaves them). 'drop' (required) records
 * and takes the packets the queue drops by itself, with 'drop_ctx'. 'rng'
 * (borrowed; required for RED, else may be NULL) draws RED's coin. 'now'
 * starts the measurement window. Returns an owned queue.
 */
VnsQdisc *
vns_qdisc_new(const VnsQdiscParams *params, VnsQdiscDropFn drop,
              void *drop_ctx, gsl_rng *rng, VnsTime now)
{
    VnsQdisc *q;

    g_return_val_if_fail(params != NULL && drop != NULL, NULL);
    g_return_val_if_fail(params->limit > 0, NULL);
    g_return_val_if_fail(params->kind != VNS_QDISC_CODEL ||
                         (params->target_ps > 0 && params->interval_ps > 0),
                         NULL);
    g_return_val_if_fail(params->kind != VNS_QDISC_RED ||
                         (rng != NULL && params->min_th < params->max_th &&
                          params->w_q > 0.0 && params->w_q <= 1.0), NULL);
    q = g_new0(VnsQdisc, 1);
    q->p = *params;
    q->drop = drop;
    q->drop_ctx = drop_ctx;
    q->rng = rng;
    q->red_idle = true;
    q->red_idle_since = now;
    vns_time_avg_init(&q->len_packets, now, 0.0);
    vns_time_avg_init(&q->len_bytes, now, 0.0);
    vns_welford_init(&q->sojourn_ps);
    return q;
}

/*
 * vns_qdisc_free:
 * Frees the queue and returns the packets it still holds to their pool
 * without recording drops (use vns_qdisc_purge() first for that). NULL
 * does nothing.
 */
void
vns_qdisc_free(VnsQdisc *q)
{
    if (q == NULL)
        return;
    while (q->head != NULL) {
        VnsPacket *pkt = q->head;
        q->head = pkt->next;
        pkt->next = NULL;
        vns_packet_free(pkt);
    }
    g_free(q);
}

/* Records the queue length after a change at 'now'. */
static inline void
qdisc_note_length(VnsQdisc *q, VnsTime now)
{
    vns_time_avg_update(&q->len_packets, now, (double) q->n_packets);
    vns_time_avg_update(&q->len_bytes, now, (double) q->n_bytes);
}

/* Unlinks the head packet; NULL when empty. Does not note the length. */
static inline VnsPacket *
qdisc_pop(VnsQdisc *q)
{
    VnsPacket *pkt = q->head;

    if (pkt == NULL)
        return NULL;
    q->head = pkt->next;
    if (q->head == NULL)
        q->tail = NULL;
    pkt->next = NULL;
    q->n_packets--;
    q->n_bytes -= vns_packet_size(pkt);
    return pkt;
}

/* RED's early-drop decision for an arrival at 'now' (Floyd and Jacobson
 * 1993, figure 2), with two documented choices:
 *
 * - The average is updated on every arrival. After an idle period (the
 *   transmitter found the queue empty, as in ns-2) it first decays by
 *   (1 - w_q)^m, m = idle time / red_idle_tx_ps, section 4.
 * - 'count' is "the number of unmarked packets that have arrived since the
 *   last marked packet" (section 7), so the first arrival after a drop has
 *   pa = pb and the gap between drops is uniform on {1, ..., 1/pb}, as
 *   section 7 derives. (The pseudo-code of figure 2 increments count before
 *   using it, which shifts that range by one.) */
static bool
qdisc_red_early_drop(VnsQdisc *q, VnsTime now)
{
    const VnsQdiscParams *p = &q->p;
    double avg = q->red_avg;
    double pb, pa;

    if (q->red_idle) {
        if (p->red_idle_tx_ps > 0 && now > q->red_idle_since) {
            double m = (double) (now - q->red_idle_since) /
                       (double) p->red_idle_tx_ps;
            avg *= pow(1.0 - p->w_q, m);
        }
        q->red_idle = false;
    }
    avg = (1.0 - p->w_q) * avg + p->w_q * (double) q->n_packets;
    q->red_avg = avg;

    if (avg < p->min_th) {
        q->red_count = 0;
        return false;
    }
    if (avg < p->max_th) {
        pb = p->max_p * (avg - p->min_th) / (p->max_th - p->min_th);
    } else if (p->gentle && avg < 2.0 * p->max_th) {
        pb = p->max_p + (1.0 - p->max_p) * (avg - p->max_th) / p->max_th;
    } else {
        q->red_count = 0;
        return true;
    }
    pa = (double) q->red_count * pb < 1.0
         ? pb / (1.0 - (double) q->red_count * pb) : 1.0;
    if (gsl_rng_uniform(q->rng) < pa) {
        q->red_count = 0;
        return true;
    }
    q->red_count++;
    return false;
}

/* Admission of an arrival: RED's early drop, then the hard limit. */
static inline bool
qdisc_admit(VnsQdisc *q, uint32_t size, VnsTime now, VnsDropCause *cause)
{
    bool full;

    if (q->p.kind == VNS_QDISC_RED && qdisc_red_early_drop(q, now)) {
        q->drops_aqm++;
        *cause = VNS_DROP_AQM;
        return false;
    }
    if (q->p.unit == VNS_QDISC_UNIT_PACKETS)
        full = q->n_packets >= q->p.limit;
    else
        full = q->n_bytes + size > q->p.limit;
    if (G_UNLIKELY(full)) {
        q->drops_full++;
        *cause = VNS_DROP_QUEUE_FULL;
        return false;
    }
    return true;
}

/*
 * vns_qdisc_enqueue:
 * Offers 'pkt' to the queue at 'now'. When accepted, the queue takes it,
 * stamps pkt->t_enqueued = now and returns true. When refused (RED's early
 * drop: VNS_DROP_AQM; the limit: VNS_DROP_QUEUE_FULL), returns false with
 * the reason in *cause and the caller still owns 'pkt': it must drop it,
 * normally with vns_packet_drop(pkt, element, *cause).
 */
bool
vns_qdisc_enqueue(VnsQdisc *q, VnsPacket *pkt, VnsTime now,
                  VnsDropCause *cause)
{
    uint32_t size = vns_packet_size(pkt);

    if (!qdisc_admit(q, size, now, cause))
        return false;
    pkt->t_enqueued = now;
    pkt->next = NULL;
    if (q->tail != NULL)
        q->tail->next = pkt;
    else
        q->head = pkt;
    q->tail = pkt;
    q->n_packets++;
    q->n_bytes += size;
    q->enqueued++;
    qdisc_note_length(q, now);
    return true;
}

/*
 * vns_qdisc_pass:
 * For an arrival that finds the queue empty and the transmitter idle:
 * the same as vns_qdisc_enqueue() followed at once by vns_qdisc_dequeue()
 * (admission, counts, a sojourn of 0, CoDel's state seeing a sojourn below
 * target), except that the packet never counts in the queue length, where
 * it would stay for no time. Returns true when the caller may transmit
 * 'pkt' now (it stays the caller's); false with *cause as for
 * vns_qdisc_enqueue(). The queue must be empty.
 */
bool
vns_qdisc_pass(VnsQdisc *q, VnsPacket *pkt, VnsTime now, VnsDropCause *cause)
{
    g_assert(q->head == NULL);
    if (!qdisc_admit(q, vns_packet_size(pkt), now, cause))
        return false;
    pkt->t_enqueued = now;
    q->enqueued++;
    q->dequeued++;
    vns_welford_add(&q->sojourn_ps, 0.0);
    /* What dodequeue() concludes from a sojourn below target. */
    q->first_above_time = 0;
    q->dropping = false;
    return true;
}

/* RFC 8289 section 5.5, dodequeue(): pops the head and says whether the
 * sojourn time has been above target for at least an interval. The second
 * term of the test keeps at least one maximum-size packet queued, so a slow
 * link (one frame takes longer than target) is not starved (section 4.1). */
static VnsPacket *
qdisc_codel_dodequeue(VnsQdisc *q, VnsTime now, bool *ok_to_drop)
{
    VnsPacket *pkt = qdisc_pop(q);

    *ok_to_drop = false;
    if (pkt == NULL) {
        q->first_above_time = 0;
        return NULL;
    }
    if (now - pkt->t_enqueued < q->p.target_ps ||
        q->n_bytes <= q->p.max_packet_size) {
        q->first_above_time = 0;
    } else if (q->first_above_time == 0) {
        q->first_above_time = now + q->p.interval_ps;
    } else if (now >= q->first_above_time) {
        *ok_to_drop = true;
    }
    return pkt;
}

/* RFC 8289 section 5.6, control_law(): the next drop comes
 * interval / sqrt(count) after 't', so the drop rate grows as sqrt(count)
 * (section 3.3: TCP's throughput goes as 1/sqrt(drop probability)).
 * Rounded to the nearest picosecond. */
static inline VnsTime
qdisc_codel_control_law(const VnsQdisc *q, VnsTime t)
{
    return t + (VnsTime) llround((double) q->p.interval_ps /
                                 sqrt((double) q->count));
}

static void
qdisc_codel_drop(VnsQdisc *q, VnsPacket *pkt)
{

    q->drops_aqm++;
    q->drop(q->drop_ctx, pkt, VNS_DROP_AQM);
}

/* RFC 8289 section 5.5, dequeue(), Linux variant of the count reuse. */
static VnsPacket *
qdisc_codel_dequeue(VnsQdisc *q, VnsTime now)
{
    bool ok_to_drop;
    VnsPacket *pkt = qdisc_codel_dodequeue(q, now, &ok_to_drop);

    if (q->dropping) {
        if (!ok_to_drop)
            q->dropping = false;
        /* A large backlog may call for several drops at once. */
        while (q->dropping && now >= q->drop_next) {
            qdisc_codel_drop(q, pkt);
            q->count++;
            pkt = qdisc_codel_dodequeue(q, now, &ok_to_drop);
            if (!ok_to_drop)
                q->dropping = false;
            else
                q->drop_next = qdisc_codel_control_law(q, q->drop_next);
        }
    } else if (ok_to_drop) {
        uint32_t delta;

        qdisc_codel_drop(q, pkt);
        pkt = qdisc_codel_dodequeue(q, now, &ok_to_drop);
        q->dropping = true;
        /* Re-entering dropping state soon after leaving it: resume near
         * the drop rate that controlled the queue last time. */
        delta = q->count - q->lastcount;
        q->count = 1;
        if (delta > 1 && now - q->drop_next < 16 * q->p.interval_ps)
            q->count = delta;
        q->drop_next = qdisc_codel_control_law(q, now);
        q->lastcount = q->count;
    }
    return pkt;
}

/*
 * vns_qdisc_dequeue:
 * Hands out the next packet to transmit at 'now' (owned by the caller), or
 * NULL when the queue is empty. CoDel may drop packets from the head first;
 * it hands them to the drop function with VNS_DROP_AQM. Records the
 * sojourn time of the packet handed out.
 */
VnsPacket *
vns_qdisc_dequeue(VnsQdisc *q, VnsTime now)
{
    VnsPacket *pkt;

    if (q->p.kind == VNS_QDISC_CODEL) {
        pkt = qdisc_codel_dequeue(q, now);
    } else {
        pkt = qdisc_pop(q);
        if (pkt == NULL && !q->red_idle) {
            q->red_idle = true;
            q->red_idle_since = now;
        }
    }
    if (pkt == NULL)
        return NULL;
    q->dequeued++;
    vns_welford_add(&q->sojourn_ps, (double) (now - pkt->t_enqueued));
    qdisc_note_length(q, now);
    return pkt;
}

/*
 * vns_qdisc_purge:
 * Removes every queued packet through the drop function with 'cause'
 * (e.g. VNS_DROP_END_OF_RUN when the run ends).
 */
void
vns_qdisc_purge(VnsQdisc *q, VnsTime now, VnsDropCause cause)
{
    VnsPacket *pkt;

    while ((pkt = qdisc_pop(q)) != NULL) {
        q->drops_purged++;
        q->drop(q->drop_ctx, pkt, cause);
    }
    qdisc_note_length(q, now);
}

/*
 * vns_qdisc_packets:
 * Returns the number of packets queued.
 */
uint32_t
vns_qdisc_packets(const VnsQdisc *q)
{
    return q->n_packets;
}

/*
 * vns_qdisc_bytes:
 * Returns the bytes queued (packet sizes: headers and payload, no FCS).
 */
uint64_t
vns_qdisc_bytes(const VnsQdisc *q)
{
    return q->n_bytes;
}

/*
 * vns_qdisc_params:
 * Returns the queue's parameters (borrowed).
 */
const VnsQdiscParams *
vns_qdisc_params(const VnsQdisc *q)
{
    return &q->p;
}

/*
 * vns_qdisc_red_average:
 * Returns RED's average queue length as of the last arrival, packets (0
 * for the other kinds).
 */
double
vns_qdisc_red_average(const VnsQdisc *q)
{
    return q->red_avg;
}

/*
 * vns_qdisc_reset_stats:
 * Starts a new measurement window at 'now' (the end of warm-up); the
 * queue's contents and its AQM state are kept.
 */
void
vns_qdisc_reset_stats(VnsQdisc *q, VnsTime now)
{
    vns_time_avg_reset(&q->len_packets, now);
    vns_time_avg_reset(&q->len_bytes, now);
    vns_welford_init(&q->sojourn_ps);
    q->enqueued = q->dequeued = 0;
    q->drops_full = q->drops_aqm = q->drops_purged = 0;
}

/*
 * vns_qdisc_get_stats:
 * Fills 'out' with the measurements of the window that ends at 'now'.
 */
void
vns_qdisc_get_stats(const VnsQdisc *q, VnsTime now, VnsQdiscStats *out)
{
    bool any = vns_welford_count(&q->sojourn_ps) > 0;

    out->enqueued = q->enqueued;
    out->dequeued = q->dequeued;
    out->drops_full = q->drops_full;
    out->drops_aqm = q->drops_aqm;
    out->drops_purged = q->drops_purged;
    out->mean_packets = vns_time_avg_mean(&q->len_packets, now);
    out->mean_bytes = vns_time_avg_mean(&q->len_bytes, now);
    out->max_packets = vns_time_avg_max(&q->len_packets);
    out->max_bytes = vns_time_avg_max(&q->len_bytes);
    out->mean_sojourn_s = any ? vns_welford_mean(&q->sojourn_ps) / (double) VNS_SEC
                              : NAN;
    out->max_sojourn_s = any ? vns_welford_max(&q->sojourn_ps) / (double) VNS_SEC
                             : NAN;
}
