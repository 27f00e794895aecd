/* Tests of the IPv4/IPv6 host and router (models/l3/host.c) and its route
 * table (src/net/lpm.c, tested in tests/net/test_lpm.c): ARP and Neighbor Discovery with exact
 * timings, static neighbours, forwarding with TTL / hop-limit decrement,
 * the ICMP and ICMPv6 errors a router sends, delivery to applications,
 * neighbour failure and its queue, the CPU cost, hook points, and the
 * configuration errors with their file and line.
 *
 * Topologies are the ok-host-*.xml files of tests/data, loaded through the
 * real loader; traffic comes from a test-only application element defined
 * here, attached to a host the way traffic builders do ("app:<name>"
 * ports). Every expected number says where it comes from. The links are
 * 1 Gbit/s with 1 ms of delay, so a frame of F bytes (Ethernet header
 * included, no FCS) takes (max(F + 4, 64) + 8 + 12) * 8 ns to send
 * (IEEE 802.3 FCS, minimum frame, preamble + SFD, inter-frame gap; see
 * models/link/p2p.h). */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include "models/l3/host.h"
#include "models/models.h"
#include "net/proto.h"
#include "out/pcap.h"
#include "topo/loader.h"
#include "host_bench.h"
#include "tests/common/tshark.h"

/* Line rate and delay of every link in the ok-host-*.xml topologies. */
#define LINK_DELAY (1 * VNS_MS)
/* Wire time of an ARP frame: 14 + 28 = 42 bytes, padded to 64 with the
 * FCS, + 20 = 84 bytes = 672 bits at 1 Gbit/s. */
#define ARP_TX (672 * VNS_NS)
/* A neighbor solicitation or advertisement with its link-layer address
 * option: 14 + 40 + 24 + 8 = 86 bytes, + 4 + 20 = 110 bytes = 880 ns. */
#define ND_TX (880 * VNS_NS)
/* A UDP/IPv4 packet with 1000 payload bytes: 14 + 20 + 8 + 1000 = 1042,
 * + 24 = 1066 bytes = 8528 ns. */
#define UDP4_TX (8528 * VNS_NS)
/* The same over IPv6: 14 + 40 + 8 + 1000 = 1062, + 24 = 1086 = 8688 ns. */
#define UDP6_TX (8688 * VNS_NS)
/* One ARP or ND round trip over a link: request and reply each take their
 * wire time plus the delay. */
#define ARP_RTT (2 * (ARP_TX + LINK_DELAY))
#define ND_RTT (2 * (ND_TX + LINK_DELAY))

/* ---- ARP and static neighbours ------------------------------------------ */

Test(host, first_packet_waits_one_arp_round_trip)
{
    Bench b;
    TestApp *a1, *a2;

    bench_open(&b, "ok-host-pair.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    app_send_at(a1, 10 * VNS_MS,
                udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    /* h2 learnt h1 from its request (RFC 826 "merge"): no ARP back. */
    app_send_at(a2, 20 * VNS_MS,
                udp4(b.net, "10.0.1.2", "10.0.1.1", 6000, 5000, 1000, 64, true));
    vns_sim_run(b.sim);

    cr_assert_eq(a2->rx->len, 2);
    /* The first packet waits for the request and the reply, then takes
     * its own wire time and the delay. */
    cr_assert_eq(rx(a2, 0)->latency, ARP_RTT + UDP4_TX + LINK_DELAY);
    cr_assert_eq(rx(a2, 1)->latency, UDP4_TX + LINK_DELAY);
    cr_assert_eq(rx(a2, 0)->latency - rx(a2, 1)->latency, ARP_RTT);
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->latency, UDP4_TX + LINK_DELAY);
    /* Delivered with the IP header first, unchanged: TTL 64, valid
     * checksum, 20 + 8 + 1000 bytes. */
    cr_assert_eq(rx(a2, 0)->hdr[0] >> 4, 4);
    cr_assert_eq(rx(a2, 0)->hdr[8], 64);
    cr_assert(vns_ipv4_checksum_ok(rx(a2, 0)->hdr, rx(a2, 0)->len));
    cr_assert_eq(rx(a2, 0)->size, 1028);
    cr_assert_eq(host_stat(&b, "h1", "arp_requests_sent"), 1);
    cr_assert_eq(host_stat(&b, "h2", "arp_replies_sent"), 1);
    cr_assert_eq(host_stat(&b, "h1", "arp_replies_received"), 1);
    cr_assert_eq(host_stat(&b, "h2", "arp_requests_sent"), 0);
    cr_assert_eq(host_stat(&b, "h1", "neighbor_entries"), 1);
    cr_assert_eq(host_stat(&b, "h2", "neighbor_entries"), 1);
    cr_assert_eq(host_stat(&b, "h2", "delivered"), 2);
    /* Frames: h1 sent the request and two packets; h2 the reply and one. */
    cr_assert_eq(host_stat(&b, "h1", "tx_packets"), 3);
    cr_assert_eq(host_stat(&b, "h2", "tx_packets"), 2);
    bench_finish(&b);
}

Test(host, entries_expire_after_the_reachable_time)
{
    Bench b;
    TestApp *a1, *a2;

    bench_open(&b, "ok-host-pair.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    /* The entry resolved at 2 ARP_TX + 2 ms lasts 30 s (the default
     * neighbor-reachable-time, Linux's base_reachable_time_ms = 30000):
     * a packet at 29 s uses it, one at 33 s resolves again. */
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    app_send_at(a1, 29 * VNS_SEC,
                udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    app_send_at(a1, 33 * VNS_SEC,
                udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 3);
    cr_assert_eq(rx(a2, 1)->latency, UDP4_TX + LINK_DELAY);
    cr_assert_eq(rx(a2, 2)->latency, ARP_RTT + UDP4_TX + LINK_DELAY);
    cr_assert_eq(host_stat(&b, "h1", "arp_requests_sent"), 2);
    bench_finish(&b);
}

Test(host, static_neighbors_send_no_arp)
{
    Bench b;
    TestApp *a1, *a2;

    bench_open(&b, "ok-host-static.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    app_send_at(a2, 5 * VNS_MS,
                udp4(b.net, "10.0.1.2", "10.0.1.1", 6000, 5000, 1000, 64, true));
    /* Static entries never expire: still no ARP after a minute. */
    app_send_at(a1, 60 * VNS_SEC,
                udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 2);
    cr_assert_eq(rx(a2, 0)->latency, UDP4_TX + LINK_DELAY);
    cr_assert_eq(rx(a2, 1)->latency, UDP4_TX + LINK_DELAY);
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->latency, UDP4_TX + LINK_DELAY);
    cr_assert_eq(host_stat(&b, "h1", "arp_requests_sent"), 0);
    cr_assert_eq(host_stat(&b, "h2", "arp_requests_sent"), 0);
    cr_assert_eq(host_stat(&b, "h1", "tx_packets"), 2);
    bench_finish(&b);
}

/* ---- Neighbour failure -------------------------------------------------- */

Test(host, unanswered_arp_fails_after_three_requests)
{
    Bench b;
    TestApp *a1;

    bench_open(&b, "ok-host-pair.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    /* Nobody has 10.0.1.99. 105 packets: the queue holds 101 (Linux's
     * unres_qlen), so the 4 oldest are dropped at once; requests leave at
     * 0, 1 and 2 s (retrans_time_ms 1000, mcast_solicit 3), and at 3 s the
     * 101 waiting are dropped, each after an ICMP host unreachable to its
     * source (h1 itself), which reaches a1 as its socket error. */
    for (int i = 0; i < 105; i++)
        app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.99", 5000, 6000,
                                100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(host_stat(&b, "h1", "arp_requests_sent"), 3);
    cr_assert_eq(drops(&b, "h1", VNS_DROP_NO_NEIGHBOR), 105);
    cr_assert_eq(a1->rx->len, 101);
    cr_assert_eq(rx(a1, 0)->at, 3 * VNS_SEC);
    cr_assert_eq(rx(a1, 0)->hdr[9], VNS_IPPROTO_ICMP);
    cr_assert_eq(rx(a1, 0)->hdr[20], VNS_ICMP_DEST_UNREACH);
    cr_assert_eq(rx(a1, 0)->hdr[21], VNS_ICMP_HOST_UNREACH);
    bench_finish(&b);
}

Test(host, stop_drops_packets_waiting_for_a_neighbor)
{
    Bench b;
    TestApp *a1;

    bench_open(&b, "ok-host-pair.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.99", 5000, 6000, 100, 64, true));
    vns_sim_run_until(b.sim, 500 * VNS_MS);
    vns_net_stop(b.net);
    cr_assert_eq(drops(&b, "h1", VNS_DROP_END_OF_RUN), 1);
    cr_assert_eq(drops(&b, "h1", VNS_DROP_NO_NEIGHBOR), 0);
    bench_finish(&b);
}

/* ---- Forwarding --------------------------------------------------------- */

