/* A UDP traffic sink: receives one flow's datagrams from its host and
 * measures them (see udp_sink.h). Definitions, as doc/models/traffic.md
 * states them:
 *
 * - The measurement window runs from the end of warm-up (the reset op; time
 *   0 without warm-up) to the end of the run (the stop op). Arrivals in the
 *   window count, whenever the packet was sent.
 * - Duplicates: a sequence number already received (remembered for the
 *   VNS_UDP_SINK_DUP_WINDOW numbers below the highest one). They count in
 *   'duplicates' and nowhere else.
 * - Reordered: a packet whose sequence number is below the highest one
 *   received before it (RFC 4737 section 3.3, "NextExp").
 * - Latency: arrival time minus the packet's send time, pkt->t_created.
 * - jitter_s: the mean absolute difference of the latencies of packets that
 *   arrive one after the other (|D(i-1,i)| of RFC 3550 section 6.4.1,
 *   averaged over the window); jitter_rfc3550_s is the section's running
 *   estimate J = J + (|D| - J) / 16 at the end of the run.
 * - Loss: RFC 3550 appendix A.3's "expected" count over packets sent in the
 *   window: expected = highest sequence number received - first sequence
 *   number sent in the window + 1, and loss = 1 - received / expected;
 *   packets after the last one received (in flight at the end) are not
 *   counted. */
#include <config.h>
#include "models/apps/udp_sink.h"

#include <math.h>
#include <string.h>
#include "models/apps/udp_source.h"
#include "net/checksum.h"
#include "net/udp.h"
#include "net/wire.h"
#include "stats/histogram.h"

typedef struct {
    VnsElement base;            /* must stay first */
    char *flow_name;            /* owned */
    uint32_t flow_id;
    VnsPort *port;              /* to the host, "app" */
    VnsElement *source;         /* the flow's source, borrowed */
    VnsTime bin;                /* goodput time-series bin, ps */
    VnsHistogram *latency;      /* one-way latency, ps; owned */
    GArray *bin_bytes;          /* of uint64_t: payload bytes per bin; owned */
    uint64_t *seen;             /* bitmap of received sequence numbers in
                                 * (max_seq - window, max_seq], by seq % window */

    /* Sequence state, kept across the reset. */
    bool any;                   /* a packet has arrived */
    uint64_t max_seq;           /* the highest sequence number received */

    /* Measurements of the window. */
    VnsTime t_reset;            /* start of the window, ps */
    VnsTime t_end;              /* end of the window (stop op), ps */
    bool stopped;
    uint64_t received_packets;  /* unique arrivals */
    uint64_t received_bytes;    /* their payload bytes */
    uint64_t reordered;
    uint64_t duplicates;
    uint64_t foreign;           /* packets of other flows, discarded */
    bool have_prev;             /* prev_latency is set */
    VnsTime prev_latency;       /* latency of the previous arrival, ps */
    double ipdv_sum;            /* sum of |D| over consecutive arrivals, ps */
    uint64_t ipdv_n;            /* number of |D| terms */
    double jitter_rfc3550;      /* J of RFC 3550 section 6.4.1, ps */
    uint64_t loss_received;     /* unique arrivals sent in the window */
    bool loss_any;              /* loss_max_seq is set */
    uint64_t loss_max_seq;      /* highest of their sequence numbers */
} UdpSink;

#define SINK_WORDS (VNS_UDP_SINK_DUP_WINDOW / 64)

static bool
udp_sink_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    /* Made by the <udp-flow> builder only (vns_udp_sink_setup()). */
    g_assert(cfg == NULL);
    return true;
}

/*
 * vns_udp_sink_setup:
 * Configures sink 'self' (made with vns_net_add() and a NULL config) for
 * flow 'flow_name' (copied) with id 'flow_id', bound to UDP port 'dport'.
 * 'source' (borrowed; an element of vns_udp_source_ops that lives as long
 * as the sink) tells what was sent. 'bin' is the width of the goodput time
 * series' bins (positive). Adds and returns the port "app" (borrowed), to
 * be connected to the host.
 */
