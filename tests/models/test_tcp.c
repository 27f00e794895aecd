/* Tests of TCP (models/transport): sequence arithmetic and CUBIC against
 * RFC 9438's formulas, the handshake and teardown segment by segment with
 * closed-form times on a two-host link, RST for segments without a
 * connection, goodput against the line-rate bound without loss and against
 * Mathis et al. under random loss, RTO back-off, CUBIC fairness, CUBIC
 * against NewReno, path-MTU discovery by ICMP, the path-MTU black hole with
 * and without RFC 4821 probing and with MSS clamping, segmentation offload
 * through a vNIC, and the <tcp-flow> builder's input checks.
 *
 * Loss and black holes come from a test-only element spliced between a
 * host and its link (the framework has no loss element yet). Every test
 * ends with no packet out of the pool. */
#include <config.h>
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include "exp/experiment.h"
#include "models/link/p2p.h"
#include "models/transport/tcp_cc.h"
#include "models/transport/tcp_endpoint.h"
#include "net/element.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/tcp.h"
#include "tests/models/models_test.h"

/* ---- sequence numbers and congestion control ---- */

Test(tcp, sequence_comparisons_wrap)
{
    /* RFC 1982 / RFC 9293 section 3.4: a < b when b - a, mod 2^32, is in
     * (0, 2^31). */
    cr_assert(vns_tcp_seq_lt(0xfffffff0u, 0x10u));
    cr_assert(!vns_tcp_seq_lt(0x10u, 0xfffffff0u));
    cr_assert(vns_tcp_seq_lt(1, 2));
    cr_assert(vns_tcp_seq_leq(5, 5));
    cr_assert(!vns_tcp_seq_lt(5, 5));
    cr_assert(vns_tcp_seq_lt(0x7fffffffu, 0x80000000u));
}

Test(tcp, cubic_reduces_and_grows_as_rfc9438)
{
    /* A loss at cwnd = 100 segments: ssthresh = 0.7 x 100 (section 4.6),
     * W_max = 100. A second loss at 80 < W_max: fast convergence (section
     * 4.7) sets W_max = 80 x (1 + 0.7) / 2 = 68. In the epoch after the
     * first loss, with cwnd = 70 and W_max = 100, K = cbrt((100 - 70) /
     * 0.4) = cbrt(75) s (equation 2); at t = K - RTT the target is
     * W_cubic(K) = W_max, clamped to 1.5 cwnd; growth per ACK of one
     * segment is (target - cwnd) / cwnd. */
    const uint32_t mss = 1000;
    VnsTcpCc cc;
    double k = cbrt(75.0);

    vns_tcp_cc_init(&cc, &vns_tcp_cubic_ops, mss, 10);
    cr_assert_eq(cc.cwnd, 10 * mss);
    cc.cwnd = 100 * mss;
    cc.ops->on_loss(&cc, 100 * mss);
    cr_assert_eq(cc.ssthresh, 70 * mss);
    cr_assert_float_eq(cc.w_max, 100, 1e-12);
    cc.cwnd = cc.ssthresh;
    /* The epoch starts at the first ACK (t = 0, RTT 0 here): W_cubic(0) =
     * cwnd = 70 < W_est = 70 + alpha / 70 with alpha = 3 (1 - 0.7) /
     * (1 + 0.7) (section 4.3): the Reno-friendly region, cwnd = W_est. */
    double alpha = 3 * (1 - 0.7) / (1 + 0.7), w_est = 70 + alpha / 70, c, want;
    vns_tcp_cc_on_ack(&cc, mss, true, 0, 0);
    cr_assert_float_eq(cc.k, k, 1e-12);
    cr_assert_eq(cc.cwnd, (uint64_t) floor(w_est * mss));
    /* At t = K: W_cubic(K) = W_max = 100 > W_est, the concave region:
     * target = W_cubic(K + RTT) = 100, cwnd grows by (100 - cwnd) / cwnd
     * for the acknowledged segment (sections 4.4-4.5). */
    c = (double) cc.cwnd / mss;
    want = (w_est - floor(w_est * mss) / mss) * mss + (100 - c) / c * mss;
    vns_tcp_cc_on_ack(&cc, mss, true, vns_time_from_s(k), 0);
    cr_assert_eq(cc.cwnd, (uint64_t) (c * mss) + (uint64_t) floor(want),
                 "cwnd %" G_GUINT64_FORMAT, cc.cwnd);
    /* Second loss below W_max: fast convergence. */
    cc.cwnd = 80 * mss;
    cc.ops->on_loss(&cc, 80 * mss);
    cr_assert_float_eq(cc.w_max, 68, 1e-12);
    cr_assert_eq(cc.ssthresh, 56 * mss);

    /* NewReno: ssthresh = max(FlightSize / 2, 2 SMSS) (RFC 5681 eq. 4);
     * one MSS per cwnd of acknowledged bytes. */
    vns_tcp_cc_init(&cc, &vns_tcp_newreno_ops, mss, 10);
    cc.ops->on_loss(&cc, 3 * mss);
    cr_assert_eq(cc.ssthresh, 2 * mss);
    cc.cwnd = 10 * mss;
    cc.ssthresh = 5 * mss;
    vns_tcp_cc_on_ack(&cc, 9 * mss, true, 0, 0);
    cr_assert_eq(cc.cwnd, 10 * mss);
    vns_tcp_cc_on_ack(&cc, mss, true, 0, 0);
    cr_assert_eq(cc.cwnd, 11 * mss);
    /* Not limited by cwnd: no growth (RFC 7661). */
    vns_tcp_cc_on_ack(&cc, 20 * mss, false, 0, 0);
    cr_assert_eq(cc.cwnd, 11 * mss);
}

/* ---- a tap that records TCP segments at a port ---- */

typedef struct {
    VnsTime t;
    bool out;                   /* sent by the port's owner */
    VnsTcpHdr th;
    uint32_t len;               /* payload bytes */
} Seg;

typedef struct {
    VnsPortTap tap;             /* must stay first */
    VnsSim *sim;
    GArray *segs;               /* of Seg */
} SegTap;

static void
segtap_seen(VnsPortTap *tap, const VnsPort *port, const VnsPacket *pkt, bool outgoing)
{
    SegTap *s = (SegTap *) tap;
    const uint8_t *d = vns_packet_data(pkt);
    uint32_t l4;
    Seg g = { .t = vns_sim_now(s->sim), .out = outgoing };

    if (d[0] >> 4 == 4) {
        VnsIpv4Hdr ip;
        cr_assert(vns_ipv4_parse(d, pkt->len, &ip));
        l4 = ip.hdr_len;
    } else {
        VnsIpv6Hdr ip6;
        cr_assert(vns_ipv6_parse(d, pkt->len, &ip6));
        l4 = ip6.l4_off;
    }
    cr_assert(vns_tcp_parse(d + l4, pkt->len - l4, &g.th));
    g.len = vns_packet_size(pkt) - l4 - g.th.hdr_len;
    g_array_append_val(s->segs, g);
}

static void
segtap_init(SegTap *s, VnsSim *sim, VnsPort *port)
{
    s->tap.seen = segtap_seen;
    s->sim = sim;
    s->segs = g_array_new(FALSE, TRUE, sizeof(Seg));
    vns_port_add_tap(port, &s->tap);
}

/* ---- a lossy element: drops packets from port 0 at random, or all of
 * them from a time on (a black hole) ---- */

