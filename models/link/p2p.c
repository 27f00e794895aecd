/* A point-to-point, full-duplex Ethernet link (element type "link").
 *
 * The link has two ports, "a" and "b", joined to the ports its 'a' and 'b'
 * attributes name. A frame that arrives on port a travels a->b and leaves
 * by port b, and the other way round. Per direction:
 *
 *   arrival -> MTU check -> queue discipline -> transmitter -> wire -> peer
 *
 * The transmitter takes the frame at the head of the queue and holds it for
 * vns_time_tx(wire bytes, rate); at the end of the last bit the frame
 * enters the wire and reaches the peer 'delay' later. Frames on the wire
 * keep their order (constant delay, one transmitter), so they wait in a
 * FIFO list that the link owns, with one pending delivery event per
 * direction for the oldest of them: the event queue stays small however
 * many frames a long fat link holds, and the link can drop them at the end
 * of a run, or free them in any teardown order, because no event owns a
 * packet. Nothing is allocated per packet. */
#include <config.h>
#include "models/link/p2p.h"

#include <math.h>
#include <string.h>
#include "net/eth.h"
#include "net/qdisc.h"
#include "net/wire.h"
#include "stats/time_avg.h"
#include "stats/welford.h"

/* RED's typical packet for the idle decay: 500 bytes, the default
 * mean_pktsize_ of ns-2's RED queue. */
#define P2P_RED_TYPICAL_PACKET 500

/* drop-icmp, in the order of its choices "none|too-big|all". */
enum { P2P_DROP_ICMP_NONE, P2P_DROP_ICMP_TOO_BIG, P2P_DROP_ICMP_ALL };

typedef struct P2pLink P2pLink;

/* One direction of the link. */
typedef struct {
    P2pLink *link;              /* the link it belongs to */
    uint16_t out_port;          /* index of the link port frames leave by */
    const char *label;          /* "a->b" or "b->a", static */
    VnsQdisc *qdisc;            /* frames waiting for the transmitter, owned */
    VnsPacket *tx;              /* frame being serialized, owned; NULL = idle */
    VnsTime tx_start_ps;        /* when 'tx' started */
    uint64_t tx_wire;           /* wire bytes of 'tx' */
    VnsEventId tx_event;        /* end of 'tx' */
    VnsPacket *wire_head;       /* frames propagating, oldest first, owned; */
    VnsPacket *wire_tail;       /* each t_enqueued = when it entered the wire */
    VnsEventId deliver_event;   /* arrival of 'wire_head' at the peer */

    /* Measurements since the start or the last reset. */
    VnsTime window_start_ps;    /* start of the window */
    VnsTime busy_ps;            /* transmitter busy time in the window,
                                 * frames finished or cut short */
    uint64_t packets;           /* frames transmitted */
    uint64_t bytes;             /* their sizes (headers and payload, no FCS) */
    uint64_t wire_bytes;        /* their line time in bytes */
    uint64_t drops[VNS_DROP_N_CAUSES]; /* this direction's drops by cause */
    VnsTimeAvg in_system;       /* frames queued or being transmitted */
    VnsWelford system_ps;       /* enqueue to last bit sent, ps */
} P2pDir;

struct P2pLink {
    VnsElement base;            /* must stay first */
    uint64_t rate_bps;          /* line rate of each direction */
    VnsTime ps_per_byte;        /* 8 s / rate when that is a whole number of
                                 * ps (1, 10, 25, 100, 400 Gbit/s...), else 0 */
    uint64_t fast_wire_max;     /* largest wire size ps_per_byte may multiply */
    VnsTime delay_ps;           /* one-way propagation delay */
    uint64_t mtu;               /* largest L3 packet, bytes */
    double loss;                /* probability a frame is lost, per frame */
    int drop_icmp;              /* P2P_DROP_ICMP_* */
    gsl_rng *rng;               /* the link's stream (loss, RED) */
    P2pDir dir[2];              /* [0] a->b (enters at port a), [1] b->a */
};