VnsPort *
vns_udp_sink_setup(VnsElement *self, const char *flow_name, uint32_t flow_id,
                   uint16_t dport, VnsElement *source, VnsTime bin)
{
    UdpSink *k = (UdpSink *) self;

    g_assert(self->ops == &vns_udp_sink_ops && k->latency == NULL);
    g_assert(source->ops == &vns_udp_source_ops && bin > 0);
    k->flow_name = g_strdup(flow_name);
    k->flow_id = flow_id;
    k->source = source;
    k->bin = bin;
    k->latency = vns_histogram_new(VNS_HISTOGRAM_DEFAULT_BITS, NULL);
    k->bin_bytes = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    k->seen = g_new0(uint64_t, SINK_WORDS);
    k->port = vns_element_add_port(self, "app");
    k->port->info.l4_proto = VNS_IPPROTO_UDP;
    k->port->info.l4_port = dport;
    return k->port;
}

static bool
udp_sink_seen_test(const UdpSink *k, uint64_t seq)
{
    uint64_t i = seq % VNS_UDP_SINK_DUP_WINDOW;
    return (k->seen[i / 64] >> (i % 64)) & 1;
}

static void
udp_sink_seen_set(UdpSink *k, uint64_t seq, bool on)
{
    uint64_t i = seq % VNS_UDP_SINK_DUP_WINDOW;
    if (on)
        k->seen[i / 64] |= (uint64_t) 1 << (i % 64);
    else
        k->seen[i / 64] &= ~((uint64_t) 1 << (i % 64));
}

/* Classifies sequence number 'seq': returns true for a duplicate, else
 * records it and sets *reordered. */
static bool
udp_sink_classify(UdpSink *k, uint64_t seq, bool *reordered)
{
    *reordered = false;
    if (!k->any || seq > k->max_seq) {
        if (!k->any || seq - k->max_seq >= VNS_UDP_SINK_DUP_WINDOW)
            memset(k->seen, 0, SINK_WORDS * sizeof(uint64_t));
        else
            for (uint64_t s = k->max_seq + 1; s < seq; s++)
                udp_sink_seen_set(k, s, false);
        udp_sink_seen_set(k, seq, true);
        k->any = true;
        k->max_seq = seq;
        return false;
    }
    /* RFC 4737 section 3.3: below NextExp = max_seq + 1, so reordered
     * unless it is a duplicate. Beyond the remembered window a duplicate
     * cannot be told apart and counts as reordered. */
    if (k->max_seq - seq < VNS_UDP_SINK_DUP_WINDOW) {
        if (udp_sink_seen_test(k, seq))
            return true;
        udp_sink_seen_set(k, seq, true);
    }
    *reordered = true;
    return false;
}

/* Records one unique arrival at 'now'. */
static void
udp_sink_account(UdpSink *k, uint64_t seq, VnsTime t_created, uint32_t payload,
                 VnsTime now)
{
    VnsTime latency = now - t_created;
    uint64_t base = vns_udp_source_base_seq(k->source);
    guint bin = (guint) ((now - k->t_reset) / k->bin);

    g_assert(latency >= 0);
    k->received_packets++;
    k->received_bytes += payload;
    vns_histogram_record(k->latency, (uint64_t) latency);
    if (k->have_prev) {
        VnsTime d = latency - k->prev_latency;
        double ad = (double) (d < 0 ? -d : d);
        k->ipdv_sum += ad;
        k->ipdv_n++;
        k->jitter_rfc3550 += (ad - k->jitter_rfc3550) / 16.0;
    }
    k->have_prev = true;
    k->prev_latency = latency;
    if (bin >= k->bin_bytes->len)
        g_array_set_size(k->bin_bytes, bin + 1);
    g_array_index(k->bin_bytes, uint64_t, bin) += payload;
    if (seq >= base) {
        k->loss_received++;
        if (!k->loss_any || seq > k->loss_max_seq)
            k->loss_max_seq = seq;
        k->loss_any = true;
    }
}