Test(host, router_forwards_between_subnets_and_decrements_ttl)
{
    Bench b;
    TestApp *a1, *a2;
    const TestRx *r;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1000, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 1);
    r = rx(a2, 0);
    /* h1 resolves r1, r1 resolves h2: one ARP round trip per link, then
     * two hops of wire time and delay. */
    cr_assert_eq(r->latency, 2 * ARP_RTT + 2 * (UDP4_TX + LINK_DELAY));
    cr_assert_eq(r->hdr[8], 63, "TTL %u, expected 64 - 1 (RFC 1812 5.3.1)", r->hdr[8]);
    cr_assert(vns_ipv4_checksum_ok(r->hdr, r->len),
              "header checksum invalid after the TTL decrement (RFC 1624)");
    cr_assert_eq(vns_wire_get32(r->hdr + 12), ip4("10.0.1.2"));
    cr_assert_eq(host_stat(&b, "r1", "forwarded"), 1);
    cr_assert_eq(host_stat(&b, "r1", "arp_requests_sent"), 1);
    cr_assert_eq(a1->rx->len, 0);
    bench_finish(&b);
}

Test(host, ttl_one_gets_time_exceeded_back)
{
    Bench b;
    TestApp *a1, *a2;
    const TestRx *r;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1000, 1, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 0);
    cr_assert_eq(drops(&b, "r1", VNS_DROP_TTL_EXPIRED), 1);
    /* The error reaches the sending application (quoted source port
     * 5000): ICMP type 11 code 0 (RFC 792) from r1's eth0 address. */
    cr_assert_eq(a1->rx->len, 1);
    r = rx(a1, 0);
    cr_assert_eq(r->hdr[9], VNS_IPPROTO_ICMP);
    cr_assert_eq(vns_wire_get32(r->hdr + 12), ip4("10.0.1.1"));
    cr_assert_eq(vns_wire_get32(r->hdr + 16), ip4("10.0.1.2"));
    cr_assert_eq(r->hdr[20], VNS_ICMP_TIME_EXCEEDED);
    cr_assert_eq(r->hdr[21], VNS_ICMP_TTL_EXCEEDED);
    /* It quotes the packet as received (TTL 1) and is 576 bytes, the RFC
     * 1812 section 4.3.2.3 maximum: 20 + 8 + 548 of the 1028 quoted. */
    cr_assert_eq(r->size, 576);
    cr_assert_eq(r->hdr[28 + 8], 1);
    cr_assert_eq(vns_wire_get32(r->hdr + 28 + 16), ip4("10.0.2.2"));
    cr_assert_eq(vns_wire_get16(r->hdr + 28 + 20), 5000);
    cr_assert(vns_ipv4_checksum_ok(r->hdr, r->len));
    cr_assert_eq(vns_csum_l4(r->hdr + 20, r->len - 20, r->size - 20, 0, NULL, NULL),
                 0, "ICMP checksum invalid");
    /* Sent when the packet reaches r1, it takes one hop back: a frame of
     * 14 + 576 = 590 bytes, + 24 = 614 bytes = 4912 ns. r1 learnt h1 from
     * its ARP request, so no resolution. */
    cr_assert_eq(r->at, ARP_RTT + UDP4_TX + LINK_DELAY + 4912 * VNS_NS + LINK_DELAY);
    cr_assert_eq(host_stat(&b, "r1", "icmp_errors_sent"), 1);
    bench_finish(&b);
}

Test(host, no_route_gets_net_unreachable_and_a_no_route_drop)
{
    Bench b;
    TestApp *a1;
    g_autoptr(VnsReport) report = vns_report_new();
    const VnsField *f;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    /* r1 has only its two connected subnets. */
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.9.0.1", 5000, 6000, 100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->hdr[20], VNS_ICMP_DEST_UNREACH);
    cr_assert_eq(rx(a1, 0)->hdr[21], VNS_ICMP_NET_UNREACH);
    vns_net_stats(b.net, report);
    f = vns_report_find(report, "drops", "r1/no_route", "packets");
    cr_assert_not_null(f, "no drops row r1/no_route");
    cr_assert_eq(f->i, 1);
    f = vns_report_find(report, "drops", "r1/no_route", "cause");
    cr_assert_str_eq(f->s, "no_route");
    bench_finish(&b);
}

Test(host, ipv6_forwards_with_neighbor_discovery)
{
    Bench b;
    TestApp *a1, *a2;
    const TestRx *r;
    VnsIp6 src, want;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2", 5000, 6000,
                            1000, 64));
    app_send_at(a2, 50 * VNS_MS, udp6(b.net, "2001:db8:2::2", "2001:db8:1::2",
                                      6000, 5000, 1000, 64));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 1);
    r = rx(a2, 0);
    /* One NS/NA round trip per link (RFC 4861 section 7.2), then two hops. */
    cr_assert_eq(r->latency, 2 * ND_RTT + 2 * (UDP6_TX + LINK_DELAY));
    cr_assert_eq(r->hdr[0] >> 4, 6);
    cr_assert_eq(r->hdr[7], 63, "hop limit %u, expected 64 - 1 (RFC 8200 3)", r->hdr[7]);
    memcpy(src.b, r->hdr + 8, 16);
    want = ip6("2001:db8:1::2");
    cr_assert(vns_ip6_equal(&src, &want));
    /* The way back needs no ND: each solicitation taught its target the
     * solicitor's address (RFC 4861 section 7.2.3). */
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->latency, 2 * (UDP6_TX + LINK_DELAY));
    cr_assert_eq(host_stat(&b, "h1", "ns_sent"), 1);
    cr_assert_eq(host_stat(&b, "r1", "ns_sent"), 1);
    cr_assert_eq(host_stat(&b, "r1", "na_sent"), 1);
    cr_assert_eq(host_stat(&b, "h2", "na_sent"), 1);
    cr_assert_eq(host_stat(&b, "h2", "ns_sent"), 0);
    cr_assert_eq(host_stat(&b, "r1", "forwarded"), 2);
    bench_finish(&b);
}

Test(host, ipv6_hop_limit_one_gets_time_exceeded)
{
    Bench b;
    TestApp *a1;
    const TestRx *r;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    app_send_at(a1, 0, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2", 5000, 6000,
                            1000, 1));
    vns_sim_run(b.sim);
    cr_assert_eq(drops(&b, "r1", VNS_DROP_TTL_EXPIRED), 1);
    cr_assert_eq(a1->rx->len, 1);
    r = rx(a1, 0);
    /* ICMPv6 time exceeded, code 0 (RFC 4443 section 3.3), quoting as much
     * as fits in 1280 bytes (section 2.4 (c)): 40 + 8 + 1048 (all of it). */
    cr_assert_eq(r->hdr[6], VNS_IPPROTO_ICMPV6);
    cr_assert_eq(r->hdr[40], VNS_ICMP6_TIME_EXCEEDED);
    cr_assert_eq(r->hdr[41], 0);
    cr_assert_eq(r->size, 40 + 8 + 1048);
    {
        VnsIp6 s, d;
        VnsIpAddr sa, da;
        memcpy(s.b, r->hdr + 8, 16);
        memcpy(d.b, r->hdr + 24, 16);
        sa = vns_ip_addr_v6(&s);
        da = vns_ip_addr_v6(&d);
        cr_assert_eq(vns_csum_l4(r->hdr + 40, r->len - 40, r->size - 40,
                                 VNS_IPPROTO_ICMPV6, &sa, &da), 0);
        VnsIp6 r1_eth0 = ip6("2001:db8:1::1");
        /* From r1's address on the interface back to h1. */
        cr_assert(vns_ip6_equal(&s, &r1_eth0));
    }
    bench_finish(&b);
}

