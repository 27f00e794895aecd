/* Tests of the L2 elements (models/l2/): the Linux bridge (learning,
 * flooding, ageing, hairpin, FDB limits, 802.1Q VLAN filtering with
 * tagging on egress, CPU cost), veth pairs and in-node wires.
 *
 * Most tests join the bridge's ports to a probe, a test element defined
 * here that sends raw Ethernet frames at given times and records what
 * comes back on each of its ports, tag bytes included. Two tests run real
 * hosts with <udp-flow> traffic through wires, veths, bridges and a trunk
 * link (tests/data/ok-bridge-*.xml). The expected behaviour is Linux's
 * (net/bridge/ in the kernel; bridge(8)); every number says where it comes
 * from. */
#include <config.h>
#include <string.h>
#include <criterion/criterion.h>
#include "net/eth.h"
#include "tests/models/host_bench.h"
#include "tests/models/models_test.h"

/* ---- A probe: sends and records raw frames (models_test.h) ------------- */

typedef TestEnd Probe;

/* Adds a probe with one port per port of 'element' (same names), each
 * joined to it. */
static Probe *
probe_attach(Bench *b, const char *element)
{
    VnsElement *e = test_bench_find(b, element);
    Probe *p = test_end_new(b->net, "probe", NULL, NULL);

    for (guint i = 0; i < e->ports->len; i++) {
        VnsPort *ep = e->ports->pdata[i];
        test_end_add_port(p, ep->name, ep);
    }
    return p;
}

static VnsPort *
probe_port(const Probe *p, const char *port)
{
    VnsPort *pp = vns_element_find_port(&p->base, port);

    cr_assert_not_null(pp, "no probe port %s", port);
    return pp;
}

/* The MAC 02:00:00:00:00:NN (locally administered unicast). */
static VnsMac
mac(uint8_t n)
{
    return (VnsMac) { { 0x02, 0, 0, 0, 0, n } };
}

static const VnsMac BCAST = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
/* An IPv4 multicast MAC (RFC 1112 section 6.4: 01:00:5e + 23 bits). */
static const VnsMac MCAST = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };

/* Untagged frames are 14 + 50 = 64 bytes; 'vid' >= 0 adds an 802.1Q tag
 * (4 bytes) with that VID and priority 'pcp'. */
#define FRAME_PAYLOAD 50
#define FRAME_SIZE (VNS_ETH_HLEN + FRAME_PAYLOAD)

static VnsPacket *
frame_pcp(Bench *b, VnsMac dst, VnsMac src, int vid, uint8_t pcp)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(b->net), FRAME_PAYLOAD);
    VnsEthHdr eth = { .dst = dst, .src = src, .ethertype = VNS_ETHERTYPE_IPV4 };

    if (vid >= 0) {
        VnsVlanHdr tag = { .pcp = pcp, .vid = (uint16_t) vid,
                           .ethertype = VNS_ETHERTYPE_IPV4 };
        vns_vlan_push(pkt, &tag);
        eth.ethertype = VNS_ETHERTYPE_VLAN;
    }
    vns_eth_push(pkt, &eth);
    return pkt;
}

static VnsPacket *
frame(Bench *b, VnsMac dst, VnsMac src, int vid)
{
    return frame_pcp(b, dst, src, vid, 0);
}

/* Has the probe send 'pkt' (taken) on its port named 'port' at 'at'. */
static void
probe_send(Probe *p, const char *port, VnsTime at, VnsPacket *pkt)
{
    test_end_send_at(p, probe_port(p, port), at, pkt);
}

/* Frames received on the probe port named 'port'. */
static unsigned
probe_count(const Probe *p, const char *port)
{
    return test_end_count_on(p, probe_port(p, port)->index);
}

/* The k-th frame received on probe port 'port'. */
static const TestRx *
probe_rx(const Probe *p, const char *port, unsigned k)
{
    return test_end_rx_on(p, probe_port(p, port)->index, k);
}

static int64_t
bridge_stat(Bench *b, const char *bridge, const char *key)
{
    return test_bench_int(b, "bridges", bridge, key);
}

/* ---- Learning and flooding ---------------------------------------------- */