typedef struct {
    VnsElement base;
    double p;                   /* drop probability, port 0 -> 1 */
    VnsTime blackhole_at;       /* drop everything from port 0 from then */
    uint64_t every;             /* if > 0: drop every every-th packet instead */
    const uint64_t *drop_list;  /* or these packets (1 = the first), 0-ended */
    uint64_t seen;              /* packets from port 0 */
    uint64_t dropped;
} Lossy;

static bool
lossy_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Lossy *l = (Lossy *) self;

    vns_element_add_port(self, "host");
    vns_element_add_port(self, "link");
    l->blackhole_at = VNS_TIME_NEVER;
    return true;
}

static void
lossy_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Lossy *l = (Lossy *) self;

    bool drop = false;

    if (port == 0) {
        l->seen++;
        drop = vns_element_now(self) >= l->blackhole_at ||
               (l->every > 0 ? l->seen % l->every == 0
                             : l->p > 0 && gsl_rng_uniform(vns_element_rng(self)) < l->p);
        for (const uint64_t *k = l->drop_list; k != NULL && *k != 0; k++)
            drop = drop || *k == l->seen;
    }
    if (drop) {
        l->dropped++;
        vns_packet_drop(pkt, self, VNS_DROP_POLICY_DENY);
        return;
    }
    vns_port_send(vns_element_port(self, port == 0 ? 1 : 0), pkt);
}

static const VnsElementOps lossy_ops = {
    .type = "test-lossy",
    .instance_size = sizeof(Lossy),
    .create = lossy_create,
    .receive = lossy_receive,
};

/* Puts a new lossy element between 'host':eth0 and its link, each side
 * advertising what the other did (the host reads its link's MTU). */
static Lossy *
tcp_splice_lossy(VnsNet *net, const char *host)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *name = g_strdup_printf("%s.lossy", host);
    VnsPort *hp = vns_element_find_port(vns_net_find(net, host), "eth0");
    VnsPort *lp = hp->peer;
    VnsElement *x = vns_net_add(net, &lossy_ops, name, NULL, &error);

    cr_assert_not_null(x, "%s", error ? error->message : "");
    hp->peer = NULL;
    lp->peer = NULL;
    cr_assert(vns_port_connect(hp, vns_element_port(x, 0), &error));
    cr_assert(vns_port_connect(vns_element_port(x, 1), lp, &error));
    vns_element_port(x, 0)->info = lp->info;
    vns_element_port(x, 1)->info = hp->info;
    return (Lossy *) x;
}

/* ---- experiments ---- */

/* A built experiment (models_test_build()), run in stages by the test:
 * elements spliced in or tapped before vns_net_start(), endpoints looked
 * at after the run. Whole runs use models_test_run(). */
typedef struct {
    VnsRegistry *reg;
    VnsExperiment *exp;
    VnsNet *net;
    VnsSim *sim;
} Run;

static void
tcp_build(Run *r, const char *file, const char *const *sets)
{
    r->net = models_test_build(file, sets, 0, &r->exp, &r->reg);
    r->sim = vns_net_sim(r->net);
}

static void
tcp_start(Run *r)
{
    g_autoptr(GError) error = NULL;

    cr_assert(vns_net_start(r->net, &error), "%s", error->message);
}

/* Runs warm-up and duration as vns_experiment_run_once() does; returns the
 * report (owned). */
static VnsReport *
tcp_finish(Run *r)
{
    VnsReport *report = vns_report_new();

    if (r->exp->warmup > 0 && vns_sim_now(r->sim) < r->exp->warmup) {
        vns_sim_run_until(r->sim, r->exp->warmup);
        vns_net_reset(r->net);
    }
    vns_sim_run_until(r->sim, r->exp->warmup + r->exp->duration);
    vns_net_stop(r->net);
    vns_net_stats(r->net, report);
    return report;
}

/* Frees everything; checks that no packet is out of the pool. */
static void
tcp_free(Run *r)
{
    vns_sim_free(r->sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(r->net)), 0,
                 "%" G_GUINT64_FORMAT " packets out of the pool",
                 vns_packet_pool_outstanding(vns_net_pool(r->net)));
    vns_net_free(r->net);
    vns_experiment_free(r->exp);
    vns_registry_free(r->reg);
}

/* Line time of a frame carrying an IP packet of 'ip' bytes (IEEE 802.3:
 * + 14 header, + 4 FCS, at least 64, + 8 preamble/SFD + 12 gap). */
static VnsTime
tcp_tx(uint32_t ip, uint64_t rate_bps)
{
    return vns_time_tx(vns_p2p_wire_size(ip + 14), rate_bps);
}

/* ---- handshake and teardown ---- */

static void
tcp_check_seg(const Seg *g, VnsTime t, bool out, uint8_t flags, uint32_t seq,
              uint32_t ack, uint32_t len, int i)
{
    cr_assert_eq(g->t, t, "segment %d: at %" G_GINT64_FORMAT " ps, expected %"
                 G_GINT64_FORMAT, i, g->t, t);
    cr_assert_eq(g->out, out, "segment %d: direction", i);
    cr_assert_eq(g->th.flags, flags, "segment %d: flags 0x%02x, expected 0x%02x",
                 i, g->th.flags, flags);
    cr_assert_eq(g->th.seq, seq, "segment %d: seq %u, expected %u", i, g->th.seq, seq);
    if (flags & VNS_TCP_ACK)
        cr_assert_eq(g->th.ack, ack, "segment %d: ack %u, expected %u", i,
                     g->th.ack, ack);
    cr_assert_eq(g->len, len, "segment %d: %u bytes, expected %u", i, g->len, len);
}

