/* Tests of the Open vSwitch model (models/l2/ovs.c, ovs_match.c): flow
 * priorities, every action on the wire (MAC, IPv4, IPv6 and port rewrites
 * with their checksums, VLAN push and pop, tunnel ids across tables,
 * goto_table, normal learning), select groups, idle and hard timeouts,
 * per-entry counters, and the flow cache's CPU accounting.
 *
 * The switches come from tests/data/ok-ovs-*.xml through the real loader;
 * test NICs (an element defined here, one port each) are joined straight
 * to the switch's ports, so frames arrive with no link delay and every
 * time is exact. Expected numbers say where they come from. */
#include <config.h>
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>
#include "models/l2/ovs.h"
#include "models/l2/ovs_match.h"
#include "models/models.h"
#include "net/checksum.h"
#include "net/eth.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/node.h"
#include "net/tcp.h"
#include "net/udp.h"
#include "tests/models/models_test.h"

/* ---- Bench: a test end on every switch port (models_test.h) ----------- */

typedef TestBench Bench;

/* Loads 'file', joins a test end "nicI" to every port I of "ovs0" (as
 * b->end[I]) and starts. */
static void
bench_open(Bench *b, const char *file, const char *const *set)
{
    VnsElement *ovs;

    test_bench_open(b, file, set);
    ovs = test_bench_find(b, "ovs0");
    cr_assert(ovs->ports->len <= G_N_ELEMENTS(b->end));
    for (guint i = 0; i < ovs->ports->len; i++) {
        g_autofree char *name = g_strdup_printf("nic%u", i);
        b->end[i] = test_end_new(b->net, name, "eth",
                                 vns_element_port(ovs, (uint16_t) i));
    }
    test_bench_start(b);
}

#define bench_finish(b) test_bench_finish(b)

/* NIC 'i' sends 'pkt' (taken) at time 'at'. */
static void
send_at(Bench *b, int i, VnsTime at, VnsPacket *pkt)
{
    test_end_send_at(b->end[i], NULL, at, pkt);
}

static const TestRx *
rx(const Bench *b, int i, guint k)
{
    return test_end_rx(b->end[i], k);
}

static guint
n_rx(const Bench *b, int i)
{
    return b->end[i]->rx->len;
}

#define stat_int(b, table, row, key) test_bench_int((b), (table), (row), (key))

static double
stat_num(Bench *b, const char *table, const char *row, const char *key)
{
    VnsField f = test_bench_field(b, table, row, key);

    cr_assert_eq(f.kind, VNS_FIELD_NUM, "%s/%s/%s is not a number", table,
                 row, key);
    return f.d;
}

/* Whether NIC 'i' received a frame at time 'at'. */
static bool
got_at(const Bench *b, int i, VnsTime at)
{
    for (guint k = 0; k < b->end[i]->rx->len; k++)
        if (g_array_index(b->end[i]->rx, TestRx, k).at == at)
            return true;
    return false;
}

static uint64_t
drops(Bench *b, VnsDropCause cause)
{
    return test_bench_drops(b, "ovs0", cause);
}

/* ---- Frames --------------------------------------------------------------- */

#define MAC1 "02:00:00:00:00:01"
#define MAC2 "02:00:00:00:00:02"
#define MAC3 "02:00:00:00:00:03"

static VnsMac
mac(const char *text)
{
    VnsMac m;
    cr_assert(vns_mac_parse(text, &m, NULL), "%s", text);
    return m;
}

static uint32_t
ip4(const char *text)
{
    uint32_t a = 0;
    cr_assert(vns_ip4_parse(text, &a, NULL), "%s", text);
    return a;
}

static void
push_eth(VnsPacket *pkt, const char *src, const char *dst, uint16_t type)
{
    VnsEthHdr e = { .dst = mac(dst), .src = mac(src), .ethertype = type };
    vns_eth_push(pkt, &e);
}

/* An Ethernet + IPv4 + UDP frame, checksums right. */
static VnsPacket *
udp4(Bench *b, const char *smac, const char *dmac, const char *src,
     const char *dst, uint16_t sport, uint16_t dport, uint32_t payload)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(b->net), payload);
    VnsIpAddr s = vns_ip_addr_v4(ip4(src)), d = vns_ip_addr_v4(ip4(dst));
    VnsUdpHdr u = { .sport = sport, .dport = dport };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_UDP, .src = s.v4,
                      .dst = d.v4, .id = 7 };

    vns_udp_push(pkt, &u, &s, &d);
    vns_ipv4_push(pkt, &ip);
    push_eth(pkt, smac, dmac, VNS_ETHERTYPE_IPV4);
    return pkt;
}