Test(host, a_host_does_not_forward)
{
    Bench b;
    TestApp *a2;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    /* r1 routes 10.0.9.0/24 to h1, whose forward defaults to false (as
     * Linux's net.ipv4.ip_forward): dropped as not_for_us, no ICMP. */
    app_send_at(a2, 0, udp4(b.net, "10.0.2.2", "10.0.9.1", 6000, 5000, 100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(host_stat(&b, "r1", "forwarded"), 1);
    cr_assert_eq(drops(&b, "h1", VNS_DROP_NOT_FOR_US), 1);
    cr_assert_eq(host_stat(&b, "h1", "forwarded"), 0);
    cr_assert_eq(host_stat(&b, "h1", "icmp_errors_sent"), 0);
    cr_assert_eq(a2->rx->len, 0);
    bench_finish(&b);
}

/* ---- MTU ---------------------------------------------------------------- */

Test(host, df_packet_over_the_egress_mtu_gets_fragmentation_needed)
{
    Bench b;
    TestApp *a1, *a2;
    const TestRx *r;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    /* r1's eth1 learnt MTU 1400 from its link. 1372 + 28 = 1400 passes;
     * 1373 + 28 = 1401 does not: with DF an ICMP 3/4 comes back carrying
     * 1400 in bytes 6-7 (RFC 1191 section 4); without DF r1 fragments it
     * and h2 reassembles it (see fragments_* below). */
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1372, 64, true));
    app_send_at(a1, 10 * VNS_MS,
                udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1373, 64, true));
    app_send_at(a1, 20 * VNS_MS,
                udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1373, 64, false));
    app_send_at(a1, 30 * VNS_MS, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2",
                                      5000, 6000, 1353, 64));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 2);
    cr_assert_eq(rx(a2, 0)->size, 1400);
    cr_assert_eq(rx(a2, 1)->size, 1401);
    /* h1 learnt path MTU 1400 from the ICMP, so it fragments the DF-clear
     * datagram itself (1396 + 25 bytes), as Linux does. */
    cr_assert_eq(host_stat(&b, "h1", "frag_created"), 2);
    cr_assert_eq(host_stat(&b, "r1", "frag_created"), 0);
    cr_assert_eq(host_stat(&b, "h2", "reassembled"), 1);
    cr_assert_eq(drops(&b, "r1", VNS_DROP_MTU_EXCEEDED), 2);
    cr_assert_eq(a1->rx->len, 2);
    r = rx(a1, 0);
    cr_assert_eq(r->hdr[20], VNS_ICMP_DEST_UNREACH);
    cr_assert_eq(r->hdr[21], VNS_ICMP_FRAG_NEEDED);
    cr_assert_eq(vns_wire_get16(r->hdr + 26), 1400);
    /* IPv6: 40 + 8 + 1353 = 1401 > 1400: packet too big with the MTU in
     * bytes 4-7 (RFC 4443 section 3.2). */
    r = rx(a1, 1);
    cr_assert_eq(r->hdr[40], VNS_ICMP6_PACKET_TOO_BIG);
    cr_assert_eq(vns_wire_get32(r->hdr + 44), 1400);
    bench_finish(&b);
}

/* ---- Local delivery ----------------------------------------------------- */

Test(host, no_bound_application_drops_no_socket)
{
    Bench b;
    TestApp *a1;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 7777, 100, 64, true));
    app_send_at(a1, 10 * VNS_MS, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2", 5000,
                                      7777, 100, 64));
    vns_sim_run(b.sim);
    cr_assert_eq(drops(&b, "h2", VNS_DROP_NO_SOCKET), 2);
    /* ICMP destination unreachable, code 3 port unreachable (RFC 792, RFC
     * 1122 section 4.1.3.1), quoting the datagram, reaches the sender's
     * socket (quoted source port 5000); ICMPv6 destination unreachable
     * code 4, port unreachable (RFC 4443 section 3.1). */
    cr_assert_eq(a1->rx->len, 2);
    cr_assert_eq(rx(a1, 0)->hdr[20], VNS_ICMP_DEST_UNREACH);
    cr_assert_eq(rx(a1, 0)->hdr[21], VNS_ICMP_PORT_UNREACH);
    cr_assert_eq(vns_wire_get32(rx(a1, 0)->hdr + 12), ip4("10.0.2.2"));
    cr_assert_eq(vns_wire_get16(rx(a1, 0)->hdr + 28 + 22), 7777);
    cr_assert_eq(rx(a1, 1)->hdr[40], VNS_ICMP6_DEST_UNREACH);
    cr_assert_eq(rx(a1, 1)->hdr[41], 4);
    cr_assert_eq(host_stat(&b, "h2", "icmp_errors_sent"), 2);
    bench_finish(&b);
}

Test(host, echo_request_gets_a_reply)
{
    Bench b;
    TestApp *p1;
    const TestRx *r;

    bench_open(&b, "ok-host-routed.xml", NULL);
    /* A ping application bound to echo identifier 77. */
    p1 = app_attach(b.net, "h1", "p1", VNS_IPPROTO_ICMP, 77);
    bench_start(&b);
    app_send_at(p1, 0, echo4(b.net, "10.0.1.2", "10.0.2.2", 77));
    vns_sim_run(b.sim);
    cr_assert_eq(p1->rx->len, 1);
    r = rx(p1, 0);
    cr_assert_eq(r->hdr[20], VNS_ICMP_ECHO_REPLY);
    cr_assert_eq(vns_wire_get16(r->hdr + 24), 77);
    cr_assert_eq(vns_wire_get32(r->hdr + 12), ip4("10.0.2.2"));
    /* Sent with TTL 64 (Linux's ip_default_ttl), one router on the way. */
    cr_assert_eq(r->hdr[8], 63);
    cr_assert(vns_ipv4_checksum_ok(r->hdr, r->len));
    cr_assert_eq(vns_csum_l4(r->hdr + 20, r->len - 20, r->size - 20, 0, NULL, NULL), 0);
    cr_assert_eq(r->size, 20 + 8 + 56);
    cr_assert_eq(host_stat(&b, "h2", "echo_replies_sent"), 1);
    bench_finish(&b);
}

/* ---- CPU ---------------------------------------------------------------- */

Test(host, cpu_cost_delays_and_queues_packets)
{
    Bench b;
    TestApp *a1, *a2;
    static const char *const set[] = { "h2_cost", "10us", NULL };

    bench_open(&b, "ok-host-static.xml", set);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 2);
    /* The first arrives at UDP4_TX + delay and takes 10 us of h2's one
     * core; the second arrives UDP4_TX later, while the core is busy, and
     * finishes 10 us after the first (FIFO, one core). */
    cr_assert_eq(rx(a2, 0)->latency, UDP4_TX + LINK_DELAY + 10 * VNS_US);
    cr_assert_eq(rx(a2, 1)->latency, UDP4_TX + LINK_DELAY + 20 * VNS_US);
    (void) a1;
    bench_finish(&b);
}

Test(host, stop_drops_packets_in_cpu_service)
{
    Bench b;
    TestApp *a1, *a2;
    static const char *const set[] = { "h2_cost", "10us", NULL };

    bench_open(&b, "ok-host-static.xml", set);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    /* Halfway through its 10 us of service at h2. */
    vns_sim_run_until(b.sim, UDP4_TX + LINK_DELAY + 5 * VNS_US);
    vns_net_stop(b.net);
    cr_assert_eq(drops(&b, "h2", VNS_DROP_END_OF_RUN), 1);
    cr_assert_eq(a2->rx->len, 0);
    /* The pending service event finds nothing to do. */
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 0);
    bench_finish(&b);
}

/* ---- Hooks -------------------------------------------------------------- */

typedef struct {
    GString *log;           /* "element:hook:in:out " per call */
    int steal_at;           /* hook that steals (drops), or -1 */
} HookLog;

static VnsHookVerdict
hook_record(VnsElement *host, VnsPacket *pkt, const VnsHookState *st, void *data)
{
    static const char *const names[] = { "pre", "in", "fwd", "out", "post" };
    HookLog *log = data;

    g_string_append_printf(log->log, "%s:%s:%d:%d ", host->name, names[st->hook],
                           st->in_iface, st->out_iface);
    cr_assert_eq(vns_packet_data(pkt)[0] >> 4, 4, "IP header at data[0]");
    if ((int) st->hook == log->steal_at) {
        vns_packet_drop(pkt, host, VNS_DROP_POLICY_DENY);
        return VNS_HOOK_STOLEN;
    }
    return VNS_HOOK_ACCEPT;
}

static VnsHookVerdict
hook_order(VnsElement *host, VnsPacket *pkt, const VnsHookState *st, void *data)
{
    g_string_append_printf(data, "%s ", host->name);
    return VNS_HOOK_ACCEPT;
}

static void
hook_all(VnsNet *net, const char *name, HookLog *log)
{
    VnsElement *e = vns_net_find(net, name);

    cr_assert(vns_host_is_host(e));
    for (int k = 0; k < VNS_HOST_N_HOOKS; k++)
        vns_host_hook_add(e, (VnsHostHook) k, 0, hook_record, log);
}

Test(host, hooks_run_at_the_linux_points)
{
    Bench b;
    TestApp *a1, *a2;
    HookLog log = { g_string_new(NULL), -1 };

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    hook_all(b.net, "h1", &log);
    hook_all(b.net, "r1", &log);
    hook_all(b.net, "h2", &log);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 1);
    /* Linux's paths: local out (OUTPUT, POSTROUTING), forward
     * (PREROUTING, FORWARD, POSTROUTING), local in (PREROUTING, INPUT);
     * interfaces by index, -1 for none. ARP passes no IP hook. */
    cr_assert_str_eq(log.log->str,
                     "h1:out:-1:-1 h1:post:-1:0 "
                     "r1:pre:0:-1 r1:fwd:0:1 r1:post:0:1 "
                     "h2:pre:0:-1 h2:in:0:-1 ");
    g_string_free(log.log, TRUE);
    bench_finish(&b);
}

