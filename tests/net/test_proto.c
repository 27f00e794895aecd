/* Tests of the header codecs: sizes against the RFCs, build-then-parse round
 * trips, extension-header walks, and parsers fed every truncation and
 * random corruption of valid headers (run under ASan to catch over-reads). */
#include <config.h>
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include "net_test.h"

Test(proto, header_sizes_match_the_rfcs)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = vns_packet_new(pool, 0);
    VnsIpAddr s = vns_ip_addr_v4(1), d = vns_ip_addr_v4(2);
    VnsIp6 a = { { 0 } };
    uint32_t before;

#define GROWS_BY(expr, n) do { before = p->len; expr; \
        cr_assert_eq(p->len - before, (n), #expr); } while (0)
    /* IEEE 802.3 clause 3.1.1: 6 + 6 + 2. */
    GROWS_BY(vns_eth_push(p, &(VnsEthHdr) { 0 }), 14);
    /* IEEE 802.1Q clause 9: TPID + TCI. */
    GROWS_BY(vns_vlan_push(p, &(VnsVlanHdr) { 0 }), 4);
    /* RFC 826 for Ethernet and IPv4: 8 + 2 x (6 + 4). */
    GROWS_BY(vns_arp_push(p, &(VnsArpHdr) { 0 }), 28);
    /* RFC 791 section 3.1: IHL 5. */
    GROWS_BY(vns_ipv4_push(p, &(VnsIpv4Hdr) { 0 }), 20);
    GROWS_BY(vns_ipv4_push(p, &(VnsIpv4Hdr) { .hdr_len = 24 }), 24);
    /* RFC 8200 section 3 and 4.5. */
    GROWS_BY(vns_ipv6_push(p, &(VnsIpv6Hdr) { 0 }), 40);
    GROWS_BY(vns_ipv6_frag_push(p, 6, 0, true, 1), 8);
    /* RFC 768. */
    GROWS_BY(vns_udp_push(p, &(VnsUdpHdr) { 0 }, &s, &d), 8);
    /* RFC 792: type, code, checksum and 4 bytes. */
    GROWS_BY(vns_icmp_push(p, &(VnsIcmpHdr) { .type = 8 }), 8);
    /* RFC 4443 section 2.1; RFC 4861 sections 4.3 and 4.6.1. */
    GROWS_BY(vns_icmp6_push(p, &(VnsIcmp6Hdr) { .type = 128 }, &a, &a), 8);
    GROWS_BY(vns_icmp6_push(p, &(VnsIcmp6Hdr) { .type = 135 }, &a, &a), 24);
    GROWS_BY(vns_icmp6_push(p, &(VnsIcmp6Hdr) { .type = 135, .has_lladdr = true },
                             &a, &a), 32);
    /* RFC 9293 section 3.1: 20 bytes without options. */
    GROWS_BY(vns_tcp_push(p, &(VnsTcpHdr) { 0 }, &s, &d), 20);
    /* Options: MSS 4 (RFC 9293 3.2), Window Scale 3 (RFC 7323 2.2),
     * SACK-Permitted 2 (RFC 2018 2), Timestamps 10 (RFC 7323 3.2), each
     * padded with NOPs to 4-byte words: a Linux SYN's 20 bytes. */
    GROWS_BY(vns_tcp_push(p, &(VnsTcpHdr) { .opts = { .has_mss = true,
             .has_wscale = true, .sack_permitted = true, .has_ts = true } }, &s, &d), 40);
    /* SACK: 2 + 8 per block (RFC 2018 section 3), after 2 NOPs. */
    GROWS_BY(vns_tcp_push(p, &(VnsTcpHdr) { .opts = { .sack_blocks = 4 } }, &s, &d),
             20 + 4 + 32);
    /* With timestamps only 3 blocks fit in 40 bytes (RFC 2018 section 3). */
    GROWS_BY(vns_tcp_push(p, &(VnsTcpHdr) { .opts = { .has_ts = true,
             .sack_blocks = 4 } }, &s, &d), 20 + 12 + 4 + 24);
#undef GROWS_BY
    cr_assert_eq(VNS_ETH_HLEN, 14);
    cr_assert_eq(VNS_VLAN_HLEN, 4);
    cr_assert_eq(VNS_ARP_LEN, 28);
    cr_assert_eq(VNS_IPV4_HLEN, 20);
    cr_assert_eq(VNS_IPV6_HLEN, 40);
    cr_assert_eq(VNS_UDP_HLEN, 8);
    cr_assert_eq(VNS_TCP_HLEN, 20);
    cr_assert_eq(VNS_ICMP_HLEN, 8);
    vns_packet_free(p);
}