static const VnsAttrSpec p2p_attrs[] = {
    { "name", VNS_ATTR_NAME, false, NULL, NULL,
      "The link's name; default '<a element>-<b element>', e.g. 'h1-r1' "
      "for a='h1:eth0' b='r1:eth0'.",
      NULL, 0, 0 },
    { "a", VNS_ATTR_REF, true, NULL, NULL,
      "End a: the port 'element:port' (or 'element', if it has one port) "
      "joined to the link's port 'a'; required.",
      NULL, 0, 0 },
    { "b", VNS_ATTR_REF, true, NULL, NULL,
      "End b: the port joined to the link's port 'b'; required.",
      NULL, 0, 0 },
    { "rate", VNS_ATTR_RATE, true, NULL, "bit/s",
      "Line rate of each direction (full duplex), e.g. '10Gbps'; required, "
      "as no rate suits every link.",
      NULL, 0, 0 },
    { "delay", VNS_ATTR_TIME, false, "0s", "s",
      "One-way propagation delay; default 0 s, so a link adds only "
      "serialization and queueing unless told its length (about 5 ns per "
      "metre of fibre).",
      NULL, 0, 0 },
    { "mtu", VNS_ATTR_UINT, false, "1500", "bytes",
      "Largest L3 packet (frame without Ethernet header and VLAN tags) "
      "carried; larger frames are dropped as mtu_exceeded; default 1500, "
      "the Ethernet maximum of RFC 894; at least 68, the IPv4 minimum of "
      "RFC 791.",
      NULL, 68, UINT32_MAX },
    { "loss", VNS_ATTR_DOUBLE, false, "0", NULL,
      "Probability that a frame is lost on the wire, drawn independently "
      "for each frame in each direction from the link's random stream after "
      "it was sent (it used the line time); lost frames are dropped as "
      "random_loss. 0 to 1; default 0, a lossless link.",
      NULL, 0, 0 },
    { "drop-icmp", VNS_ATTR_ENUM, false, "none", NULL,
      "ICMP the link drops (icmp_filtered), like a firewall on the path: "
      "'too-big' drops ICMP fragmentation needed (type 3 code 4) and ICMPv6 "
      "packet too big (the path-MTU black hole, RFC 2923 section 2.1); "
      "'all' every ICMP and ICMPv6 message except Neighbor Discovery (RFC "
      "4890 section 4.4.1). Default none.",
      "none|too-big|all", 0, 0 },
    { NULL }
};

static const VnsSpec *const p2p_children[] = { &vns_qdisc_spec, NULL };

static const VnsSpec p2p_spec = {
    .element = "link",
    .doc = "A point-to-point full-duplex Ethernet link: per direction a "
           "queue, a transmitter at the line rate and a propagation delay; "
           "an optional <queue> child applies to both directions.",
    .attrs = p2p_attrs,
    .children = p2p_children,
    .has_text = false,
};

static void p2p_tx_done(VnsSim *sim, void *ctx, void *arg);
static void p2p_deliver(VnsSim *sim, void *ctx, void *arg);

/* The events own no packet (the link does), so they need no destroy. */
static const VnsEventType p2p_tx_done_event = { "link-tx-done", p2p_tx_done, NULL };
static const VnsEventType p2p_deliver_event = { "link-deliver", p2p_deliver, NULL };

/* Records a drop in this direction and at the element; takes 'pkt'. */
static void
p2p_drop(P2pDir *d, VnsPacket *pkt, VnsDropCause cause)
{
    d->drops[cause]++;
    vns_packet_drop(pkt, &d->link->base, cause);
}

/* The queue's drop function: CoDel's drops and end-of-run purges. */
static void
p2p_qdisc_drop(void *ctx, VnsPacket *pkt, VnsDropCause cause)
{
    p2p_drop(ctx, pkt, cause);
}

static inline void
p2p_note_system(P2pDir *d, VnsTime now)
{
    uint32_t n = vns_qdisc_packets(d->qdisc) + (d->tx != NULL ? 1u : 0u);

    vns_time_avg_update(&d->in_system, now, (double) n);
}

/* Checks a frame larger than MTU + 14 against the MTU: its L3 size is the
 * frame size less the Ethernet header and any 802.1Q/802.1ad tags, read
 * from the bytes (not the flow key, which may be stale or unparsed).
 * Returns false with the cause when the frame must be dropped. */