Test(bridge, learned_mac_goes_out_of_one_port_only)
{
    Bench b;
    Probe *p;

    bench_open(&b, "ok-bridge-raw.xml", NULL);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* M2 speaks first (a broadcast from p2): the bridge learns M2 -> p2.
     * Then M1 sends to M2 twice: both go out of p2 alone. */
    probe_send(p, "p2", 0, frame(&b, BCAST, mac(2), -1));
    probe_send(p, "p1", VNS_MS, frame(&b, mac(2), mac(1), -1));
    probe_send(p, "p1", 2 * VNS_MS, frame(&b, mac(2), mac(1), -1));
    /* And M2 answers M1, learned from those: out of p1 alone. */
    probe_send(p, "p2", 3 * VNS_MS, frame(&b, mac(1), mac(2), -1));
    vns_sim_run(b.sim);
    /* The broadcast reached p1, p3, p4; the unicasts only p2 and p1. */
    cr_assert_eq(probe_count(p, "p1"), 2);
    cr_assert_eq(probe_count(p, "p2"), 2);
    cr_assert_eq(probe_count(p, "p3"), 1);
    cr_assert_eq(probe_count(p, "p4"), 1);
    cr_assert_eq(probe_rx(p, "p2", 0)->at, VNS_MS);    /* wires: no delay */
    cr_assert_eq(bridge_stat(&b, "br0", "forwarded"), 3);
    cr_assert_eq(bridge_stat(&b, "br0", "flooded"), 1);
    cr_assert_eq(bridge_stat(&b, "br0", "broadcast"), 1);
    cr_assert_eq(bridge_stat(&b, "br0", "learned"), 2);
    cr_assert_eq(bridge_stat(&b, "br0", "fdb_entries"), 2);
    bench_finish(&b);
}

Test(bridge, unknown_unicast_broadcast_and_multicast_flood_all_other_ports)
{
    Bench b;
    Probe *p;
    const char *ports[] = { "p1", "p2", "p3", "p4" };

    bench_open(&b, "ok-bridge-raw.xml", NULL);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* br_flood(): every port but the ingress one (hairpin off). */
    probe_send(p, "p1", 0, frame(&b, mac(9), mac(1), -1));        /* unknown */
    probe_send(p, "p1", VNS_MS, frame(&b, BCAST, mac(1), -1));
    probe_send(p, "p1", 2 * VNS_MS, frame(&b, MCAST, mac(1), -1));
    vns_sim_run(b.sim);
    cr_assert_eq(probe_count(p, "p1"), 0);
    for (int i = 1; i < 4; i++) {
        cr_assert_eq(probe_count(p, ports[i]), 3, "%s", ports[i]);
        /* Copies are the frame as sent: 64 bytes, destination intact. */
        cr_assert_eq(probe_rx(p, ports[i], 0)->size, FRAME_SIZE);
        cr_assert_eq(memcmp(probe_rx(p, ports[i], 0)->hdr, mac(9).b, 6), 0);
        cr_assert_eq(memcmp(probe_rx(p, ports[i], 1)->hdr, BCAST.b, 6), 0);
        cr_assert_eq(memcmp(probe_rx(p, ports[i], 2)->hdr, MCAST.b, 6), 0);
    }
    cr_assert_eq(bridge_stat(&b, "br0", "flooded"), 3);
    cr_assert_eq(bridge_stat(&b, "br0", "flood_copies"), 9);
    cr_assert_eq(bridge_stat(&b, "br0", "unknown_unicast"), 1);
    cr_assert_eq(bridge_stat(&b, "br0", "multicast"), 1);
    /* The source is learned once, refreshed twice. */
    cr_assert_eq(bridge_stat(&b, "br0", "learned"), 1);
    bench_finish(&b);
}

Test(bridge, invalid_source_macs_are_dropped)
{
    Bench b;
    Probe *p;
    VnsMac zero = { { 0 } };

    bench_open(&b, "ok-bridge-raw.xml", NULL);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* br_handle_frame(): !is_valid_ether_addr(source) -> drop. */
    probe_send(p, "p1", 0, frame(&b, BCAST, MCAST, -1));
    probe_send(p, "p1", 0, frame(&b, BCAST, zero, -1));
    vns_sim_run(b.sim);
    cr_assert_eq(p->rx->len, 0);
    cr_assert_eq(drops(&b, "br0", VNS_DROP_MALFORMED), 2);
    cr_assert_eq(bridge_stat(&b, "br0", "learned"), 0);
    bench_finish(&b);
}

Test(bridge, a_station_that_moves_is_followed)
{
    Bench b;
    Probe *p;

    bench_open(&b, "ok-bridge-raw.xml", NULL);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    probe_send(p, "p1", 0, frame(&b, BCAST, mac(1), -1));
    probe_send(p, "p3", VNS_MS, frame(&b, BCAST, mac(1), -1));  /* moved */
    probe_send(p, "p2", 2 * VNS_MS, frame(&b, mac(1), mac(2), -1));
    vns_sim_run(b.sim);
    /* br_fdb_update() points the entry at the new port. */
    cr_assert_eq(probe_count(p, "p3"), 2);     /* the first flood + unicast */
    cr_assert_eq(probe_count(p, "p1"), 1);     /* the second flood only */
    cr_assert_eq(bridge_stat(&b, "br0", "moved"), 1);
    cr_assert_eq(bridge_stat(&b, "br0", "learned"), 2);
    bench_finish(&b);
}

