/* Wireshark's dissectors as the truth: frames built with the codecs are
 * written to a pcap file and read back by tshark, which must decode them
 * without complaint, find every IP, UDP, TCP, ICMP and ICMPv6 checksum
 * good, and see the field values that were built.
 *
 * tshark reports a checksum as a status field: 0 bad, 1 good, 2
 * unverified, 3 not present (Wireshark's proto_checksum_enum_e); the last
 * frame here is deliberately corrupted to show that 0 is what a bad
 * checksum gives. Checksum checks are off by default in Wireshark, hence
 * the -o ip/udp/tcp.check_checksum:TRUE preferences (names from
 * "tshark -G defaultprefs"); ICMP and ICMPv6 always check. This test fails,
 * not skips, when tshark is missing. */
#include <config.h>
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include "net_test.h"
#include "tests/common/tshark.h"

/* The fields printed for each frame, in this order. */
static const char *const fields[] = {
    "frame.len",
    "ip.checksum.status",
    "udp.checksum.status",
    "tcp.checksum.status",
    "icmp.checksum.status",
    "icmpv6.checksum.status",
    "_ws.expert.severity",
    "_ws.malformed",
    "tcp.options.mss_val",
    "tcp.options.wscale.shift",
    "tcp.options.sack_perm",
    "tcp.options.timestamp.tsval",
    "tcp.options.sack.count",
    "vlan.id",
    "vxlan.vni",
    "arp.src.proto_ipv4",
    "icmp.mtu",
    "icmpv6.mtu",
    "icmpv6.nd.ns.target_address",
    "icmpv6.opt.linkaddr",
    "ipv6.routing.type",
    "ipv6.dstopts.nxt",
};
enum {
    F_LEN, F_IP, F_UDP, F_TCP, F_ICMP, F_ICMP6, F_SEVERITY, F_MALFORMED, F_MSS,
    F_WSCALE, F_SACK_PERM, F_TSVAL, F_SACK_COUNT, F_VLAN, F_VNI, F_ARP_SPA,
    F_ICMP_MTU, F_ICMP6_MTU, F_NS_TARGET, F_LLADDR, F_RH_TYPE, F_DST_NXT, N_FIELDS
};
G_STATIC_ASSERT(G_N_ELEMENTS(fields) == N_FIELDS);

static const char *
field(GPtrArray *rows, unsigned frame, int f)
{
    return test_tshark_field(rows, frame, (guint) f);
}

#define EXPECT(frame, f, want) \
    cr_assert_str_eq(field(rows, (frame), (f)), (want), "frame %u %s", \
                     (unsigned) (frame), fields[f])

