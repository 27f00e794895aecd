/* Tests of the virtual NIC and the TAP (models/l2/vnic.c, models/l2/tap.c):
 * CPU cost and saturation against closed forms, TSO/GSO segmentation and
 * GRO coalescing checked field by field and by Wireshark's tshark, the
 * MTU rule, and the model defaults.
 *
 * The vNIC comes from tests/data/ok-vnic-*.xml through the real loader;
 * its two ports are joined here to test elements that send prebuilt
 * Ethernet frames and record what they receive. Every expected number
 * says where it comes from. */
#include <config.h>
#include <string.h>
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include "models/l2/vnic.h"
#include "models/models.h"
#include "net/eth.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/node.h"
#include "net/proto.h"
#include "net/tcp.h"
#include "net/udp.h"
#include "tests/common/tshark.h"
#include "tests/models/models_test.h"

/* ---- Test ends (models_test.h) ------------------------------------------ */

typedef TestEnd End;
typedef TestRx Rx;

static void
send_at(End *e, VnsTime at, VnsPacket *pkt)
{
    test_end_send_at(e, NULL, at, pkt);
}

static const Rx *
rx(const End *e, guint i)
{
    return test_end_rx(e, i);
}

/* ---- Frames ------------------------------------------------------------- */

#define MAC_A ((VnsMac) { { 0x02, 0, 0, 0, 0, 0x0a } })
#define MAC_B ((VnsMac) { { 0x02, 0, 0, 0, 0, 0x0b } })
#define IP4_A 0x0A000001u       /* 10.0.0.1 */
#define IP4_B 0x0A000002u       /* 10.0.0.2 */

static VnsIp6
ip6(const char *text)
{
    VnsIp6 a;
    cr_assert(vns_ip6_parse(text, &a, NULL), "%s", text);
    return a;
}

/* An Ethernet + UDP/IPv4 frame of 'size' bytes in all. */
static VnsPacket *
udp_frame(VnsNet *net, uint32_t size)
{
    uint32_t payload = size - VNS_ETH_HLEN - 20 - 8;
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), payload);
    VnsIpAddr s = vns_ip_addr_v4(IP4_A), d = vns_ip_addr_v4(IP4_B);
    VnsUdpHdr u = { .sport = 5000, .dport = 6000 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_UDP, .src = IP4_A,
                      .dst = IP4_B, .id = 1 };
    VnsEthHdr eh = { .dst = MAC_B, .src = MAC_A,
                     .ethertype = VNS_ETHERTYPE_IPV4 };

    vns_udp_push(pkt, &u, &s, &d);
    vns_ipv4_push(pkt, &ip);
    vns_eth_push(pkt, &eh);
    return pkt;
}

/* An Ethernet + TCP/IPv4 (v6 false) or TCP/IPv6 frame with timestamps
 * (a 32-byte TCP header, as Linux sends data segments), 'data' payload
 * bytes. */
static VnsPacket *
tcp_frame(VnsNet *net, bool v6, uint16_t sport, uint32_t seq, uint32_t data,
          uint16_t ip_id, uint8_t flags)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), data);
    VnsTcpHdr th = { .sport = sport, .dport = 80, .seq = seq, .ack = 77,
                     .flags = flags, .window = 501,
                     .opts = { .has_ts = true, .ts_val = 1000, .ts_ecr = 2000 } };
    VnsEthHdr eh = { .dst = MAC_B, .src = MAC_A };

    if (!v6) {
        VnsIpAddr s = vns_ip_addr_v4(IP4_A), d = vns_ip_addr_v4(IP4_B);
        VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_TCP, .src = IP4_A,
                          .dst = IP4_B, .id = ip_id, .df = true };

        vns_tcp_push(pkt, &th, &s, &d);
        vns_ipv4_push(pkt, &ip);
        eh.ethertype = VNS_ETHERTYPE_IPV4;
    } else {
        VnsIp6 s6 = ip6("2001:db8::a"), d6 = ip6("2001:db8::b");
        VnsIpAddr s = vns_ip_addr_v6(&s6), d = vns_ip_addr_v6(&d6);
        VnsIpv6Hdr ip = { .next_header = VNS_IPPROTO_TCP, .hop_limit = 64,
                          .src = s6, .dst = d6 };

        vns_tcp_push(pkt, &th, &s, &d);
        vns_ipv6_push(pkt, &ip);
        eh.ethertype = VNS_ETHERTYPE_IPV6;
    }
    vns_eth_push(pkt, &eh);
    return pkt;
}