Test(proto, eth_and_vlan_round_trip)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_vlan_udp4(pool, 100);
    const uint8_t *d = vns_packet_data(p);
    VnsEthHdr e;
    VnsVlanHdr v;

    cr_assert(vns_eth_parse(d, p->len, &e));
    cr_assert(vns_mac_equal(&e.src, &NT_MAC_A));
    cr_assert(vns_mac_equal(&e.dst, &NT_MAC_B));
    cr_assert_eq(e.ethertype, VNS_ETHERTYPE_VLAN);
    cr_assert(vns_vlan_parse(d + 14, p->len - 14, &v));
    cr_assert_eq(v.vid, 100);
    cr_assert_eq(v.pcp, 5);
    cr_assert_not(v.dei);
    cr_assert_eq(v.ethertype, VNS_ETHERTYPE_IPV4);

    /* Strip, then insert again: the same bytes. */
    g_autofree uint8_t *orig = g_memdup2(d, p->len);
    uint32_t len = p->len;
    cr_assert(vns_vlan_strip(p, &v));
    cr_assert_eq(p->len, len - 4);
    cr_assert(vns_eth_parse(vns_packet_data(p), p->len, &e));
    cr_assert_eq(e.ethertype, VNS_ETHERTYPE_IPV4);
    cr_assert(vns_mac_equal(&e.src, &NT_MAC_A));
    cr_assert_not(vns_vlan_strip(p, NULL));
    cr_assert(vns_vlan_insert(p, VNS_ETHERTYPE_VLAN, &v));
    cr_assert_eq(p->len, len);
    cr_assert_arr_eq(vns_packet_data(p), orig, len);
    vns_packet_free(p);
}

Test(proto, eth_refuses_802_3_length)
{
    uint8_t f[14] = { 0 };
    VnsEthHdr e;

    f[12] = 0x05;
    f[13] = 0xdc;       /* 1500: an 802.3 length, not a type */
    cr_assert_not(vns_eth_parse(f, sizeof f, &e));
    f[12] = 0x06;
    f[13] = 0x00;
    cr_assert(vns_eth_parse(f, sizeof f, &e));
}

Test(proto, arp_round_trip)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_arp(pool);
    VnsArpHdr a;

    cr_assert_eq(p->len, 14 + 28);
    cr_assert(vns_arp_parse(vns_packet_data(p) + 14, 28, &a));
    cr_assert_eq(a.op, VNS_ARP_OP_REQUEST);
    cr_assert(vns_mac_equal(&a.sha, &NT_MAC_A));
    cr_assert_eq(a.spa, NT_IP4_A);
    cr_assert_eq(a.tpa, NT_IP4_B);
    /* RFC 826 fields: hardware type 1, protocol 0x0800, lengths 6 and 4. */
    cr_assert_arr_eq(vns_packet_data(p) + 14, ((uint8_t[]) { 0, 1, 8, 0, 6, 4, 0, 1 }), 8);
    vns_packet_free(p);
}