Test(host, a_stealing_hook_takes_the_packet)
{
    Bench b;
    TestApp *a1, *a2;
    HookLog log = { g_string_new(NULL), VNS_HOST_HOOK_FORWARD };
    GString *order = g_string_new(NULL);
    VnsElement *r1;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    r1 = vns_net_find(b.net, "r1");
    /* Priority order: -100 runs before 0, which steals; 50 never runs. */
    vns_host_hook_add(r1, VNS_HOST_HOOK_FORWARD, 50, hook_order, order);
    vns_host_hook_add(r1, VNS_HOST_HOOK_FORWARD, 0, hook_record, &log);
    vns_host_hook_add(r1, VNS_HOST_HOOK_FORWARD, -100, hook_order, order);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 0);
    cr_assert_str_eq(order->str, "r1 ");
    cr_assert_str_eq(log.log->str, "r1:fwd:0:1 ");
    cr_assert_eq(drops(&b, "r1", VNS_DROP_POLICY_DENY), 1);
    cr_assert_eq(host_stat(&b, "r1", "forwarded"), 0);
    g_string_free(log.log, TRUE);
    g_string_free(order, TRUE);
    bench_finish(&b);
}

/* ---- Configuration ------------------------------------------------------ */

Test(host, interfaces_advertise_addresses_and_learn_the_link_mtu)
{
    Bench b;
    VnsElement *h1, *r1;
    VnsPort *p;
    VnsIpAddr want;
    char buf[VNS_MAC_STRLEN];

    bench_open(&b, "ok-host-routed.xml", NULL);
    h1 = vns_net_find(b.net, "h1");
    r1 = vns_net_find(b.net, "r1");
    cr_assert_str_eq(h1->ops->type, "host");
    cr_assert_str_eq(r1->ops->type, "router");
    p = vns_element_find_port(h1, "eth0");
    cr_assert_not_null(p);
    want = vns_ip_addr_v4(ip4("10.0.1.2"));
    cr_assert(vns_ip_addr_equal(&p->info.addr4, &want));
    cr_assert_eq(p->info.prefix4, 24);
    cr_assert_eq(p->info.addr6.family, VNS_IP_V6);
    cr_assert_eq(p->info.prefix6, 64);
    /* Derived MACs: locally administered (0x02 bit), unicast (0x01 bit
     * clear), distinct per interface, and the same on every run. */
    cr_assert_eq(p->info.mac.b[0], 0x02, "%s", vns_mac_format(&p->info.mac, buf));
    cr_assert_not(vns_mac_equal(&vns_element_find_port(r1, "eth0")->info.mac,
                                &vns_element_find_port(r1, "eth1")->info.mac));
    bench_start(&b);
    /* MTU: eth1 from its link's mtu="1400"; eth0 from its link's default,
     * 1500. */
    cr_assert_eq(vns_element_find_port(r1, "eth1")->info.mtu, 1400);
    cr_assert_eq(vns_element_find_port(r1, "eth0")->info.mtu, 1500);
    /* Two connected routes and 10.0.9.0/24. */
    cr_assert_eq(host_stat(&b, "r1", "routes4"), 3);
    cr_assert_eq(host_stat(&b, "h1", "routes6"), 2);
    {
        Bench b2;
        VnsMac again;
        bench_open(&b2, "ok-host-routed.xml", NULL);
        again = vns_element_find_port(vns_net_find(b2.net, "h1"), "eth0")->info.mac;
        cr_assert(vns_mac_equal(&again, &p->info.mac));
        bench_finish(&b2);
    }
    bench_finish(&b);
}

/* Loading tests/data/'file' fails with 'code' and a message that starts
 * with "<path>:<line>: " and contains 'part'. */
#define check_bad(file, line, code, part) test_bench_check_bad((file), (line), (code), (part))

Test(host, bad_files_name_the_file_and_line)
{
    check_bad("bad-host-address.xml", 6, VNS_CONFIG_ERROR_BAD_VALUE,
              "'address': bad prefix '10.0.2.300/24'");
    check_bad("bad-host-dup-interface.xml", 7, VNS_CONFIG_ERROR_DUPLICATE,
              "name 'eth0' is already used at line 5");
    check_bad("bad-host-gateway.xml", 8, VNS_CONFIG_ERROR_REFERENCE,
              "gateway 10.0.3.1 is on no connected subnet of 'h1', expected an "
              "address inside one of: 10.0.1.0/24 (eth0), 10.0.2.0/24 (eth1)");
    check_bad("bad-host-route-dev.xml", 6, VNS_CONFIG_ERROR_REFERENCE,
              "'dev' is 'eth1', which names no <interface>");
    check_bad("bad-host-neighbor.xml", 6, VNS_CONFIG_ERROR_REFERENCE,
              "10.0.9.1 is on no interface's subnet");
    check_bad("bad-host-same-address.xml", 7, VNS_CONFIG_ERROR_DUPLICATE,
              "address 2001:db8:1::2 is already on interface 'eth0' (line 5)");
    check_bad("bad-host-mac.xml", 5, VNS_CONFIG_ERROR_BAD_VALUE,
              "expected a unicast MAC");
    check_bad("bad-host-overlap.xml", 6, VNS_CONFIG_ERROR_CONFLICT,
              "'h2:eth0' across link 'h1-h2' also has");
}

/* ---- Route table -------------------------------------------------------- */



/* ---- Fragmentation, reassembly and path MTU ----------------------------- */

/* Records the IPv4/IPv6 frames crossing a port in one direction (as
 * copies of their first bytes) and writes them to a pcap file for tshark. */
typedef struct {
    VnsPortTap tap;             /* first: the callback gets this pointer */
    bool outgoing;              /* which direction to record */
    GArray *frames;             /* of TestRx: size, stored bytes (Ethernet first) */
    VnsPcap *pcap;              /* NULL: none */
} FrameTap;

static void
frame_tap_seen(VnsPortTap *tap, const VnsPort *port, const VnsPacket *pkt,
               bool outgoing)
{
    FrameTap *t = (FrameTap *) tap;
    const uint8_t *d = vns_packet_data(pkt);
    TestRx r = { 0 };
    uint16_t type;

    if (outgoing != t->outgoing || pkt->len < 14)
        return;
    type = vns_wire_get16(d + 12);
    if (type != VNS_ETHERTYPE_IPV4 && type != VNS_ETHERTYPE_IPV6)
        return;
    r.at = vns_sim_now(port->owner->sim);
    r.size = vns_packet_size(pkt);
    r.len = MIN(pkt->len, (uint32_t) sizeof r.hdr);
    memcpy(r.hdr, d, r.len);
    g_array_append_val(t->frames, r);
    if (t->pcap != NULL)
        cr_assert(vns_pcap_write(t->pcap, r.at, d, pkt->len, pkt->payload_len));
}

static void
frame_tap_add(FrameTap *t, Bench *b, const char *elem, const char *port,
              bool outgoing, const char *pcap_path)
{
    GError *error = NULL;

    memset(t, 0, sizeof *t);
    t->tap.seen = frame_tap_seen;
    t->outgoing = outgoing;
    t->frames = g_array_new(FALSE, TRUE, sizeof(TestRx));
    if (pcap_path != NULL) {
        t->pcap = vns_pcap_open(pcap_path, VNS_PCAP_MAX_SNAPLEN, &error);
        cr_assert_not_null(t->pcap, "%s", error ? error->message : "");
    }
    vns_port_add_tap(vns_element_find_port(vns_net_find(b->net, elem), port), &t->tap);
}

static void
frame_tap_done(FrameTap *t)
{
    GError *error = NULL;

    if (t->pcap != NULL)
        cr_assert(vns_pcap_close(t->pcap, &error), "%s", error ? error->message : "");
    g_array_free(t->frames, TRUE);
}

static const TestRx *
frame(const FrameTap *t, guint i)
{
    cr_assert(i < t->frames->len, "only %u frames", t->frames->len);
    return &g_array_index(t->frames, TestRx, i);
}

/* tshark's 'fields' (NULL-ended) for each frame of 'pcap': the first
 * occurrence of each, IP reassembly on (Wireshark's default), checksum
 * checks on. Fails, not skips, when tshark is missing. */
static GPtrArray *
tshark_fields(const char *pcap, const char *const *fields)
{
    return test_tshark(pcap, fields, g_strv_length((char **) fields),
                       TEST_TSHARK_FIRST);
}

#define tsv(rows, row, col) test_tshark_field((rows), (row), (col))

/* RFC 791 section 3.2 ("Fragmentation"), by hand: a datagram of Total
 * Length 3000 (20-byte header + 2980 data bytes; here 8 UDP + 2972 payload)
 * over an MTU of 1500. Every fragment but the last carries NFB = floor((1500
 * - 20) / 8) = 185 eight-byte blocks = 1480 data bytes; so the data splits
 * 1480 + 1480 + 20, the fragments are 20 + 1480 = 1500, 1500 and 20 + 20 =
 * 40 bytes (3040 in all: 3000 + two more headers), their Fragment Offsets
 * 0, 185 and 370 (units of 8 bytes), MF 1, 1, 0, one Identification. On
 * the wire (Ethernet II header, no FCS) the frames are 1514, 1514 and 54
 * bytes. tshark (Wireshark's IP dissector) must read the same fields, find
 * every header checksum good, and reassemble the 2980-byte UDP datagram
 * with a good UDP checksum. */