/* ---- Bench -------------------------------------------------------------- */

typedef TestBench Bench;
/* The test ends of bench_open(): b.end[GUEST] joined to "nic:guest",
 * b.end[HOST] to "nic:host". */
enum { GUEST, HOST };

/* Joins two new test ends to the vNIC 'nic'. */
static void
bench_attach(Bench *b, const char *nic, End **guest, End **host)
{
    g_autofree char *gname = g_strdup_printf("%s-guest", nic);
    g_autofree char *hname = g_strdup_printf("%s-host", nic);
    VnsElement *v = test_bench_find(b, nic);

    *guest = test_end_new(b->net, gname, "p", vns_element_port(v, VNS_VNIC_PORT_GUEST));
    *host = test_end_new(b->net, hname, "p", vns_element_port(v, VNS_VNIC_PORT_HOST));
}

static void
bench_open(Bench *b, const char *file, const char *const *set)
{
    test_bench_open(b, file, set);
    if (vns_net_find(b->net, "nic") != NULL)
        bench_attach(b, "nic", &b->end[GUEST], &b->end[HOST]);
    test_bench_start(b);
}

#define bench_load(b, file, set, error) test_bench_load((b), (file), (set), (error))
#define bench_finish(b) test_bench_finish(b)
#define drops(b, e, cause) test_bench_drops((b), (e), (cause))

static double
vnic_num(Bench *b, const char *nic, const char *key)
{
    return test_bench_num(b, "vnics", nic, key);
}

/* ---- CPU ---------------------------------------------------------------- */

/* A CBR flow both ways: per-packet cost 2 us and per-byte cost 1 ns on
 * 1000-byte frames make 3 us a frame; 100 frames each way, one every
 * 10 us, offset by 5 us so they never overlap. Utilization over 1 ms =
 * rate x cost = 2 x 100/ms x 3 us = 0.6 (the utilization law, U = X S). */
Test(vnic, cbr_utilization_is_rate_times_cost)
{
    Bench b;
    static const char *const set[] = {
        "cost_packet", "2us", "cost_byte", "1ns", NULL,
    };

    bench_open(&b, "ok-vnic-bench.xml", set);
    for (int k = 0; k < 100; k++) {
        send_at(b.end[GUEST], k * 10 * VNS_US, udp_frame(b.net, 1000));
        send_at(b.end[HOST], k * 10 * VNS_US + 5 * VNS_US, udp_frame(b.net, 1000));
    }
    vns_sim_run_until(b.sim, 1 * VNS_MS);
    cr_assert_eq(b.end[HOST]->rx->len, 100);
    cr_assert_eq(b.end[GUEST]->rx->len, 100);
    /* Each frame leaves after exactly its 3 us of service. */
    cr_assert_eq(rx(b.end[HOST], 0)->at, 3 * VNS_US);
    cr_assert_eq(rx(b.end[GUEST], 99)->at, 990 * VNS_US + 5 * VNS_US + 3 * VNS_US);
    cr_assert_float_eq(vns_node_cpu_utilization(vns_net_find(b.net, "hv1")->node),
                       0.6, 1e-12);
    cr_assert_float_eq(vnic_num(&b, "nic", "cpu_cores"), 0.6, 1e-12);
    bench_finish(&b);
}

/* Saturation: 1000 frames offered one every 5 us to a core that serves one
 * every 10 us (twice its 1/cost = 100 Kpps), backlog 100. A frame is taken
 * while fewer than 100 accepted jobs have not started; with jobs starting
 * at j x 10 us, the accepted count after the arrival at t is capped at
 * 100 + 1 + floor(t / 10 us). Served = min(1000, 101 + floor(4995 / 10))
 * = 600; dropped = offered - served = 400 (cpu_backlog). */
