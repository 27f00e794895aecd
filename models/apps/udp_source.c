/* A UDP traffic source: an application that sends datagrams to one
 * destination with constant-bit-rate, Poisson or on/off spacing and random
 * payload sizes (see udp_source.h; doc/models/traffic.md defines the
 * patterns).
 *
 * Every random draw (sizes, Poisson gaps, on/off periods) comes from the
 * element's own stream, named after the element, so adding or removing
 * another flow leaves this one's packets unchanged. Sending allocates
 * nothing but the pooled packet. */
#include <config.h>
#include "models/apps/udp_source.h"

#include "models/l3/host.h"

#include <math.h>
#include <gsl/gsl_randist.h>
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/udp.h"
#include "net/wire.h"

/* Default TTL and hop limit of locally sent packets: Linux's
 * net.ipv4.ip_default_ttl and net.ipv6.conf.*.hop_limit, both 64
 * (Documentation/networking/ip-sysctl.rst). */
#define SOURCE_TTL 64

typedef struct {
    VnsElement base;            /* must stay first */
    VnsUdpSourceConf conf;      /* owns its distributions */
    bool configured;            /* vns_udp_source_setup() ran */
    VnsPort *port;              /* to the host, "app" */
    VnsEventId next_event;      /* the pending send, or none */
    VnsTime burst_start;        /* start of the current CBR run, ps */
    VnsTime burst_end;          /* end of the current on period, ps */
    uint64_t burst_bytes;       /* payload bytes sent in the run */
    uint64_t burst_packets;     /* packets sent in the run */
    double mean_gap;            /* Poisson: mean gap, ps */
    uint64_t next_seq;          /* flow_seq of the next packet */
    uint64_t base_seq;          /* first flow_seq sent after the reset */
    uint64_t sent_packets;      /* since the reset */
    uint64_t sent_bytes;        /* payload bytes since the reset */
} UdpSource;

static void udp_source_send_run(VnsSim *sim, void *ctx, void *arg);

static const VnsEventType udp_source_send_type = {
    "udp-source-send", udp_source_send_run, NULL,
};

static bool
udp_source_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    /* Made by the <udp-flow> builder only; the configuration comes through
     * vns_udp_source_setup(). */
    g_assert(cfg == NULL);
    return true;
}

/*
 * vns_udp_source_setup:
 * Configures source 'self' (made with vns_net_add() and a NULL config) from
 * 'conf', taking ownership of its distributions (the pointers in 'conf'
 * are cleared), and adds its port "app", which advertises UDP and the
 * source port. Returns the port (borrowed), to be connected to the host.
 */
VnsPort *
vns_udp_source_setup(VnsElement *self, VnsUdpSourceConf *conf)
{
    UdpSource *s = (UdpSource *) self;

    g_assert(self->ops == &vns_udp_source_ops && !s->configured);
    g_assert(conf->size != NULL);
    g_assert(conf->src.family == conf->dst.family &&
             conf->src.family != VNS_IP_NONE);
    g_assert(conf->rate_bps > 0 || conf->interval > 0);
    g_assert(conf->pattern != VNS_UDP_PATTERN_ONOFF ||
             (conf->on != NULL && conf->off != NULL));
    s->conf = *conf;
    conf->size = conf->on = conf->off = NULL;
    s->configured = true;
    if (s->conf.pattern == VNS_UDP_PATTERN_POISSON)
        s->mean_gap = s->conf.interval > 0
                          ? (double) s->conf.interval
                          : vns_dist_mean(s->conf.size) * 8.0 * (double) VNS_SEC /
                                (double) s->conf.rate_bps;
    s->port = vns_element_add_port(self, "app");
    s->port->info.l4_proto = VNS_IPPROTO_UDP;
    s->port->info.l4_port = s->conf.sport;
    return s->port;
}

/* a + b for non-negative times, saturating at VNS_TIME_NEVER. */
static VnsTime
udp_source_time_add(VnsTime a, VnsTime b)
{
    return b > VNS_TIME_NEVER - a ? VNS_TIME_NEVER : a + b;
}

/* A random duration drawn from 'dist' (ps), rounded to whole picoseconds,
 * at least 'min' and saturating at VNS_TIME_NEVER. */
static VnsTime
udp_source_draw_time(UdpSource *s, const VnsDist *dist, VnsTime min)
{
    double x = vns_dist_sample(dist, vns_element_rng(&s->base));

    if (!(x < (double) VNS_TIME_NEVER / 2))
        return VNS_TIME_NEVER;
    return MAX((VnsTime) llround(x), min);
}