static bool
p2p_l3_fits(const P2pLink *link, const VnsPacket *pkt, VnsDropCause *cause)
{
    const uint8_t *data = vns_packet_data(pkt);
    uint32_t type_off = VNS_ETH_HLEN - 2;
    uint16_t type;

    if (pkt->len < VNS_ETH_HLEN) {
        *cause = VNS_DROP_MALFORMED;
        return false;
    }
    type = vns_wire_get16(data + type_off);
    while (type == VNS_ETHERTYPE_VLAN || type == VNS_ETHERTYPE_QINQ) {
        type_off += VNS_VLAN_HLEN;
        if (pkt->len < type_off + 2) {
            *cause = VNS_DROP_MALFORMED;
            return false;
        }
        type = vns_wire_get16(data + type_off);
    }
    if ((uint64_t) vns_packet_size(pkt) - (type_off + 2) > link->mtu) {
        *cause = VNS_DROP_MTU_EXCEEDED;
        return false;
    }
    return true;
}

/* Serialization time of 'wire' bytes: vns_time_tx(), without its 128-bit
 * division when a byte takes a whole number of picoseconds (then the
 * product is exact and needs no rounding). */
static inline VnsTime
p2p_tx_time(const P2pLink *link, uint64_t wire)
{
    if (G_LIKELY(wire <= link->fast_wire_max))
        return (VnsTime) wire * link->ps_per_byte;
    return vns_time_tx(wire, link->rate_bps);
}

/* Starts serializing 'pkt' (taken) at 'now'; the transmitter is idle. */
static inline void
p2p_tx_begin(P2pDir *d, VnsPacket *pkt, VnsTime now)
{
    d->tx = pkt;
    d->tx_start_ps = now;
    d->tx_wire = vns_p2p_wire_size(vns_packet_size(pkt));
    d->tx_event = vns_sim_schedule(d->link->base.sim,
                                   p2p_tx_time(d->link, d->tx_wire),
                                   &p2p_tx_done_event, d, NULL);
}

/* Starts the next frame if the queue gives one; the transmitter is idle. */
static void
p2p_tx_start(P2pDir *d, VnsTime now)
{
    VnsPacket *pkt = vns_qdisc_dequeue(d->qdisc, now);

    if (pkt != NULL)
        p2p_tx_begin(d, pkt, now);
    p2p_note_system(d, now);
}

/* The last bit of d->tx has left: account for it, put it on the wire (or
 * hand it over at once when there is no delay), start the next frame. */
static void
p2p_tx_done(VnsSim *sim, void *ctx, void *arg)
{
    P2pDir *d = ctx;
    P2pLink *link = d->link;
    VnsPacket *pkt = d->tx;
    VnsTime now = vns_sim_now(sim);

    d->tx = NULL;
    d->tx_event = VNS_EVENT_NONE;
    d->busy_ps += now - MAX(d->tx_start_ps, d->window_start_ps);
    d->packets++;
    d->bytes += vns_packet_size(pkt);
    d->wire_bytes += d->tx_wire;
    vns_welford_add(&d->system_ps, (double) (now - pkt->t_enqueued));
    if (link->loss > 0 && gsl_rng_uniform(link->rng) < link->loss) {
        /* Lost on the wire, after using the line time (a corrupted frame
         * that the receiver's FCS check discards). */
        p2p_drop(d, pkt, VNS_DROP_RANDOM_LOSS);
        p2p_tx_start(d, now);
        return;
    }
    if (link->delay_ps == 0) {
        p2p_tx_start(d, now);
        vns_port_send(vns_element_port(&link->base, d->out_port), pkt);
        return;
    }
    pkt->t_enqueued = now;
    pkt->next = NULL;
    if (d->wire_tail != NULL) {
        d->wire_tail->next = pkt;
    } else {
        d->wire_head = pkt;
        d->deliver_event = vns_sim_schedule(sim, link->delay_ps,
                                            &p2p_deliver_event, d, NULL);
    }
    d->wire_tail = pkt;
    p2p_tx_start(d, now);
}

/* The oldest frame on the wire reaches the peer. */
static void
p2p_deliver(VnsSim *sim, void *ctx, void *arg)
{
    P2pDir *d = ctx;
    VnsPacket *pkt = d->wire_head;

    d->wire_head = pkt->next;
    pkt->next = NULL;
    if (d->wire_head == NULL) {
        d->wire_tail = NULL;
        d->deliver_event = VNS_EVENT_NONE;
    } else {
        d->deliver_event = vns_sim_schedule_at(sim, d->wire_head->t_enqueued +
                                               d->link->delay_ps,
                                               &p2p_deliver_event, d, NULL);
    }
    vns_port_send(vns_element_port(&d->link->base, d->out_port), pkt);
}