Test(vnic, saturation_queues_then_drops_cpu_backlog)
{
    Bench b;
    static const char *const set[] = {
        "cost_packet", "10us", "backlog", "100", NULL,
    };

    bench_open(&b, "ok-vnic-bench.xml", set);
    for (int k = 0; k < 1000; k++)
        send_at(b.end[GUEST], k * 5 * VNS_US, udp_frame(b.net, 200));
    vns_sim_run(b.sim);
    cr_assert_eq(drops(&b, "nic", VNS_DROP_CPU_BACKLOG), 400);
    cr_assert_eq(b.end[HOST]->rx->len, 600);
    /* The core never idles: the last of 600 jobs ends at 600 x 10 us. */
    cr_assert_eq(rx(b.end[HOST], 599)->at, 6 * VNS_MS);
    bench_finish(&b);
}

/* Two cores, a long job (1500 bytes: 2 us + 1.5 us) then a short one
 * (100 bytes: 2.1 us) submitted at once: the short one's CPU time ends
 * first, but a virtqueue hands packets over in order, so it leaves with
 * the long one at 3.5 us, second. */
Test(vnic, packets_leave_in_order_across_cores)
{
    Bench b;
    static const char *const set[] = {
        "cores", "2", "cost_byte", "1ns", NULL,
    };

    bench_open(&b, "ok-vnic-bench.xml", set);
    send_at(b.end[GUEST], 0, udp_frame(b.net, 1500));
    send_at(b.end[GUEST], 0, udp_frame(b.net, 100));
    vns_sim_run(b.sim);
    cr_assert_eq(b.end[HOST]->rx->len, 2);
    cr_assert_eq(rx(b.end[HOST], 0)->size, 1500);
    cr_assert_eq(rx(b.end[HOST], 0)->at, 3500 * VNS_NS);
    cr_assert_eq(rx(b.end[HOST], 1)->size, 100);
    cr_assert_eq(rx(b.end[HOST], 1)->at, 3500 * VNS_NS);
    bench_finish(&b);
}

/* ---- MTU ---------------------------------------------------------------- */

Test(vnic, non_gso_packet_above_the_mtu_is_dropped)
{
    Bench b;
    static const char *const set[] = { "tso", "false", "gso", "false", NULL };

    bench_open(&b, "ok-vnic-bench.xml", set);
    /* IP size 1500 passes (RFC 894's MTU); 1501 does not. */
    send_at(b.end[GUEST], 0, udp_frame(b.net, 14 + 1500));
    send_at(b.end[GUEST], 0, udp_frame(b.net, 14 + 1501));
    /* Without TSO/GSO even TCP above the MTU is dropped... */
    send_at(b.end[GUEST], 0, tcp_frame(b.net, false, 1, 0, 3000, 1, VNS_TCP_ACK));
    /* ...and in the other direction a large packet always is. */
    send_at(b.end[HOST], 0, tcp_frame(b.net, false, 1, 0, 3000, 1, VNS_TCP_ACK));
    vns_sim_run(b.sim);
    cr_assert_eq(b.end[HOST]->rx->len, 1);
    cr_assert_eq(rx(b.end[HOST], 0)->size, 14 + 1500);
    cr_assert_eq(b.end[GUEST]->rx->len, 0);
    cr_assert_eq(drops(&b, "nic", VNS_DROP_MTU_EXCEEDED), 3);
    /* Without offload the guest port advertises none. */
    cr_assert_eq(vns_element_port(vns_net_find(b.net, "nic"),
                                  VNS_VNIC_PORT_GUEST)->info.gso_max_size, 0);
    bench_finish(&b);

    /* With TSO on, only TCP is cut: UDP above the MTU is still dropped. */
    bench_open(&b, "ok-vnic-bench.xml", NULL);
    send_at(b.end[GUEST], 0, udp_frame(b.net, 14 + 1600));
    vns_sim_run(b.sim);
    cr_assert_eq(b.end[HOST]->rx->len, 0);
    cr_assert_eq(drops(&b, "nic", VNS_DROP_MTU_EXCEEDED), 1);
    bench_finish(&b);
}

/* ---- tshark ------------------------------------------------------------- */

static const char *const tshark_fields[] = {
    "frame.len", "ip.checksum.status", "tcp.checksum.status", "tcp.seq_raw",
    "tcp.len", "ip.id", "tcp.flags.push", "ipv6.plen", "_ws.malformed",
};
enum { T_LEN, T_IPCK, T_TCPCK, T_SEQ, T_TCPLEN, T_IPID, T_PSH, T_PLEN,
       T_MALFORMED, T_N };
G_STATIC_ASSERT(G_N_ELEMENTS(tshark_fields) == T_N);