/* Starts a CBR run (an on period, or the whole flow) at 'when'. */
static void
udp_source_begin_burst(UdpSource *s, VnsTime when)
{
    s->burst_start = when;
    s->burst_bytes = 0;
    s->burst_packets = 0;
    /* An on period lasts at least 1 ps, so it holds its first packet. */
    s->burst_end = s->conf.pattern == VNS_UDP_PATTERN_ONOFF
                       ? udp_source_time_add(when, udp_source_draw_time(s, s->conf.on, 1))
                       : VNS_TIME_NEVER;
}

/* When the next packet of the current CBR run is due: the k-th packet of a
 * run at a rate leaves when the payload bits before it have been sent at
 * that rate, rounded up to a whole picosecond (no drift accumulates); with
 * an interval, k intervals after the run's start. */
static VnsTime
udp_source_burst_next(const UdpSource *s)
{
    if (s->conf.interval > 0) {
        if (s->burst_packets > (uint64_t) (VNS_TIME_NEVER / s->conf.interval))
            return VNS_TIME_NEVER;
        return udp_source_time_add(s->burst_start,
                                   (VnsTime) s->burst_packets * s->conf.interval);
    }
    /* vns_time_tx() asserts the result fits; runs end long before. */
    if (s->burst_bytes > (uint64_t) 1 << 48)
        return VNS_TIME_NEVER;
    return udp_source_time_add(s->burst_start,
                               vns_time_tx(s->burst_bytes, s->conf.rate_bps));
}

/* Schedules the send at 'when' unless it is at or after the stop time. */
static void
udp_source_schedule(UdpSource *s, VnsTime when)
{
    s->next_event = VNS_EVENT_NONE;
    if (when >= s->conf.stop || when == VNS_TIME_NEVER)
        return;
    s->next_event = vns_sim_schedule_at(s->base.sim, when, &udp_source_send_type,
                                        s, NULL);
}

/* The time of the next send after one at 'now'. */
static VnsTime
udp_source_next_time(UdpSource *s, VnsTime now)
{
    VnsTime next;

    switch (s->conf.pattern) {
    case VNS_UDP_PATTERN_POISSON:
        return udp_source_time_add(now, (VnsTime) llround(gsl_ran_exponential(
                                        vns_element_rng(&s->base), s->mean_gap)));
    case VNS_UDP_PATTERN_CBR:
        return udp_source_burst_next(s);
    case VNS_UDP_PATTERN_ONOFF:
        next = udp_source_burst_next(s);
        /* A packet due at or after the end of the on period is not sent;
         * the next on period starts after an off period. */
        while (next >= s->burst_end) {
            VnsTime begin;
            if (s->burst_end >= s->conf.stop)
                return VNS_TIME_NEVER;
            begin = udp_source_time_add(s->burst_end,
                                        udp_source_draw_time(s, s->conf.off, 0));
            if (begin >= s->conf.stop)
                return VNS_TIME_NEVER;
            udp_source_begin_burst(s, begin);
            next = begin;
        }
        return next;
    }
    g_assert_not_reached();
}

/* Whether an IPv4 packet of 'size' bytes fits the host's path MTU to the
 * destination (true when the host knows no route: it will drop it). */
static bool
udp_source_fits(const UdpSource *s, uint32_t size)
{
    VnsPort *peer = s->port->peer;
    uint32_t mtu;

    if (peer == NULL || !vns_host_is_host(peer->owner))
        return true;
    mtu = vns_host_path_mtu(peer->owner, &s->conf.dst);
    return mtu == 0 || size <= mtu;
}

