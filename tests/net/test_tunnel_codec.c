/* Tests of the tunnel header codecs (src/net/vxlan.c, geneve.c, gre.c):
 * round trips through the parsers, the byte layouts the RFCs give, and
 * Wireshark's dissectors as the truth: every GRE option combination
 * (none, key, sequence, checksum, all; RFC 2784 / RFC 2890), gretap, ip6gre
 * with its Tunnel Encapsulation Limit (RFC 2473), VXLAN (RFC 7348) and
 * Geneve with options (RFC 8926) are written to a pcap and read back by
 * tshark, which must decode the tunnel fields that were built, find the
 * GRE, IP and UDP checksums good, reach the inner headers and complain
 * about nothing. */
#include <config.h>
#include <string.h>
#include <criterion/criterion.h>
#include "net_test.h"
#include "net/geneve.h"
#include "net/gre.h"
#include "net/vxlan.h"
#include "tests/common/tshark.h"

#define OUTER_SRC 0xC0000201u       /* 192.0.2.1 */
#define OUTER_DST 0xC0000202u       /* 192.0.2.2 */

Test(tunnel_codec, vxlan_layout_is_rfc7348)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = vns_packet_new(pool, 0);
    const uint8_t want[8] = { 0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0 };
    uint32_t vni = 0;

    /* RFC 7348 section 5: I flag 0x08, 24 reserved bits, VNI, 8 reserved. */
    vns_vxlan_push(p, 0x123456);
    cr_assert_eq(p->len, 8);
    cr_assert_arr_eq(vns_packet_data(p), want, 8);
    cr_assert(vns_vxlan_parse(vns_packet_data(p), p->len, &vni));
    cr_assert_eq(vni, 0x123456);
    vns_packet_data(p)[0] = 0;                  /* I flag clear: not valid */
    cr_assert_not(vns_vxlan_parse(vns_packet_data(p), p->len, &vni));
    cr_assert_not(vns_vxlan_parse(vns_packet_data(p), 7, &vni));
    vns_packet_free(p);
}

Test(tunnel_codec, gre_sizes_and_round_trip)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();

    /* RFC 2784 section 2.1 and RFC 2890 section 2: 4 bytes, + 4 for the
     * checksum (with Reserved1), + 4 for the key, + 4 for the sequence. */
    cr_assert_eq(vns_gre_hdr_len(false, false, false), 4);
    cr_assert_eq(vns_gre_hdr_len(true, false, false), 8);
    cr_assert_eq(vns_gre_hdr_len(false, true, false), 8);
    cr_assert_eq(vns_gre_hdr_len(false, false, true), 8);
    cr_assert_eq(vns_gre_hdr_len(true, true, true), 16);
    for (int m = 0; m < 8; m++) {
        VnsPacket *p = vns_packet_new(pool, 100);
        VnsGreHdr h = { .proto = VNS_ETHERTYPE_IPV4, .has_csum = m & 1,
                        .has_key = (m >> 1) & 1, .has_seq = (m >> 2) & 1,
                        .key = 0xdeadbeef, .seq = 77 }, g;
        memset(vns_packet_put(p, 20), 0x45, 20);
        vns_gre_push(p, &h);
        cr_assert(vns_gre_parse(vns_packet_data(p), p->len, &g));
        cr_assert_eq(g.hdr_len, vns_gre_hdr_len(h.has_csum, h.has_key, h.has_seq));
        cr_assert_eq(g.has_csum, h.has_csum);
        cr_assert_eq(g.has_key, h.has_key);
        cr_assert_eq(g.has_seq, h.has_seq);
        cr_assert_eq(g.proto, VNS_ETHERTYPE_IPV4);
        cr_assert_eq(g.key, h.has_key ? 0xdeadbeef : 0);
        cr_assert_eq(g.seq, h.has_seq ? 77 : 0);
        /* Flags: C 0x8000, K 0x2000, S 0x1000, version 0. */
        cr_assert_eq(vns_wire_get16(vns_packet_data(p)),
                     (h.has_csum ? 0x8000 : 0) | (h.has_key ? 0x2000 : 0) |
                     (h.has_seq ? 0x1000 : 0));
        if (h.has_csum) {
            cr_assert(vns_gre_checksum_ok(p, 0));
            vns_packet_data(p)[g.hdr_len] ^= 1;     /* corrupt the payload */
            cr_assert_not(vns_gre_checksum_ok(p, 0));
        }
        vns_packet_free(p);
    }
}