/* Writes the frames 'e' received to a pcap file and returns tshark's
 * fields for each, checksums verified. */
static GPtrArray *
tshark_rows(const End *e)
{
    g_autofree char *dir = test_tmpdir("vns-vnic-XXXXXX");
    g_autofree char *pcap = g_build_filename(dir, "vnic.pcap", NULL);
    GPtrArray *rows;

    test_end_write_pcap(e, pcap);
    rows = test_tshark(pcap, tshark_fields, T_N, 0);
    g_unlink(pcap);
    g_rmdir(dir);
    return rows;
}

static const char *
tf(GPtrArray *rows, guint frame, int f)
{
    return test_tshark_field(rows, frame, (guint) f);
}

/* ---- Segmentation ------------------------------------------------------- */

/* TSO: a 10000-byte TCP/IPv4 packet and a 5000-byte TCP/IPv6 one, both
 * with a 32-byte TCP header (timestamps). MSS = MTU - IP header - TCP
 * header: 1500 - 20 - 32 = 1448 (Linux's MSS with timestamps on a 1500
 * MTU) and 1500 - 40 - 32 = 1428. 10000 = 6 x 1448 + 1312: 7 segments;
 * 5000 = 3 x 1428 + 716: 4 segments. Sequence numbers advance by the MSS,
 * the IPv4 id by one a segment, PSH only on the last (Linux's
 * tcp_gso_segment() and inet_gso_segment()); tshark finds every IP and
 * TCP checksum good. */
Test(vnic, tso_cuts_a_large_tcp_packet_into_mss_segments)
{
    Bench b;
    g_autoptr(GPtrArray) rows = NULL;
    const uint32_t seq0 = 4000000000u;      /* wraps past 2^32 */

    bench_open(&b, "ok-vnic-bench.xml", NULL);
    cr_assert_eq(vns_element_port(vns_net_find(b.net, "nic"),
                                  VNS_VNIC_PORT_GUEST)->info.gso_max_size, 65536);
    send_at(b.end[GUEST], 0, tcp_frame(b.net, false, 1, seq0, 10000, 7,
                                  VNS_TCP_ACK | VNS_TCP_PSH));
    send_at(b.end[GUEST], 100 * VNS_US, tcp_frame(b.net, true, 2, 1, 5000, 0,
                                             VNS_TCP_ACK | VNS_TCP_PSH |
                                             VNS_TCP_FIN | VNS_TCP_CWR));
    vns_sim_run(b.sim);
    cr_assert_eq(b.end[HOST]->rx->len, 11);
    cr_assert_eq(vnic_num(&b, "nic", "segmented_packets"), 2);
    cr_assert_eq(vnic_num(&b, "nic", "segments"), 11);
    rows = tshark_rows(b.end[HOST]);
    cr_assert_eq(rows->len, 11);
    for (guint i = 0; i < 7; i++) {
        uint32_t data = i < 6 ? 1448 : 1312;
        g_autofree char *len = g_strdup_printf("%u", 14 + 20 + 32 + data);
        g_autofree char *seq = g_strdup_printf("%u", seq0 + i * 1448);
        g_autofree char *tlen = g_strdup_printf("%u", data);
        g_autofree char *id = g_strdup_printf("0x%04x", 7 + i);

        cr_assert_eq(rx(b.end[HOST], i)->size, 14 + 20 + 32 + data);
        cr_assert_str_eq(tf(rows, i, T_LEN), len);
        cr_assert_str_eq(tf(rows, i, T_SEQ), seq, "segment %u", i);
        cr_assert_str_eq(tf(rows, i, T_TCPLEN), tlen);
        cr_assert_str_eq(tf(rows, i, T_IPID), id);
        cr_assert_str_eq(tf(rows, i, T_IPCK), "1", "segment %u", i);
        cr_assert_str_eq(tf(rows, i, T_TCPCK), "1", "segment %u", i);
        cr_assert_str_eq(tf(rows, i, T_PSH), i == 6 ? "1" : "0");
        cr_assert_str_eq(tf(rows, i, T_MALFORMED), "");
    }
    for (guint i = 7; i < 11; i++) {
        uint32_t k = i - 7, data = k < 3 ? 1428 : 716;
        g_autofree char *seq = g_strdup_printf("%u", 1 + k * 1428);
        g_autofree char *plen = g_strdup_printf("%u", 32 + data);

        cr_assert_eq(rx(b.end[HOST], i)->size, 14 + 40 + 32 + data);
        cr_assert_str_eq(tf(rows, i, T_SEQ), seq, "segment %u", i);
        cr_assert_str_eq(tf(rows, i, T_PLEN), plen);
        cr_assert_str_eq(tf(rows, i, T_TCPCK), "1", "segment %u", i);
        cr_assert_str_eq(tf(rows, i, T_PSH), k == 3 ? "1" : "0");
        /* CWR on the first segment only, FIN and PSH on the last only
         * (tcp_gso_segment()); the TCP flags byte is at 14 + 40 + 13. */
        cr_assert_eq(rx(b.end[HOST], i)->hdr[14 + 40 + 13],
                     VNS_TCP_ACK | (k == 0 ? VNS_TCP_CWR : 0) |
                     (k == 3 ? VNS_TCP_PSH | VNS_TCP_FIN : 0), "segment %u", i);
    }
    bench_finish(&b);
}