/* Whether the frame is ICMP that 'drop-icmp' filters; the flow key
 * parse looks past VLAN tags and IPv6 extension headers. */
static bool
p2p_icmp_filtered(const P2pLink *link, VnsPacket *pkt)
{
    const VnsFlowKey *k = vns_packet_flow_key(pkt);

    if (pkt->l4_off == VNS_OFF_NONE)
        return false;
    if (k->family == VNS_IP_V4 && k->proto == VNS_IPPROTO_ICMP)
        return link->drop_icmp == P2P_DROP_ICMP_ALL ||
               (k->icmp_type == 3 && k->icmp_code == 4);   /* RFC 1191 */
    if (k->family == VNS_IP_V6 && k->proto == VNS_IPPROTO_ICMPV6)
        return (k->icmp_type < 133 || k->icmp_type > 137) &&   /* not ND */
               (link->drop_icmp == P2P_DROP_ICMP_ALL ||
                k->icmp_type == 2);                     /* RFC 4443 3.2 */
    return false;
}

static void
p2p_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    P2pLink *link = (P2pLink *) self;
    P2pDir *d = &link->dir[port];
    VnsTime now = vns_element_now(self);
    VnsDropCause cause;

    /* Only frames too big for any tagging need their headers read. */
    if (G_UNLIKELY(vns_packet_size(pkt) > link->mtu + VNS_ETH_HLEN) &&
        !p2p_l3_fits(link, pkt, &cause)) {
        p2p_drop(d, pkt, cause);
        return;
    }
    if (G_UNLIKELY(link->drop_icmp != P2P_DROP_ICMP_NONE) &&
        p2p_icmp_filtered(link, pkt)) {
        p2p_drop(d, pkt, VNS_DROP_ICMP_FILTERED);
        return;
    }
    if (d->tx == NULL) {
        /* An idle transmitter means an empty queue: the frame goes
         * straight on, through the discipline's admission. */
        if (!vns_qdisc_pass(d->qdisc, pkt, now, &cause)) {
            p2p_drop(d, pkt, cause);
            return;
        }
        p2p_tx_begin(d, pkt, now);
    } else if (!vns_qdisc_enqueue(d->qdisc, pkt, now, &cause)) {
        p2p_drop(d, pkt, cause);
        return;
    }
    p2p_note_system(d, now);
}

static void
p2p_dir_init(P2pLink *link, int i, const VnsQdiscParams *qp, gsl_rng *rng)
{
    P2pDir *d = &link->dir[i];
    VnsTime now = vns_element_now(&link->base);

    d->link = link;
    d->out_port = (uint16_t) (1 - i);
    d->label = i == 0 ? "a->b" : "b->a";
    d->qdisc = vns_qdisc_new(qp, p2p_qdisc_drop, d, rng, now);
    d->window_start_ps = now;
    vns_time_avg_init(&d->in_system, now, 0.0);
    vns_welford_init(&d->system_ps);
}