Test(bridge, a_full_fdb_learns_nothing_more_and_floods)
{
    Bench b;
    Probe *p;
    const char *set[] = { "fdb_max", "2", NULL };

    bench_open(&b, "ok-bridge-raw.xml", set);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    probe_send(p, "p1", 0, frame(&b, BCAST, mac(1), -1));
    probe_send(p, "p2", 1, frame(&b, BCAST, mac(2), -1));
    probe_send(p, "p3", 2, frame(&b, BCAST, mac(3), -1));   /* no room */
    probe_send(p, "p1", 3, frame(&b, mac(3), mac(1), -1));
    probe_send(p, "p1", 4, frame(&b, mac(2), mac(1), -1));
    vns_sim_run(b.sim);
    cr_assert_eq(bridge_stat(&b, "br0", "fdb_full"), 1);
    cr_assert_eq(bridge_stat(&b, "br0", "fdb_entries"), 2);
    /* To M3: unknown, flooded to p2, p3, p4; to M2: p2 only. */
    cr_assert_eq(bridge_stat(&b, "br0", "unknown_unicast"), 1);
    cr_assert_eq(bridge_stat(&b, "br0", "forwarded"), 1);
    cr_assert_eq(probe_count(p, "p4"), 4);     /* 3 broadcasts + 1 flood */
    bench_finish(&b);
}

Test(bridge, fdb_matches_a_reference_model_under_churn)
{
    Bench b;
    Probe *p;
    const char *set[] = { "fdb_max", "16", "ageing", "10us", NULL };
    const char *ports[] = { "p1", "p2", "p3", "p4" };
    enum { N = 600, MACS = 40 };
    int ref_port[MACS];
    VnsTime ref_seen[MACS];
    unsigned expect[N], got[N] = { 0 };
    unsigned no_egress = 0;

    /* Frame i leaves port (i / 3) % 4 at i us, from one of 40 stations to
     * another; entries live 10 us, so at most 10 are alive and the
     * 16-entry table (32 slots) churns through insertions, lazy expiry,
     * sweeps and backward-shift deletions. A plain array, updated the way
     * br_fdb_update() and has_expired() say, predicts every frame's
     * egress ports. */
    bench_open(&b, "ok-bridge-raw.xml", set);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    for (int m = 0; m < MACS; m++)
        ref_port[m] = -1;
    for (int i = 0; i < N; i++) {
        int in = (i / 3) % 4, src = (i * 3) % MACS, dst = (i * 7 + 5) % MACS;
        VnsTime now = i * VNS_US;

        probe_send(p, ports[in], now, frame(&b, mac((uint8_t) (10 + dst)),
                                            mac((uint8_t) (10 + src)), -1));
        ref_port[src] = in;
        ref_seen[src] = now;
        if (ref_port[dst] >= 0 && ref_seen[dst] + 10 * VNS_US > now) {
            expect[i] = ref_port[dst] == in ? 0 : 1u << ref_port[dst];
            no_egress += ref_port[dst] == in;
        } else {
            expect[i] = 0xfu & ~(1u << in);
        }
    }
    vns_sim_run(b.sim);
    for (guint k = 0; k < p->rx->len; k++) {
        const TestRx *r = &g_array_index(p->rx, TestRx, k);
        got[r->at / VNS_US] |= 1u << r->port;
    }
    for (int i = 0; i < N; i++)
        cr_assert_eq(got[i], expect[i], "frame %d: ports 0x%x, expected 0x%x",
                     i, got[i], expect[i]);
    cr_assert_eq(drops(&b, "br0", VNS_DROP_NO_EGRESS), no_egress);
    /* Every path was taken: flood, forward, same-port drop, ageing. */
    cr_assert_gt(no_egress, 0);
    cr_assert_gt(bridge_stat(&b, "br0", "forwarded"), 0);
    cr_assert_gt(bridge_stat(&b, "br0", "unknown_unicast"), 0);
    cr_assert_gt(bridge_stat(&b, "br0", "aged"), 0);
    cr_assert_eq(bridge_stat(&b, "br0", "fdb_full"), 0);
    bench_finish(&b);
}

/* ---- Ageing ------------------------------------------------------------- */

/* Learns M2 at t0 and sends M1 -> M2 at t0 + ageing - 1 ps and at
 * t0 + ageing: the first still goes to p2 alone, the second is flooded
 * (Linux's has_expired(): updated + ageing_time <= now). */