Test(proto, ipv4_round_trip_with_options)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = vns_packet_new(pool, 1000);
    /* Router Alert (RFC 2113): type 148, length 4, value 0. */
    const uint8_t opts[4] = { 148, 4, 0, 0 };
    VnsIpv4Hdr h = { .hdr_len = 24, .dscp = 46, .ecn = 2, .id = 0xabcd, .mf = true,
                     .frag_offset = 1480, .ttl = 3, .proto = VNS_IPPROTO_UDP,
                     .src = 0xC0000201, .dst = 0xC6336401, .options = opts };
    VnsIpv4Hdr r;
    uint8_t *ip = vns_ipv4_push(p, &h);

    cr_assert(vns_ipv4_parse(ip, p->len, &r));
    cr_assert_eq(r.hdr_len, 24);
    cr_assert_eq(r.dscp, 46);
    cr_assert_eq(r.ecn, 2);
    cr_assert_eq(r.total_len, 1024);        /* 24 + 1000 computed */
    cr_assert_eq(r.id, 0xabcd);
    cr_assert_not(r.df);
    cr_assert(r.mf);
    cr_assert_eq(r.frag_offset, 1480);
    cr_assert_eq(r.ttl, 3);
    cr_assert_eq(r.proto, VNS_IPPROTO_UDP);
    cr_assert_eq(r.src, 0xC0000201);
    cr_assert_eq(r.dst, 0xC6336401);
    cr_assert_arr_eq(r.options, opts, 4);
    cr_assert(vns_ipv4_checksum_ok(ip, p->len));
    /* The accessors agree. */
    cr_assert_eq(vns_ipv4_id(ip), 0xabcd);
    cr_assert(vns_ipv4_mf(ip));
    cr_assert_not(vns_ipv4_df(ip));
    cr_assert_eq(vns_ipv4_frag_offset(ip), 1480);
    cr_assert(vns_ipv4_is_fragment(ip));
    vns_ipv4_set_frag(ip, true, false, 0);
    cr_assert_not(vns_ipv4_is_fragment(ip));
    cr_assert(vns_ipv4_df(ip));
    cr_assert_eq(vns_ipv4_dec_ttl(ip), 2);
    vns_ipv4_set_total_len(ip, 576);
    cr_assert(vns_ipv4_checksum_ok(ip, p->len));
    /* A TTL of 0 stays 0 (RFC 1812 section 5.3.1: the router drops it). */
    ip[8] = 0;
    cr_assert_eq(vns_ipv4_dec_ttl(ip), 0);
    vns_packet_free(p);
}

Test(proto, ipv4_refuses_malformed)
{
    uint8_t h[24] = { 0x45, 0, 0, 20 };
    VnsIpv4Hdr r;

    cr_assert(vns_ipv4_parse(h, 20, &r));
    h[0] = 0x44;                /* IHL 4 < 5 */
    cr_assert_not(vns_ipv4_parse(h, 24, &r));
    h[0] = 0x46;                /* IHL 6 = 24 bytes, only 20 given */
    cr_assert_not(vns_ipv4_parse(h, 20, &r));
    h[3] = 24;
    cr_assert(vns_ipv4_parse(h, 24, &r));
    h[3] = 23;                  /* total length shorter than the header */
    cr_assert_not(vns_ipv4_parse(h, 24, &r));
    h[0] = 0x65;                /* version 6 */
    cr_assert_not(vns_ipv4_parse(h, 24, &r));
}

Test(proto, ipv6_round_trip_and_extension_walk)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_tcp6_ext(pool, 100);
    const uint8_t *ip = vns_packet_data(p) + 14;
    VnsIpv6Hdr h;
    VnsTcpHdr t;

    cr_assert(vns_ipv6_parse(ip, p->len - 14, &h));
    cr_assert_eq(h.next_header, VNS_IPPROTO_HOPOPTS);
    cr_assert_eq(h.proto, VNS_IPPROTO_TCP);
    /* 40 + Hop-by-Hop 8 + Routing 24 + Destination Options 16. */
    cr_assert_eq(h.l4_off, 40 + 8 + 24 + 16);
    /* Payload length: extensions 48 + TCP 32 + data 100. */
    cr_assert_eq(h.payload_len, 48 + 32 + 100);
    cr_assert_eq(h.hop_limit, 64);
    cr_assert_eq(h.flow_label, 0x12345);
    cr_assert(vns_ip6_equal(&h.src, &(VnsIp6) { .b = { 0x20, 0x01, 0x0d, 0xb8,
              [15] = 1 } }));
    cr_assert_not(h.frag);
    cr_assert(vns_tcp_parse(ip + h.l4_off, p->len - 14 - h.l4_off, &t));
    cr_assert_eq(t.dport, 443);
    vns_packet_free(p);
}