/* Where segmentation is paid. With TSO one descriptor chain crosses the
 * device: per-packet 2 us + 1 ps x its 10066 bytes (14 + 20 + 32 + 10000)
 * + 7 x 250 ns of segments = 3.750 us + 10066 ps. With GSO only, the
 * guest cut it
 * before the driver: 7 x (2 us + 250 ns) + 1 ps x the segments' bytes
 * (10000 payload + 7 x 66 header bytes = 10462) = 15.750 + 0.010462 us. */
Test(vnic, tso_pays_one_packet_gso_pays_every_segment)
{
    Bench b;
    static const char *const tso[] = { "cost_byte", "1ps", NULL };
    static const char *const gso[] = { "cost_byte", "1ps", "tso", "false", NULL };

    bench_open(&b, "ok-vnic-bench.xml", tso);
    send_at(b.end[GUEST], 0, tcp_frame(b.net, false, 1, 0, 10000, 1, VNS_TCP_ACK));
    vns_sim_run(b.sim);
    cr_assert_eq(b.end[HOST]->rx->len, 7);
    cr_assert_eq(rx(b.end[HOST], 0)->at, 3750 * VNS_NS + 10066 * VNS_PS);
    cr_assert_eq(rx(b.end[HOST], 6)->at, 3750 * VNS_NS + 10066 * VNS_PS);
    bench_finish(&b);

    bench_open(&b, "ok-vnic-bench.xml", gso);
    send_at(b.end[GUEST], 0, tcp_frame(b.net, false, 1, 0, 10000, 1, VNS_TCP_ACK));
    vns_sim_run(b.sim);
    cr_assert_eq(b.end[HOST]->rx->len, 7);
    cr_assert_eq(rx(b.end[HOST], 0)->at, 15750 * VNS_NS + 10462 * VNS_PS);
    bench_finish(&b);
}

/* ---- GRO ---------------------------------------------------------------- */

/* GRO toward the guest, per-packet cost 10 us.
 * - 20 in-order 1448-byte segments arriving at one instant wait for the
 *   same poll and become one packet of 20 x 1448 = 28960 bytes of data.
 * - 100 more at one instant: a poll takes 64 (NAPI_POLL_WEIGHT); a GRO
 *   packet holds at most (65535 - 20 - 32) / 1448 = 45 segments (IPv4's
 *   16-bit total length under gro_max_size 65536), so 64 -> 45 + 19; the
 *   36 left wait for the next poll (the CPU is busy) -> 1. Guest sees 3.
 * - Two flows interleaved (A B A B A B): 2 packets, one per flow.
 * - Out of order (1 3 2): no merge, 3 packets in arrival order.
 * Merged packets carry valid checksums (tshark). */