Test(tshark, wireshark_decodes_and_verifies_built_frames)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    g_autofree char *dir = NULL;
    g_autofree char *pcap = NULL;
    g_autoptr(GPtrArray) rows = NULL;
    VnsPacket *bad = net_test_udp4(pool, 100);
    VnsPacket *pkts[] = {
        net_test_udp4(pool, 100),               /* 0 */
        net_test_tcp4_syn(pool),                /* 1 */
        net_test_tcp4_sack(pool, 1448),         /* 2 */
        net_test_icmp4_echo(pool, 56),          /* 3 */
        net_test_icmp4_frag_needed(pool, 1400), /* 4 */
        net_test_arp(pool),                     /* 5 */
        net_test_vlan_udp4(pool, 7),            /* 6 */
        net_test_udp6(pool, 100),               /* 7 */
        net_test_tcp6_ext(pool, 100),           /* 8 */
        net_test_icmp6_ns(pool),                /* 9 */
        net_test_icmp6_ptb(pool, 1280),         /* 10 */
        net_test_vxlan(pool, 5000),             /* 11 */
        net_test_udp4(pool, 101),               /* 12: odd length */
        bad,                                    /* 13: corrupted */
    };
    const unsigned n = G_N_ELEMENTS(pkts);

    dir = test_tmpdir("vns-net-XXXXXX");
    pcap = g_build_filename(dir, "frames.pcap", NULL);
    /* Corrupt the last frame's IPv4 and UDP checksums. */
    vns_packet_data(bad)[14 + 10] ^= 0x01;
    vns_packet_data(bad)[34 + 6] ^= 0x01;
    cr_assert(net_test_write_pcap(pcap, pkts, n));
    rows = test_tshark(pcap, fields, N_FIELDS, 0);
    g_unlink(pcap);
    g_rmdir(dir);
    cr_assert_eq(rows->len, n);

    /* Frame lengths: Ethernet 14, 802.1Q 4, ARP 28, IPv4 20, IPv6 40,
     * UDP 8, TCP 20 + options, ICMP 8, NS 24 + option 8, VXLAN 8, plus the
     * payload. */
    const char *lens[] = {
        "142",      /* 14 + 20 + 8 + 100 */
        "74",       /* 14 + 20 + 20 + 20 of SYN options */
        "1542",     /* 14 + 20 + 20 + 40 (timestamps 12, SACK 3 blocks 28) + 1448 */
        "98",       /* 14 + 20 + 8 + 56, ping's default */
        "70",       /* 14 + 20 + 8 + quoted 20 + 8 */
        "42",       /* 14 + 28, before padding to the 60-byte minimum */
        "146",      /* 14 + 4 + 20 + 8 + 100 */
        "162",      /* 14 + 40 + 8 + 100 */
        "234",      /* 14 + 40 + 8 + 24 + 16 + 20 + 12 + 100 */
        "86",       /* 14 + 40 + 24 + 8 */
        "110",      /* 14 + 40 + 8 + quoted 40 + 8 */
        "1104",     /* 14 + 20 + 8 + 8 + 14 + 20 + 20 + 1000 */
        "143",      /* 14 + 20 + 8 + 101 */
        "142",
    };
    for (unsigned i = 0; i < n; i++) {
        EXPECT(i, F_LEN, lens[i]);
        cr_assert_eq(strtoul(field(rows, i, F_LEN), NULL, 10), vns_packet_size(pkts[i]));
    }

    /* Checksums: "1" good, "3" a zero UDP checksum ("none", RFC 768);
     * frames carrying two IPv4 headers (ICMP error quote, VXLAN) list both. */
    for (unsigned i = 0; i < n - 1; i++) {
        cr_assert_str_eq(field(rows, i, F_MALFORMED), "", "frame %u malformed", i);
        const char *sev = field(rows, i, F_SEVERITY);
        cr_assert_lt(test_tshark_worst(sev), TEST_TSHARK_PI_WARN, "frame %u expert %s",
                     i, sev);
    }
    const char *ip_ok[] = { "1", "1", "1", "1", "1,1", "", "1", "", "", "", "", "1,1", "1" };
    const char *udp_ok[] = { "1", "", "", "", "3", "", "1", "1", "", "", "3", "3", "1" };
    const char *tcp_ok[] = { "", "1", "1", "", "", "", "", "", "1", "", "", "1", "" };
    for (unsigned i = 0; i < n - 1; i++) {
        EXPECT(i, F_IP, ip_ok[i]);
        EXPECT(i, F_UDP, udp_ok[i]);
        EXPECT(i, F_TCP, tcp_ok[i]);
    }
    EXPECT(3, F_ICMP, "1");
    EXPECT(4, F_ICMP, "1");
    EXPECT(9, F_ICMP6, "1");
    EXPECT(10, F_ICMP6, "1");
    /* The corrupted frame: both reported bad. */
    EXPECT(13, F_IP, "0");
    EXPECT(13, F_UDP, "0");

    /* Field values as built. */
    EXPECT(1, F_MSS, "1460");
    EXPECT(1, F_WSCALE, "7");
    cr_assert_str_neq(field(rows, 1, F_SACK_PERM), "");
    EXPECT(1, F_TSVAL, "1000");
    EXPECT(2, F_TSVAL, "2000");
    EXPECT(2, F_SACK_COUNT, "3");
    EXPECT(4, F_ICMP_MTU, "1400");
    EXPECT(5, F_ARP_SPA, "10.0.0.1");
    EXPECT(6, F_VLAN, "7");
    EXPECT(8, F_RH_TYPE, "4");
    EXPECT(8, F_DST_NXT, "6");
    EXPECT(9, F_NS_TARGET, "2001:db8::2");
    EXPECT(9, F_LLADDR, "02:00:00:00:00:01");
    EXPECT(10, F_ICMP6_MTU, "1280");
    EXPECT(11, F_VNI, "5000");

    for (unsigned i = 0; i < n; i++)
        vns_packet_free(pkts[i]);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
}
