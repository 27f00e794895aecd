/* Bytes by protocol layer (src/net/layers.c).
 *
 * Each expected split is the sum of the header sizes the RFCs fix, written
 * next to it: Ethernet II 14 + FCS 4, preamble+SFD 8 and gap 12 (IEEE
 * 802.3 clauses 3.1.1, 4.4.2), 802.1Q tag 4, IPv4 20 (RFC 791), IPv6 40
 * (RFC 8200), UDP 8 (RFC 768), TCP 20 + options (RFC 9293), VXLAN 8 (RFC
 * 7348 section 5), Geneve 8 + options (RFC 8926 section 3.4), GRE 4 + 4
 * per C/K/S bit (RFC 2784, RFC 2890). */
#include <config.h>
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "net/ipv4.h"
#include "net/layers.h"
#include "net/proto.h"
#include "tests/net/net_test.h"

static VnsPacketPool *pool;

static void
setup(void)
{
    pool = vns_packet_pool_new();
}

static void
teardown(void)
{
    vns_packet_pool_free(pool);
}

TestSuite(layers, .init = setup, .fini = teardown);

/* Classifies one packet and checks its split, innermost layer first. */
static void
check_split(VnsPacket *pkt, const uint64_t want[VNS_LAYER_N])
{
    VnsLayerBytes b = { 0 };

    vns_layers_add(&b, pkt);
    for (int i = 0; i < VNS_LAYER_N; i++)
        cr_expect_eq(b.bytes[i], want[i], "%s: %lu bytes, expected %lu",
                     vns_layer_name((VnsLayer) i), (unsigned long) b.bytes[i],
                     (unsigned long) want[i]);
    /* Every byte of line time is in exactly one layer. */
    cr_expect_eq(vns_layers_total(&b), vns_eth_wire_size(vns_packet_size(pkt)));
    cr_expect_eq(b.frames, 1);
    vns_packet_free(pkt);
}

Test(layers, wire_size_matches_ieee_802_3)
{
    /* 1500-byte IP packet: 1514 + FCS 4 + preamble/SFD 8 + IFG 12. */
    cr_assert_eq(vns_eth_wire_size(1514), 1538);
    /* Runt: padded to the 64-byte minimum frame, + 20 = 84. */
    cr_assert_eq(vns_eth_wire_size(42), 84);
}

Test(layers, udp_over_ipv4)
{
    /* payload 1000, UDP 8, IPv4 20, Ethernet 14 + FCS 4, 8 + 12 on the
     * line. */
    const uint64_t want[VNS_LAYER_N] = { 1000, 8, 20, 0, 0, 18, 20 };
    check_split(net_test_udp4(pool, 1000), want);
}

Test(layers, vlan_tag_is_l2)
{
    const uint64_t want[VNS_LAYER_N] = { 100, 8, 20, 0, 0, 14 + 4 + 4, 20 };
    check_split(net_test_vlan_udp4(pool, 10), want);
}

Test(layers, arp_is_padded)
{
    /* ARP for IPv4 over Ethernet is 28 bytes (RFC 826); the 42-byte frame
     * is padded with 18 bytes to 60 + FCS 4 = 64. */
    const uint64_t want[VNS_LAYER_N] = { 0, 0, 28, 0, 0, 14 + 18 + 4, 20 };
    check_split(net_test_arp(pool), want);
}

Test(layers, tcp_options_are_l4)
{
    /* Timestamps (RFC 7323: 10 bytes) and 3 SACK blocks (RFC 2018: 2 + 3 x
     * 8), each after two NOPs as Linux writes them (tcp_options_write):
     * 12 + 28 = 40 option bytes, a 60-byte TCP header. */
    const uint64_t want[VNS_LAYER_N] = { 500, 60, 20, 0, 0, 18, 20 };
    check_split(net_test_tcp4_sack(pool, 500), want);
}

Test(layers, ipv6_extension_headers_are_l3)
{
    /* IPv6 40 + Hop-by-Hop 8 + Routing 24 + Destination Options 16 (the
     * sample's sizes) = 88; TCP 20 + timestamps (12 with NOPs) = 32. */
    const uint64_t want[VNS_LAYER_N] = { 300, 32, 88, 0, 0, 18, 20 };
    check_split(net_test_tcp6_ext(pool, 300), want);
}

Test(layers, vxlan_splits_outer_and_encap)
{
    /* Inner TCP 20 + IPv4 20 carrying 1000 bytes; VXLAN 8 + inner Ethernet
     * 14 = 22 of encapsulation; outer IPv4 20 + UDP 8 = 28; outer Ethernet
     * 14 + FCS 4. RFC 7348's 50 bytes of overhead = 14 + 20 + 8 + 8. */
    const uint64_t want[VNS_LAYER_N] = { 1000, 20, 20, 22, 28, 18, 20 };
    VnsLayerBytes b = { 0 };
    VnsPacket *pkt = net_test_vxlan(pool, 42);

    vns_layers_add(&b, pkt);
    cr_expect_eq(b.tunneled, 1);
    cr_expect_str_eq(b.tunnel, "vxlan");
    check_split(pkt, want);
}

/* An outer IPv4 + 'hdr' bytes of tunnel header (already pushed) +
 * inner IPv4/UDP carrying 'payload' bytes, built by hand. */