Test(proto, ipv6_fragments)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsIp6 a = net_test_ip6("2001:db8::1"), b = net_test_ip6("2001:db8::2");
    VnsIpAddr s = vns_ip_addr_v6(&a), d = vns_ip_addr_v6(&b);
    VnsPacket *first = vns_packet_new(pool, 1000), *later = vns_packet_new(pool, 500);
    VnsIpv6Hdr h;

    vns_udp_push(first, &(VnsUdpHdr) { .sport = 1, .dport = 2, .length = 1508 }, &s, &d);
    vns_ipv6_frag_push(first, VNS_IPPROTO_UDP, 0, true, 0xdeadbeef);
    vns_ipv6_push(first, &(VnsIpv6Hdr) { .next_header = VNS_IPPROTO_FRAGMENT,
                  .hop_limit = 9, .src = a, .dst = b });
    cr_assert(vns_ipv6_parse(vns_packet_data(first), first->len, &h));
    cr_assert(h.frag);
    cr_assert(h.mf);
    cr_assert_eq(h.frag_offset, 0);
    cr_assert_eq(h.frag_id, 0xdeadbeef);
    cr_assert_eq(h.proto, VNS_IPPROTO_UDP);
    cr_assert_eq(h.l4_off, 48);

    vns_ipv6_frag_push(later, VNS_IPPROTO_UDP, 1008, false, 0xdeadbeef);
    vns_ipv6_push(later, &(VnsIpv6Hdr) { .next_header = VNS_IPPROTO_FRAGMENT,
                  .hop_limit = 9, .src = a, .dst = b });
    cr_assert(vns_ipv6_parse(vns_packet_data(later), later->len, &h));
    cr_assert(h.frag);
    cr_assert_not(h.mf);
    cr_assert_eq(h.frag_offset, 1008);
    cr_assert_eq(h.proto, VNS_IPPROTO_UDP);     /* of the reassembled packet */
    cr_assert_eq(h.l4_off, 48);                 /* fragment data, not a header */
    vns_packet_free(first);
    vns_packet_free(later);
}

Test(proto, ipv6_opts_push_pads_any_size)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();

    for (uint32_t size = 8; size <= 2048; size += 8) {
        VnsPacket *p = vns_packet_new(pool, 0);
        uint8_t *o = vns_ipv6_opts_push(p, VNS_IPPROTO_DSTOPTS, VNS_IPPROTO_NONE, size);
        uint32_t at = 2;

        cr_assert_eq(p->len, size);
        cr_assert_eq(o[1], size / 8 - 1);
        /* The options are Pad1/PadN that tile the header exactly. */
        while (at < size) {
            if (o[at] == 0) {
                at++;
                continue;
            }
            cr_assert_eq(o[at], 1, "size %u at %u", size, at);
            at += 2u + o[at + 1];
        }
        cr_assert_eq(at, size, "size %u", size);
        vns_packet_free(p);
    }
}

Test(proto, icmp_round_trip)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_icmp4_echo(pool, 56);
    VnsPacket *q = net_test_icmp4_frag_needed(pool, 1450);
    VnsIcmpHdr h;

    cr_assert(vns_icmp_parse(vns_packet_data(p) + 34, p->len - 34, &h));
    cr_assert_eq(h.type, VNS_ICMP_ECHO_REQUEST);
    cr_assert_eq(h.id, 0x4242);
    cr_assert_eq(h.seq, 7);
    cr_assert_eq(h.mtu, 0);
    cr_assert(vns_icmp_parse(vns_packet_data(q) + 34, q->len - 34, &h));
    cr_assert_eq(h.type, VNS_ICMP_DEST_UNREACH);
    cr_assert_eq(h.code, VNS_ICMP_FRAG_NEEDED);
    cr_assert_eq(h.mtu, 1450);      /* RFC 1191 section 4: low 16 bits of word 2 */
    cr_assert_eq(vns_wire_get16(vns_packet_data(q) + 34 + 4), 0);   /* unused */
    /* The body quotes the offending IPv4 header and 8 bytes (RFC 792). */
    cr_assert_eq(q->len, 14 + 20 + 8 + 20 + 8);
    vns_packet_free(p);
    vns_packet_free(q);
}

/* Field by field: struct padding is not comparable. */
static bool
icmp6_same(const VnsIcmp6Hdr *a, const VnsIcmp6Hdr *b)
{
    return a->type == b->type && a->code == b->code && a->id == b->id &&
           a->seq == b->seq && a->mtu == b->mtu && a->pointer == b->pointer &&
           vns_ip6_equal(&a->target, &b->target) && a->router == b->router &&
           a->solicited == b->solicited && a->override == b->override &&
           a->has_lladdr == b->has_lladdr &&
           (!a->has_lladdr || vns_mac_equal(&a->lladdr, &b->lladdr));
}