static VnsPacket *
tcp4(Bench *b, const char *src, const char *dst, uint16_t sport, uint16_t dport,
     uint32_t payload)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(b->net), payload);
    VnsIpAddr s = vns_ip_addr_v4(ip4(src)), d = vns_ip_addr_v4(ip4(dst));
    VnsTcpHdr t = { .sport = sport, .dport = dport, .seq = 1000, .ack = 1,
                    .flags = VNS_TCP_ACK, .window = 65535 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_TCP, .src = s.v4,
                      .dst = d.v4, .id = 9 };

    vns_tcp_push(pkt, &t, &s, &d);
    vns_ipv4_push(pkt, &ip);
    push_eth(pkt, MAC1, MAC2, VNS_ETHERTYPE_IPV4);
    return pkt;
}

static VnsPacket *
udp6(Bench *b, const char *src, const char *dst, uint16_t sport, uint16_t dport,
     uint32_t payload)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(b->net), payload);
    VnsIp6 s6, d6;
    VnsIpAddr s, d;
    VnsUdpHdr u = { .sport = sport, .dport = dport };
    VnsIpv6Hdr ip = { .next_header = VNS_IPPROTO_UDP, .hop_limit = 64 };

    cr_assert(vns_ip6_parse(src, &s6, NULL) && vns_ip6_parse(dst, &d6, NULL));
    s = vns_ip_addr_v6(&s6);
    d = vns_ip_addr_v6(&d6);
    ip.src = s6;
    ip.dst = d6;
    vns_udp_push(pkt, &u, &s, &d);
    vns_ipv6_push(pkt, &ip);
    push_eth(pkt, MAC1, MAC2, VNS_ETHERTYPE_IPV6);
    return pkt;
}

/* A frame's bytes as received: IPv4 header at 14, transport at 34. */
static uint16_t
get16(const TestRx *r, unsigned off)
{
    cr_assert(off + 2 <= r->len);
    return vns_wire_get16(r->hdr + off);
}

/* Checks the IPv4 header checksum and the UDP/TCP checksum over the
 * pseudo-header (RFC 791, RFC 768, RFC 9293) of a received IPv4 frame. */
static void
check_ipv4_checksums(const TestRx *r, uint8_t proto)
{
    const uint8_t *ip = r->hdr + VNS_ETH_HLEN;
    VnsIpAddr s = vns_ip_addr_v4(vns_wire_get32(ip + 12));
    VnsIpAddr d = vns_ip_addr_v4(vns_wire_get32(ip + 16));
    uint32_t l4_size = r->size - VNS_ETH_HLEN - 20;

    cr_assert(vns_ipv4_checksum_ok(ip, r->len - VNS_ETH_HLEN), "IPv4 header checksum");
    cr_assert_eq(vns_csum_l4(ip + 20, r->len - VNS_ETH_HLEN - 20, l4_size, proto,
                             &s, &d), 0, "transport checksum does not verify");
}

/* ---- Priorities ----------------------------------------------------------- */

Test(ovs, higher_priority_wins_and_equal_priority_takes_the_first)
{
    Bench b;

    bench_open(&b, "ok-ovs-priority.xml", NULL);
    /* Matches priority 100 (tp_dst=80) and 200 (nw_dst=10.0.0.2): 200. */
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 1000, 80, 100));
    /* Matches both priority-50 entries: the first in the file (port 2). */
    send_at(&b, 0, 1 * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.5", 1000, 53, 100));
    /* No priority attribute: 32768 (ovs-ofctl(8)) beats 200: port 4. */
    send_at(&b, 0, 2 * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 1000, 443, 100));
    /* Only priority 100 matches (another destination): port 2. */
    send_at(&b, 0, 3 * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.9", "10.0.0.7", 1000, 80, 100));
    /* Nothing matches: table-miss drop (OpenFlow 1.3 section 5.4). */
    send_at(&b, 0, 4 * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.9", "10.0.0.7", 1000, 81, 100));
    vns_sim_run(b.sim);
    cr_assert_eq(n_rx(&b, 2), 1);
    cr_assert_eq(rx(&b, 2, 0)->at, 0);
    cr_assert_eq(n_rx(&b, 1), 2);
    cr_assert_eq(rx(&b, 1, 0)->at, 1 * VNS_US);
    cr_assert_eq(rx(&b, 1, 1)->at, 3 * VNS_US);
    cr_assert_eq(n_rx(&b, 3), 1);
    cr_assert_eq(rx(&b, 3, 0)->at, 2 * VNS_US);
    cr_assert_eq(drops(&b, VNS_DROP_FLOW_MISS), 1);
    cr_assert_eq(stat_int(&b, "ovs", "ovs0", "table_misses"), 1);
    bench_finish(&b);
}

/* ---- Actions -------------------------------------------------------------- */

Test(ovs, set_field_rewrites_macs)
{
    Bench b;
    const TestRx *r;

    bench_open(&b, "ok-ovs-actions.xml", NULL);
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 1, 200));
    vns_sim_run(b.sim);
    r = rx(&b, 1, 0);
    cr_assert_eq(memcmp(r->hdr, mac("02:00:00:00:aa:bb").b, 6), 0, "eth_dst");
    cr_assert_eq(memcmp(r->hdr + 6, mac("02:00:00:00:cc:dd").b, 6), 0, "eth_src");
    cr_assert_eq(r->size, 14 + 20 + 8 + 200);
    check_ipv4_checksums(r, VNS_IPPROTO_UDP);
    bench_finish(&b);
}