static void
udp_sink_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    UdpSink *k = (UdpSink *) self;
    const VnsFlowKey *key = vns_packet_parse_l3(pkt);
    const uint8_t *l4;
    uint32_t stored;
    VnsUdpHdr udp;
    bool reordered;

    if (key->family == VNS_IP_NONE || key->proto != VNS_IPPROTO_UDP ||
        pkt->l4_off == VNS_OFF_NONE) {
        vns_packet_drop(pkt, self, VNS_DROP_MALFORMED);
        return;
    }
    l4 = vns_packet_data(pkt) + pkt->l4_off;
    stored = pkt->len - pkt->l4_off;
    if (!vns_udp_parse(l4, stored, &udp) ||
        udp.length > stored + pkt->payload_len) {
        vns_packet_drop(pkt, self, VNS_DROP_MALFORMED);
        return;
    }
    /* A wrong checksum is discarded as Linux's UDP does (UDP_MIB_CSUMERRORS);
     * a zero checksum means "none" over IPv4 (RFC 768) and is invalid over
     * IPv6 (RFC 8200 section 8.1). */
    if ((udp.checksum != 0 || key->family == VNS_IP_V6) &&
        vns_csum_l4(l4, stored, udp.length, VNS_IPPROTO_UDP, &key->src,
                    &key->dst) != 0) {
        vns_packet_drop(pkt, self, VNS_DROP_MALFORMED);
        return;
    }
    if (pkt->flow_id != k->flow_id) {
        /* Another application's datagram to this port: read, not counted. */
        k->foreign++;
        vns_packet_free(pkt);
        return;
    }
    if (udp_sink_classify(k, pkt->flow_seq, &reordered)) {
        k->duplicates++;
    } else {
        k->reordered += reordered;
        udp_sink_account(k, pkt->flow_seq, pkt->t_created,
                         (uint32_t) udp.length - VNS_UDP_HLEN, vns_element_now(self));
    }
    vns_packet_free(pkt);
}

static void
udp_sink_reset(VnsElement *self)
{
    UdpSink *k = (UdpSink *) self;

    k->t_reset = vns_element_now(self);
    k->received_packets = k->received_bytes = 0;
    k->reordered = k->duplicates = k->foreign = 0;
    k->have_prev = false;
    k->ipdv_sum = 0;
    k->ipdv_n = 0;
    k->jitter_rfc3550 = 0;
    k->loss_received = 0;
    k->loss_any = false;
    vns_histogram_reset(k->latency);
    g_array_set_size(k->bin_bytes, 0);
}

static void
udp_sink_stop(VnsElement *self)
{
    UdpSink *k = (UdpSink *) self;

    k->stopped = true;
    k->t_end = vns_element_now(self);
}

static double
udp_sink_seconds(uint64_t ps)
{
    return (double) ps / (double) VNS_SEC;
}

/* The latency histogram in seconds, for gnuplot. */
static GString *
udp_sink_latency_file(const UdpSink *k)
{
    GString *out = g_string_new(NULL);
    VnsHistogramIter it;
    VnsHistogramBucket b;
    uint64_t n = vns_histogram_count(k->latency);

    g_string_append_printf(out, "# flow %s: one-way latency histogram\n"
                           "# latency_lo_s latency_hi_s count cumulative_fraction\n",
                           k->flow_name);
    vns_histogram_iter_init(&it, k->latency);
    while (vns_histogram_iter_next(&it, &b))
        g_string_append_printf(out, "%.12g %.12g %" G_GUINT64_FORMAT " %.12g\n",
                               udp_sink_seconds(b.lo), udp_sink_seconds(b.hi), b.count,
                               (double) b.cumulative / (double) n);
    return out;
}

/* Goodput per bin: time_s is the start of the bin; the last bin may be
 * shorter than the others (it ends with the window). */
static GString *
udp_sink_goodput_file(const UdpSink *k, VnsTime t_end)
{
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "# flow %s: goodput (UDP payload) per %.12g s bin\n"
                           "# time_s goodput_bps\n", k->flow_name,
                           udp_sink_seconds((uint64_t) k->bin));
    for (VnsTime t = k->t_reset; t < t_end; t += k->bin) {
        guint i = (guint) ((t - k->t_reset) / k->bin);
        uint64_t bytes = i < k->bin_bytes->len
                             ? g_array_index(k->bin_bytes, uint64_t, i) : 0;
        VnsTime width = MIN(k->bin, t_end - t);
        g_string_append_printf(out, "%.12g %.12g\n", udp_sink_seconds((uint64_t) t),
                               (double) bytes * 8.0 / udp_sink_seconds((uint64_t) width));
    }
    return out;
}