Test(host, fragments_of_a_3000_byte_datagram_are_1500_1500_40)
{
    Bench b;
    TestApp *a1, *a2;
    FrameTap t;
    g_autofree char *dir = g_dir_make_tmp("vns-frag-XXXXXX", NULL);
    g_autofree char *pcap = g_build_filename(dir, "frag.pcap", NULL);
    static const char *const f[] = {
        "frame.len", "ip.len", "ip.flags.mf", "ip.flags.df", "ip.frag_offset",
        "ip.checksum.status", "ip.id", "udp.length", "udp.checksum.status",
        "ip.fragment.count", "_ws.malformed", NULL,
    };
    static const unsigned want_len[] = { 1500, 1500, 40 };
    static const unsigned want_off[] = { 0, 1480, 2960 };
    g_autoptr(GPtrArray) rows = NULL;

    bench_open(&b, "ok-host-static.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    frame_tap_add(&t, &b, "h1", "eth0", true, pcap);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 2972, 64, false));
    vns_sim_run(b.sim);
    cr_assert_eq(t.frames->len, 3);
    for (guint i = 0; i < 3; i++) {
        const uint8_t *ip = frame(&t, i)->hdr + 14;
        cr_assert_eq(frame(&t, i)->size, 14 + want_len[i]);
        cr_assert_eq(vns_wire_get16(ip + 2), want_len[i]);
        cr_assert_eq(vns_ipv4_frag_offset(ip), want_off[i]);
        cr_assert_eq(vns_wire_get16(ip + 6) & 0x1fff, want_off[i] / 8);
        cr_assert_eq(vns_ipv4_mf(ip), i < 2);
        cr_assert_not(vns_ipv4_df(ip));
        cr_assert_eq(vns_ipv4_id(ip), 1, "the datagram's Identification");
        cr_assert(vns_ipv4_checksum_ok(ip, 20));
    }
    /* The UDP header travels in the first fragment only. */
    cr_assert_eq(vns_wire_get16(frame(&t, 0)->hdr + 14 + 20 + 2), 6000);
    /* Reassembled at h2 and delivered whole when the last piece came:
     * 3000 bytes, the UDP header and its length field intact, MF and
     * offset cleared, a valid header checksum. */
    cr_assert_eq(a2->rx->len, 1);
    cr_assert_eq(rx(a2, 0)->size, 3000);
    cr_assert_eq(vns_wire_get16(rx(a2, 0)->hdr + 2), 3000);
    cr_assert_eq(vns_wire_get16(rx(a2, 0)->hdr + 6), 0);
    cr_assert(vns_ipv4_checksum_ok(rx(a2, 0)->hdr, rx(a2, 0)->len));
    cr_assert_eq(vns_wire_get16(rx(a2, 0)->hdr + 20 + 4), 2980);
    /* The three frames leave back to back: (1514 + 24) x 8 ns twice, then
     * (max(54 + 4, 64) + 20 = 84) x 8 ns (minimum frame), then 1 ms. */
    cr_assert_eq(rx(a2, 0)->latency, (2 * 1538 + 84) * 8 * VNS_NS + LINK_DELAY);
    cr_assert_eq(host_stat(&b, "h1", "frag_datagrams"), 1);
    cr_assert_eq(host_stat(&b, "h1", "frag_created"), 3);
    cr_assert_eq(host_stat(&b, "h2", "frag_received"), 3);
    cr_assert_eq(host_stat(&b, "h2", "reassembled"), 1);
    cr_assert_eq(a1->rx->len, 0);
    frame_tap_done(&t);
    bench_finish(&b);

    rows = tshark_fields(pcap, f);
    cr_assert_eq(rows->len, 3);
    for (guint i = 0; i < 3; i++) {
        cr_assert_eq(atoi(tsv(rows, i, 0)), 14 + want_len[i]);
        cr_assert_eq(atoi(tsv(rows, i, 1)), want_len[i]);
        cr_assert_eq(atoi(tsv(rows, i, 2)), i < 2, "MF of %u: %s", i, tsv(rows, i, 2));
        cr_assert_eq(atoi(tsv(rows, i, 3)), 0);
        /* Wireshark shows the field itself, in 8-byte units. */
        cr_assert_eq(atoi(tsv(rows, i, 4)), want_off[i] / 8, "offset %s", tsv(rows, i, 4));
        cr_assert_str_eq(tsv(rows, i, 5), "1", "frame %u IP checksum", i);
        cr_assert_str_eq(tsv(rows, i, 6), "0x0001");
        cr_assert_str_eq(tsv(rows, i, 10), "");
    }
    /* Wireshark reassembled the datagram in the last frame: 3 fragments,
     * UDP length 2980, checksum good. */
    cr_assert_str_eq(tsv(rows, 2, 9), "3");
    cr_assert_str_eq(tsv(rows, 2, 7), "2980");
    cr_assert_str_eq(tsv(rows, 2, 8), "1");
    g_unlink(pcap);
    g_rmdir(dir);
}

/* A router fragments a DF-clear packet for a smaller egress MTU, and
 * fragments fragments. h1 first cuts the 3000-byte datagram for its own
 * 1500-byte link into 1480 + 1480 + 20 data bytes (as above); r1's eth1
 * has MTU 1400, so NFB = floor((1400 - 20) / 8) = 172 blocks = 1376 bytes:
 * each 1480-byte piece becomes 1376 + 104, the 20-byte one passes. Five
 * fragments leave r1: data at offsets 0, 1376, 1480, 2856 and 2960, of
 * 1376, 104, 1376, 104 and 20 bytes (IP sizes 1396, 124, 1396, 124, 40),
 * MF on all but the last (a piece of a fragment with MF keeps MF, RFC 791
 * section 3.2), TTL 63; h2 reassembles the 3000 bytes. */
Test(host, router_fragments_when_df_is_clear)
{
    Bench b;
    TestApp *a1, *a2;
    FrameTap t;
    static const unsigned want_len[] = { 1396, 124, 1396, 124, 40 };
    static const unsigned want_off[] = { 0, 1376, 1480, 2856, 2960 };

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    frame_tap_add(&t, &b, "r1", "eth1", true, NULL);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 2972, 64, false));
    vns_sim_run(b.sim);
    cr_assert_eq(t.frames->len, 5, "%u frames", t.frames->len);
    for (guint i = 0; i < 5; i++) {
        const uint8_t *ip = frame(&t, i)->hdr + 14;
        cr_assert_eq(vns_wire_get16(ip + 2), want_len[i], "fragment %u", i);
        cr_assert_eq(vns_ipv4_frag_offset(ip), want_off[i], "fragment %u", i);
        cr_assert_eq(vns_ipv4_mf(ip), i < 4);
        cr_assert_eq(ip[8], 63);
        cr_assert(vns_ipv4_checksum_ok(ip, 20));
    }
    cr_assert_eq(a2->rx->len, 1);
    cr_assert_eq(rx(a2, 0)->size, 3000);
    cr_assert_eq(host_stat(&b, "h1", "frag_created"), 3);
    cr_assert_eq(host_stat(&b, "r1", "frag_datagrams"), 2);
    cr_assert_eq(host_stat(&b, "r1", "frag_created"), 4);
    cr_assert_eq(host_stat(&b, "h2", "frag_received"), 5);
    cr_assert_eq(host_stat(&b, "h2", "reassembled"), 1);
    cr_assert_eq(a1->rx->len, 0);
    frame_tap_done(&t);
    bench_finish(&b);
}

/* Path-MTU discovery (RFC 1191): a DF packet one byte over the path MTU
 * (1373 + 28 = 1401 > r1's eth1 MTU 1400) is dropped at r1 as mtu_exceeded
 * with an ICMP fragmentation needed carrying 1400 (RFC 1191 section 4),
 * which lowers h1's path MTU to 10.0.2.2 from 1500 to 1400; a packet of
 * the new path MTU gets through, and one byte more is now refused by h1
 * itself (EMSGSIZE on Linux). The entry lasts 600 s (Linux's
 * net.ipv4.route.mtu_expires), then the path MTU is 1500 again. tshark
 * decodes the ICMP with its MTU and a good checksum. */