Test(vnic, gro_coalesces_in_order_segments_of_a_flow)
{
    Bench b;
    g_autoptr(GPtrArray) rows = NULL;
    static const char *const set[] = { "gro", "true", "cost_packet", "10us", NULL };
    uint32_t seq = 1000;
    VnsTime t;

    bench_open(&b, "ok-vnic-bench.xml", set);
    for (int k = 0; k < 20; k++, seq += 1448)
        send_at(b.end[HOST], 0, tcp_frame(b.net, false, 1, seq, 1448, 1, VNS_TCP_ACK));
    t = 1 * VNS_MS;
    for (int k = 0; k < 100; k++, seq += 1448)
        send_at(b.end[HOST], t, tcp_frame(b.net, false, 1, seq, 1448, 1, VNS_TCP_ACK));
    t = 2 * VNS_MS;
    for (int k = 0; k < 3; k++) {
        send_at(b.end[HOST], t, tcp_frame(b.net, false, 2, 5000 + k * 100, 100, 1,
                                     VNS_TCP_ACK));
        send_at(b.end[HOST], t, tcp_frame(b.net, false, 3, 9000 + k * 100, 100, 1,
                                     VNS_TCP_ACK));
    }
    t = 3 * VNS_MS;
    send_at(b.end[HOST], t, tcp_frame(b.net, false, 4, 100, 100, 1, VNS_TCP_ACK));
    send_at(b.end[HOST], t, tcp_frame(b.net, false, 4, 300, 100, 1, VNS_TCP_ACK));
    send_at(b.end[HOST], t, tcp_frame(b.net, false, 4, 200, 100, 1, VNS_TCP_ACK));
    vns_sim_run(b.sim);

    cr_assert_eq(b.end[GUEST]->rx->len, 1 + 3 + 2 + 3);
    cr_assert_eq(rx(b.end[GUEST], 0)->payload_len, 20 * 1448);
    cr_assert_eq(rx(b.end[GUEST], 1)->payload_len, 45 * 1448);
    cr_assert_eq(rx(b.end[GUEST], 2)->payload_len, 19 * 1448);
    cr_assert_eq(rx(b.end[GUEST], 3)->payload_len, 36 * 1448);
    cr_assert_eq(rx(b.end[GUEST], 4)->payload_len, 300);
    cr_assert_eq(rx(b.end[GUEST], 5)->payload_len, 300);
    cr_assert_eq(rx(b.end[GUEST], 6)->payload_len, 100);
    /* Merged: 19 + (44 + 18) + 35 + 2 + 2 segments absorbed. */
    cr_assert_eq(vnic_num(&b, "nic", "gro_merged_segments"), 19 + 62 + 35 + 4);
    cr_assert_eq(vnic_num(&b, "nic", "gro_packets"), 6);
    rows = tshark_rows(b.end[GUEST]);
    cr_assert_eq(rows->len, 9);
    const char *seqs[] = { "1000", NULL, NULL, NULL, "5000", "9000",
                           "100", "300", "200" };
    for (guint i = 0; i < rows->len; i++) {
        cr_assert_str_eq(tf(rows, i, T_IPCK), "1", "packet %u", i);
        cr_assert_str_eq(tf(rows, i, T_TCPCK), "1", "packet %u", i);
        if (seqs[i] != NULL)
            cr_assert_str_eq(tf(rows, i, T_SEQ), seqs[i], "packet %u", i);
    }
    cr_assert_str_eq(tf(rows, 1, T_TCPLEN), "65160");      /* 45 x 1448 */
    cr_assert_str_eq(tf(rows, 1, T_LEN), "65226");         /* + 14 + 20 + 32 */
    bench_finish(&b);
}

/* ---- Defaults ----------------------------------------------------------- */

/* Defaults from the attribute docs: virtio-net 2 us a packet (500 Kpps
 * per vhost queue, LPC 2014), e1000 10 us (several VM exits to QEMU), both
 * 100 ps a byte. A 100-byte frame through each on an idle core: 2.010 us
 * and 10.010 us. */
Test(vnic, e1000_costs_more_than_virtio_per_packet)
{
    Bench b;
    End *vg, *vh, *eg, *eh;
    VnsElement *virtio, *e1000;

    cr_assert(bench_load(&b, "ok-vnic-models.xml", NULL, NULL));
    bench_attach(&b, "virtio", &vg, &vh);
    bench_attach(&b, "e1000", &eg, &eh);
    cr_assert(vns_net_start(b.net, NULL));
    virtio = vns_net_find(b.net, "virtio");
    e1000 = vns_net_find(b.net, "e1000");
    /* Both offer TSO/GSO to the guest with Linux's GSO_MAX_SIZE. */
    cr_assert_eq(vns_element_port(virtio, VNS_VNIC_PORT_GUEST)->info.gso_max_size,
                 65536);
    cr_assert_eq(vns_element_port(e1000, VNS_VNIC_PORT_GUEST)->info.gso_max_size,
                 65536);
    cr_assert_eq(vns_element_port(virtio, VNS_VNIC_PORT_GUEST)->info.mtu, 1500);
    send_at(vg, 0, udp_frame(b.net, 100));
    send_at(eg, 0, udp_frame(b.net, 100));
    vns_sim_run(b.sim);
    cr_assert_eq(vh->rx->len, 1);
    cr_assert_eq(eh->rx->len, 1);
    cr_assert_eq(rx(vh, 0)->at, 2010 * VNS_NS);
    cr_assert_eq(rx(eh, 0)->at, 10010 * VNS_NS);
    cr_assert_gt(rx(eh, 0)->at, rx(vh, 0)->at);
    bench_finish(&b);
}