static void
tcp_check_handshake(const char *family, uint32_t ip_hdr, uint16_t mss)
{
    /* ok-tcp-handshake.xml: 100 Mbit/s, 1 ms; a 1000-byte transfer from
     * 10 ms. With S = the SYN's IP size (IP header + 20 TCP + 12 options in
     * Linux's layout without timestamps: MSS 4, NOP NOP SACK-Permitted 4,
     * NOP window scale 4), A = a bare ACK (IP + 20), D = the data
     * segment (A + 1000), and T(x) = tx time of x on the link:
     *   t0 = 10 ms        client sends SYN (seq ISS)
     *   t1 = t0 + 2 (T(S) + 1 ms)   the SYN-ACK (as large as the SYN)
     *                     arrives; the client sends the ACK and,
     *                     behind it on the link, PSH|ACK|FIN with 1000 bytes
     *   t2 = t1 + T(A) + T(D) + 1 ms   server gets data + FIN, answers
     *                     FIN|ACK at once (the application closes)
     *   t3 = t2 + T(A) + 1 ms   FIN|ACK arrives; the client's last ACK
     *   t3 + 60 s         TIME_WAIT ends (Linux's TCP_TIMEWAIT_LEN).
     * The server is back to LISTEN when the last ACK arrives,
     * t3 + T(A) + 1 ms. MSS = 1500 - 40 (IPv4) or - 60 (IPv6); window
     * scale 2 for the 131072-byte buffer (131072 >> 2 <= 65535). */
    g_autofree char *set = g_strdup_printf("family=%s", family);
    const char *sets[] = { set, NULL };
    const uint64_t rate = 100000000;
    const VnsTime d = VNS_MS;
    VnsTime t0 = 10 * VNS_MS, t1, t2, t3;
    uint32_t syn = ip_hdr + 32, ack = ip_hdr + 20, data = ack + 1000;
    Run r;
    SegTap tap;
    VnsElement *client, *server;
    const Seg *g;
    uint32_t iss, irs;

    tcp_build(&r, "ok-tcp-handshake.xml", sets);
    client = vns_net_find(r.net, "hs.client");
    server = vns_net_find(r.net, "hs.server");
    cr_assert_not_null(client);
    segtap_init(&tap, r.sim, vns_element_port(client, 0));
    tcp_start(&r);
    t1 = t0 + 2 * (tcp_tx(syn, rate) + d);
    t2 = t1 + tcp_tx(ack, rate) + tcp_tx(data, rate) + d;
    t3 = t2 + tcp_tx(ack, rate) + d;

    vns_sim_run_until(r.sim, t3 + VNS_TCP_TIMEWAIT_LEN - 1);
    cr_assert_eq(vns_tcp_endpoint_state(client), VNS_TCP_TIME_WAIT, "%s",
                 vns_tcp_state_name(vns_tcp_endpoint_state(client)));
    cr_assert_eq(vns_tcp_endpoint_state(server), VNS_TCP_LISTEN);
    cr_assert_eq(tap.segs->len, 6, "%u segments", tap.segs->len);
    g = &g_array_index(tap.segs, Seg, 0);
    iss = g[0].th.seq;
    irs = g[1].th.seq;
    tcp_check_seg(&g[0], t0, true, VNS_TCP_SYN, iss, 0, 0, 0);
    cr_assert(g[0].th.opts.has_mss && g[0].th.opts.mss == mss);
    cr_assert(g[0].th.opts.has_wscale && g[0].th.opts.wscale == 2);
    cr_assert(g[0].th.opts.sack_permitted);
    cr_assert_eq(g[0].th.hdr_len, 32);
    cr_assert_eq(g[0].th.window, 65535);
    tcp_check_seg(&g[1], t1, false, VNS_TCP_SYN | VNS_TCP_ACK, irs, iss + 1, 0, 1);
    cr_assert(g[1].th.opts.has_mss && g[1].th.opts.mss == mss);
    cr_assert(g[1].th.opts.has_wscale && g[1].th.opts.wscale == 2);
    cr_assert(g[1].th.opts.sack_permitted);
    tcp_check_seg(&g[2], t1, true, VNS_TCP_ACK, iss + 1, irs + 1, 0, 2);
    cr_assert_eq(g[2].th.window, 131072 >> 2);
    tcp_check_seg(&g[3], t1, true, VNS_TCP_ACK | VNS_TCP_PSH | VNS_TCP_FIN,
                  iss + 1, irs + 1, 1000, 3);
    tcp_check_seg(&g[4], t3, false, VNS_TCP_ACK | VNS_TCP_FIN, irs + 1,
                  iss + 1002, 0, 4);
    tcp_check_seg(&g[5], t3, true, VNS_TCP_ACK, iss + 1002, irs + 2, 0, 5);

    vns_sim_run_until(r.sim, t3 + VNS_TCP_TIMEWAIT_LEN);
    cr_assert_eq(vns_tcp_endpoint_state(client), VNS_TCP_CLOSED);
    cr_assert_eq(vns_tcp_endpoint_delivered(server), 1000);
    g_autoptr(VnsReport) rep = tcp_finish(&r);
    /* FCT: from the SYN to the last byte at the server, t2 - t0. */
    cr_assert_float_eq(models_test_num(rep, "flows", "hs", "fct_s"),
                       vns_time_to_s(t2 - t0), 1e-15);
    cr_assert_eq(models_test_num(rep, "flows", "hs", "retransmissions"), 0);
    /* Two RTT samples (RFC 6298 section 2): the SYN's, R1 = t1 - t0, sets
     * SRTT = R1; the data segment's, R2 = t3 - t1 (acknowledged by the
     * FIN|ACK), gives SRTT = 7/8 R1 + 1/8 R2 (in whole picoseconds). The
     * RTO is far below the 200 ms floor. */
    cr_assert_float_eq(models_test_num(rep, "flows", "hs", "srtt_s"),
                       vns_time_to_s((7 * (t1 - t0) + (t3 - t1)) / 8), 1e-15);
    cr_assert_float_eq(models_test_num(rep, "flows", "hs", "rto_s"), 0.2, 1e-15);
    cr_assert_eq(models_test_num(rep, "flows", "hs", "mss"), mss);
    g_array_free(tap.segs, TRUE);
    tcp_free(&r);
}

Test(tcp, handshake_and_teardown_are_exact_ipv4)
{
    tcp_check_handshake("ipv4", 20, 1460);
}

Test(tcp, handshake_and_teardown_are_exact_ipv6)
{
    tcp_check_handshake("ipv6", 40, 1440);
}

/* ---- RST ---- */

/* Has test end 'p' send a crafted segment from 10.0.0.1:40000 to
 * 10.0.0.2:'dport' straight through its port. */
static void
probe_send(TestEnd *p, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
           uint32_t len)
{
    VnsIpAddr a = vns_ip_addr_v4(0x0a000001), b = vns_ip_addr_v4(0x0a000002);
    VnsPacket *pkt = vns_packet_new(vns_net_pool(p->base.net), len);
    VnsTcpHdr th = { .sport = 40000, .dport = dport, .seq = seq, .ack = ack,
                     .flags = flags, .window = 1000 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_TCP, .src = a.v4, .dst = b.v4 };

    vns_tcp_push(pkt, &th, &a, &b);
    vns_ipv4_push(pkt, &ip);
    vns_port_send(p->port, pkt);
}

/* The TCP header of the i-th segment test end 'p' received. */
static VnsTcpHdr
probe_got(const TestEnd *p, guint i)
{
    const TestRx *r = test_end_rx(p, i);
    VnsTcpHdr th;

    cr_assert(vns_tcp_parse(r->hdr + VNS_IPV4_HLEN, r->len - VNS_IPV4_HLEN, &th),
              "segment %u", i);
    return th;
}

static VnsTcpConf
tcp_conf(bool server, uint16_t lport, uint16_t rport)
{
    VnsTcpConf c = {
        .server = server, .local = vns_ip_addr_v4(server ? 0x0a000002 : 0x0a000001),
        .remote = vns_ip_addr_v4(server ? 0x0a000001 : 0x0a000002),
        .lport = lport, .rport = rport, .mtu = 1500, .rcvbuf = 131072,
        .wscale = true, .cc = &vns_tcp_cubic_ops, .stop = VNS_TIME_NEVER,
        .size = 1000, .trace_interval = VNS_MS,
    };
    return c;
}

Test(tcp, segments_without_a_connection_get_a_rst)
{
    /* RFC 9293 section 3.10.7.1, a listening server wired directly to a
     * probe: a bare ACK gets <SEQ=SEG.ACK><CTL=RST>; a SYN for another
     * port gets <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>; a RST gets nothing. */
    g_autoptr(GError) error = NULL;
    VnsSim *sim = vns_sim_new(NULL);
    VnsNet *net = vns_net_new(sim);
    VnsElement *srv = vns_net_add(net, &vns_tcp_endpoint_ops, "s", NULL, &error);
    VnsTcpConf sc = tcp_conf(true, 80, 0);
    TestEnd *p = test_end_new(net, "p", "p", vns_tcp_endpoint_setup(srv, &sc, NULL, NULL));
    VnsTcpHdr g[3];

    cr_assert(vns_net_start(net, &error));
    probe_send(p, 80, VNS_TCP_ACK, 1000, 123456, 0);
    probe_send(p, 81, VNS_TCP_SYN, 5000, 0, 0);
    probe_send(p, 80, VNS_TCP_RST, 7, 0, 0);
    probe_send(p, 80, VNS_TCP_ACK | VNS_TCP_PSH, 1000, 99, 100);
    cr_assert_eq(p->rx->len, 3);
    for (guint i = 0; i < 3; i++)
        g[i] = probe_got(p, i);
    cr_assert_eq(g[0].flags, VNS_TCP_RST);
    cr_assert_eq(g[0].seq, 123456);
    cr_assert_eq(g[0].sport, 80);
    cr_assert_eq(g[0].dport, 40000);
    cr_assert_eq(g[1].flags, VNS_TCP_RST | VNS_TCP_ACK);
    cr_assert_eq(g[1].seq, 0);
    cr_assert_eq(g[1].ack, 5001);
    cr_assert_eq(g[1].sport, 81);
    cr_assert_eq(g[2].flags, VNS_TCP_RST);
    cr_assert_eq(g[2].seq, 99);
    cr_assert_eq(vns_tcp_endpoint_state(srv), VNS_TCP_LISTEN);
    vns_net_stop(net);
    vns_sim_free(sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(net)), 0);
    vns_net_free(net);
}