Test(tunnel_codec, geneve_options_round_trip)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = vns_packet_new(pool, 0);
    uint8_t opts[64];
    const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    VnsGeneveOpt a = { 0x0102, 0x80, 8, data }, b = { 0xffff, 0x01, 0, NULL }, o;
    uint32_t n = vns_geneve_opt_encode(opts, sizeof opts, &a), at = 0;
    VnsGeneveHdr h, g;

    cr_assert_eq(n, 12);
    n += vns_geneve_opt_encode(opts + n, sizeof opts - n, &b);
    cr_assert_eq(n, 16);
    /* Length must be a multiple of 4 (RFC 8926 section 3.5). */
    VnsGeneveOpt bad = { 1, 1, 6, data };
    cr_assert_eq(vns_geneve_opt_encode(opts, sizeof opts, &bad), 0);
    h = (VnsGeneveHdr) { .vni = 0xabcdef, .proto = VNS_ETHERTYPE_TEB,
                         .opt_len = n, .opts = opts };
    vns_geneve_push(p, &h);
    cr_assert_eq(p->len, 8 + 16);
    /* Ver 0, Opt Len 4 words; C set by the critical option 0x80. */
    cr_assert_eq(vns_packet_data(p)[0], 4);
    cr_assert_eq(vns_packet_data(p)[1], 0x40);
    cr_assert(vns_geneve_parse(vns_packet_data(p), p->len, &g));
    cr_assert_eq(g.vni, 0xabcdef);
    cr_assert_eq(g.proto, 0x6558);
    cr_assert(g.critical);
    cr_assert_eq(g.opt_len, 16);
    cr_assert(vns_geneve_opt_next(g.opts, g.opt_len, &at, &o));
    cr_assert_eq(o.cls, 0x0102);
    cr_assert_eq(o.type, 0x80);
    cr_assert_eq(o.len, 8);
    cr_assert_arr_eq(o.data, data, 8);
    cr_assert(vns_geneve_opt_next(g.opts, g.opt_len, &at, &o));
    cr_assert_eq(o.cls, 0xffff);
    cr_assert_eq(o.len, 0);
    cr_assert_not(vns_geneve_opt_next(g.opts, g.opt_len, &at, &o));
    /* Truncated options are refused. */
    cr_assert_not(vns_geneve_parse(vns_packet_data(p), 20, &g));
    vns_packet_free(p);
}

/* ---- tshark ------------------------------------------------------------- */

static const char *const fields[] = {
    "frame.len",
    "_ws.expert.severity",
    "_ws.malformed",
    "gre.flags.checksum",
    "gre.flags.key",
    "gre.flags.sequence_number",
    "gre.key",
    "gre.sequence_number",
    "gre.checksum.status",
    "gre.proto",
    "vxlan.vni",
    "geneve.vni",
    "geneve.option.class",
    "geneve.option.type",
    "geneve.flags.critical",
    "ipv6.opt.tel",
    "ip.src",
    "ip.checksum.status",
    "udp.dstport",
    "udp.checksum.status",
    "eth.type",
};
enum {
    F_LEN, F_SEV, F_MALFORMED, F_GRE_C, F_GRE_K, F_GRE_S, F_GRE_KEY, F_GRE_SEQ,
    F_GRE_CSUM, F_GRE_PROTO, F_VXLAN_VNI, F_GENEVE_VNI, F_GENEVE_CLASS,
    F_GENEVE_TYPE, F_GENEVE_CRIT, F_TEL, F_IP_SRC, F_IP_CSUM, F_UDP_DPORT,
    F_UDP_CSUM, F_ETH_TYPE, N_FIELDS
};
G_STATIC_ASSERT(G_N_ELEMENTS(fields) == N_FIELDS);

#define EXPECT(frame, f, want) \
    cr_assert_str_eq(((char **) g_ptr_array_index(rows, (frame)))[f], (want), \
                     "frame %u %s", (unsigned) (frame), fields[f])

/* Outer IPv4 and Ethernet around a tunnel packet (proto 17 or 47). */
static void
outer4(VnsPacket *p, uint8_t proto)
{
    VnsIpv4Hdr ip = { .ttl = 64, .proto = proto, .src = OUTER_SRC,
                      .dst = OUTER_DST, .id = 1 };
    VnsEthHdr eth = { .dst = NT_MAC_B, .src = NT_MAC_A,
                      .ethertype = VNS_ETHERTYPE_IPV4 };

    vns_ipv4_push(p, &ip);
    vns_eth_push(p, &eth);
}