Test(host, df_one_byte_over_the_path_mtu_lowers_the_senders_pmtu)
{
    Bench b;
    TestApp *a1, *a2;
    FrameTap t;
    VnsElement *h1;
    VnsIpAddr d = vns_ip_addr_v4(0);
    VnsTime icmp_at;
    uint32_t pmtu;
    g_autofree char *dir = g_dir_make_tmp("vns-pmtu-XXXXXX", NULL);
    g_autofree char *pcap = g_build_filename(dir, "icmp.pcap", NULL);
    static const char *const f[] = {
        "icmp.type", "icmp.code", "icmp.mtu", "icmp.checksum.status",
        "ip.checksum.status", "_ws.malformed", NULL,
    };
    g_autoptr(GPtrArray) rows = NULL;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    frame_tap_add(&t, &b, "h1", "eth0", false, pcap);
    h1 = vns_net_find(b.net, "h1");
    d = vns_ip_addr_v4(ip4("10.0.2.2"));
    bench_start(&b);
    cr_assert_eq(vns_host_path_mtu(h1, &d), 1500);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1373, 64, true));
    vns_sim_run_until(b.sim, 10 * VNS_MS);
    cr_assert_eq(a2->rx->len, 0);
    cr_assert_eq(drops(&b, "r1", VNS_DROP_MTU_EXCEEDED), 1);
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->hdr[20], VNS_ICMP_DEST_UNREACH);
    cr_assert_eq(rx(a1, 0)->hdr[21], VNS_ICMP_FRAG_NEEDED);
    cr_assert_eq(vns_wire_get16(rx(a1, 0)->hdr + 26), 1400);
    icmp_at = rx(a1, 0)->at;
    pmtu = vns_host_path_mtu(h1, &d);
    cr_assert_eq(pmtu, 1400);
    cr_assert_eq(host_stat(&b, "h1", "pmtu_updates"), 1);
    /* The sender's next packet fits: 1400 bytes arrive; 1401 stop at h1. */
    app_send_at(a1, 10 * VNS_MS, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000,
                                      pmtu - 28, 64, true));
    app_send_at(a1, 20 * VNS_MS, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000,
                                      pmtu - 27, 64, true));
    vns_sim_run_until(b.sim, 30 * VNS_MS);
    cr_assert_eq(a2->rx->len, 1);
    cr_assert_eq(rx(a2, 0)->size, 1400);
    cr_assert_eq(drops(&b, "h1", VNS_DROP_MTU_EXCEEDED), 1);
    cr_assert_eq(drops(&b, "r1", VNS_DROP_MTU_EXCEEDED), 1);
    /* Other destinations keep the interface MTU. */
    {
        VnsIpAddr other = vns_ip_addr_v4(ip4("10.0.2.3"));
        cr_assert_eq(vns_host_path_mtu(h1, &other), 1500);
    }
    /* Expiry: 600 s after the ICMP arrived. */
    vns_sim_run_until(b.sim, icmp_at + 600 * VNS_SEC - 1);
    cr_assert_eq(vns_host_path_mtu(h1, &d), 1400);
    vns_sim_run_until(b.sim, icmp_at + 600 * VNS_SEC);
    cr_assert_eq(vns_host_path_mtu(h1, &d), 1500);
    frame_tap_done(&t);
    bench_finish(&b);

    /* h1's received IP frames: the ICMP error only. */
    rows = tshark_fields(pcap, f);
    cr_assert_eq(rows->len, 1);
    cr_assert_str_eq(tsv(rows, 0, 0), "3");
    cr_assert_str_eq(tsv(rows, 0, 1), "4");
    cr_assert_str_eq(tsv(rows, 0, 2), "1400");
    cr_assert_str_eq(tsv(rows, 0, 3), "1");
    cr_assert_str_eq(tsv(rows, 0, 4), "1");
    cr_assert_str_eq(tsv(rows, 0, 5), "");
    g_unlink(pcap);
    g_rmdir(dir);
}

/* An ICMP error about a packet h1 sent ('quoted', IP header at data[0]),
 * from 'from', as h1 would receive it; sent by h1's application to h1
 * itself, so it takes the local input path. */
static VnsPacket *
icmp_about(VnsNet *net, const char *from, VnsPacket *quoted, uint32_t mtu)
{
    bool v4 = vns_packet_data(quoted)[0] >> 4 == 4;
    VnsPacket *p = vns_packet_new(vns_net_pool(net), 0);
    uint32_t n = v4 ? 28 : 48;

    memcpy(vns_packet_put(p, n), vns_packet_data(quoted), n);
    if (v4) {
        VnsIcmpHdr ih = { .type = VNS_ICMP_DEST_UNREACH, .code = VNS_ICMP_FRAG_NEEDED,
                          .mtu = (uint16_t) mtu };
        VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_ICMP, .src = ip4(from),
                          .dst = vns_wire_get32(vns_packet_data(quoted) + 12) };
        vns_icmp_push(p, &ih);
        vns_ipv4_push(p, &ip);
    } else {
        VnsIp6 s = ip6(from), d;
        memcpy(d.b, vns_packet_data(quoted) + 8, 16);
        VnsIcmp6Hdr ih = { .type = VNS_ICMP6_PACKET_TOO_BIG, .mtu = mtu };
        VnsIpv6Hdr ip = { .next_header = VNS_IPPROTO_ICMPV6, .hop_limit = 64,
                          .src = s, .dst = d };
        vns_icmp6_push(p, &ih, &s, &d);
        vns_ipv6_push(p, &ip);
    }
    vns_packet_free(quoted);
    return p;
}

/* The floors and the rules of an update (Linux's __ip_rt_update_pmtu()
 * and __ip6_rt_update_pmtu()): IPv4 reports below net.ipv4.route.min_pmtu
 * = 552 set 552; IPv6 reports below 1280 set 1280 (RFC 8200 section 5,
 * RFC 8201 section 4); a report at or above the current path MTU changes
 * nothing (RFC 1191 section 6.3: only decreases). */
Test(host, path_mtu_floors_are_552_and_1280)
{
    Bench b;
    TestApp *a1;
    VnsElement *h1;
    VnsIpAddr d1 = vns_ip_addr_v4(0), d2 = vns_ip_addr_v4(0), d3, d4;
    VnsIp6 x;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    h1 = vns_net_find(b.net, "h1");
    bench_start(&b);
    d1 = vns_ip_addr_v4(ip4("10.0.2.2"));
    d2 = vns_ip_addr_v4(ip4("10.0.2.3"));
    x = ip6("2001:db8:2::2");
    d3 = vns_ip_addr_v6(&x);
    x = ip6("2001:db8:2::3");
    d4 = vns_ip_addr_v6(&x);
    app_send_at(a1, 0, icmp_about(b.net, "10.0.1.1", udp4(b.net, "10.0.1.2", "10.0.2.2",
                                  5000, 6000, 100, 64, true), 300));
    app_send_at(a1, 0, icmp_about(b.net, "10.0.1.1", udp4(b.net, "10.0.1.2", "10.0.2.3",
                                  5000, 6000, 100, 64, true), 1300));
    app_send_at(a1, 1, icmp_about(b.net, "10.0.1.1", udp4(b.net, "10.0.1.2", "10.0.2.3",
                                  5000, 6000, 100, 64, true), 1450));
    app_send_at(a1, 0, icmp_about(b.net, "2001:db8:1::1", udp6(b.net, "2001:db8:1::2",
                                  "2001:db8:2::2", 5000, 6000, 100, 64), 1000));
    app_send_at(a1, 0, icmp_about(b.net, "2001:db8:1::1", udp6(b.net, "2001:db8:1::2",
                                  "2001:db8:2::3", 5000, 6000, 100, 64), 1350));
    vns_sim_run(b.sim);
    /* Each error also reached the application (quoted source port). */
    cr_assert_eq(a1->rx->len, 5);
    cr_assert_eq(vns_host_path_mtu(h1, &d1), 552);
    cr_assert_eq(vns_host_path_mtu(h1, &d2), 1300);
    cr_assert_eq(vns_host_path_mtu(h1, &d3), 1280);
    cr_assert_eq(vns_host_path_mtu(h1, &d4), 1350);
    cr_assert_eq(host_stat(&b, "h1", "pmtu_updates"), 4);
    cr_assert_eq(host_stat(&b, "h1", "pmtu_entries"), 4);
    bench_finish(&b);
}

/* IPv6: routers never fragment (RFC 8200 section 5); the source does,
 * with a Fragment header (section 4.5). A 3000-byte packet (40 + 8 + 2952)
 * from h1 leaves in fragments of at most its 1500-byte MTU: floor((1500 -
 * 48) / 8) x 8 = 1448 data bytes, so 2960 = 1448 + 1448 + 64 and packets of
 * 1496, 1496 and 112 bytes. r1 cannot pass the 1496s on its 1400-byte eth1:
 * packet too big with MTU 1400 (RFC 4443 section 3.2) for the first (none
 * is sent about a non-initial fragment); h1's path MTU drops to 1400, and
 * the next 3000-byte packet goes as 1352 + 1352 + 256 data bytes: 1400,
 * 1400 and 304 bytes, which h2 reassembles. The lone last fragment of the
 * first packet is dropped after 60 s (RFC 8200 section 4.5), without ICMP
 * since the first fragment never came. */