static VnsPacket *
tunnel_packet(uint8_t proto, uint16_t dport, const uint8_t *tun, size_t tun_len,
              uint32_t payload)
{
    VnsPacket *inner = net_test_udp4(pool, payload);
    VnsPacket *pkt = vns_packet_new(pool, payload);
    /* Copy the inner IP/UDP headers (skip its Ethernet header). */
    uint8_t *p = vns_packet_push(pkt, inner->len - 14);
    memcpy(p, vns_packet_data(inner) + 14, inner->len - 14);
    vns_packet_free(inner);
    p = vns_packet_push(pkt, (uint32_t) tun_len);
    memcpy(p, tun, tun_len);
    if (proto == VNS_IPPROTO_UDP) {
        p = vns_packet_push(pkt, 8);
        memset(p, 0, 8);
        vns_wire_put16(p, 50000);
        vns_wire_put16(p + 2, dport);
        vns_wire_put16(p + 4, (uint16_t) (vns_packet_size(pkt)));
    }
    VnsIpv4Hdr ip = { .ttl = 64, .proto = proto, .src = NT_IP4_A, .dst = NT_IP4_B };
    vns_ipv4_push(pkt, &ip);
    VnsEthHdr eth = { .dst = NT_MAC_B, .src = NT_MAC_A,
                      .ethertype = VNS_ETHERTYPE_IPV4 };
    vns_eth_push(pkt, &eth);
    return pkt;
}

Test(layers, gre_key_seq_csum)
{
    /* GRE with C, K and S (RFC 2890 section 2): 4 + 4 + 4 + 4 = 16 bytes,
     * protocol 0x0800 (IPv4 inside, no inner Ethernet). */
    const uint8_t gre[16] = { 0xb0, 0, 0x08, 0x00 };
    const uint64_t want[VNS_LAYER_N] = { 200, 8, 20, 16, 20, 18, 20 };
    check_split(tunnel_packet(VNS_IPPROTO_GRE, 0, gre, sizeof gre, 200), want);
}

Test(layers, geneve_options_are_encap)
{
    /* Geneve with Opt Len 2 (8 option bytes), protocol 0x0800: 8 + 8. */
    const uint8_t gnv[16] = { 0x02, 0, 0x08, 0x00 };
    const uint64_t want[VNS_LAYER_N] = { 200, 8, 20, 16, 28, 18, 20 };
    check_split(tunnel_packet(VNS_IPPROTO_UDP, 6081, gnv, sizeof gnv, 200), want);
}

Test(layers, flannel_port_is_vxlan)
{
    /* VXLAN on Linux's legacy port 8472 (Flannel's default); inner frame
     * 14 + IPv4 20 + UDP 8. */
    uint8_t vx[8 + 14] = { 0x08 };
    vns_wire_put16(vx + 8 + 12, VNS_ETHERTYPE_IPV4);
    const uint64_t want[VNS_LAYER_N] = { 64, 8, 20, 22, 28, 18, 20 };
    check_split(tunnel_packet(VNS_IPPROTO_UDP, 8472, vx, sizeof vx, 64), want);
}

Test(layers, later_fragment_is_payload)
{
    /* A non-first IPv4 fragment carries no L4 header (RFC 791): after the
     * 20-byte header all 1480 bytes are data. */
    VnsPacket *pkt = net_test_udp4(pool, 1472);
    uint8_t *ip = vns_packet_data(pkt) + 14;
    VnsLayerBytes b = { 0 };

    vns_ipv4_set_frag(ip, false, false, 1480);
    vns_layers_add(&b, pkt);
    cr_expect_eq(b.fragments, 1);
    cr_expect_eq(b.bytes[VNS_LAYER_L3], 20);
    cr_expect_eq(b.bytes[VNS_LAYER_L4], 0);
    cr_expect_eq(b.bytes[VNS_LAYER_PAYLOAD], 8 + 1472);
    vns_packet_free(pkt);
}

Test(layers, overhead_fraction)
{
    /* 1000 payload bytes in 1066 bytes of line time (UDP/IPv4):
     * 1 - 1000/1066. */
    VnsLayerBytes b = { 0 };
    VnsPacket *pkt = net_test_udp4(pool, 1000);

    cr_assert(isnan(vns_layers_overhead(&b)));
    vns_layers_add(&b, pkt);
    cr_expect_float_eq(vns_layers_overhead(&b), 1.0 - 1000.0 / 1066.0, 1e-12);
    vns_packet_free(pkt);
}

Test(layers, a_fragmented_tunnel_packet_counts_once)
{
    /* The sample VXLAN frame with MF set on its outer IPv4 header (a first
     * fragment on the underlay): the inner headers are still parsed, and
     * the frame counts as one fragment. */
    VnsPacket *pkt = net_test_vxlan(pool, 7);
    uint8_t *ip = vns_packet_data(pkt) + 14;
    VnsLayerBytes b = { 0 };

    vns_ipv4_set_frag(ip, false, true, 0);
    vns_layers_add(&b, pkt);
    cr_expect_eq(b.fragments, 1);
    cr_expect_eq(b.tunneled, 1);
    cr_expect_eq(b.bytes[VNS_LAYER_OUTER], 28);
    vns_packet_free(pkt);
}