/* An L3 GRE packet over IPv4: inner UDP/IPv4 with 'payload' bytes. */
static VnsPacket *
gre4(VnsPacketPool *pool, bool csum, bool key, bool seq)
{
    VnsPacket *p = net_test_udp4(pool, 100);
    VnsGreHdr g = { .proto = VNS_ETHERTYPE_IPV4, .has_csum = csum,
                    .has_key = key, .key = 1000, .has_seq = seq, .seq = 5 };

    vns_packet_pull(p, VNS_ETH_HLEN);
    vns_gre_push(p, &g);
    outer4(p, VNS_IPPROTO_GRE);
    return p;
}

Test(tunnel_codec, wireshark_decodes_every_tunnel)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    g_autofree char *dir = test_tmpdir("vns-tunnel-XXXXXX");
    g_autofree char *pcap = NULL;
    g_autoptr(GPtrArray) rows = NULL;
    VnsPacket *pkts[9];
    const VnsIpAddr s4 = vns_ip_addr_v4(OUTER_SRC), d4 = vns_ip_addr_v4(OUTER_DST);
    VnsIp6 s6 = net_test_ip6("2001:db8:ff::1"), d6 = net_test_ip6("2001:db8:ff::2");
    const VnsIpAddr a6 = vns_ip_addr_v6(&s6), b6 = vns_ip_addr_v6(&d6);

    pcap = g_build_filename(dir, "tunnels.pcap", NULL);
    /* 0-4: GRE with no option, key, sequence, checksum, all three. */
    pkts[0] = gre4(pool, false, false, false);
    pkts[1] = gre4(pool, false, true, false);
    pkts[2] = gre4(pool, false, false, true);
    pkts[3] = gre4(pool, true, false, false);
    pkts[4] = gre4(pool, true, true, true);
    /* 5: gretap with a key: an Ethernet frame, protocol 0x6558. */
    {
        VnsPacket *p = net_test_udp4(pool, 100);
        VnsGreHdr g = { .proto = VNS_ETHERTYPE_TEB, .has_key = true, .key = 42 };
        vns_gre_push(p, &g);
        outer4(p, VNS_IPPROTO_GRE);
        pkts[5] = p;
    }
    /* 6: VXLAN over IPv4 with a UDP checksum, VNI 4242. */
    {
        VnsPacket *p = net_test_udp4(pool, 100);
        VnsUdpHdr u = { .sport = 40000, .dport = VNS_UDP_PORT_VXLAN };
        vns_vxlan_push(p, 4242);
        vns_udp_push(p, &u, &s4, &d4);
        outer4(p, VNS_IPPROTO_UDP);
        pkts[6] = p;
    }
    /* 7: Geneve over IPv6 with two options, one critical. */
    {
        VnsPacket *p = net_test_udp4(pool, 100);
        uint8_t opts[32];
        const uint8_t data[4] = { 0xaa, 0xbb, 0xcc, 0xdd };
        VnsGeneveOpt o1 = { 0x0102, 0x81, 4, data }, o2 = { 0x0103, 0x02, 0, NULL };
        uint32_t n = vns_geneve_opt_encode(opts, sizeof opts, &o1);
        n += vns_geneve_opt_encode(opts + n, sizeof opts - n, &o2);
        VnsGeneveHdr g = { .vni = 777, .proto = VNS_ETHERTYPE_TEB, .opt_len = n,
                           .opts = opts };
        VnsUdpHdr u = { .sport = 50000, .dport = VNS_UDP_PORT_GENEVE };
        VnsIpv6Hdr ip = { .next_header = VNS_IPPROTO_UDP, .hop_limit = 64,
                          .src = s6, .dst = d6 };
        VnsEthHdr eth = { .dst = NT_MAC_B, .src = NT_MAC_A,
                          .ethertype = VNS_ETHERTYPE_IPV6 };
        vns_geneve_push(p, &g);
        vns_udp_push(p, &u, &a6, &b6);
        vns_ipv6_push(p, &ip);
        vns_eth_push(p, &eth);
        pkts[7] = p;
    }
    /* 8: ip6gre with a key and the Tunnel Encapsulation Limit option. */
    {
        VnsPacket *p = net_test_udp4(pool, 100);
        VnsGreHdr g = { .proto = VNS_ETHERTYPE_IPV4, .has_key = true, .key = 9 };
        VnsIpv6Hdr ip = { .next_header = VNS_IPPROTO_DSTOPTS, .hop_limit = 64,
                          .src = s6, .dst = d6 };
        VnsEthHdr eth = { .dst = NT_MAC_B, .src = NT_MAC_A,
                          .ethertype = VNS_ETHERTYPE_IPV6 };
        vns_packet_pull(p, VNS_ETH_HLEN);
        vns_gre_push(p, &g);
        vns_gre_ip6_tel_push(p, VNS_IPPROTO_GRE, 4);
        vns_ipv6_push(p, &ip);
        vns_eth_push(p, &eth);
        pkts[8] = p;
    }
    cr_assert(net_test_write_pcap(pcap, pkts, G_N_ELEMENTS(pkts)));
    rows = test_tshark(pcap, fields, N_FIELDS, 0);
    cr_assert_eq(rows->len, G_N_ELEMENTS(pkts));

    /* Frame lengths: inner UDP/IPv4 = 20 + 8 + 100 = 128; + GRE (4-16) +
     * outer IPv4 20 + Ethernet 14. gretap and VXLAN carry the inner
     * Ethernet header too (14); VXLAN adds UDP 8 + VXLAN 8; Geneve over
     * IPv6: 142 + 8 + 8 + 12 option bytes + 40 + 14; ip6gre: 128 + 8 + 8 + 40 +
     * 14. */
    const char *lens[] = { "166", "170", "170", "170", "178", "184", "192",
                           "224", "198" };
    for (guint i = 0; i < rows->len; i++) {
        const char *sev = test_tshark_field(rows, i, F_SEV);
        EXPECT(i, F_LEN, lens[i]);
        EXPECT(i, F_MALFORMED, "");
        cr_assert_lt(test_tshark_worst(sev), TEST_TSHARK_PI_WARN,
                     "frame %u: expert severity %s", i, sev);
        cr_assert_eq(pkts[i]->len + pkts[i]->payload_len,
                     strtoul(lens[i], NULL, 10));
    }
    /* GRE flags and fields, RFC 2784 / 2890. */
    const char *c[] = { "0", "0", "0", "1", "1" }, *k[] = { "0", "1", "0", "0", "1" },
               *s[] = { "0", "0", "1", "0", "1" }, *key[] = { "", "0x000003e8", "", "", "0x000003e8" },
               *seq[] = { "", "", "5", "", "5" }, *cs[] = { "", "", "", "1", "1" };
    for (int i = 0; i < 5; i++) {
        EXPECT(i, F_GRE_C, c[i]);
        EXPECT(i, F_GRE_K, k[i]);
        EXPECT(i, F_GRE_S, s[i]);
        EXPECT(i, F_GRE_KEY, key[i]);
        EXPECT(i, F_GRE_SEQ, seq[i]);
        EXPECT(i, F_GRE_CSUM, cs[i]);       /* 1 = good */
        EXPECT(i, F_GRE_PROTO, "0x0800");
        /* The inner IPv4/UDP is reached: two IP sources, both checksums
         * good (1). */
        EXPECT(i, F_IP_SRC, "192.0.2.1,10.0.0.1");
        EXPECT(i, F_IP_CSUM, "1,1");
    }
    EXPECT(5, F_GRE_PROTO, "0x6558");
    EXPECT(5, F_GRE_KEY, "0x0000002a");     /* tshark prints keys in hex */
    EXPECT(5, F_ETH_TYPE, "0x0800,0x0800");     /* outer and inner Ethernet */
    EXPECT(6, F_VXLAN_VNI, "4242");
    EXPECT(6, F_UDP_DPORT, "4789,5001");
    EXPECT(6, F_UDP_CSUM, "1,1");               /* outer and inner good */
    EXPECT(6, F_ETH_TYPE, "0x0800,0x0800");
    EXPECT(7, F_GENEVE_VNI, "0x000309");    /* 777, printed in hex */
    EXPECT(7, F_GENEVE_CLASS, "0x0102,0x0103");
    EXPECT(7, F_GENEVE_TYPE, "0x81,0x02");
    EXPECT(7, F_GENEVE_CRIT, "1");
    EXPECT(7, F_UDP_DPORT, "6081,5001");
    EXPECT(7, F_UDP_CSUM, "1,1");
    EXPECT(7, F_IP_SRC, "10.0.0.1");
    EXPECT(8, F_TEL, "4");
    EXPECT(8, F_GRE_KEY, "0x00000009");
    EXPECT(8, F_IP_SRC, "10.0.0.1");

    for (size_t i = 0; i < G_N_ELEMENTS(pkts); i++)
        vns_packet_free(pkts[i]);
    test_tmpdir_remove(dir);
}