/* Builds one datagram of 'payload' bytes and hands it to the host. */
static void
udp_source_send(UdpSource *s, uint32_t payload)
{
    const VnsUdpSourceConf *c = &s->conf;
    VnsPacket *pkt = vns_packet_new(vns_net_pool(s->base.net), payload);
    VnsUdpHdr udp = { .sport = c->sport, .dport = c->dport };

    vns_udp_push(pkt, &udp, &c->src, &c->dst);
    if (c->src.family == VNS_IP_V4) {
        VnsIpv4Hdr ip = {
            .dscp = c->tos >> 2, .ecn = c->tos & 3,
            /* Linux's UDP default, IP_PMTUDISC_WANT (ip(7)): DF on a
             * datagram that fits the path MTU, none on one that does not,
             * which the host then fragments (__ip_make_skb()). The id
             * only has to differ between datagrams of a flow. */
            .id = (uint16_t) s->next_seq,
            .df = udp_source_fits(s, VNS_IPV4_HLEN + vns_packet_size(pkt)),
            .ttl = SOURCE_TTL, .proto = VNS_IPPROTO_UDP,
            .src = c->src.v4, .dst = c->dst.v4,
        };
        vns_ipv4_push(pkt, &ip);
    } else {
        VnsIpv6Hdr ip6 = {
            .dscp = c->tos >> 2, .ecn = c->tos & 3,
            .next_header = VNS_IPPROTO_UDP, .hop_limit = SOURCE_TTL,
            .src = c->src.v6, .dst = c->dst.v6,
        };
        vns_ipv6_push(pkt, &ip6);
    }
    pkt->flow_id = c->flow_id;
    pkt->flow_seq = s->next_seq++;
    pkt->t_created = vns_element_now(&s->base);
    s->sent_packets++;
    s->sent_bytes += payload;
    vns_port_send(s->port, pkt);
}

static void
udp_source_send_run(VnsSim *sim, void *ctx, void *arg)
{
    UdpSource *s = ctx;
    VnsTime now = vns_sim_now(sim);
    uint32_t payload = (uint32_t) vns_dist_sample(s->conf.size,
                                                  vns_element_rng(&s->base));

    s->burst_bytes += payload;
    s->burst_packets++;
    udp_source_send(s, payload);
    udp_source_schedule(s, udp_source_next_time(s, now));
}

static bool
udp_source_start(VnsElement *self, GError **error)
{
    UdpSource *s = (UdpSource *) self;
    VnsTime first = s->conf.start;

    g_assert(s->configured);
    if (s->conf.pattern == VNS_UDP_PATTERN_POISSON) {
        /* A Poisson process on [start, stop): its first point comes one
         * exponential gap after start. */
        first = udp_source_next_time(s, first);
    } else {
        udp_source_begin_burst(s, first);
    }
    udp_source_schedule(s, first);
    return true;
}

static void
udp_source_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    /* Datagrams to the source's port are read and discarded, as by a
     * socket whose owner only writes. */
    vns_packet_free(pkt);
}

static void
udp_source_reset(VnsElement *self)
{
    UdpSource *s = (UdpSource *) self;

    s->base_seq = s->next_seq;
    s->sent_packets = 0;
    s->sent_bytes = 0;
}

static void
udp_source_stop(VnsElement *self)
{
    UdpSource *s = (UdpSource *) self;

    vns_sim_cancel(self->sim, s->next_event);
    s->next_event = VNS_EVENT_NONE;
}

static void
udp_source_free(VnsElement *self)
{
    UdpSource *s = (UdpSource *) self;

    vns_dist_free(s->conf.size);
    vns_dist_free(s->conf.on);
    vns_dist_free(s->conf.off);
}

/*
 * vns_udp_source_sent_packets:
 * Packets sent since the end of warm-up (since time 0 without warm-up).
 */
uint64_t
vns_udp_source_sent_packets(const VnsElement *self)
{
    return ((const UdpSource *) self)->sent_packets;
}

/*
 * vns_udp_source_sent_bytes:
 * Payload bytes sent since the end of warm-up.
 */
uint64_t
vns_udp_source_sent_bytes(const VnsElement *self)
{
    return ((const UdpSource *) self)->sent_bytes;
}

/*
 * vns_udp_source_base_seq:
 * The sequence number of the first packet sent after the end of warm-up
 * (0 without warm-up).
 */
uint64_t
vns_udp_source_base_seq(const VnsElement *self)
{
    return ((const UdpSource *) self)->base_seq;
}

/*
 * vns_udp_source_next_seq:
 * The sequence number the next packet will carry (packets sent so far).
 */
uint64_t
vns_udp_source_next_seq(const VnsElement *self)
{
    return ((const UdpSource *) self)->next_seq;
}

const VnsElementOps vns_udp_source_ops = {
    .type = "udp-source",
    .instance_size = sizeof(UdpSource),
    .create = udp_source_create,
    .start = udp_source_start,
    .receive = udp_source_receive,
    .reset = udp_source_reset,
    .stop = udp_source_stop,
    .free = udp_source_free,
};