Test(ovs, set_field_rewrites_ipv4_with_right_checksums)
{
    Bench b;
    const TestRx *r;

    bench_open(&b, "ok-ovs-actions.xml", NULL);
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 2, 300));
    vns_sim_run(b.sim);
    r = rx(&b, 1, 0);
    cr_assert_eq(vns_wire_get32(r->hdr + 14 + 16), ip4("192.168.7.9"));
    cr_assert_eq(vns_wire_get32(r->hdr + 14 + 12), ip4("10.0.0.1"));
    check_ipv4_checksums(r, VNS_IPPROTO_UDP);
    bench_finish(&b);
}

Test(ovs, set_field_rewrites_udp_and_tcp_ports_with_right_checksums)
{
    Bench b;
    const TestRx *r;

    bench_open(&b, "ok-ovs-actions.xml", NULL);
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 3, 300));
    send_at(&b, 0, 1 * VNS_US, tcp4(&b, "10.0.0.1", "10.0.0.2", 3333, 4, 1000));
    vns_sim_run(b.sim);
    r = rx(&b, 1, 0);
    cr_assert_eq(get16(r, 34 + 2), 8080, "udp_dst");
    cr_assert_eq(get16(r, 34), 5, "udp_src unchanged");
    check_ipv4_checksums(r, VNS_IPPROTO_UDP);
    r = rx(&b, 1, 1);
    cr_assert_eq(vns_wire_get32(r->hdr + 14 + 12), ip4("172.16.0.1"));
    cr_assert_eq(get16(r, 34), 40000, "tcp_src");
    cr_assert_eq(get16(r, 34 + 2), 4, "tcp_dst unchanged");
    check_ipv4_checksums(r, VNS_IPPROTO_TCP);
    bench_finish(&b);
}

Test(ovs, set_field_rewrites_ipv6_with_a_right_udp_checksum)
{
    Bench b;
    const TestRx *r;
    VnsIp6 want, s6;
    VnsIpAddr s, d;

    bench_open(&b, "ok-ovs-actions.xml", NULL);
    send_at(&b, 0, 0, udp6(&b, "2001:db8::1", "2001:db8::2", 5, 5, 100));
    vns_sim_run(b.sim);
    r = rx(&b, 1, 0);
    cr_assert(vns_ip6_parse("2001:db8::99", &want, NULL));
    cr_assert_eq(memcmp(r->hdr + 14 + 24, want.b, 16), 0, "ipv6_dst");
    memcpy(s6.b, r->hdr + 14 + 8, 16);
    s = vns_ip_addr_v6(&s6);
    d = vns_ip_addr_v6(&want);
    /* RFC 8200 section 8.1: the UDP checksum covers the new address. */
    cr_assert_eq(vns_csum_l4(r->hdr + 54, r->len - 54, r->size - 54,
                             VNS_IPPROTO_UDP, &s, &d), 0);
    bench_finish(&b);
}

Test(ovs, push_and_pop_vlan_on_the_wire)
{
    Bench b;
    const TestRx *r, *r2;
    VnsPacket *tagged;
    VnsVlanHdr tag = { .vid = 100 };

    bench_open(&b, "ok-ovs-actions.xml", NULL);
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 6, 100));
    /* A frame tagged with VID 100 entering on port 3 (index 2). */
    tagged = udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 50, 100);
    cr_assert(vns_vlan_insert(tagged, VNS_ETHERTYPE_VLAN, &tag));
    send_at(&b, 2, 1 * VNS_US, tagged);
    vns_sim_run(b.sim);
    /* IEEE 802.1Q: TPID 0x8100 after the MACs, TCI with VID 100, then the
     * original EtherType; the frame grew by 4 bytes. */
    r = rx(&b, 1, 0);
    cr_assert_eq(r->size, 14 + 4 + 20 + 8 + 100);
    cr_assert_eq(get16(r, 12), VNS_ETHERTYPE_VLAN);
    cr_assert_eq(get16(r, 14) & 0x0fff, 100);
    cr_assert_eq(get16(r, 14) >> 13, 0, "priority zero (ovs-actions(7))");
    cr_assert_eq(get16(r, 16), VNS_ETHERTYPE_IPV4);
    r2 = rx(&b, 1, 1);
    cr_assert_eq(r2->size, 14 + 20 + 8 + 100, "tag removed");
    cr_assert_eq(get16(r2, 12), VNS_ETHERTYPE_IPV4);
    check_ipv4_checksums(r2, VNS_IPPROTO_UDP);
    bench_finish(&b);
}