/* A stop drops what is in service as end_of_run, and the pending event
 * then finds nothing (bench_finish checks that no packet is left out). */
Test(vnic, stop_drops_packets_in_service)
{
    Bench b;
    static const char *const set[] = { "cost_packet", "10us", "gro", "true", NULL };

    bench_open(&b, "ok-vnic-bench.xml", set);
    send_at(b.end[GUEST], 0, udp_frame(b.net, 500));
    send_at(b.end[HOST], 0, tcp_frame(b.net, false, 1, 0, 1000, 1, VNS_TCP_ACK));
    send_at(b.end[HOST], 1 * VNS_US, tcp_frame(b.net, false, 1, 1000, 1000, 1,
                                          VNS_TCP_ACK));
    vns_sim_run_until(b.sim, 5 * VNS_US);
    vns_net_stop(b.net);
    /* The guest's frame, the first rx poll's packet, and the second segment
     * waiting in the ring. */
    cr_assert_eq(drops(&b, "nic", VNS_DROP_END_OF_RUN), 3);
    vns_sim_run(b.sim);
    cr_assert_eq(b.end[HOST]->rx->len, 0);
    cr_assert_eq(b.end[GUEST]->rx->len, 0);
    bench_finish(&b);
}

/* ---- TAP ---------------------------------------------------------------- */

/* A TAP of 1 us a frame on one core: frames cross unchanged both ways,
 * the second of two simultaneous ones leaves after 2 us (FIFO), and the
 * TAP reports 3 frames x 1 us of CPU. */
Test(vnic, tap_forwards_both_ways_and_charges_its_cost)
{
    Bench b;
    GError *error = NULL;
    VnsElement *tap;
    End *vm, *host;
    g_autoptr(VnsReport) report = vns_report_new();
    const VnsField *f;

    cr_assert(bench_load(&b, "ok-vnic-tap.xml", NULL, &error), "%s",
              error ? error->message : "");
    tap = vns_net_find(b.net, "tap1");
    vm = test_end_new(b.net, "vm", "p", vns_element_find_port(tap, "vm"));
    host = test_end_new(b.net, "host", "p", vns_element_find_port(tap, "host"));
    cr_assert(vns_net_start(b.net, &error));
    send_at(vm, 0, udp_frame(b.net, 300));
    send_at(vm, 0, udp_frame(b.net, 400));
    send_at(host, 10 * VNS_US, udp_frame(b.net, 500));
    vns_sim_run(b.sim);
    cr_assert_eq(host->rx->len, 2);
    cr_assert_eq(rx(host, 0)->at, 1 * VNS_US);
    cr_assert_eq(rx(host, 1)->at, 2 * VNS_US);
    cr_assert_eq(rx(host, 1)->size, 400);
    cr_assert_eq(vm->rx->len, 1);
    cr_assert_eq(rx(vm, 0)->at, 11 * VNS_US);
    cr_assert_eq(rx(vm, 0)->size, 500);
    vns_net_stats(b.net, report);
    f = vns_report_find(report, "taps", "tap1", "cpu_s");
    cr_assert_not_null(f);
    cr_assert_float_eq(f->d, 3e-6, 1e-15);
    bench_finish(&b);
}

/* ---- The classic lab ---------------------------------------------------- */

/* A test end on host 'host' listening on TCP port 'port'. */
static End *
app_attach(Bench *b, const char *host, const char *name, uint16_t port)
{
    return test_end_attach(b->net, host, name, VNS_IPPROTO_TCP, port);
}