Test(host, ipv6_source_fragments_to_the_path_mtu)
{
    Bench b;
    TestApp *a1, *a2;
    FrameTap t1, t2;
    static const unsigned first[] = { 1496, 1496, 112 };
    static const unsigned second[] = { 1400, 1400, 304 };
    g_autofree char *dir = g_dir_make_tmp("vns-frag6-XXXXXX", NULL);
    g_autofree char *pcap = g_build_filename(dir, "h2.pcap", NULL);
    static const char *const f[] = {
        "ipv6.plen", "ipv6.fraghdr.offset", "ipv6.fraghdr.more",
        "ipv6.fraghdr.nxt", "ipv6.fragment.count", "udp.length",
        "udp.checksum.status", "_ws.malformed", NULL,
    };
    g_autoptr(GPtrArray) rows = NULL;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    frame_tap_add(&t1, &b, "h1", "eth0", true, NULL);
    frame_tap_add(&t2, &b, "h2", "eth0", false, pcap);
    bench_start(&b);
    app_send_at(a1, 0, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2", 5000, 6000, 2952, 64));
    app_send_at(a1, 50 * VNS_MS, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2", 5000,
                                      6000, 2952, 64));
    vns_sim_run(b.sim);
    /* h1's frames: the NS for r1 is not IP-data; 3 + 3 fragments. */
    {
        guint n = 0;
        for (guint i = 0; i < t1.frames->len; i++) {
            const uint8_t *ip = frame(&t1, i)->hdr + 14;
            if (ip[6] != VNS_IPPROTO_FRAGMENT)
                continue;
            cr_assert_lt(n, 6);
            cr_assert_eq(40 + vns_wire_get16(ip + 4), n < 3 ? first[n] : second[n - 3]);
            cr_assert_eq(ip[40], VNS_IPPROTO_UDP, "the Fragment header's Next Header");
            cr_assert_eq(vns_wire_get16(ip + 42) & ~7u,
                         n < 3 ? n * 1448 : (n - 3) * 1352);
            cr_assert_eq(vns_wire_get16(ip + 42) & 1, n % 3 < 2, "M flag");
            n++;
        }
        cr_assert_eq(n, 6);
    }
    cr_assert_eq(drops(&b, "r1", VNS_DROP_MTU_EXCEEDED), 2);
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->hdr[40], VNS_ICMP6_PACKET_TOO_BIG);
    cr_assert_eq(vns_wire_get32(rx(a1, 0)->hdr + 44), 1400);
    cr_assert_eq(a2->rx->len, 1);
    cr_assert_eq(rx(a2, 0)->size, 3000);
    cr_assert_eq(rx(a2, 0)->hdr[6], VNS_IPPROTO_UDP, "Fragment header removed");
    cr_assert_eq(vns_wire_get16(rx(a2, 0)->hdr + 4), 2960);
    cr_assert_eq(host_stat(&b, "h2", "reassembled"), 1);
    cr_assert_eq(host_stat(&b, "h2", "reasm_timeouts"), 1);
    cr_assert_eq(drops(&b, "h2", VNS_DROP_REASSEMBLY), 1);
    cr_assert_eq(host_stat(&b, "h2", "icmp_errors_sent"), 0);
    /* h2 got 1 + 3 fragments, the last of them at 50 ms + ... */
    cr_assert_eq(host_stat(&b, "h2", "frag_received"), 4);
    frame_tap_done(&t1);
    frame_tap_done(&t2);
    bench_finish(&b);

    /* What h2 received, as tshark reads it: the orphan 112-byte fragment
     * (offset 2896 = 362 x 8, M clear), then the second datagram's three
     * (payload lengths 1360, 1360, 264; offsets 0, 1352, 2704 bytes = 0,
     * 169, 338 eight-byte units, as the field holds them), which Wireshark
     * reassembles into a 2960-byte UDP datagram with a good checksum. */
    rows = tshark_fields(pcap, f);
    /* Neighbor Discovery frames have no Fragment header: left out. */
    for (guint i = rows->len; i-- > 0;)
        if (tsv(rows, i, 1)[0] == '\0')
            g_ptr_array_remove_index(rows, i);
    cr_assert_eq(rows->len, 4);
    cr_assert_str_eq(tsv(rows, 0, 0), "72");
    cr_assert_str_eq(tsv(rows, 0, 1), "362", "2896 / 8: Wireshark shows 8-byte units");
    cr_assert_str_eq(tsv(rows, 0, 2), "0");
    for (guint i = 1; i < 4; i++) {
        static const char *const plen[] = { "1360", "1360", "264" };
        static const char *const off[] = { "0", "169", "338" };   /* x 8 bytes */
        cr_assert_str_eq(tsv(rows, i, 0), plen[i - 1]);
        cr_assert_str_eq(tsv(rows, i, 1), off[i - 1], "offset %s", tsv(rows, i, 1));
        cr_assert_str_eq(tsv(rows, i, 2), i < 3 ? "1" : "0");
        cr_assert_str_eq(tsv(rows, i, 3), "17");
        cr_assert_str_eq(tsv(rows, i, 7), "");
    }
    cr_assert_str_eq(tsv(rows, 3, 4), "3");
    cr_assert_str_eq(tsv(rows, 3, 5), "2960");
    cr_assert_str_eq(tsv(rows, 3, 6), "1");
    g_unlink(pcap);
    g_rmdir(dir);
}

/* A first fragment whose rest never comes: h2 keeps it 30 s (Linux's
 * net.ipv4.ipfrag_time), then drops it (reassembly) and sends ICMP time
 * exceeded code 1, "fragment reassembly time exceeded" (RFC 792; RFC 1122
 * section 3.3.2), which reaches the sender's socket: 576 bytes (RFC 1812
 * section 4.3.2.3), one link away (static neighbours: no ARP). */
Test(host, reassembly_times_out_after_30_s)
{
    Bench b;
    TestApp *a1, *a2;
    VnsPacket *p;

    bench_open(&b, "ok-host-static.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    p = udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, false);
    vns_ipv4_set_frag(vns_packet_data(p), false, true, 0);     /* MF: more follow */
    app_send_at(a1, 0, p);
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 0);
    cr_assert_eq(drops(&b, "h2", VNS_DROP_REASSEMBLY), 1);
    cr_assert_eq(host_stat(&b, "h2", "reasm_timeouts"), 1);
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->hdr[20], VNS_ICMP_TIME_EXCEEDED);
    cr_assert_eq(rx(a1, 0)->hdr[21], VNS_ICMP_REASM_EXCEEDED);
    cr_assert_eq(rx(a1, 0)->size, 576);
    cr_assert_eq(rx(a1, 0)->at,
                 UDP4_TX + LINK_DELAY + 30 * VNS_SEC + 4912 * VNS_NS + LINK_DELAY);
    bench_finish(&b);
}

/* Overlapping fragments kill the datagram (RFC 5722; Linux's ip_frag_queue
 * does the same for IPv4); an exact duplicate is dropped alone. */
Test(host, overlapping_fragments_are_dropped)
{
    Bench b;
    TestApp *a1, *a2;
    VnsPacket *p;

    bench_open(&b, "ok-host-static.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    /* Data 0-1007 (MF), its duplicate, then data 1000-2007: overlap. */
    for (int i = 0; i < 2; i++) {
        p = udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, false);
        vns_ipv4_set_frag(vns_packet_data(p), false, true, 0);
        app_send_at(a1, i * VNS_MS, p);
    }
    p = udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, false);
    vns_ipv4_set_frag(vns_packet_data(p), false, false, 1000);
    app_send_at(a1, 2 * VNS_MS, p);
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 0);
    cr_assert_eq(drops(&b, "h2", VNS_DROP_REASSEMBLY), 3);
    cr_assert_eq(host_stat(&b, "h2", "reasm_failed"), 1);
    cr_assert_eq(host_stat(&b, "h2", "reasm_timeouts"), 0);
    bench_finish(&b);
}

/* The path-MTU black hole (RFC 2923 section 2.1): r1 with
 * drop-icmp="too-big" drops its own fragmentation-needed error
 * (icmp_filtered, in the drop report), so h1 never learns: nothing gets
 * through and h1's path MTU stays 1500. The same with the filter on the
 * h1-r1 link instead, which drops the error r1 did send, and at h1, which
 * drops it on arrival. */
Test(host, drop_icmp_makes_a_pmtu_black_hole)
{
    static const char *const at_r1[] = { "r1_drop_icmp", "too-big", NULL };
    static const char *const on_link[] = { "link_drop_icmp", "too-big", NULL };
    static const char *const at_h1[] = { "h1_drop_icmp", "too-big", NULL };
    const char *const *sets[] = { at_r1, on_link, at_h1 };
    const char *where[] = { "r1", "h1-r1", "h1" };

    for (int i = 0; i < 3; i++) {
        g_autofree char *row = g_strdup_printf("%s/icmp_filtered", where[i]);
        Bench b;
        TestApp *a1, *a2;
        VnsIpAddr d = vns_ip_addr_v4(0);
        g_autoptr(VnsReport) report = vns_report_new();
        const VnsField *f;

        bench_open(&b, "ok-host-routed.xml", sets[i]);
        a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
        a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
        bench_start(&b);
        for (int k = 0; k < 3; k++)
            app_send_at(a1, k * 10 * VNS_MS, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000,
                                                  6000, 1373, 64, true));
        app_send_at(a1, 30 * VNS_MS, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2",
                                          5000, 6000, 1353, 64));
        vns_sim_run(b.sim);
        cr_assert_eq(a2->rx->len, 0);
        cr_assert_eq(a1->rx->len, 0);
        cr_assert_eq(drops(&b, "r1", VNS_DROP_MTU_EXCEEDED), 4);
        d = vns_ip_addr_v4(ip4("10.0.2.2"));
        cr_assert_eq(vns_host_path_mtu(vns_net_find(b.net, "h1"), &d), 1500);
        vns_net_stats(b.net, report);
        f = vns_report_find(report, "drops", row, "packets");
        cr_assert_not_null(f, "no drops row %s", row);
        cr_assert_eq(f->i, 4);
        cr_assert_eq(drops(&b, where[i], VNS_DROP_ICMP_FILTERED), 4);
        bench_finish(&b);
    }
}