Test(ovs, drop_output_to_several_ports_and_to_the_input_port)
{
    Bench b;

    bench_open(&b, "ok-ovs-actions.xml", NULL);
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 7, 100));
    send_at(&b, 0, 1 * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 11, 100));
    /* output:1 from port 1 does nothing (OpenFlow needs the in_port
     * action for that), so the frame is dropped. */
    send_at(&b, 0, 2 * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 12, 100));
    send_at(&b, 0, 3 * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 13, 100));
    vns_sim_run(b.sim);
    cr_assert_eq(drops(&b, VNS_DROP_FLOW_DROP), 2);
    /* output:2,output:3,output:10: one copy on each. */
    cr_assert_eq(n_rx(&b, 1), 1);
    cr_assert_eq(n_rx(&b, 2), 1);
    cr_assert_eq(n_rx(&b, 3), 1);
    cr_assert_eq(rx(&b, 3, 0)->at, 1 * VNS_US);
    /* in_port sends it back. */
    cr_assert_eq(n_rx(&b, 0), 1);
    cr_assert_eq(rx(&b, 0, 0)->at, 3 * VNS_US);
    bench_finish(&b);
}

Test(ovs, set_tunnel_is_seen_by_tun_id_in_a_later_table)
{
    Bench b;

    bench_open(&b, "ok-ovs-actions.xml", NULL);
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 8, 100));
    vns_sim_run(b.sim);
    /* Table 1: tun_id=42 (priority 10) goes to port 3, not the
     * priority-0 fallback to ofport 10 (index 3). */
    cr_assert_eq(n_rx(&b, 2), 1);
    cr_assert_eq(n_rx(&b, 3), 0);
    cr_assert(rx(&b, 2, 0)->tun_valid);
    cr_assert_eq(rx(&b, 2, 0)->tun_id, 42);
    bench_finish(&b);
}

Test(ovs, goto_table_matches_the_rewritten_header)
{
    Bench b;
    const TestRx *r;

    bench_open(&b, "ok-ovs-actions.xml", NULL);
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 9, 100));
    vns_sim_run(b.sim);
    /* Table 0 sets tp_dst 99; table 2 matches tp_dst=99. */
    r = rx(&b, 2, 0);
    cr_assert_eq(get16(r, 34 + 2), 99);
    check_ipv4_checksums(r, VNS_IPPROTO_UDP);
    bench_finish(&b);
}

Test(ovs, tunnel_metadata_is_zeroed_on_allocation_and_kept_by_clones)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = vns_packet_new(pool, 0), *c;

    cr_assert_not(p->tun_valid);
    cr_assert_eq(p->tun_id, 0);
    p->tun_id = 5001;
    p->tun_valid = true;
    c = vns_packet_clone(p);
    cr_assert(c->tun_valid);
    cr_assert_eq(c->tun_id, 5001);
    vns_packet_free(c);
    vns_packet_free(p);
    /* The pool hands the same packet out again: the metadata is reset. */
    p = vns_packet_new(pool, 0);
    cr_assert_not(p->tun_valid);
    cr_assert_eq(p->tun_id, 0);
    vns_packet_free(p);
}

/* ---- Normal --------------------------------------------------------------- */

Test(ovs, normal_learns_macs_and_floods_unknown_destinations)
{
    Bench b;

    bench_open(&b, "ok-ovs-normal.xml", NULL);
    /* 1 -> 2, destination unknown: flooded to 2 and 3. */
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 6, 100));
    /* 2 -> 1: MAC1 was learned on port 1: only port 1. */
    send_at(&b, 1, 1 * VNS_US, udp4(&b, MAC2, MAC1, "10.0.0.2", "10.0.0.1", 6, 5, 100));
    /* 1 -> 2 again: MAC2 learned on port 2: only port 2. */
    send_at(&b, 0, 2 * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 6, 100));
    /* Broadcast from 3: ports 1 and 2. */
    send_at(&b, 2, 3 * VNS_US,
            udp4(&b, MAC3, "ff:ff:ff:ff:ff:ff", "10.0.0.3", "10.0.0.255", 7, 7, 10));
    vns_sim_run(b.sim);
    cr_assert_eq(n_rx(&b, 1), 3);
    cr_assert_eq(rx(&b, 1, 0)->at, 0);
    cr_assert_eq(rx(&b, 1, 1)->at, 2 * VNS_US);
    cr_assert_eq(rx(&b, 1, 2)->at, 3 * VNS_US);
    cr_assert_eq(n_rx(&b, 0), 2);
    cr_assert_eq(rx(&b, 0, 0)->at, 1 * VNS_US);
    cr_assert_eq(rx(&b, 0, 1)->at, 3 * VNS_US);
    cr_assert_eq(n_rx(&b, 2), 1, "port 3 saw only the first flood");
    cr_assert_eq(stat_int(&b, "ovs", "ovs0", "mac_entries"), 3);
    bench_finish(&b);
}