Test(tcp, connecting_to_a_closed_port_is_refused)
{
    /* A client wired to a server that listens on another port: its SYN
     * draws RST|ACK with ACK = ISS + 1, which is acceptable in SYN-SENT,
     * so the connection is refused (CLOSED, one reset received) and
     * nothing is retransmitted. */
    g_autoptr(GError) error = NULL;
    VnsSim *sim = vns_sim_new(NULL);
    VnsNet *net = vns_net_new(sim);
    VnsElement *cli = vns_net_add(net, &vns_tcp_endpoint_ops, "c", NULL, &error);
    VnsElement *srv = vns_net_add(net, &vns_tcp_endpoint_ops, "s", NULL, &error);
    VnsTcpConf cc = tcp_conf(false, 40000, 81), sc = tcp_conf(true, 80, 0);
    g_autoptr(VnsReport) rep = vns_report_new();

    vns_net_flow_register(net, "c");
    cr_assert(vns_port_connect(vns_tcp_endpoint_setup(cli, &cc, "c", srv),
                               vns_tcp_endpoint_setup(srv, &sc, NULL, NULL), &error));
    cr_assert(vns_net_start(net, &error));
    vns_sim_run_until(sim, 10 * VNS_SEC);
    cr_assert_eq(vns_tcp_endpoint_state(cli), VNS_TCP_CLOSED);
    vns_net_stop(net);
    vns_net_stats(net, rep);
    cr_assert_eq(models_test_num(rep, "flows", "c", "resets_received"), 1);
    cr_assert_eq(models_test_num(rep, "flows", "c", "retransmissions"), 0);
    cr_assert_eq(models_test_num(rep, "flows", "c", "sent_segments"), 1);
    vns_sim_free(sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(net)), 0);
    vns_net_free(net);
}

/* ---- goodput ---- */

static void
tcp_check_bulk(const char *family, const char *cc, uint32_t mss, uint32_t ip_hdr)
{
    /* ok-tcp-bulk.xml: an unlimited flow on 100 Mbit/s, 1 ms, no loss,
     * measured for 5 s after a 1 s warm-up. Bound: MSS / wire bytes per
     * segment x rate, wire = MSS + 20 TCP + IP header + 14 Ethernet + 4
     * FCS + 8 preamble + 12 gap = 1538 bytes either way; the ACKs go the
     * other way on the full-duplex link. Required: 95% of it. */
    g_autofree char *f = g_strdup_printf("family=%s", family);
    g_autofree char *c = g_strdup_printf("cc=%s", cc);
    const char *sets[] = { f, c, NULL };
    g_autoptr(VnsReport) r = models_test_run("ok-tcp-bulk.xml", sets, 0);
    double bound = (double) mss / (mss + 20 + ip_hdr + 14 + 4 + 8 + 12) * 1e8;
    double goodput = models_test_num(r, "flows", "bulk", "goodput_bps");

    cr_assert_eq(models_test_num(r, "flows", "bulk", "mss"), mss);
    cr_assert(goodput >= 0.95 * bound && goodput <= bound,
              "%s %s: goodput %.0f bit/s, bound %.0f", family, cc, goodput, bound);
    cr_assert_eq(models_test_num(r, "flows", "bulk", "retransmissions"), 0);
}

Test(tcp, lossless_bulk_reaches_the_goodput_bound)
{
    tcp_check_bulk("ipv4", "cubic", 1460, 20);
    tcp_check_bulk("ipv4", "newreno", 1460, 20);
    tcp_check_bulk("ipv6", "cubic", 1440, 40);
}

Test(tcp, sequence_numbers_wrap_without_loss_or_retransmission)
{
    /* The same bulk flow from ISS = 2^32 - 100001: the sequence numbers
     * wrap after 100 kB, early in slow start; the goodput is the same as
     * from a random ISS, to the byte. */
    const char *sets[] = { NULL };
    g_autoptr(VnsReport) ref = models_test_run("ok-tcp-bulk.xml", sets, 0);
    Run r;
    VnsReport *rep;

    tcp_build(&r, "ok-tcp-bulk.xml", sets);
    vns_tcp_endpoint_set_iss(vns_net_find(r.net, "bulk.client"), 0xffffffffu - 100000);
    vns_tcp_endpoint_set_iss(vns_net_find(r.net, "bulk.server"), 0xfffffff0u);
    tcp_start(&r);
    rep = tcp_finish(&r);
    tcp_free(&r);
    cr_assert_eq(models_test_num(rep, "flows", "bulk", "delivered_bytes"),
                 models_test_num(ref, "flows", "bulk", "delivered_bytes"));
    cr_assert_eq(models_test_num(rep, "flows", "bulk", "retransmissions"), 0);
    vns_report_free(rep);
}

Test(tcp, sized_flow_completes_and_closes)
{
    /* ok-tcp-sized.xml: 1 MB over 100 Mbit/s, 1 ms. The client is in
     * TIME_WAIT at the end (less than 60 s after its FIN), everything was
     * delivered, and the FCT is at least one RTT for the handshake plus
     * the serialization of 1 MB in 1460-byte segments of 1538 wire bytes,
     * and at most that plus 10 RTTs of slow start. */
    g_autoptr(VnsReport) r = models_test_run("ok-tcp-sized.xml", NULL, 0);
    double ser = 1e6 / 1460 * 1538 * 8 / 1e8, rtt = 2e-3;
    double fct = models_test_num(r, "flows", "sized", "fct_s");

    cr_assert_eq(models_test_num(r, "flows", "sized", "delivered_bytes"), 1000000);
    cr_assert(fct >= rtt + ser && fct <= 11 * rtt + ser, "fct %.6f s", fct);
    cr_assert_eq(models_test_num(r, "flows", "sized", "retransmissions"), 0);
}

/* ---- loss ---- */

static VnsReport *tcp_run_lossy_every(const char *const *sets, double p,
                                      uint64_t every, VnsTime blackhole_at,
                                      SegTap *tap);

/* Runs ok-tcp-loss.xml with drop probability 'p' on the data path (or a
 * black hole from 'blackhole_at'); returns the report (owned). */
static VnsReport *
tcp_run_lossy(const char *const *sets, double p, VnsTime blackhole_at, SegTap *tap)
{
    return tcp_run_lossy_every(sets, p, 0, blackhole_at, tap);
}