/* drop-icmp="all" passes Neighbor Discovery (RFC 4890 section 4.4.1) but
 * drops echo requests; "too-big" lets echo through. */
Test(host, drop_icmp_all_drops_echo_but_not_nd)
{
    static const char *const all[] = { "link_drop_icmp", "all", NULL };
    Bench b;
    TestApp *p1;

    bench_open(&b, "ok-host-routed.xml", all);
    p1 = app_attach(b.net, "h1", "p1", VNS_IPPROTO_ICMP, 77);
    app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    app_send_at(p1, 0, echo4(b.net, "10.0.1.2", "10.0.2.2", 77));
    app_send_at(p1, 10 * VNS_MS, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2", 5000,
                                      7777, 100, 64));
    vns_sim_run(b.sim);
    cr_assert_eq(p1->rx->len, 0);
    cr_assert_eq(drops(&b, "h1-r1", VNS_DROP_ICMP_FILTERED), 2,
                 "the echo request and h2's ICMPv6 port unreachable");
    /* The IPv6 datagram got through after ND across the filtering link. */
    cr_assert_eq(drops(&b, "h2", VNS_DROP_NO_SOCKET), 1);
    cr_assert_eq(host_stat(&b, "h1", "ns_sent"), 1);
    bench_finish(&b);
}

/* A TCP segment for a closed port is answered with a reset (RFC 9293
 * section 3.10.7.1): a SYN (ACK off, SEQ 1000, no data: SEG.LEN 1 for the
 * SYN) gets <SEQ=0><ACK=1001><CTL=RST,ACK>; a segment with ACK 5555 and 100
 * data bytes gets <SEQ=5555><CTL=RST>; a reset gets nothing. */
Test(host, tcp_to_a_closed_port_gets_a_reset)
{
    Bench b;
    TestApp *t1;
    VnsIpAddr s = vns_ip_addr_v4(0), d = vns_ip_addr_v4(0);
    uint8_t flags[3] = { VNS_TCP_SYN, VNS_TCP_ACK | VNS_TCP_PSH, VNS_TCP_RST };
    uint32_t len[3] = { 0, 100, 0 };
    VnsTcpHdr in;

    bench_open(&b, "ok-host-routed.xml", NULL);
    t1 = app_attach(b.net, "h1", "t1", VNS_IPPROTO_TCP, 40000);
    bench_start(&b);
    s = vns_ip_addr_v4(ip4("10.0.1.2"));
    d = vns_ip_addr_v4(ip4("10.0.2.2"));
    for (int i = 0; i < 3; i++) {
        VnsPacket *p = vns_packet_new(vns_net_pool(b.net), len[i]);
        VnsTcpHdr th = { .sport = 40000, .dport = 80, .seq = 1000, .ack = 5555,
                         .flags = flags[i], .window = 65535 };
        VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_TCP, .df = true,
                          .src = s.v4, .dst = d.v4 };
        vns_tcp_push(p, &th, &s, &d);
        vns_ipv4_push(p, &ip);
        app_send_at(t1, i * 10 * VNS_MS, p);
    }
    vns_sim_run(b.sim);
    cr_assert_eq(t1->rx->len, 2);
    cr_assert(vns_tcp_parse(rx(t1, 0)->hdr + 20, rx(t1, 0)->len - 20, &in));
    cr_assert_eq(in.flags, VNS_TCP_RST | VNS_TCP_ACK);
    cr_assert_eq(in.seq, 0);
    cr_assert_eq(in.ack, 1001);
    cr_assert_eq(in.sport, 80);
    cr_assert_eq(in.dport, 40000);
    cr_assert_eq(vns_csum_l4(rx(t1, 0)->hdr + 20, rx(t1, 0)->len - 20,
                             rx(t1, 0)->size - 20, VNS_IPPROTO_TCP, &d, &s), 0,
                 "TCP checksum");
    cr_assert(vns_tcp_parse(rx(t1, 1)->hdr + 20, rx(t1, 1)->len - 20, &in));
    cr_assert_eq(in.flags, VNS_TCP_RST);
    cr_assert_eq(in.seq, 5555);
    cr_assert_eq(host_stat(&b, "h2", "rst_sent"), 2);
    cr_assert_eq(drops(&b, "h2", VNS_DROP_NO_SOCKET), 3);
    bench_finish(&b);
}

/* Segmentation offload (doc CONTRACTS, TSO/GSO): a 3000-byte TCP packet
 * leaves h1 whole when the port across its interface advertises
 * gso_max_size 65536 (Linux's GSO_MAX_SIZE); a UDP one with DF does not.
 * Here the peer is the link, which then drops it as too big for its MTU:
 * a vNIC would cut it into segments. */
Test(host, gso_lets_large_tcp_packets_leave)
{
    Bench b;
    TestApp *t1;
    VnsIpAddr s = vns_ip_addr_v4(0), d = vns_ip_addr_v4(0);
    VnsPacket *p;
    VnsTcpHdr th = { .sport = 40000, .dport = 80, .seq = 1, .ack = 1,
                     .flags = VNS_TCP_ACK, .window = 65535 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_TCP, .df = true };

    bench_open(&b, "ok-host-static.xml", NULL);
    t1 = app_attach(b.net, "h1", "t1", VNS_IPPROTO_TCP, 40000);
    vns_element_find_port(vns_net_find(b.net, "h1-h2"), "a")->info.gso_max_size = 65536;
    bench_start(&b);
    s = vns_ip_addr_v4(ip4("10.0.1.1"));
    d = vns_ip_addr_v4(ip4("10.0.1.2"));
    ip.src = s.v4;
    ip.dst = d.v4;
    p = vns_packet_new(vns_net_pool(b.net), 3000 - 40);
    vns_tcp_push(p, &th, &s, &d);
    vns_ipv4_push(p, &ip);
    app_send_at(t1, 0, p);
    app_send_at(t1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 40000, 80, 2972, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(host_stat(&b, "h1", "gso_passed"), 1);
    cr_assert_eq(drops(&b, "h1", VNS_DROP_MTU_EXCEEDED), 1, "the UDP one");
    cr_assert_eq(drops(&b, "h1-h2", VNS_DROP_MTU_EXCEEDED), 1, "the TCP one");
    bench_finish(&b);
}

/* Random loss on a link: 20000 frames through loss="0.1" lose about
 * n p = 2000, with the binomial standard deviation sqrt(n p (1 - p)) =
 * sqrt(1800) = 42.4; the count must be within 5 standard deviations
 * (212), which a correct model misses with probability 6e-7. Every lost
 * frame is a random_loss drop of the link, and the rest arrive. */
Test(host, link_random_loss_is_binomial)
{
    enum { N = 20000 };
    static const char *const set[] = { "loss", "0.1", NULL };
    Bench b;
    TestApp *a1, *a2;
    uint64_t lost;

    bench_open(&b, "ok-host-static.xml", set);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    for (int i = 0; i < N; i++)
        app_send_at(a1, i * 10 * VNS_US, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000,
                                              1000, 64, true));
    vns_sim_run(b.sim);
    lost = N - a2->rx->len;
    cr_log_info("lost %" G_GUINT64_FORMAT " of %d", lost, N);
    cr_assert_lt(fabs((double) lost - 2000.0), 5 * 42.43, "lost %" G_GUINT64_FORMAT, lost);
    cr_assert_eq(drops(&b, "h1-h2", VNS_DROP_RANDOM_LOSS), lost);
    bench_finish(&b);
}

/* The reassembly table is bounded: with reassembly-queues="2", fragments
 * of a third datagram while two wait are dropped (reassembly,
 * reasm_failed); when the two time out their slots free up. */
Test(host, reassembly_table_is_bounded)
{
    static const char *const set[] = { "h2_reasm_queues", "2", NULL };
    Bench b;
    TestApp *a1;

    bench_open(&b, "ok-host-static.xml", set);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    for (int i = 0; i < 3; i++) {
        VnsPacket *p = udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, false);
        vns_ipv4_set_id(vns_packet_data(p), (uint16_t) (100 + i));
        vns_ipv4_set_frag(vns_packet_data(p), false, true, 0);
        app_send_at(a1, i * VNS_MS, p);
    }
    vns_sim_run(b.sim);
    cr_assert_eq(host_stat(&b, "h2", "reasm_failed"), 1);
    cr_assert_eq(host_stat(&b, "h2", "reasm_timeouts"), 2);
    cr_assert_eq(drops(&b, "h2", VNS_DROP_REASSEMBLY), 3);
    bench_finish(&b);
}