Test(ovs, normal_forgets_macs_after_the_aging_time)
{
    Bench b;
    static const char *const set[] = { "aging", "500ms", NULL };

    bench_open(&b, "ok-ovs-normal.xml", set);
    /* MAC2 learned on port 2 at 0; 499 ms later it is still known (only
     * port 2 gets the frame), at 500 ms it has aged out: flooded. */
    send_at(&b, 1, 0, udp4(&b, MAC2, MAC1, "10.0.0.2", "10.0.0.1", 6, 5, 10));
    send_at(&b, 0, 499 * VNS_MS, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 6, 10));
    send_at(&b, 0, 999 * VNS_MS, udp4(&b, MAC3, MAC2, "10.0.0.3", "10.0.0.2", 5, 6, 10));
    vns_sim_run(b.sim);
    cr_assert_eq(n_rx(&b, 1), 2);
    cr_assert_eq(rx(&b, 1, 0)->at, 499 * VNS_MS);
    cr_assert_eq(rx(&b, 1, 1)->at, 999 * VNS_MS);
    cr_assert(got_at(&b, 2, 999 * VNS_MS), "aged out: flooded to port 3");
    cr_assert_not(got_at(&b, 2, 499 * VNS_MS));
    bench_finish(&b);
}

Test(ovs, normal_replaces_the_oldest_mac_when_full)
{
    Bench b;
    static const char *const set[] = { "macs", "2", NULL };

    bench_open(&b, "ok-ovs-normal.xml", set);
    /* Room for two: MAC1 (port 1, t=0) and MAC2 (port 2, t=1 us) are
     * learned; MAC3 (port 3, t=2 us) replaces MAC1, the least recently
     * seen, so a frame to MAC1 is flooded again while MAC2 is known. */
    send_at(&b, 0, 0, udp4(&b, MAC1, "ff:ff:ff:ff:ff:ff", "10.0.0.1", "10.0.0.255", 5, 6, 10));
    send_at(&b, 1, 1 * VNS_US, udp4(&b, MAC2, "ff:ff:ff:ff:ff:ff", "10.0.0.2", "10.0.0.255", 5, 6, 10));
    send_at(&b, 2, 2 * VNS_US, udp4(&b, MAC3, "ff:ff:ff:ff:ff:ff", "10.0.0.3", "10.0.0.255", 5, 6, 10));
    send_at(&b, 2, 3 * VNS_US, udp4(&b, MAC3, MAC1, "10.0.0.3", "10.0.0.1", 5, 6, 10));
    send_at(&b, 2, 4 * VNS_US, udp4(&b, MAC3, MAC2, "10.0.0.3", "10.0.0.2", 5, 6, 10));
    vns_sim_run(b.sim);
    cr_assert(got_at(&b, 0, 3 * VNS_US) && got_at(&b, 1, 3 * VNS_US), "flooded");
    cr_assert(got_at(&b, 1, 4 * VNS_US));
    cr_assert_not(got_at(&b, 0, 4 * VNS_US), "MAC2 still learned");
    cr_assert_eq(stat_int(&b, "ovs", "ovs0", "mac_entries"), 2);
    bench_finish(&b);
}

/* ---- Groups --------------------------------------------------------------- */

/* Sends 'n' one-packet flows (source port and address vary) into the
 * switch's "in" port (index 4) towards UDP port 'dport'. */
static void
send_flows(Bench *b, int n, uint16_t dport)
{
    for (int i = 0; i < n; i++) {
        char src[16];
        g_snprintf(src, sizeof src, "10.1.%d.%d", (i / 250) % 250, i % 250 + 1);
        send_at(b, 4, (VnsTime) i * VNS_US,
                udp4(b, MAC1, MAC2, src, "10.0.0.2", (uint16_t) (1024 + i), dport, 64));
    }
}

Test(ovs, select_group_spreads_flows_evenly_over_four_buckets)
{
    Bench b;
    const int n = 10000;

    bench_open(&b, "ok-ovs-group.xml", NULL);
    send_flows(&b, n, 1);
    vns_sim_run(b.sim);
    /* Each bucket's count is Binomial(n, 1/4) for a good hash: mean 2500,
     * standard deviation sqrt(n p (1 - p)) = 43.3. We allow 5 standard
     * deviations (217, 8.7% of the mean); a fair hash exceeds that with
     * probability below 1e-6 per bucket. */
    for (int p = 0; p < 4; p++) {
        g_autofree char *row = g_strdup_printf("ovs0:group1:bucket%d", p);
        double sd = sqrt(n * 0.25 * 0.75);
        cr_log_info("bucket %d: %u flows of %d", p, n_rx(&b, p), n);
        cr_assert(fabs((double) n_rx(&b, p) - n / 4.0) <= 5 * sd,
                  "bucket %d got %u of %d", p, n_rx(&b, p), n);
        cr_assert_eq(stat_int(&b, "ovs_groups", row, "packets"), n_rx(&b, p));
    }
    bench_finish(&b);
}