static bool
p2p_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    P2pLink *link = (P2pLink *) self;
    g_autoptr(GPtrArray) queues = NULL;
    VnsQdiscParams qp;
    gsl_rng *rng = NULL;

    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "link '%s' has no configuration, expected a <link> "
                    "element", self->name);
        return false;
    }
    if (!vns_config_rate(cfg, "rate", &link->rate_bps, error) ||
        !vns_config_time(cfg, "delay", &link->delay_ps, error) ||
        !vns_config_uint(cfg, "mtu", &link->mtu, error) ||
        !vns_config_double(cfg, "loss", &link->loss, error) ||
        !vns_config_enum(cfg, "drop-icmp", &link->drop_icmp, error))
        return false;
    if (!(link->loss >= 0 && link->loss <= 1)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<link> 'loss' is %g, expected a probability from 0 "
                         "to 1", link->loss);
        return false;
    }
    if ((uint64_t) (8 * VNS_SEC) % link->rate_bps == 0) {
        link->ps_per_byte = (VnsTime) ((uint64_t) (8 * VNS_SEC) / link->rate_bps);
        link->fast_wire_max = (uint64_t) (VNS_TIME_MAX / link->ps_per_byte);
    }
    queues = vns_config_children(cfg, "queue");
    if (queues->len > 1) {
        vns_config_error(error, queues->pdata[1], VNS_CONFIG_ERROR_DUPLICATE,
                         "<link> has %u <queue> elements, expected at most "
                         "one (it applies to both directions)", queues->len);
        return false;
    }
    if (!vns_qdisc_params_from_config(queues->len ? queues->pdata[0] : NULL,
                                      &qp, error))
        return false;
    /* CoDel keeps one maximum-size frame queued (RFC 8289 'maxpacket',
     * which "SHOULD use interface MTU"). */
    qp.max_packet_size = (uint32_t) MIN(link->mtu + VNS_ETH_HLEN, UINT32_MAX);
    qp.red_idle_tx_ps = vns_time_tx(P2P_RED_TYPICAL_PACKET, link->rate_bps);
    if (qp.kind == VNS_QDISC_RED || link->loss > 0)
        rng = vns_element_rng(self);
    link->rng = rng;

    for (int i = 0; i < 2; i++) {
        VnsPort *p = vns_element_add_port(self, i == 0 ? "a" : "b");
        p->info.mtu = (uint32_t) link->mtu;
        p->info.rate_bps = link->rate_bps;
    }
    for (int i = 0; i < 2; i++)
        p2p_dir_init(link, i, &qp, rng);
    return true;
}

static bool
p2p_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    return vns_config_connect(cfg, vns_element_port(self, 0), "a", error) &&
           vns_config_connect(cfg, vns_element_port(self, 1), "b", error);
}

/* The element part of a reference "element:port". */
static char *
p2p_ref_element(const VnsConfig *cfg, const char *attr)
{
    char *ref = NULL;
    char *colon;

    if (!vns_config_string(cfg, attr, &ref, NULL) || ref == NULL)
        return g_strdup(attr);
    colon = strchr(ref, ':');
    if (colon != NULL)
        *colon = '\0';
    return ref;
}

static char *
p2p_default_name(const VnsConfig *cfg)
{
    g_autofree char *a = p2p_ref_element(cfg, "a");
    g_autofree char *b = p2p_ref_element(cfg, "b");

    return g_strdup_printf("%s-%s", a, b);
}

/* Busy time of the window up to 'now', counting a frame in progress. */
static VnsTime
p2p_busy(const P2pDir *d, VnsTime now)
{
    VnsTime busy = d->busy_ps;

    if (d->tx != NULL)
        busy += now - MAX(d->tx_start_ps, d->window_start_ps);
    return busy;
}

static void
p2p_reset(VnsElement *self)
{
    P2pLink *link = (P2pLink *) self;
    VnsTime now = vns_element_now(self);

    for (int i = 0; i < 2; i++) {
        P2pDir *d = &link->dir[i];

        d->window_start_ps = now;
        d->busy_ps = 0;
        d->packets = d->bytes = d->wire_bytes = 0;
        memset(d->drops, 0, sizeof d->drops);
        vns_time_avg_reset(&d->in_system, now);
        vns_welford_init(&d->system_ps);
        vns_qdisc_reset_stats(d->qdisc, now);
    }
}

/* The run ends: frames queued, being sent or on the wire are dropped as
 * end_of_run, and their events cancelled. */
static void
p2p_stop(VnsElement *self)
{
    P2pLink *link = (P2pLink *) self;
    VnsTime now = vns_element_now(self);

    for (int i = 0; i < 2; i++) {
        P2pDir *d = &link->dir[i];

        vns_sim_cancel(self->sim, d->tx_event);
        vns_sim_cancel(self->sim, d->deliver_event);
        d->tx_event = d->deliver_event = VNS_EVENT_NONE;
        vns_qdisc_purge(d->qdisc, now, VNS_DROP_END_OF_RUN);
        if (d->tx != NULL) {
            d->busy_ps = p2p_busy(d, now);
            p2p_drop(d, d->tx, VNS_DROP_END_OF_RUN);
            d->tx = NULL;
        }
        while (d->wire_head != NULL) {
            VnsPacket *pkt = d->wire_head;
            d->wire_head = pkt->next;
            pkt->next = NULL;
            p2p_drop(d, pkt, VNS_DROP_END_OF_RUN);
        }
        d->wire_tail = NULL;
        p2p_note_system(d, now);
    }
}