static void
check_ageing(const char *const *set, VnsTime ageing)
{
    Bench b;
    Probe *p;
    VnsTime t0 = 5 * VNS_MS;

    bench_open(&b, "ok-bridge-raw.xml", set);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    probe_send(p, "p2", t0, frame(&b, BCAST, mac(2), -1));
    probe_send(p, "p1", t0 + ageing - 1, frame(&b, mac(2), mac(1), -1));
    probe_send(p, "p1", t0 + ageing, frame(&b, mac(2), mac(1), -1));
    vns_sim_run(b.sim);
    cr_assert_eq(probe_count(p, "p2"), 2);
    cr_assert_eq(probe_rx(p, "p2", 0)->at, t0 + ageing - 1);
    cr_assert_eq(probe_count(p, "p3"), 2);     /* broadcast, then the flood */
    cr_assert_eq(probe_rx(p, "p3", 1)->at, t0 + ageing);
    cr_assert_eq(bridge_stat(&b, "br0", "forwarded"), 1);
    cr_assert_eq(bridge_stat(&b, "br0", "unknown_unicast"), 1);
    cr_assert_eq(bridge_stat(&b, "br0", "aged"), 1);
    /* M1 (learned at t0 + ageing - 1 ps, refreshed 1 ps later) remains
     * until the run ends at t0 + ageing: one entry. */
    cr_assert_eq(bridge_stat(&b, "br0", "fdb_entries"), 1);
    bench_finish(&b);
}

Test(bridge, entries_age_out_after_exactly_the_ageing_time)
{
    const char *set[] = { "ageing", "2ms", NULL };

    check_ageing(set, 2 * VNS_MS);
}

Test(bridge, default_ageing_is_linux_300_seconds)
{
    /* BR_DEFAULT_AGEING_TIME = 300 * HZ (net/bridge/br_private.h). */
    check_ageing(NULL, 300 * VNS_SEC);
}

Test(bridge, unused_entries_are_swept_when_reported)
{
    Bench b;
    Probe *p;
    const char *set[] = { "ageing", "1ms", NULL };

    bench_open(&b, "ok-bridge-raw.xml", set);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    probe_send(p, "p1", 0, frame(&b, BCAST, mac(1), -1));
    probe_send(p, "p2", 0, frame(&b, BCAST, mac(2), -1));
    probe_send(p, "p3", VNS_MS / 2, frame(&b, BCAST, mac(3), -1));
    vns_sim_run_until(b.sim, VNS_MS);
    /* At 1 ms M1 and M2 are exactly 1 ms old: gone; M3 is 0.5 ms old. */
    cr_assert_eq(bridge_stat(&b, "br0", "fdb_entries"), 1);
    cr_assert_eq(bridge_stat(&b, "br0", "aged"), 2);
    bench_finish(&b);
}

/* ---- Hairpin ------------------------------------------------------------ */

Test(bridge, hairpin_off_never_sends_back_to_the_ingress_port)
{
    Bench b;
    Probe *p;

    bench_open(&b, "ok-bridge-raw.xml", NULL);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* M1 and M5 both behind p1 (two VMs behind one port): M1 -> M5 has
     * its FDB entry on p1 itself; should_deliver() refuses it. */
    probe_send(p, "p1", 0, frame(&b, BCAST, mac(5), -1));
    probe_send(p, "p1", VNS_MS, frame(&b, mac(5), mac(1), -1));
    vns_sim_run(b.sim);
    cr_assert_eq(probe_count(p, "p1"), 0);
    cr_assert_eq(drops(&b, "br0", VNS_DROP_NO_EGRESS), 1);
    bench_finish(&b);
}

Test(bridge, hairpin_on_reflects_unicast_and_floods)
{
    Bench b;
    Probe *p;
    const char *set[] = { "hairpin", "true", NULL };

    bench_open(&b, "ok-bridge-raw.xml", set);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* p1 has hairpin on: should_deliver() lets the unicast go back, and
     * br_flood() includes p1 too (it only asks should_deliver()). */
    probe_send(p, "p1", 0, frame(&b, BCAST, mac(5), -1));
    probe_send(p, "p1", VNS_MS, frame(&b, mac(5), mac(1), -1));
    /* From p2 (no hairpin), to M2 learned on p2: dropped as before. */
    probe_send(p, "p2", 2 * VNS_MS, frame(&b, BCAST, mac(2), -1));
    probe_send(p, "p2", 3 * VNS_MS, frame(&b, mac(2), mac(6), -1));
    vns_sim_run(b.sim);
    cr_assert_eq(probe_count(p, "p1"), 3);     /* own flood, unicast, p2's flood */
    cr_assert_eq(probe_rx(p, "p1", 1)->at, VNS_MS);
    cr_assert_eq(probe_count(p, "p2"), 1);
    cr_assert_eq(bridge_stat(&b, "br0", "flood_copies"), 4 + 3);
    cr_assert_eq(drops(&b, "br0", VNS_DROP_NO_EGRESS), 1);
    bench_finish(&b);
}