/* The same, dropping every 'every'-th packet instead when it is positive. */
static VnsReport *
tcp_run_lossy_every(const char *const *sets, double p, uint64_t every,
                    VnsTime blackhole_at, SegTap *tap)
{
    Run r;
    Lossy *l;
    VnsReport *rep;

    tcp_build(&r, "ok-tcp-loss.xml", sets);
    l = tcp_splice_lossy(r.net, "h1");
    l->p = p;
    l->every = every;
    l->blackhole_at = blackhole_at;
    if (tap != NULL)
        segtap_init(tap, r.sim, vns_element_port(vns_net_find(r.net, "loss.client"), 0));
    tcp_start(&r);
    rep = tcp_finish(&r);
    tcp_free(&r);
    return rep;
}

Test(tcp, newreno_goodput_matches_mathis_under_random_loss)
{
    /* Mathis, Semke, Mahdavi, Ott (1997): BW = MSS / RTT x C / sqrt(p),
     * C = sqrt(3/2), for a window limited only by loss. ok-tcp-loss.xml:
     * 1 Gbit/s, 5 ms each way (base RTT 10 ms plus the serialization of a
     * segment and an ACK, 12.3 + 0.7 us: the link is never the limit),
     * a 16 MB receive buffer, NewReno congestion control with NewReno
     * (RFC 6582) and with SACK (RFC 6675) recovery; every data packet is
     * dropped with probability p. Required: within 25%. The durations give
     * about 200 loss events or more per run. */
    static const struct {
        double p;
        const char *duration;
    } cases[] = { { 1e-4, "duration=150s" }, { 1e-3, "duration=60s" },
                  { 1e-2, "duration=60s" } };
    const double rtt = 10e-3 + vns_time_to_s(tcp_tx(1500, 1000000000) +
                                             tcp_tx(40, 1000000000));

    for (size_t i = 0; i < 2 * G_N_ELEMENTS(cases); i++) {
        size_t c = i / 2;
        const char *sack = i % 2 ? "sack=true" : "sack=false";
        const char *sets[] = { "cc=newreno", cases[c].duration, sack, NULL };
        g_autoptr(VnsReport) r = tcp_run_lossy(sets, cases[c].p, VNS_TIME_NEVER, NULL);
        double want = 1460 * 8 / rtt * sqrt(1.5) / sqrt(cases[c].p);
        double got = models_test_num(r, "flows", "loss", "goodput_bps");
        cr_log_info("%s p = %g: goodput %.3f Mbit/s, Mathis %.3f Mbit/s (%+.1f%%), "
                    "%g fast retransmits, %g timeouts", sack, cases[c].p, got / 1e6,
                    want / 1e6, (got / want - 1) * 100,
                    models_test_num(r, "flows", "loss", "fast_retransmits"),
                    models_test_num(r, "flows", "loss", "timeouts"));
        cr_assert(fabs(got / want - 1) <= 0.25,
                  "%s p = %g: goodput %.0f bit/s, Mathis %.0f bit/s", sack,
                  cases[c].p, got, want);
    }
}

Test(tcp, cubic_goodput_matches_the_rfc9438_response_function)
{
    /* RFC 9438 section 5.1 (Ha, Rhee, Xu 2008): with one loss every 1/p
     * packets (the deterministic model the analysis assumes) the average
     * CUBIC window is (C (3 + beta) / (4 (1 - beta)))^(1/4) x (RTT / p)^(3/4)
     * segments (RTT in seconds), and never below the Reno-friendly window,
     * which section 4.3 makes equal to Reno's sqrt(3/2) / sqrt(p). The
     * loss path of the Mathis test with a 10 ms RTT is Reno-friendly at
     * p = 1e-3 and 1e-2; with 100 ms and p = 1e-5 the cubic window (1054
     * segments) is 2.7 times Reno's, and a period lasts K = 9.5 s.
     * Required: within 25%. */
    static const struct {
        double p;
        double delay_s;         /* one way */
        const char *delay;
        const char *duration;
        const char *warmup;
    } cases[] = { { 1e-3, 5e-3, "delay=5ms", "duration=60s", "warmup=5s" },
                  { 1e-2, 5e-3, "delay=5ms", "duration=60s", "warmup=5s" },
                  { 1e-5, 50e-3, "delay=50ms", "duration=200s", "warmup=100s" } };
    /* The 100 ms case gets a queue above the 16 MB window (11492
     * segments), so that slow start ends by the deterministic loss, not
     * by a burst of overflows (no SACK or HyStart here to soften it), and
     * a 100 s warm-up: from the 16000-segment window slow start reaches,
     * fast convergence takes about 70 s to bring W_max down to its steady
     * state. */
    const double c = VNS_TCP_CUBIC_C, b = VNS_TCP_CUBIC_BETA;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *sets[] = { "cc=cubic", cases[i].delay, cases[i].duration,
                               cases[i].warmup, "qlimit=20000", NULL };
        uint64_t every = (uint64_t) (1 / cases[i].p + 0.5);
        g_autoptr(VnsReport) r = tcp_run_lossy_every(sets, 0, every, VNS_TIME_NEVER, NULL);
        double rtt = 2 * cases[i].delay_s +
                     vns_time_to_s(tcp_tx(1500, 1000000000) + tcp_tx(40, 1000000000));
        double w_cubic = pow(c * (3 + b) / (4 * (1 - b)), 0.25) *
                         pow(rtt / cases[i].p, 0.75);
        double w_reno = sqrt(1.5) / sqrt(cases[i].p);
        double want = MAX(w_cubic, w_reno) * 1460 * 8 / rtt;
        double got = models_test_num(r, "flows", "loss", "goodput_bps");
        cr_log_info("CUBIC p = %g, RTT %.4f s: goodput %.3f Mbit/s, RFC 9438 %.3f "
                    "Mbit/s (%s region, %+.1f%%)", cases[i].p, rtt, got / 1e6,
                    want / 1e6, w_cubic > w_reno ? "cubic" : "Reno-friendly",
                    (got / want - 1) * 100);
        cr_assert(fabs(got / want - 1) <= 0.25,
                  "p = %g: goodput %.0f bit/s, RFC 9438 %.0f bit/s", cases[i].p,
                  got, want);
    }
}

/* Runs ok-tcp-loss.xml on a 100 Mbit/s, 1 ms path, dropping the client's
 * packets 'drops' (1 = its first packet, the SYN); returns the report. */
static VnsReport *
tcp_run_drops(const char *sack, const uint64_t *drops)
{
    const char *sets[] = { "rate=100Mbps", "delay=1ms", "duration=2s",
                           "warmup=0s", sack, NULL };
    Run r;
    Lossy *l;
    VnsReport *rep;

    tcp_build(&r, "ok-tcp-loss.xml", sets);
    l = tcp_splice_lossy(r.net, "h1");
    l->drop_list = drops;
    tcp_start(&r);
    rep = tcp_finish(&r);
    tcp_free(&r);
    return rep;
}