static void
p2p_stats(VnsElement *self, VnsReport *report)
{
    P2pLink *link = (P2pLink *) self;
    VnsTime now = vns_element_now(self);

    for (int i = 0; i < 2; i++) {
        P2pDir *d = &link->dir[i];
        g_autofree char *row = g_strdup_printf("%s:%s", self->name, d->label);
        double window_s = vns_time_to_s(now - d->window_start_ps);
        bool any = vns_welford_count(&d->system_ps) > 0;
        VnsQdiscStats qs;

        vns_qdisc_get_stats(d->qdisc, now, &qs);
        vns_report_row(report, "links", row);
        vns_report_str(report, "link", self->name);
        vns_report_str(report, "direction", d->label);
        vns_report_str(report, "queue",
                       vns_qdisc_kind_name(vns_qdisc_params(d->qdisc)->kind));
        vns_report_int(report, "rate_bps", (int64_t) link->rate_bps);
        vns_report_int(report, "packets", (int64_t) d->packets);
        vns_report_int(report, "bytes", (int64_t) d->bytes);
        vns_report_int(report, "wire_bytes", (int64_t) d->wire_bytes);
        vns_report_num(report, "throughput_bps",
                       window_s > 0 ? (double) d->bytes * 8.0 / window_s : NAN);
        vns_report_int(report, "drops_queue_full",
                       (int64_t) d->drops[VNS_DROP_QUEUE_FULL]);
        vns_report_int(report, "drops_aqm", (int64_t) d->drops[VNS_DROP_AQM]);
        vns_report_int(report, "drops_mtu_exceeded",
                       (int64_t) d->drops[VNS_DROP_MTU_EXCEEDED]);
        vns_report_int(report, "drops_malformed",
                       (int64_t) d->drops[VNS_DROP_MALFORMED]);
        vns_report_int(report, "drops_end_of_run",
                       (int64_t) d->drops[VNS_DROP_END_OF_RUN]);
        vns_report_int(report, "drops_random_loss",
                       (int64_t) d->drops[VNS_DROP_RANDOM_LOSS]);
        vns_report_int(report, "drops_icmp_filtered",
                       (int64_t) d->drops[VNS_DROP_ICMP_FILTERED]);
        vns_report_num(report, "utilization",
                       window_s > 0 ? vns_time_to_s(p2p_busy(d, now)) / window_s
                                    : NAN);
        vns_report_num(report, "mean_queue_packets", qs.mean_packets);
        vns_report_num(report, "mean_queue_bytes", qs.mean_bytes);
        vns_report_num(report, "max_queue_packets", qs.max_packets);
        vns_report_num(report, "max_queue_bytes", qs.max_bytes);
        vns_report_num(report, "mean_in_system",
                       vns_time_avg_mean(&d->in_system, now));
        vns_report_num(report, "mean_sojourn_s", qs.mean_sojourn_s);
        vns_report_num(report, "max_sojourn_s", qs.max_sojourn_s);
        vns_report_num(report, "mean_system_time_s",
                       any ? vns_welford_mean(&d->system_ps) / (double) VNS_SEC
                           : NAN);
    }
}

static void
p2p_free(VnsElement *self)
{
    P2pLink *link = (P2pLink *) self;

    for (int i = 0; i < 2; i++) {
        P2pDir *d = &link->dir[i];

        vns_qdisc_free(d->qdisc);
        vns_packet_free(d->tx);
        while (d->wire_head != NULL) {
            VnsPacket *pkt = d->wire_head;
            d->wire_head = pkt->next;
            pkt->next = NULL;
            vns_packet_free(pkt);
        }
    }
}

const VnsElementOps vns_p2p_link_ops = {
    .type = "link",
    .spec = &p2p_spec,
    .instance_size = sizeof(P2pLink),
    .default_name = p2p_default_name,
    .create = p2p_create,
    .connect = p2p_connect,
    .start = NULL,
    .receive = p2p_receive,
    .reset = p2p_reset,
    .stop = p2p_stop,
    .stats = p2p_stats,
    .free = p2p_free,
};