/* ---- VLAN filtering ----------------------------------------------------- */

/* The VID of a received frame's 802.1Q tag, or -1 when untagged. */
static int
rx_vid(const TestRx *r)
{
    if (vns_wire_get16(r->hdr + 12) != VNS_ETHERTYPE_VLAN)
        return -1;
    return vns_wire_get16(r->hdr + 14) & 0x0fff;
}

Test(bridge, vlan_access_and_trunk_ports_tag_on_egress)
{
    Bench b;
    Probe *p;

    bench_open(&b, "ok-bridge-vlan-raw.xml", NULL);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* Untagged broadcast on access port p1 (PVID 10): out of p4 untagged
     * (VLAN 10 untagged there) and the trunk p3 tagged 10; not p2. */
    probe_send(p, "p1", 0, frame(&b, BCAST, mac(1), -1));
    vns_sim_run(b.sim);
    cr_assert_eq(probe_count(p, "p2"), 0);
    cr_assert_eq(probe_count(p, "p4"), 1);
    cr_assert_eq(rx_vid(probe_rx(p, "p4", 0)), -1);
    cr_assert_eq(probe_rx(p, "p4", 0)->size, FRAME_SIZE);
    cr_assert_eq(probe_count(p, "p3"), 1);
    cr_assert_eq(rx_vid(probe_rx(p, "p3", 0)), 10);
    /* IEEE 802.1Q: the tag adds 4 bytes and keeps the inner type. */
    cr_assert_eq(probe_rx(p, "p3", 0)->size, FRAME_SIZE + VNS_VLAN_HLEN);
    cr_assert_eq(vns_wire_get16(probe_rx(p, "p3", 0)->hdr + 16), VNS_ETHERTYPE_IPV4);
    cr_assert_eq(memcmp(probe_rx(p, "p3", 0)->hdr + 6, mac(1).b, 6), 0);
    bench_finish(&b);
}

Test(bridge, vlan_tagged_frames_from_the_trunk_are_untagged_on_access_ports)
{
    Bench b;
    Probe *p;

    bench_open(&b, "ok-bridge-vlan-raw.xml", NULL);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    probe_send(p, "p3", 0, frame(&b, BCAST, mac(3), 20));
    probe_send(p, "p3", VNS_MS, frame(&b, BCAST, mac(3), 10));
    vns_sim_run(b.sim);
    cr_assert_eq(probe_count(p, "p2"), 1);
    cr_assert_eq(rx_vid(probe_rx(p, "p2", 0)), -1);
    cr_assert_eq(probe_rx(p, "p2", 0)->size, FRAME_SIZE);
    cr_assert_eq(vns_wire_get16(probe_rx(p, "p2", 0)->hdr + 12), VNS_ETHERTYPE_IPV4);
    cr_assert_eq(probe_count(p, "p1"), 1);
    cr_assert_eq(probe_count(p, "p4"), 1);
    cr_assert_eq(probe_count(p, "p3"), 0);
    /* The FDB is per VLAN: M3 learned in 10 and in 20, two entries. */
    cr_assert_eq(bridge_stat(&b, "br0", "fdb_entries"), 2);
    bench_finish(&b);
}

Test(bridge, vlan_filter_drops_what_the_port_does_not_carry)
{
    Bench b;
    Probe *p;

    bench_open(&b, "ok-bridge-vlan-raw.xml", NULL);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* br_allowed_ingress(): VLAN 30 is not on the trunk; an untagged frame
     * on a port without PVID has no VLAN; VLAN 20 is not on access p1. */
    probe_send(p, "p3", 0, frame(&b, BCAST, mac(3), 30));
    probe_send(p, "p3", 1, frame(&b, BCAST, mac(3), -1));
    probe_send(p, "p1", 2, frame(&b, BCAST, mac(1), 20));
    vns_sim_run(b.sim);
    cr_assert_eq(p->rx->len, 0);
    cr_assert_eq(drops(&b, "br0", VNS_DROP_VLAN_FILTER), 3);
    cr_assert_eq(bridge_stat(&b, "br0", "learned"), 0);
    bench_finish(&b);
}

Test(bridge, vlan_priority_tagged_frames_join_the_pvid)
{
    Bench b;
    Probe *p;

    bench_open(&b, "ok-bridge-vlan-raw.xml", NULL);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* VID 0 with priority 5 on p1 (PVID 10): VLAN 10, priority kept. */
    probe_send(p, "p1", 0, frame_pcp(&b, BCAST, mac(1), 0, 5));
    vns_sim_run(b.sim);
    cr_assert_eq(probe_count(p, "p3"), 1);
    cr_assert_eq(rx_vid(probe_rx(p, "p3", 0)), 10);
    cr_assert_eq(probe_rx(p, "p3", 0)->hdr[14] >> 5, 5);
    cr_assert_eq(rx_vid(probe_rx(p, "p4", 0)), -1);
    bench_finish(&b);
}