Test(ovs, select_group_follows_weights_and_keeps_a_flow_on_one_bucket)
{
    Bench b;
    const int n = 10000;
    double sd = sqrt(n * 0.25 * 0.75);

    bench_open(&b, "ok-ovs-group.xml", NULL);
    send_flows(&b, n, 2);
    /* The same flow twice more, later: both on the bucket it had. */
    send_at(&b, 4, 20 * VNS_MS, udp4(&b, MAC1, MAC2, "10.9.9.9", "10.0.0.2", 77, 2, 64));
    send_at(&b, 4, 21 * VNS_MS, udp4(&b, MAC1, MAC2, "10.9.9.9", "10.0.0.2", 77, 2, 64));
    vns_sim_run(b.sim);
    /* Weights 1:3: Binomial(n, 1/4) on bucket 0, same bound as above. */
    cr_log_info("weight 1: %u, weight 3: %u", n_rx(&b, 0), n_rx(&b, 1));
    cr_assert(fabs((double) n_rx(&b, 0) - 2 - n / 4.0) <= 5 * sd + 2,
              "weight-1 bucket got %u", n_rx(&b, 0));
    cr_assert_eq(n_rx(&b, 0) + n_rx(&b, 1), n + 2);
    cr_assert_eq(got_at(&b, 0, 20 * VNS_MS), got_at(&b, 0, 21 * VNS_MS));
    cr_assert_eq(got_at(&b, 1, 20 * VNS_MS), got_at(&b, 1, 21 * VNS_MS));
    bench_finish(&b);
}

Test(ovs, all_group_sends_a_copy_per_bucket)
{
    Bench b;

    bench_open(&b, "ok-ovs-group.xml", NULL);
    send_at(&b, 4, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 3, 64));
    vns_sim_run(b.sim);
    cr_assert_eq(n_rx(&b, 0), 1);
    cr_assert_eq(n_rx(&b, 2), 1);
    /* Each bucket works on its own copy: the MAC rewrite of bucket 2 does
     * not reach bucket 1's copy. */
    cr_assert_eq(memcmp(rx(&b, 0, 0)->hdr, mac(MAC2).b, 6), 0);
    cr_assert_eq(memcmp(rx(&b, 2, 0)->hdr, mac("02:00:00:00:00:33").b, 6), 0);
    bench_finish(&b);
}

/* ---- Timeouts and counters ------------------------------------------------ */

Test(ovs, idle_timeout_expires_after_the_idle_period_and_hits_refresh_it)
{
    Bench b;
    double at;

    bench_open(&b, "ok-ovs-timeout.xml", NULL);
    /* idle-timeout 10 ms: hits at 0, 8, 16 and 25.9 ms, each less than
     * 10 ms after the last, keep the entry and push its deadline to
     * 35.9 ms; the packet at 40 ms falls through to the priority-0 flow
     * (port 3). */
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 1, 64));
    send_at(&b, 0, 8 * VNS_MS, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 1, 64));
    send_at(&b, 0, 16 * VNS_MS, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 1, 64));
    send_at(&b, 0, 25900 * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 1, 64));
    send_at(&b, 0, 40 * VNS_MS, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 1, 64));
    vns_sim_run(b.sim);
    cr_assert_eq(n_rx(&b, 1), 4);
    cr_assert_eq(n_rx(&b, 2), 1);
    cr_assert_eq(rx(&b, 2, 0)->at, 40 * VNS_MS);
    cr_assert_eq(stat_int(&b, "ovs_flows", "ovs0:flow0", "expired"), 1);
    at = stat_num(&b, "ovs_flows", "ovs0:flow0", "expired_at_s");
    cr_assert_float_eq(at, 0.0259 + 0.010, 1e-12, "expired at %g", at);
    /* The flow's packets were cache hits until it expired: the hit at
     * 40 ms found its entry gone and walked the tables again. */
    cr_assert_eq(stat_int(&b, "ovs", "ovs0", "cache_invalidations"), 1);
    cr_assert_eq(stat_int(&b, "ovs", "ovs0", "cache_misses"), 2);
    bench_finish(&b);
}

Test(ovs, hard_timeout_expires_even_with_traffic)
{
    Bench b;

    bench_open(&b, "ok-ovs-timeout.xml", NULL);
    /* hard-timeout 10 ms from installation at 0: hits at 0, 5, 9.999 ms
     * match; 10 ms and later do not, however busy the flow. */
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 2, 64));
    send_at(&b, 0, 5 * VNS_MS, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 2, 64));
    send_at(&b, 0, 9999 * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 2, 64));
    send_at(&b, 0, 10 * VNS_MS, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 2, 64));
    send_at(&b, 0, 11 * VNS_MS, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 2, 64));
    vns_sim_run(b.sim);
    cr_assert_eq(n_rx(&b, 1), 3);
    cr_assert_eq(n_rx(&b, 2), 2);
    cr_assert_eq(rx(&b, 2, 0)->at, 10 * VNS_MS);
    cr_assert_eq(stat_int(&b, "ovs_flows", "ovs0:flow1", "packets"), 3);
    cr_assert_float_eq(stat_num(&b, "ovs_flows", "ovs0:flow1", "expired_at_s"),
                       0.010, 1e-12);
    /* The idle-timeout flow saw no packet: it expired 10 ms after
     * installation too. */
    cr_assert_eq(stat_int(&b, "ovs_flows", "ovs0:flow0", "expired"), 1);
    cr_assert_eq(stat_int(&b, "ovs_flows", "ovs0:flow2", "expired"), 0);
    bench_finish(&b);
}