Test(tcp, sack_repairs_three_holes_in_one_round_trip)
{
    /* Three data segments lost from one window (the client's packets 200,
     * 203 and 206, in slow start): with SACK the
     * sender learns all three holes from the duplicate ACKs and resends
     * exactly them in one recovery (RFC 6675); NewReno without SACK also
     * resends exactly three, but one per partial ACK, a round trip each
     * (RFC 6582). Neither needs a timeout; both deliver the same bytes
     * in the end. */
    static const uint64_t drops[] = { 200, 203, 206, 0 };
    g_autoptr(VnsReport) with = tcp_run_drops("sack=true", drops);
    g_autoptr(VnsReport) without = tcp_run_drops("sack=false", drops);

    cr_assert_eq(models_test_num(with, "flows", "loss", "retransmissions"), 3);
    cr_assert_eq(models_test_num(with, "flows", "loss", "fast_retransmits"), 1);
    cr_assert_eq(models_test_num(with, "flows", "loss", "timeouts"), 0);
    cr_assert_eq(models_test_num(without, "flows", "loss", "retransmissions"), 3);
    cr_assert_eq(models_test_num(without, "flows", "loss", "fast_retransmits"), 1);
    cr_assert_eq(models_test_num(without, "flows", "loss", "timeouts"), 0);
    cr_assert_geq(models_test_num(with, "flows", "loss", "delivered_bytes"),
                  models_test_num(without, "flows", "loss", "delivered_bytes"));
}

Test(tcp, rto_backs_off_exponentially_to_its_maximum)
{
    /* ok-tcp-loss.xml without random loss, and from 1 s on everything the
     * client sends is lost. The first timeout comes one RTO after the
     * last ACK; each retransmission of SND.UNA then waits twice as long
     * as the one before (RFC 6298 section 5.5), up to TCP_RTO_MAX = 120 s
     * (RFC 6298 2.5 allows a maximum of at least 60 s). */
    const char *sets[] = { "duration=600s", NULL };
    SegTap tap;
    g_autoptr(VnsReport) r = tcp_run_lossy(sets, 0, VNS_SEC, &tap);
    GArray *times = g_array_new(FALSE, FALSE, sizeof(VnsTime));
    uint32_t una = 0;
    bool have = false;
    VnsTime prev_gap = 0, t_last_in = 0;
    guint after = 0;

    /* SND.UNA at the black hole: the ACK field of the last segment the
     * client received (ACKs still in flight at 1 s arrive later).
     * Retransmissions are the client's segments after it that carry it as
     * sequence number. */
    for (guint i = 0; i < tap.segs->len; i++) {
        const Seg *g = &g_array_index(tap.segs, Seg, i);
        if (!g->out) {
            una = g->th.ack;
            t_last_in = g->t;
            have = true;
        }
    }
    cr_assert(have);
    cr_assert(t_last_in > VNS_SEC && t_last_in < 2 * VNS_SEC);
    for (guint i = 0; i < tap.segs->len; i++) {
        const Seg *g = &g_array_index(tap.segs, Seg, i);
        if (g->out && g->t > t_last_in && g->th.seq == una && g->len > 0)
            g_array_append_val(times, g->t);
    }
    cr_assert_geq(times->len, 12, "%u retransmissions", times->len);
    for (guint i = 1; i < times->len; i++) {
        VnsTime gap = g_array_index(times, VnsTime, i) - g_array_index(times, VnsTime, i - 1);
        if (i >= 2)
            cr_assert_eq(gap, MIN(2 * prev_gap, VNS_TCP_RTO_MAX),
                         "gap %u: %.6f s after %.6f s", i, vns_time_to_s(gap),
                         vns_time_to_s(prev_gap));
        prev_gap = gap;
    }
    cr_assert_eq(prev_gap, VNS_TCP_RTO_MAX);
    /* Timeouts count from the end of the 5 s warm-up. */
    for (guint i = 0; i < times->len; i++)
        after += g_array_index(times, VnsTime, i) >= 5 * VNS_SEC;
    cr_assert_eq(models_test_num(r, "flows", "loss", "timeouts"), after);
    cr_assert_float_eq(models_test_num(r, "flows", "loss", "rto_s"), 120.0, 1e-12);
    g_array_free(times, TRUE);
    g_array_free(tap.segs, TRUE);
}

Test(tcp, sized_flows_complete_through_loss_in_both_directions)
{
    /* ok-tcp-sized.xml with 5% of the packets lost each way (SYNs,
     * SYN-ACKs, data, ACKs and FINs alike): for several seeds, the whole
     * 1 MB arrives exactly once in order, both sides close (the client
     * in TIME_WAIT or CLOSED, the server listening again), and the losses
     * were repaired by fast retransmits and timeouts. */
    for (uint32_t seed = 0; seed < 5; seed++) {
        g_autofree char *set = g_strdup_printf("seed=%u", 100 + seed);
        const char *sets[] = { "duration=300s", set, NULL };
        Run r;
        Lossy *a, *b;
        VnsElement *cli, *srv;
        g_autoptr(VnsReport) rep = NULL;

        tcp_build(&r, "ok-tcp-sized.xml", sets);
        a = tcp_splice_lossy(r.net, "h1");
        b = tcp_splice_lossy(r.net, "h2");
        a->p = b->p = 0.05;
        cli = vns_net_find(r.net, "sized.client");
        srv = vns_net_find(r.net, "sized.server");
        tcp_start(&r);
        rep = tcp_finish(&r);
        cr_assert_eq(vns_tcp_endpoint_delivered(srv), 1000000, "seed %u", seed);
        cr_assert(vns_tcp_endpoint_state(cli) == VNS_TCP_TIME_WAIT ||
                  vns_tcp_endpoint_state(cli) == VNS_TCP_CLOSED, "seed %u: %s", seed,
                  vns_tcp_state_name(vns_tcp_endpoint_state(cli)));
        cr_assert_eq(vns_tcp_endpoint_state(srv), VNS_TCP_LISTEN, "seed %u: %s",
                     seed, vns_tcp_state_name(vns_tcp_endpoint_state(srv)));
        cr_assert_gt(a->dropped + b->dropped, 0);
        cr_assert_gt(models_test_num(rep, "flows", "sized", "retransmissions"), 0);
        cr_log_info("seed %u: fct %.3f s, %g retransmissions, %g timeouts", seed,
                    models_test_num(rep, "flows", "sized", "fct_s"),
                    models_test_num(rep, "flows", "sized", "retransmissions"),
                    models_test_num(rep, "flows", "sized", "timeouts"));
        tcp_free(&r);
    }
}

Test(tcp, syn_to_a_black_hole_times_out_after_six_retries)
{
    /* Everything h1 sends is lost from time 0. The SYN leaves at 0 and is
     * retransmitted after the initial RTO of 1 s (RFC 6298 section 2.1),
     * doubling each time (section 5.5): at 1, 3, 7, 15, 31 and 63 s; after
     * tcp_syn_retries = 6 the next expiry, at 127 s, gives up (Linux's
     * ETIMEDOUT after 127 s). */
    const char *sets[] = { "duration=200s", "warmup=0s", NULL };
    static const double want[] = { 0, 1, 3, 7, 15, 31, 63 };
    SegTap tap;
    g_autoptr(VnsReport) r = tcp_run_lossy(sets, 0, 0, &tap);
    guint n = 0;

    for (guint i = 0; i < tap.segs->len; i++) {
        const Seg *g = &g_array_index(tap.segs, Seg, i);
        cr_assert(g->out && g->th.flags == VNS_TCP_SYN);
        cr_assert_lt(n, G_N_ELEMENTS(want));
        cr_assert_eq(g->t, vns_time_from_s(want[n]), "SYN %u at %.9f s", n,
                     vns_time_to_s(g->t));
        n++;
    }
    cr_assert_eq(n, G_N_ELEMENTS(want));
    cr_assert_eq(models_test_num(r, "flows", "loss", "retransmissions"), 6);
    cr_assert_eq(models_test_num(r, "flows", "loss", "timeouts"), 7);
    cr_assert_eq(models_test_num(r, "flows", "loss", "timed_out"), 1);
    cr_assert_eq(models_test_num(r, "flows", "loss", "delivered_bytes"), 0);
    g_array_free(tap.segs, TRUE);
}