Test(bridge, without_vlan_filtering_tags_are_ignored_and_kept)
{
    Bench b;
    Probe *p;

    bench_open(&b, "ok-bridge-raw.xml", NULL);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* vlan_filtering 0: one FDB for all VLANs, tags untouched. */
    probe_send(p, "p1", 0, frame(&b, BCAST, mac(1), 30));
    probe_send(p, "p2", VNS_MS, frame(&b, mac(1), mac(2), 40));
    vns_sim_run(b.sim);
    cr_assert_eq(probe_count(p, "p3"), 1);
    cr_assert_eq(rx_vid(probe_rx(p, "p3", 0)), 30);
    cr_assert_eq(probe_count(p, "p1"), 1);
    cr_assert_eq(rx_vid(probe_rx(p, "p1", 0)), 40);
    cr_assert_eq(bridge_stat(&b, "br0", "forwarded"), 1);
    bench_finish(&b);
}

/* ---- CPU ---------------------------------------------------------------- */

Test(bridge, cpu_cost_per_packet_and_per_copy)
{
    Bench b;
    Probe *p;
    const char *set[] = { "cost", "1us", "copy_cost", "500ns", NULL };

    bench_open(&b, "ok-bridge-raw.xml", set);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* One core: the broadcast is processed by 1 us, then its three copies
     * take 0.5 us each in turn, leaving at 1.5, 2 and 2.5 us, in port
     * order. */
    probe_send(p, "p1", 0, frame(&b, BCAST, mac(1), -1));
    vns_sim_run(b.sim);
    cr_assert_eq(probe_rx(p, "p2", 0)->at, 1500 * VNS_NS);
    cr_assert_eq(probe_rx(p, "p3", 0)->at, 2000 * VNS_NS);
    cr_assert_eq(probe_rx(p, "p4", 0)->at, 2500 * VNS_NS);
    bench_finish(&b);
}

Test(bridge, cpu_backlog_overflow_drops)
{
    Bench b;
    Probe *p;
    const char *set[] = { "cost", "1us", NULL };

    bench_open(&b, "ok-bridge-raw.xml", set);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    /* Five frames at once on one core with backlog="2": one is served,
     * two wait, two are dropped (cpu_backlog); the rest leave 1 us
     * apart. */
    for (int i = 0; i < 5; i++)
        probe_send(p, "p1", 0, frame(&b, BCAST, mac(1), -1));
    vns_sim_run(b.sim);
    cr_assert_eq(drops(&b, "br0", VNS_DROP_CPU_BACKLOG), 2);
    cr_assert_eq(probe_count(p, "p2"), 3);
    cr_assert_eq(probe_rx(p, "p2", 2)->at, 3 * VNS_US);
    bench_finish(&b);
}

Test(bridge, frames_waiting_for_the_cpu_end_as_end_of_run)
{
    Bench b;
    Probe *p;
    const char *set[] = { "cost", "1us", "copy_cost", "1us", NULL };

    bench_open(&b, "ok-bridge-raw.xml", set);
    p = probe_attach(&b, "br0");
    bench_start(&b);
    probe_send(p, "p1", 0, frame(&b, BCAST, mac(1), -1));
    probe_send(p, "p1", 0, frame(&b, BCAST, mac(1), -1));
    /* One core, backlog 2. Frame 1 is served 0-1 us, frame 2 1-2 us;
     * frame 1's three copies, submitted at 1 us, would start at 2, 3 and
     * 4 us: the third finds two jobs waiting and is dropped (cpu_backlog).
     * Stopped at 1.5 us: frame 2 and two copies are stranded. */
    vns_sim_run_until(b.sim, 1500 * VNS_NS);
    vns_net_stop(b.net);
    cr_assert_eq(drops(&b, "br0", VNS_DROP_CPU_BACKLOG), 1);
    cr_assert_eq(drops(&b, "br0", VNS_DROP_END_OF_RUN), 3);
    cr_assert_eq(p->rx->len, 0);
    bench_finish(&b);
}

/* ---- Real hosts: wires, veths, ARP, UDP --------------------------------- */