static bool
tcp_opts_same(const VnsTcpOpts *a, const VnsTcpOpts *b)
{
    if (a->has_mss != b->has_mss || (a->has_mss && a->mss != b->mss) ||
        a->has_wscale != b->has_wscale || (a->has_wscale && a->wscale != b->wscale) ||
        a->sack_permitted != b->sack_permitted || a->has_ts != b->has_ts ||
        (a->has_ts && (a->ts_val != b->ts_val || a->ts_ecr != b->ts_ecr)) ||
        a->sack_blocks != b->sack_blocks)
        return false;
    for (int k = 0; k < a->sack_blocks; k++)
        if (a->sack[k][0] != b->sack[k][0] || a->sack[k][1] != b->sack[k][1])
            return false;
    return true;
}

Test(proto, icmp6_round_trip)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsIp6 a = net_test_ip6("fe80::1"), b = net_test_ip6("fe80::2");
    VnsIcmp6Hdr in[] = {
        { .type = VNS_ICMP6_ECHO_REQUEST, .id = 1, .seq = 2 },
        { .type = VNS_ICMP6_ECHO_REPLY, .id = 65535, .seq = 65534 },
        { .type = VNS_ICMP6_PACKET_TOO_BIG, .mtu = 1280 },
        { .type = VNS_ICMP6_TIME_EXCEEDED, .code = 1 },
        { .type = VNS_ICMP6_DEST_UNREACH, .code = 4 },
        { .type = VNS_ICMP6_PARAM_PROBLEM, .code = 1, .pointer = 40 },
        { .type = VNS_ICMP6_NEIGHBOR_SOLICIT, .target = b },
        { .type = VNS_ICMP6_NEIGHBOR_SOLICIT, .target = b, .has_lladdr = true,
          .lladdr = NT_MAC_A },
        { .type = VNS_ICMP6_NEIGHBOR_ADVERT, .target = b, .solicited = true,
          .override = true, .has_lladdr = true, .lladdr = NT_MAC_B },
        { .type = VNS_ICMP6_NEIGHBOR_ADVERT, .target = a, .router = true },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(in); i++) {
        VnsPacket *p = vns_packet_new(pool, 0);
        VnsIcmp6Hdr out;
        uint8_t *d = vns_icmp6_push(p, &in[i], &a, &b);

        cr_assert_eq(p->len, vns_icmp6_hdr_size(&in[i]));
        cr_assert(vns_icmp6_parse(d, p->len, &out), "case %zu", i);
        cr_assert(icmp6_same(&out, &in[i]), "case %zu", i);
        vns_packet_free(p);
    }
}

Test(proto, icmp6_nd_option_checks)
{
    /* RFC 4861 section 4.6: an option of length 0 makes the packet
     * invalid; so does one that runs past the end. */
    uint8_t ns[40] = { VNS_ICMP6_NEIGHBOR_SOLICIT };
    VnsIcmp6Hdr h;

    ns[24] = VNS_ND_OPT_SOURCE_LLADDR;
    ns[25] = 1;
    cr_assert(vns_icmp6_parse(ns, 32, &h));
    cr_assert(h.has_lladdr);
    ns[25] = 0;
    cr_assert_not(vns_icmp6_parse(ns, 32, &h));
    ns[25] = 2;
    cr_assert_not(vns_icmp6_parse(ns, 32, &h));
    cr_assert(vns_icmp6_parse(ns, 40, &h));
    cr_assert_not(h.has_lladdr);    /* a 16-byte option is not an Ethernet address */
    cr_assert_not(vns_icmp6_parse(ns, 23, &h));
}

Test(proto, udp_round_trip)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_udp4(pool, 1000);
    VnsUdpHdr u;

    cr_assert(vns_udp_parse(vns_packet_data(p) + 34, 8, &u));
    cr_assert_eq(u.sport, 40000);
    cr_assert_eq(u.dport, 5001);
    cr_assert_eq(u.length, 1008);
    cr_assert_neq(u.checksum, 0);
    vns_wire_put16(vns_packet_data(p) + 38, 7);
    cr_assert_not(vns_udp_parse(vns_packet_data(p) + 34, 8, &u));    /* length < 8 */
    vns_packet_free(p);
}