Test(ovs, counters_equal_the_packets_and_bytes_sent)
{
    Bench b;

    bench_open(&b, "ok-ovs-timeout.xml", NULL);
    for (int i = 0; i < 7; i++)
        send_at(&b, 0, i * VNS_US, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 1, 100));
    for (int i = 0; i < 5; i++)
        send_at(&b, 0, (10 + i) * VNS_US,
                udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 99, 500));
    vns_sim_run(b.sim);
    /* Frame sizes: 14 + 20 + 8 + payload. */
    cr_assert_eq(stat_int(&b, "ovs_flows", "ovs0:flow0", "packets"), 7);
    cr_assert_eq(stat_int(&b, "ovs_flows", "ovs0:flow0", "bytes"), 7 * 142);
    cr_assert_eq(stat_int(&b, "ovs_flows", "ovs0:flow2", "packets"), 5);
    cr_assert_eq(stat_int(&b, "ovs_flows", "ovs0:flow2", "bytes"), 5 * 542);
    cr_assert_eq(stat_int(&b, "ovs_flows", "ovs0:flow1", "packets"), 0);
    cr_assert_eq(stat_int(&b, "ovs", "ovs0", "packets"), 12);
    bench_finish(&b);
}

/* ---- CPU ------------------------------------------------------------------ */

Test(ovs, cache_hits_and_misses_cost_their_cpu_time)
{
    Bench b;
    const int flows = 3, per_flow = 10;
    const VnsTime gap = 20 * VNS_US, end = 10 * VNS_MS;
    VnsNode *node;

    bench_open(&b, "ok-ovs-cpu.xml", NULL);
    node = vns_net_find_node(b.net, "hv1", NULL);
    cr_assert_not_null(node);
    for (int f = 0; f < flows; f++)
        for (int k = 0; k < per_flow; k++)
            send_at(&b, 0, (VnsTime) (f * per_flow + k) * gap,
                    udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2",
                         (uint16_t) (100 + f), 80, 100));
    vns_sim_run_until(b.sim, end);
    /* The first packet of each flow misses (10 us), the rest hit (1 us);
     * packets are 20 us apart, longer than either, so none waits and each
     * leaves after exactly its own cost. */
    cr_assert_eq(n_rx(&b, 1), flows * per_flow);
    for (int f = 0; f < flows; f++)
        for (int k = 0; k < per_flow; k++) {
            const TestRx *r = rx(&b, 1, (guint) (f * per_flow + k));
            VnsTime sent = (VnsTime) (f * per_flow + k) * gap;
            cr_assert_eq(r->at - sent, k == 0 ? 10 * VNS_US : 1 * VNS_US);
        }
    cr_assert_eq(stat_int(&b, "ovs", "ovs0", "cache_misses"), flows);
    cr_assert_eq(stat_int(&b, "ovs", "ovs0", "cache_hits"), flows * (per_flow - 1));
    /* Utilization over [0, end] on one core: (misses x 10 us + hits x
     * 1 us) / end = (30 + 27) us / 10 ms = 0.0057. */
    cr_assert_float_eq(vns_node_cpu_utilization(node),
                       (flows * 10e-6 + flows * (per_flow - 1) * 1e-6) / 10e-3, 1e-12);
    bench_finish(&b);
}

Test(ovs, without_a_cache_every_packet_costs_a_miss)
{
    Bench b;
    static const char *const set[] = { "cache", "0", NULL };
    VnsNode *node;

    bench_open(&b, "ok-ovs-cpu.xml", set);
    node = vns_net_find_node(b.net, "hv1", NULL);
    /* Two packets at once on one core: 10 us each, FIFO. */
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 80, 100));
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 80, 100));
    vns_sim_run_until(b.sim, 1 * VNS_MS);
    cr_assert_eq(rx(&b, 1, 0)->at, 10 * VNS_US);
    cr_assert_eq(rx(&b, 1, 1)->at, 20 * VNS_US);
    cr_assert_eq(stat_int(&b, "ovs", "ovs0", "cache_misses"), 2);
    cr_assert_float_eq(vns_node_cpu_utilization(node), 20e-6 / 1e-3, 1e-12);
    bench_finish(&b);
}

Test(ovs, stop_drops_packets_waiting_for_the_cpu)
{
    Bench b;

    bench_open(&b, "ok-ovs-cpu.xml", NULL);
    send_at(&b, 0, 0, udp4(&b, MAC1, MAC2, "10.0.0.1", "10.0.0.2", 5, 80, 100));
    vns_sim_run_until(b.sim, 5 * VNS_US);
    vns_net_stop(b.net);
    cr_assert_eq(drops(&b, VNS_DROP_END_OF_RUN), 1);
    vns_sim_run(b.sim);
    cr_assert_eq(n_rx(&b, 1), 0);
    bench_finish(&b);
}