Test(bridge, hosts_learn_through_arp_and_only_the_broadcast_floods)
{
    /* ok-bridge-star.xml: h1 sends 100 datagrams to h2 (ARP first). The
     * ARP request is the only flood (broadcast, RFC 826); the reply goes
     * to h1 alone (learned from the request) and every datagram to h2
     * alone (learned from the reply). h3 and h4 see one frame each. */
    g_autoptr(VnsReport) r = models_test_run("ok-bridge-star.xml", NULL, 0);

    cr_assert_eq(models_test_num(r, "flows", "f", "received_packets"), 100);
    cr_assert_eq(models_test_num(r, "bridges", "br0", "flooded"), 1);
    cr_assert_eq(models_test_num(r, "bridges", "br0", "broadcast"), 1);
    cr_assert_eq(models_test_num(r, "bridges", "br0", "forwarded"), 101);
    cr_assert_eq(models_test_num(r, "bridges", "br0", "fdb_entries"), 2);
    cr_assert_eq(models_test_num(r, "hosts", "h3", "rx_packets"), 1);
    cr_assert_eq(models_test_num(r, "hosts", "h4", "rx_packets"), 1);
    cr_assert_eq(models_test_num(r, "bridge_ports", "br0:p2", "tx_packets"), 101);
    /* 100 x (1000 + 8 UDP + 20 IPv4 + 14 Ethernet) + the 42-byte ARP
     * request (14 + 28, RFC 826). */
    cr_assert_eq(models_test_num(r, "bridge_ports", "br0:p2", "tx_bytes"),
                 100 * 1042 + 42);
    cr_assert_eq(models_test_num(r, "veths", "v3", "a_to_b_packets"), 0);
    cr_assert_eq(models_test_num(r, "veths", "v3", "b_to_a_packets"), 1);
}

Test(bridge, vlan_isolation_across_two_hypervisors)
{
    /* ok-bridge-vlan.xml: vm1 (VLAN 10, hv1) -> vm2 (VLAN 10, hv2) over the
     * trunk: all 49 delivered. vm3 (VLAN 20, hv1) -> vm2: its frames are
     * flooded in VLAN 20 (nobody there knows vm2), cross the trunk tagged
     * 20, and hv2's trunk port, which carries only 10, drops them. */
    g_autoptr(VnsReport) r = models_test_run("ok-bridge-vlan.xml", NULL, 0);
    double drops_vf = 0;

    cr_assert_eq(models_test_num(r, "flows", "same", "received_packets"), 49);
    cr_assert_eq(models_test_num(r, "flows", "cross", "sent_packets"), 49);
    cr_assert_eq(models_test_num(r, "flows", "cross", "received_packets"), 0);
    cr_assert(vns_report_get_num(r, "drops", "br2/vlan_filter", "packets", &drops_vf));
    cr_assert_eq(drops_vf, 49);
    /* On the trunk every frame is tagged: 1000 + 8 + 20 + 14 + 4 = 1046
     * bytes (IEEE 802.1Q adds 4), 98 frames; vm2 receives untagged
     * frames only (a tagged one would be a vlan_filter drop at vm2). */
    cr_assert_eq(models_test_num(r, "links", "trunk:a->b", "packets"), 98);
    cr_assert_eq(models_test_num(r, "links", "trunk:a->b", "bytes"), 98 * 1046);
    cr_assert_eq(models_test_num(r, "hosts", "vm2", "rx_packets"), 49);
    cr_assert_eq(models_test_num(r, "bridge_ports", "br2:vm2", "tx_bytes"), 49 * 1042);
    /* vm3 saw nothing of VLAN 10. */
    cr_assert_eq(models_test_num(r, "hosts", "vm3", "rx_packets"), 0);
}

Test(bridge, vlan_trunk_carrying_both_vlans_still_isolates)
{
    /* With hv2's trunk port carrying 10 and 20, vm3's frames enter br2 in
     * VLAN 20, where no port is left to flood to (vm2 is in 10):
     * no_egress drops instead of vlan_filter, and still no delivery. */
    const char *sets[] = { "trunk2=10,20", NULL };
    g_autoptr(VnsReport) r = models_test_run("ok-bridge-vlan.xml", sets, 0);
    double d = 0;

    cr_assert_eq(models_test_num(r, "flows", "same", "received_packets"), 49);
    cr_assert_eq(models_test_num(r, "flows", "cross", "received_packets"), 0);
    cr_assert(vns_report_get_num(r, "drops", "br2/no_egress", "packets", &d));
    cr_assert_eq(d, 49);
}

/* ---- veth and wire ------------------------------------------------------ */