static void
udp_sink_stats(VnsElement *self, VnsReport *report)
{
    UdpSink *k = (UdpSink *) self;
    VnsTime t_end = k->stopped ? k->t_end : vns_element_now(self);
    double window = udp_sink_seconds((uint64_t) (t_end - k->t_reset));
    uint64_t sent = vns_udp_source_sent_packets(k->source);
    uint64_t base = vns_udp_source_base_seq(k->source);
    bool have = vns_histogram_count(k->latency) > 0;
    double loss;
    g_autofree char *lat_name = g_strdup_printf("latency-%s.dat", k->flow_name);
    g_autofree char *gp_name = g_strdup_printf("goodput-%s.dat", k->flow_name);

    if (k->loss_any) {
        double expected = (double) (k->loss_max_seq - base + 1);
        loss = MAX(0.0, 1.0 - (double) k->loss_received / expected);
    } else {
        /* Nothing sent in the window arrived: all of it is lost. */
        loss = sent > 0 ? 1.0 : NAN;
    }
    vns_report_row(report, "flows", k->flow_name);
    vns_report_int(report, "sent_packets", (int64_t) sent);
    vns_report_int(report, "sent_bytes",
                   (int64_t) vns_udp_source_sent_bytes(k->source));
    vns_report_int(report, "received_packets", (int64_t) k->received_packets);
    vns_report_int(report, "received_bytes", (int64_t) k->received_bytes);
    vns_report_num(report, "goodput_bps", window > 0
                       ? (double) k->received_bytes * 8.0 / window : NAN);
    vns_report_num(report, "latency_mean_s",
                   vns_histogram_mean(k->latency) / (double) VNS_SEC);
    vns_report_num(report, "latency_p50_s",
                   vns_histogram_quantile(k->latency, 0.5) / (double) VNS_SEC);
    vns_report_num(report, "latency_p90_s",
                   vns_histogram_quantile(k->latency, 0.9) / (double) VNS_SEC);
    vns_report_num(report, "latency_p99_s",
                   vns_histogram_quantile(k->latency, 0.99) / (double) VNS_SEC);
    vns_report_num(report, "latency_p999_s",
                   vns_histogram_quantile(k->latency, 0.999) / (double) VNS_SEC);
    vns_report_num(report, "latency_max_s", have
                       ? udp_sink_seconds(vns_histogram_max(k->latency)) : NAN);
    vns_report_num(report, "jitter_s", k->ipdv_n > 0
                       ? k->ipdv_sum / (double) k->ipdv_n / (double) VNS_SEC : NAN);
    vns_report_num(report, "loss", loss);
    vns_report_int(report, "reordered", (int64_t) k->reordered);
    vns_report_int(report, "duplicates", (int64_t) k->duplicates);
    vns_report_num(report, "latency_min_s", have
                       ? udp_sink_seconds(vns_histogram_min(k->latency)) : NAN);
    vns_report_num(report, "jitter_rfc3550_s", k->ipdv_n > 0
                       ? k->jitter_rfc3550 / (double) VNS_SEC : NAN);
    vns_report_file(report, lat_name, udp_sink_latency_file(k));
    vns_report_file(report, gp_name, udp_sink_goodput_file(k, t_end));
}

static void
udp_sink_free(VnsElement *self)
{
    UdpSink *k = (UdpSink *) self;

    g_free(k->flow_name);
    vns_histogram_free(k->latency);
    if (k->bin_bytes != NULL)
        g_array_free(k->bin_bytes, TRUE);
    g_free(k->seen);
}

const VnsElementOps vns_udp_sink_ops = {
    .type = "udp-sink",
    .instance_size = sizeof(UdpSink),
    .create = udp_sink_create,
    .receive = udp_sink_receive,
    .reset = udp_sink_reset,
    .stop = udp_sink_stop,
    .stats = udp_sink_stats,
    .free = udp_sink_free,
};