Test(tcp, two_cubic_flows_share_a_bottleneck_fairly)
{
    /* ok-tcp-fair.xml: two CUBIC flows from h1 to h2 over 100 Mbit/s,
     * 5 ms, a 100-packet queue, 8 MB buffers (loss-limited), the second
     * starting 1 s after the first; measured for 60 s after a 10 s
     * warm-up. Jain's index (Jain, Chiu, Hawe 1984) J = (x1 + x2)^2 /
     * (2 (x1^2 + x2^2)) must be at least 0.95, and together they fill at
     * least 90% of the goodput bound 1460 / 1538 x 100 Mbit/s. */
    g_autoptr(VnsReport) r = models_test_run("ok-tcp-fair.xml", NULL, 0);
    double x1 = models_test_num(r, "flows", "a", "goodput_bps");
    double x2 = models_test_num(r, "flows", "b", "goodput_bps");
    double j = (x1 + x2) * (x1 + x2) / (2 * (x1 * x1 + x2 * x2));

    cr_log_info("CUBIC fairness: %.3f and %.3f Mbit/s, J = %.4f", x1 / 1e6,
                x2 / 1e6, j);
    cr_assert(j >= 0.95, "J = %.4f (%.0f and %.0f bit/s)", j, x1, x2);
    cr_assert(x1 + x2 >= 0.9 * 1460.0 / 1538 * 1e8, "total %.0f bit/s", x1 + x2);
    cr_assert_gt(models_test_num(r, "flows", "a", "fast_retransmits"), 0);
}

Test(tcp, cubic_takes_the_larger_share_against_newreno_at_large_bdp)
{
    /* ok-tcp-cubic-reno.xml: a NewReno flow and a CUBIC flow (started 1 s
     * later) share 100 Mbit/s with a 200-packet queue. Ha, Rhee and Xu
     * ("CUBIC: a new TCP-friendly high-speed TCP variant", ACM SIGOPS OSR
     * 42(5), 2008, section 4 and its TCP-friendliness figures) and RFC 9438
     * section 5 (5.1-5.2: CUBIC is Reno-friendly only where its window
     * stays below the Reno estimate, at small bandwidth-delay products;
     * beyond, its cubic growth takes more) say CUBIC wins a shared
     * bottleneck against Reno once the BDP is large, and its share grows
     * with the RTT. Checked: with 50 ms each way (a 100 ms RTT, a BDP of
     * 855 segments) CUBIC gets more than twice NewReno's goodput; and its
     * share there exceeds its share with 2 ms each way (BDP 35
     * segments). */
    const char *small[] = { "delay=2ms", "duration=60s", NULL };
    const char *large[] = { "delay=50ms", "duration=120s", NULL };
    g_autoptr(VnsReport) rs = models_test_run("ok-tcp-cubic-reno.xml", small, 0);
    g_autoptr(VnsReport) rl = models_test_run("ok-tcp-cubic-reno.xml", large, 0);
    double cs = models_test_num(rs, "flows", "cubic", "goodput_bps");
    double ns = models_test_num(rs, "flows", "reno", "goodput_bps");
    double cl = models_test_num(rl, "flows", "cubic", "goodput_bps");
    double nl = models_test_num(rl, "flows", "reno", "goodput_bps");

    cr_log_info("CUBIC vs NewReno: 2 ms %.2f / %.2f Mbit/s, 50 ms %.2f / %.2f Mbit/s",
                cs / 1e6, ns / 1e6, cl / 1e6, nl / 1e6);
    cr_assert(cl > 2 * nl, "large BDP: CUBIC %.0f, NewReno %.0f bit/s", cl, nl);
    cr_assert(cl / (cl + nl) > cs / (cs + ns), "CUBIC's share %.3f (large BDP) vs "
              "%.3f (small)", cl / (cl + nl), cs / (cs + ns));
    /* Both runs fill the link: at least 90% of 1460 / 1538 x 100 Mbit/s. */
    cr_assert(cs + ns >= 0.9 * 1460.0 / 1538 * 1e8);
    cr_assert(cl + nl >= 0.9 * 1460.0 / 1538 * 1e8);
}

/* ---- path MTU ---- */

Test(tcp, icmp_fragmentation_needed_lowers_the_mss)
{
    /* ok-tcp-pmtu.xml: 1 MB from h1 to h2 across r1 - r2, whose link has
     * an MTU of 1400; both hosts announce MSS 1460 (IPv4) / 1440 (IPv6).
     * The initial window (10 segments, RFC 6928) of 1500-byte packets
     * cannot cross: r1 answers each with ICMP fragmentation needed and
     * next-hop MTU 1400 (RFC 1191 section 4) or ICMPv6 packet too big (RFC
     * 8201 section 4), which h1 delivers to the connection. The first
     * lowers the MSS to 1400 - 40 = 1360 (RFC 9293 section 3.7.1) or
     * 1400 - 60 = 1340 (RFC 8200), and the 14600 / 14400 bytes in flight
     * are resent in ceil(14600 / 1360) = ceil(14400 / 1340) = 11 segments
     * of the new size (Linux's tcp_simple_retransmit()), without a
     * timeout; the other nine errors change nothing. */
    static const struct {
        const char *family;
        double mss;
    } cases[] = { { "family=ipv4", 1360 }, { "family=ipv6", 1340 } };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *sets[] = { "dropicmp=none", cases[i].family, NULL };
        g_autoptr(VnsReport) r = models_test_run("ok-tcp-pmtu.xml", sets, 0);

        cr_assert_eq(models_test_num(r, "flows", "pm", "delivered_bytes"), 1000000,
                     "%s", cases[i].family);
        cr_assert(isfinite(models_test_num(r, "flows", "pm", "fct_s")));
        cr_assert_eq(models_test_num(r, "flows", "pm", "mss"), cases[i].mss, "%s",
                     cases[i].family);
        cr_assert_eq(models_test_num(r, "flows", "pm", "mtu_reductions"), 1);
        cr_assert_eq(models_test_num(r, "flows", "pm", "retransmissions"), 11);
        cr_assert_eq(models_test_num(r, "flows", "pm", "timeouts"), 0);
        cr_assert_eq(models_test_num(r, "hosts", "r1", "icmp_errors_sent"), 10);
    }
}

Test(tcp, path_mtu_black_hole_stalls_the_transfer)
{
    /* The same path with r1 dropping its own ICMP too-big messages
     * (drop-icmp="too-big", RFC 2923 section 2.1's black hole). The
     * handshake's small segments pass; every data segment is too big.
     * SRTT from the handshake is about 6 ms, so the RTO is the 200 ms
     * floor (Linux's TCP_RTO_MIN), doubling per timeout (RFC 6298 section
     * 5.5): timeouts 0.2, 0.6, 1.4, 3.0, 6.2, 12.6 and 25.4 s after the
     * first data left, 7 of them within the 30 s run, each resending one
     * segment (cwnd = 1 MSS), none delivered. The result says so:
     * nothing delivered, no FCT, and blackholes_suspected = 1 (after
     * tcp_retries1 = 3 timeouts without progress, Linux's
     * tcp_write_timeout()). IPv4 and IPv6 alike. */
    static const char *const families[] = { "family=ipv4", "family=ipv6" };

    for (size_t i = 0; i < G_N_ELEMENTS(families); i++) {
        const char *sets[] = { "dropicmp=too-big", families[i], NULL };
        g_autoptr(VnsReport) r = models_test_run("ok-tcp-pmtu.xml", sets, 0);

        cr_assert_eq(models_test_num(r, "flows", "pm", "delivered_bytes"), 0, "%s",
                     families[i]);
        cr_assert(isnan(models_test_num(r, "flows", "pm", "fct_s")));
        cr_assert_eq(models_test_num(r, "flows", "pm", "timeouts"), 7, "%s", families[i]);
        cr_assert_eq(models_test_num(r, "flows", "pm", "retransmissions"), 7);
        cr_assert_eq(models_test_num(r, "flows", "pm", "blackholes_suspected"), 1);
        cr_assert_eq(models_test_num(r, "flows", "pm", "mss"), i == 0 ? 1460 : 1440);
        cr_assert_eq(models_test_num(r, "flows", "pm", "mtu_reductions"), 0);
    }
}