Test(proto, tcp_round_trip_with_options)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsIpAddr s = vns_ip_addr_v4(1), d = vns_ip_addr_v4(2);
    VnsTcpOpts cases[] = {
        { 0 },
        { .has_mss = true, .mss = 1460 },
        { .has_mss = true, .mss = 8960, .has_wscale = true, .wscale = 14,
          .sack_permitted = true, .has_ts = true, .ts_val = 0xffffffff, .ts_ecr = 1 },
        { .sack_permitted = true },
        { .has_wscale = true, .wscale = 0 },
        { .has_ts = true, .ts_val = 123, .ts_ecr = 456, .sack_blocks = 3,
          .sack = { { 1, 2 }, { 3, 4 }, { 5, 6 } } },
        { .sack_blocks = 4, .sack = { { 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 } } },
        { .has_mss = true, .mss = 536, .sack_blocks = 1, .sack = { { 100, 200 } } },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        VnsPacket *p = vns_packet_new(pool, 10);
        VnsTcpHdr in = { .sport = 1, .dport = 2, .seq = 0x80000000u, .ack = 42,
                         .flags = VNS_TCP_SYN | VNS_TCP_ACK | VNS_TCP_ECE,
                         .window = 65535, .urg_ptr = 3, .opts = cases[i] };
        VnsTcpHdr out;
        uint8_t *t = vns_tcp_push(p, &in, &s, &d);

        cr_assert_eq(p->len % 4, 0);
        cr_assert(vns_tcp_parse(t, p->len, &out), "case %zu", i);
        cr_assert_eq(out.hdr_len, p->len);
        cr_assert_eq(out.sport, 1);
        cr_assert_eq(out.seq, 0x80000000u);
        cr_assert_eq(out.ack, 42);
        cr_assert_eq(out.flags, VNS_TCP_SYN | VNS_TCP_ACK | VNS_TCP_ECE);
        cr_assert_eq(out.window, 65535);
        cr_assert_eq(out.urg_ptr, 3);
        cr_assert(tcp_opts_same(&out.opts, &in.opts), "case %zu", i);
        vns_packet_free(p);
    }
}

Test(proto, tcp_sack_blocks_truncated_to_fit)
{
    /* MSS + timestamps + window scale take 20 bytes, leaving room for two
     * SACK blocks (4 + 16) in the 40 bytes of options. */
    VnsTcpOpts o = { .has_mss = true, .has_ts = true, .has_wscale = true,
                     .sack_blocks = 4, .sack = { { 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 } } };
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = vns_packet_new(pool, 0);
    VnsIpAddr s = vns_ip_addr_v4(1), d = vns_ip_addr_v4(2);
    VnsTcpHdr out;

    cr_assert_eq(vns_tcp_opts_size(&o), 40);
    vns_tcp_push(p, &(VnsTcpHdr) { .opts = o }, &s, &d);
    cr_assert(vns_tcp_parse(vns_packet_data(p), p->len, &out));
    cr_assert_eq(out.hdr_len, 60);
    cr_assert_eq(out.opts.sack_blocks, 2);
    cr_assert_eq(out.opts.sack[1][1], 4);
    vns_packet_free(p);
}

Test(proto, tcp_bad_options_end_the_walk)
{
    /* Header of 28 bytes: MSS, then an option with length 1 (invalid):
     * the MSS is kept, the walk stops, the header is still accepted. */
    uint8_t t[28] = { 0 };
    VnsTcpHdr out;

    t[12] = 7 << 4;
    t[20] = 2; t[21] = 4; t[22] = 0x05; t[23] = 0xb4;
    t[24] = 8; t[25] = 1;
    cr_assert(vns_tcp_parse(t, sizeof t, &out));
    cr_assert(out.opts.has_mss);
    cr_assert_eq(out.opts.mss, 1460);
    cr_assert_not(out.opts.has_ts);
    /* An MSS option of the wrong length is ignored. */
    t[21] = 3;
    cr_assert(vns_tcp_parse(t, sizeof t, &out));
    cr_assert_not(out.opts.has_mss);
    /* Data offset below 5, or past the bytes given, fails. */
    t[12] = 4 << 4;
    cr_assert_not(vns_tcp_parse(t, sizeof t, &out));
    t[12] = 8 << 4;
    cr_assert_not(vns_tcp_parse(t, sizeof t, &out));
}

/* Runs every parser on the bytes at [p, p + n). The copy is exactly n bytes
 * so that ASan flags any read past the end. */