/* ---- Match syntax --------------------------------------------------------- */

static bool
hit(const char *match, const VnsOvsKey *key)
{
    VnsOvsMatch m;
    GError *error = NULL;

    cr_assert(vns_ovs_match_parse(match, &m, &error), "%s: %s", match,
              error ? error->message : "");
    return vns_ovs_match_hit(&m, key);
}

Test(ovs, match_prefixes_masks_and_vlans)
{
    VnsOvsKey k = { 0 };
    VnsIp6 a6;
    VnsOvsMatch m;
    GError *error = NULL;

    k.in_port = 3;
    k.dl_type = VNS_ETHERTYPE_IPV4;
    k.nw_proto = VNS_IPPROTO_TCP;
    k.nw_src = ip4("10.1.2.3");
    k.nw_dst = ip4("192.168.1.200");
    k.tp_dst = 443;
    memcpy(k.dl_src, mac(MAC1).b, 6);
    cr_assert(hit("", &k));
    cr_assert(hit("tcp,nw_src=10.0.0.0/8", &k));
    cr_assert(hit("ip,nw_src=10.1.0.0/255.255.0.0,in_port=3", &k));
    cr_assert_not(hit("ip,nw_src=10.2.0.0/16", &k));
    cr_assert(hit("tcp,nw_dst=192.168.1.128/25,tp_dst=443", &k));
    cr_assert_not(hit("tcp,nw_dst=192.168.1.0/25", &k));
    /* tp_dst=0x0100/0xff00 matches ports 256-511 (bitwise mask). */
    cr_assert(hit("tcp,tp_dst=0x0100/0xff00", &k));
    cr_assert_not(hit("udp", &k));
    cr_assert(hit("dl_src=02:00:00:00:00:00/ff:ff:ff:00:00:00", &k));
    /* ovs-fields(7): dl_vlan=0xffff is "no tag"; a tagged key fails it. */
    cr_assert(hit("dl_vlan=0xffff", &k));
    k.vlan_tci = VNS_OVS_VLAN_PRESENT | (5 << 13) | 100;
    cr_assert_not(hit("dl_vlan=0xffff", &k));
    cr_assert(hit("dl_vlan=100", &k));
    cr_assert(hit("dl_vlan_pcp=5", &k));
    cr_assert(hit("vlan_tci=0x1000/0x1000", &k));
    cr_assert_not(hit("dl_vlan=101", &k));
    /* IPv6 prefixes. */
    memset(&k, 0, sizeof k);
    k.dl_type = VNS_ETHERTYPE_IPV6;
    k.nw_proto = VNS_IPPROTO_UDP;
    cr_assert(vns_ip6_parse("2001:db8:5::7", &a6, NULL));
    memcpy(k.ipv6_dst, a6.b, 16);
    cr_assert(hit("udp6,ipv6_dst=2001:db8::/32", &k));
    cr_assert(hit("ipv6,ipv6_dst=2001:db8:5::/48", &k));
    cr_assert_not(hit("ipv6,ipv6_dst=2001:db8:6::/48", &k));
    /* A field twice, and a shorthand with a conflicting field. */
    cr_assert_not(vns_ovs_match_parse("tcp,nw_proto=17", &m, &error));
    cr_assert_not_null(strstr(error->message, "already sets"), "%s", error->message);
    g_clear_error(&error);
    cr_assert_not(vns_ovs_match_parse("in_port=1,in_port=2", &m, &error));
    g_clear_error(&error);
    cr_assert_not(vns_ovs_match_parse("in_port=1/1", &m, &error));
    cr_assert_not_null(strstr(error->message, "cannot be masked"), "%s", error->message);
    g_clear_error(&error);
}

/* ---- Bad input ------------------------------------------------------------ */

#define check_bad(file, line, code, part) test_bench_check_bad((file), (line), (code), (part))

Test(ovs, bad_files_name_the_file_line_and_field)
{
    check_bad("bad-ovs-field.xml", 6, VNS_CONFIG_ERROR_BAD_VALUE,
              "unknown match field 'nw_dest', expected one of in_port");
    check_bad("bad-ovs-prereq.xml", 6, VNS_CONFIG_ERROR_BAD_VALUE,
              "'tp_dst' needs 'tcp', 'udp' or 'sctp'");
    check_bad("bad-ovs-goto.xml", 6, VNS_CONFIG_ERROR_BAD_VALUE,
              "goto_table:1 in table 2, expected a later table");
    check_bad("bad-ovs-output.xml", 6, VNS_CONFIG_ERROR_REFERENCE,
              "output:7 names no <port>, expected one of the ofports 1, 2");
    check_bad("bad-ovs-action.xml", 6, VNS_CONFIG_ERROR_BAD_VALUE,
              "unknown action 'outptu:2', expected one of output:N");
    check_bad("bad-ovs-cost-no-node.xml", 3, VNS_CONFIG_ERROR_MISSING,
              "'cost-miss' is given without 'node'");
}