/* A TCP/IPv4 packet, IP header at data[0], as an application sends it. */
static VnsPacket *
tcp_ip(VnsNet *net, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
       uint32_t seq, uint32_t data)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), data);
    VnsIpAddr s = vns_ip_addr_v4(src), d = vns_ip_addr_v4(dst);
    VnsTcpHdr th = { .sport = sport, .dport = dport, .seq = seq, .ack = 1,
                     .flags = VNS_TCP_ACK, .window = 501,
                     .opts = { .has_ts = true, .ts_val = 1, .ts_ecr = 1 } };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_TCP, .src = src,
                      .dst = dst, .id = 100, .df = true };

    vns_tcp_push(pkt, &th, &s, &d);
    vns_ipv4_push(pkt, &ip);
    return pkt;
}

/* topologies/classic-lab.xml end to end: the VM's stack lets a 20000-byte
 * TCP packet leave because its vNIC advertises gso_max_size (the
 * CONTRACTS.md offload rule); the vNIC cuts it into ceil(20000 / 1448) =
 * 14 segments, which cross the TAP and the bridge and reach the outside
 * host. The other way, 10 back-to-back MSS segments from the outside host
 * reach the VM in fewer, larger packets (GRO), carrying all 14480 bytes:
 * frames of 1514 bytes arrive every (1514 + 24) x 0.8 ns = 1230.4 ns on
 * the 10 Gbit/s uplink, and a poll of one packet costs 2 us + 1514 x
 * 100 ps = 2.151 us, of two 2 us + 3028 x 100 ps + 250 ns = 2.553 us.
 * Poll 1 takes segment 1 alone, poll 2 segment 2 (segment 3 comes at
 * 2.46 us, after it started at 2.15 us), then every poll finds two waiting:
 * {3,4} {5,6} {7,8} {9,10}: 6 packets, 4 segments absorbed. */
Test(vnic, classic_lab_segments_up_and_coalesces_down)
{
    Bench b;
    GError *error = NULL;
    g_autofree char *path = g_build_filename(VNS_TOP_SRCDIR, "topologies",
                                             "classic-lab.xml", NULL);
    const uint32_t vm = 0x0A00000Bu, ext = 0x0A000064u;  /* .11, .100 */
    End *vm_app, *ext_app;
    uint64_t sum = 0;

    test_bench_open(&b, path, NULL);
    vm_app = app_attach(&b, "vm1", "vm-app", 5001);
    ext_app = app_attach(&b, "ext", "ext-app", 80);
    cr_assert(vns_net_start(b.net, &error), "%s", error ? error->message : "");
    /* After ARP (a few microseconds), at 1 ms and 2 ms. */
    send_at(vm_app, 0, tcp_ip(b.net, vm, ext, 5001, 80, 1, 100));
    send_at(vm_app, 1 * VNS_MS, tcp_ip(b.net, vm, ext, 5001, 80, 101, 20000));
    for (int k = 0; k < 10; k++)
        send_at(ext_app, 2 * VNS_MS, tcp_ip(b.net, ext, vm, 80, 5001,
                                            1 + k * 1448, 1448));
    vns_sim_run(b.sim);

    cr_assert_eq(ext_app->rx->len, 1 + 14);
    for (guint i = 1; i < ext_app->rx->len; i++) {
        cr_assert_leq(rx(ext_app, i)->size, 1500);
        sum += rx(ext_app, i)->payload_len;
    }
    cr_assert_eq(sum, 20000);
    cr_assert_eq(vnic_num(&b, "vm1-nic0", "segments"), 14);
    cr_assert_eq(vm_app->rx->len, 6);
    sum = 0;
    for (guint i = 0; i < vm_app->rx->len; i++)
        sum += rx(vm_app, i)->payload_len;
    cr_assert_eq(sum, 10 * 1448);
    cr_assert_eq(vnic_num(&b, "vm1-nic0", "gro_merged_segments"),
                 10 - vm_app->rx->len);
    bench_finish(&b);
}

/* ---- Bad input ---------------------------------------------------------- */

Test(vnic, bad_files_name_the_file_and_line)
{
    test_bench_check_bad("bad-vnic-model.xml", 4, -1,
                         "'model' is 'rtl8139', expected one of");
    test_bench_check_bad("bad-vnic-gso.xml", 4, -1, "below the 'mtu' 9000");
    test_bench_check_bad("bad-vnic-node.xml", 4, -1, "'hv2' names no element");
}