static void
parse_everything(const uint8_t *p, size_t n)
{
    g_autofree uint8_t *b = n > 0 ? g_memdup2(p, n) : NULL;
    VnsEthHdr e;
    VnsVlanHdr v;
    VnsArpHdr a;
    VnsIpv4Hdr i4;
    VnsIpv6Hdr i6;
    VnsIcmpHdr ic;
    VnsIcmp6Hdr ic6;
    VnsUdpHdr u;
    VnsTcpHdr t;
    VnsFlowKey k;
    VnsFlowOffsets o;

    vns_eth_parse(b, n, &e);
    vns_vlan_parse(b, n, &v);
    vns_arp_parse(b, n, &a);
    if (vns_ipv4_parse(b, n, &i4)) {
        cr_assert_leq(i4.hdr_len, n);
        vns_ipv4_checksum_ok(b, n);
    }
    if (vns_ipv6_parse(b, n, &i6))
        cr_assert_leq(i6.l4_off, n);
    vns_icmp_parse(b, n, &ic);
    vns_icmp6_parse(b, n, &ic6);
    vns_udp_parse(b, n, &u);
    if (vns_tcp_parse(b, n, &t)) {
        cr_assert_leq(t.hdr_len, n);
        cr_assert_leq(t.opts.sack_blocks, VNS_TCP_MAX_SACK);
    }
    vns_flow_key_parse_eth(&k, &o, b, n);
    cr_assert(o.l4 == VNS_OFF_NONE || o.l4 <= n);
    vns_flow_key_parse_ip(&k, &o, b, n);
    cr_assert(o.l4 == VNS_OFF_NONE || o.l4 <= n);
}


Test(proto, every_prefix_of_every_header_is_safe)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();

    for (int s = 0; s < NET_TEST_N_SAMPLES; s++) {
        VnsPacket *p = net_test_sample(pool, s);
        const uint8_t *d = vns_packet_data(p);

        /* Every start offset (so each header is seen at data[0]) and every
         * length after it. */
        for (size_t start = 0; start <= p->len; start++)
            for (size_t n = 0; start + n <= p->len; n++)
                parse_everything(d + start, n);
        vns_packet_free(p);
    }
}

Test(proto, truncated_headers_are_refused)
{
    /* Each parser fails on every strict prefix of its minimal header. */
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_tcp4_syn(pool);
    const uint8_t *d = vns_packet_data(p);
    VnsEthHdr e;
    VnsIpv4Hdr i4;
    VnsTcpHdr t;

    for (size_t n = 0; n < 14; n++)
        cr_assert_not(vns_eth_parse(d, n, &e));
    for (size_t n = 0; n < 20; n++)
        cr_assert_not(vns_ipv4_parse(d + 14, n, &i4));
    for (size_t n = 0; n < 40; n++)     /* 20 + 20 bytes of options */
        cr_assert_not(vns_tcp_parse(d + 34, n, &t));
    cr_assert(vns_tcp_parse(d + 34, 40, &t));
    vns_packet_free(p);

    p = net_test_tcp6_ext(pool, 0);
    d = vns_packet_data(p);
    VnsIpv6Hdr i6;
    /* Cut anywhere inside the extension headers: refused. */
    for (size_t n = 0; n < 40 + 48; n++)
        cr_assert_not(vns_ipv6_parse(d + 14, n, &i6), "n %zu", n);
    cr_assert(vns_ipv6_parse(d + 14, 40 + 48, &i6));
    vns_packet_free(p);
}

Test(proto, random_corruption_is_safe)
{
    /* 200,000 mutants: random bytes overwritten, random lengths. */
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

    gsl_rng_set(rng, 3);
    for (int i = 0; i < 200000; i++) {
        VnsPacket *p = net_test_sample(pool, i % NET_TEST_N_SAMPLES);
        uint8_t *d = vns_packet_data(p);
        int flips = 1 + (int) gsl_rng_uniform_int(rng, 4);

        for (int f = 0; f < flips; f++)
            d[gsl_rng_uniform_int(rng, p->len)] = (uint8_t) gsl_rng_get(rng);
        size_t start = gsl_rng_uniform(rng) < 0.7 ? 0 : gsl_rng_uniform_int(rng, p->len);
        parse_everything(d + start, gsl_rng_uniform_int(rng, p->len - start + 1));
        vns_packet_free(p);
    }
    gsl_rng_free(rng);
}