Test(tcp, mtu_probing_survives_a_black_hole)
{
    /* The black hole again with mtu-probing="true" (Linux's
     * net.ipv4.tcp_mtu_probing = 1, RFC 4821 section 7.7): at the fourth
     * timeout (after tcp_retries1 = 3, 3.0 s after the first data) the
     * MSS falls to tcp_base_mss = 1024; 1064-byte (IPv6: 1084-byte)
     * packets cross the 1400-byte link and the transfer completes, with
     * exactly one probing step and those four timeouts. */
    static const char *const families[] = { "family=ipv4", "family=ipv6" };

    for (size_t i = 0; i < G_N_ELEMENTS(families); i++) {
        const char *sets[] = { "dropicmp=too-big", "probing=true", families[i], NULL };
        g_autoptr(VnsReport) r = models_test_run("ok-tcp-pmtu.xml", sets, 0);
        double fct = models_test_num(r, "flows", "pm", "fct_s");

        cr_assert_eq(models_test_num(r, "flows", "pm", "delivered_bytes"), 1000000,
                     "%s", families[i]);
        cr_assert_eq(models_test_num(r, "flows", "pm", "mss"), 1024);
        cr_assert_eq(models_test_num(r, "flows", "pm", "mtu_probe_reductions"), 1);
        cr_assert_eq(models_test_num(r, "flows", "pm", "timeouts"), 4);
        cr_assert(fct > 3.0 && fct < 4.0, "%s: fct %.3f s", families[i], fct);
    }
}

Test(tcp, mss_clamping_avoids_the_black_hole)
{
    /* The black hole with r1 clamping the MSS option of the SYNs it
     * forwards to its path MTU (<mss-clamp clamp-to-pmtu="true">,
     * iptables' TCPMSS --clamp-mss-to-pmtu: the smaller MTU of the way in
     * and out, 1400, less 40 or 60). Both ends then send at most 1360
     * (IPv4) / 1340 (IPv6) bytes per segment: no packet is too big, no ICMP
     * is needed, nothing is lost. */
    static const struct {
        const char *family;
        double mss;
    } cases[] = { { "family=ipv4", 1360 }, { "family=ipv6", 1340 } };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *sets[] = { "dropicmp=too-big", "topo=ok-tcp-pmtu-clamp-topo.xml",
                               cases[i].family, NULL };
        g_autoptr(VnsReport) r = models_test_run("ok-tcp-pmtu.xml", sets, 0);

        cr_assert_eq(models_test_num(r, "flows", "pm", "delivered_bytes"), 1000000,
                     "%s", cases[i].family);
        cr_assert_eq(models_test_num(r, "flows", "pm", "mss"), cases[i].mss);
        cr_assert_eq(models_test_num(r, "flows", "pm", "retransmissions"), 0);
        cr_assert_eq(models_test_num(r, "flows", "pm", "timeouts"), 0);
        cr_assert_eq(models_test_num(r, "hosts", "r1", "icmp_errors_sent"), 0);
    }
}

/* ---- segmentation offload ---- */

static void
tcp_check_gso(bool tso)
{
    /* ok-tcp-gso.xml: 10 MB from a VM behind a virtio-net vNIC
     * (gso-max-size 65536, Linux's GSO_MAX_SIZE) over 10 Gbit/s. With
     * TSO, the VM's TCP hands the vNIC packets of several MSS
     * (CONTRACTS.md): the first carries the whole initial window, 10 x
     * 1460 bytes (RFC 6928), and none more than (65536 - 40) / 1460 = 44
     * MSS; every one but the stream's last is a whole number of MSS.
     * Without, no packet exceeds one MSS. The vNIC cuts them and the
     * transfer arrives whole, without loss. */
    g_autofree char *set = g_strdup_printf("tso=%s", tso ? "true" : "false");
    const char *sets[] = { set, NULL };
    Run r;
    SegTap tap;
    VnsReport *rep;
    uint32_t first = 0, largest = 0;
    guint odd = 0;

    tcp_build(&r, "ok-tcp-gso.xml", sets);
    segtap_init(&tap, r.sim, vns_element_port(vns_net_find(r.net, "gso.client"), 0));
    tcp_start(&r);
    rep = tcp_finish(&r);
    tcp_free(&r);
    for (guint i = 0; i < tap.segs->len; i++) {
        const Seg *g = &g_array_index(tap.segs, Seg, i);
        if (!g->out || g->len == 0)
            continue;
        if (first == 0)
            first = g->len;
        largest = MAX(largest, g->len);
        odd += g->len % 1460 != 0;
    }
    cr_assert_eq(models_test_num(rep, "flows", "gso", "delivered_bytes"), 10000000);
    cr_assert_eq(models_test_num(rep, "flows", "gso", "retransmissions"), 0);
    cr_assert_eq(first, tso ? 14600 : 1460, "first data packet %u bytes", first);
    if (tso)
        cr_assert(largest > 1460 && largest <= 44 * 1460, "largest %u", largest);
    else
        cr_assert_eq(largest, 1460);
    cr_assert_leq(odd, 1, "%u packets not a multiple of the MSS", odd);
    cr_assert_eq(models_test_num(rep, "hosts", "vm1", "gso_passed") > 0, tso);
    g_array_free(tap.segs, TRUE);
    vns_report_free(rep);
}

Test(tcp, segmentation_offload_sends_whole_multiples_of_the_mss)
{
    tcp_check_gso(true);
    tcp_check_gso(false);
}

/* ---- input errors ---- */

Test(tcp, bad_flows_are_refused_with_file_and_line)
{
    static const struct {
        const char *file;
        int code;
        int line;
        const char *says;       /* part of the message */
    } bad[] = {
        { "bad-tcp-size-stop.xml", VNS_CONFIG_ERROR_CONFLICT, 5, "both 'size' and 'stop'" },
        { "bad-tcp-dport-bound.xml", VNS_CONFIG_ERROR_CONFLICT, 6, "already bound on 'h2'" },
        { "bad-tcp-same-host.xml", VNS_CONFIG_ERROR_CONFLICT, 5, "both on 'h1'" },
        { "bad-tcp-unknown-host.xml", VNS_CONFIG_ERROR_REFERENCE, 5, "names no element 'h9'" },
        { "bad-tcp-mtu.xml", VNS_CONFIG_ERROR_BAD_VALUE, 5, "expected at least 1280" },
        { "bad-tcp-start-stop.xml", VNS_CONFIG_ERROR_BAD_VALUE, 5, "not before 'stop'" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_free(models_test_bad_build(bad[i].file, bad[i].line, bad[i].code,
                                     bad[i].says));
}