Test(bridge, veth_passes_frames_end_to_end_with_its_cpu_cost_and_mtu)
{
    Bench b;
    Probe *p;
    VnsEthHdr eth = { .dst = mac(2), .src = mac(1), .ethertype = VNS_ETHERTYPE_IPV4 };
    VnsPacket *big, *too;

    /* ok-bridge-veth.xml: a veth with its two ends on a probe. */
    bench_open(&b, "ok-bridge-veth.xml", NULL);
    p = probe_attach(&b, "v1");
    bench_start(&b);
    /* cost-per-packet 2 us on one core: frames entering at t = 0 leave
     * at 2 and 4 us, in order. The MTU check (is_skb_forwardable(),
     * mtu + ETH_HLEN + VLAN_HLEN): 1500 + 14 + 4 = 1518 bytes pass, 1519
     * do not. */
    probe_send(p, "a", 0, frame(&b, mac(2), mac(1), -1));
    probe_send(p, "b", 0, frame(&b, mac(1), mac(2), -1));
    big = vns_packet_new(vns_net_pool(b.net), 1518 - VNS_ETH_HLEN);
    too = vns_packet_new(vns_net_pool(b.net), 1519 - VNS_ETH_HLEN);
    vns_eth_push(big, &eth);
    vns_eth_push(too, &eth);
    probe_send(p, "a", VNS_MS, big);
    probe_send(p, "a", 2 * VNS_MS, too);
    vns_sim_run(b.sim);
    cr_assert_eq(probe_count(p, "b"), 2);
    cr_assert_eq(probe_rx(p, "b", 0)->at, 2 * VNS_US);
    cr_assert_eq(probe_rx(p, "b", 1)->size, 1518);
    cr_assert_eq(probe_rx(p, "b", 1)->at, VNS_MS + 2 * VNS_US);
    cr_assert_eq(probe_count(p, "a"), 1);
    cr_assert_eq(probe_rx(p, "a", 0)->at, 4 * VNS_US);
    cr_assert_eq(drops(&b, "v1", VNS_DROP_MTU_EXCEEDED), 1);
    /* Both ends advertise the MTU to their peers (hosts read it). */
    cr_assert_eq(vns_element_find_port(vns_net_find(b.net, "v1"), "a")->info.mtu, 1500);
    bench_finish(&b);
}

Test(bridge, wire_and_veth_default_names_and_bad_references)
{
    Bench b;
    GError *error = NULL;

    bench_open(&b, "ok-bridge-star-topo.xml", NULL);
    /* Named like links: '<a element>-<b element>'. */
    cr_assert_not_null(vns_net_find(b.net, "h1-br0"));
    cr_assert_not_null(vns_net_find(b.net, "br0-h2"));
    /* The wire joined the ports themselves, nothing in between. */
    cr_assert_eq(vns_element_find_port(vns_net_find(b.net, "h1"), "eth0")->peer,
                 vns_element_find_port(vns_net_find(b.net, "br0"), "p1"));
    bench_finish(&b);

    cr_assert_not(bench_load(&b, "bad-bridge-wire-port.xml", NULL, &error));
    cr_assert_eq(error->domain, VNS_CONFIG_ERROR);
    cr_assert_eq(error->code, VNS_CONFIG_ERROR_REFERENCE);
    cr_assert(strstr(error->message, "bad-bridge-wire-port.xml:8: <wire> 'b'") != NULL,
              "%s", error->message);
    g_clear_error(&error);
    vns_net_free(b.net);
    vns_sim_free(b.sim);
    vns_registry_free(b.reg);
}

/* ---- Configuration errors ----------------------------------------------- */

Test(bridge, bad_configurations_are_refused_with_file_and_line)
{
    static const struct {
        const char *file;
        int code;
        const char *text;
    } bad[] = {
        { "bad-bridge-vlan-list.xml", VNS_CONFIG_ERROR_BAD_VALUE,
          "bad-bridge-vlan-list.xml:5: <port> 'vlans': '4095' is not a VLAN id" },
        { "bad-bridge-untagged.xml", VNS_CONFIG_ERROR_CONFLICT,
          "bad-bridge-untagged.xml:5: <port> 'trunk': 'untagged' names VLAN 30" },
        { "bad-bridge-dup-port.xml", VNS_CONFIG_ERROR_DUPLICATE,
          "bad-bridge-dup-port.xml:6: <bridge> 'br0' has two ports named 'p1'" },
        { "bad-bridge-no-port.xml", VNS_CONFIG_ERROR_MISSING,
          "bad-bridge-no-port.xml:4: <bridge> 'br0' has no <port>" },
        { "bad-bridge-cost-no-node.xml", VNS_CONFIG_ERROR_MISSING,
          "bad-bridge-cost-no-node.xml:4: <bridge> 'br0' has a CPU cost but no 'node'" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        Bench b;
        GError *error = NULL;

        cr_assert_not(bench_load(&b, bad[i].file, NULL, &error), "%s loaded",
                      bad[i].file);
        cr_assert_eq(error->domain, VNS_CONFIG_ERROR, "%s", bad[i].file);
        cr_assert_eq(error->code, bad[i].code, "%s: code %d: %s", bad[i].file,
                     error->code, error->message);
        cr_assert(strstr(error->message, bad[i].text) != NULL, "%s: %s",
                  bad[i].file, error->message);
        g_error_free(error);
        vns_net_free(b.net);
        vns_sim_free(b.sim);
        vns_registry_free(b.reg);
    }
}
