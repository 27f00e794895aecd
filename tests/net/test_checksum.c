/* Tests of the Internet checksum against worked examples from RFC 1071,
 * RFC 1624 and Wikipedia, and of the transport checksums of built packets
 * against an independent one's complement sum. */
#include <config.h>
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include "net_test.h"

Test(checksum, rfc1071_numerical_example)
{
    /* RFC 1071 section 3, "Numerical Examples": the bytes 00 01 f2 03 f4 f5
     * f6 f7 sum to 2ddf0, which folds to ddf2. */
    const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

    cr_assert_eq(vns_csum_partial(b, sizeof b, 0), 0xddf2);
    cr_assert_eq(vns_csum_fold(vns_csum_partial(b, sizeof b, 0)), 0x220d);
    /* Chained in even pieces, the sum is the same (RFC 1071 section 2(C)). */
    cr_assert_eq(vns_csum_partial(b + 4, 4, vns_csum_partial(b, 4, 0)), 0xddf2);
}

Test(checksum, odd_length_pads_with_zero)
{
    /* RFC 1071 section 4.1: a left-over byte is added as the high byte. */
    const uint8_t b[] = { 0x12, 0x34, 0x56 };

    cr_assert_eq(vns_csum_partial(b, 3, 0), 0x1234 + 0x5600);
}

Test(checksum, ipv4_header_worked_examples)
{
    /* Wikipedia, "Internet checksum" / "IPv4 header checksum": the header
     * 45 00 00 73 00 00 40 00 40 11 [b8 61] c0 a8 00 01 c0 a8 00 c7 has
     * checksum 0xb861; and 45 00 00 30 44 22 40 00 80 06 [44 2e] 8c 7c 19 ac
     * ae 24 1e 2b has 0x442e. Built with the codec, byte for byte. */
    static const uint8_t want1[20] = {
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
        0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
    };
    static const uint8_t want2[20] = {
        0x45, 0x00, 0x00, 0x30, 0x44, 0x22, 0x40, 0x00, 0x80, 0x06,
        0x44, 0x2e, 0x8c, 0x7c, 0x19, 0xac, 0xae, 0x24, 0x1e, 0x2b,
    };
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *pkt = vns_packet_new(pool, 0);
    VnsIpv4Hdr h1 = { .total_len = 0x73, .id = 0, .df = true, .ttl = 64,
                      .proto = VNS_IPPROTO_UDP, .src = 0xc0a80001, .dst = 0xc0a800c7 };
    VnsIpv4Hdr h2 = { .total_len = 0x30, .id = 0x4422, .df = true, .ttl = 128,
                      .proto = VNS_IPPROTO_TCP, .src = 0x8c7c19ac, .dst = 0xae241e2b };

    cr_assert_arr_eq(vns_ipv4_push(pkt, &h1), want1, 20);
    cr_assert(vns_ipv4_checksum_ok(vns_packet_data(pkt), 20));
    vns_packet_pull(pkt, 20);
    cr_assert_arr_eq(vns_ipv4_push(pkt, &h2), want2, 20);
    cr_assert_eq(vns_ipv4_checksum(want2), 0x442e);
    vns_packet_free(pkt);
}

Test(checksum, rfc1624_incremental_example)
{
    /* RFC 1624 section 4: the other header words sum to 0xcd7a and a field
     * changes from 0x5555 to 0x3285. HC = ~(0xcd7a + 0x5555) = 0xdd2f; the
     * recomputed HC' = ~(0xcd7a + 0x3285) = ~0xffff = 0x0000, which
     * equation 3 gives and equation 2 (RFC 1141) does not (0xffff). */
    const uint8_t before[4] = { 0xcd, 0x7a, 0x55, 0x55 };
    const uint8_t after[4] = { 0xcd, 0x7a, 0x32, 0x85 };
    uint16_t hc = vns_csum_fold(vns_csum_partial(before, 4, 0));
    uint16_t fresh = vns_csum_fold(vns_csum_partial(after, 4, 0));

    cr_assert_eq(hc, 0xdd2f);
    cr_assert_eq(fresh, 0x0000);
    cr_assert_eq(vns_csum_update16(hc, 0x5555, 0x3285), fresh);
}

Test(checksum, incremental_matches_recomputation)
{
    /* Random IPv4 headers, random changes of TTL, addresses and flags: the
     * in-place setters (RFC 1624) must agree with a fresh computation. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();

    gsl_rng_set(rng, 7);
    for (int i = 0; i < 10000; i++) {
        uint32_t payload = (uint32_t) gsl_rng_uniform_int(rng, 1400);
        VnsPacket *pkt = vns_packet_new(pool, payload);
        VnsIpv4Hdr h = { .ttl = (uint8_t) gsl_rng_uniform_int(rng, 256),
                         .proto = (uint8_t) gsl_rng_uniform_int(rng, 256),
                         .id = (uint16_t) gsl_rng_get(rng),
                         .src = (uint32_t) gsl_rng_get(rng),
                         .dst = (uint32_t) gsl_rng_get(rng) };
        uint8_t *ip = vns_ipv4_push(pkt, &h);
        uint16_t off = (uint16_t) (8 * gsl_rng_uniform_int(rng, 8192));

        switch (i % 5) {
        case 0: vns_ipv4_dec_ttl(ip); break;
        case 1: vns_ipv4_set_src(ip, (uint32_t) gsl_rng_get(rng)); break;
        case 2: vns_ipv4_set_dst(ip, (uint32_t) gsl_rng_get(rng)); break;
        case 3: vns_ipv4_set_frag(ip, false, true, off); break;
        default: vns_ipv4_set_id(ip, vns_ipv4_id(ip)); break;   /* no change */
        }
        cr_assert_eq(vns_wire_get16(ip + 10), vns_ipv4_checksum(ip), "case %d", i % 5);
        vns_packet_free(pkt);
    }
    gsl_rng_free(rng);
}

/* The one's complement sum over pseudo-header and segment, checksum
 * included, must be 0xffff (RFC 1071 section 1 (3)). */
static void
assert_l4_verifies(VnsPacket *pkt, size_t l3, size_t l4, uint8_t proto)
{
    const uint8_t *d = vns_packet_data(pkt);
    uint32_t l4_size = vns_packet_size(pkt) - (uint32_t) l4;
    uint16_t ps = net_test_pseudo_sum(d + l3, proto, l4_size);

    cr_assert_eq(net_test_ones_sum(d + l4, pkt->len - l4, ps), 0xffff,
                 "proto %u: sum over pseudo-header and %u bytes", proto, l4_size);
}

Test(checksum, transport_checksums_verify)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p;

    /* Offsets: Ethernet 14, IPv4 20, IPv6 40 (+ 8 + 24 + 16 extensions). */
    p = net_test_udp4(pool, 1000);
    assert_l4_verifies(p, 14, 34, VNS_IPPROTO_UDP);
    vns_packet_free(p);
    p = net_test_udp4(pool, 1);         /* odd payload: zero pad, RFC 768 */
    assert_l4_verifies(p, 14, 34, VNS_IPPROTO_UDP);
    vns_packet_free(p);
    p = net_test_tcp4_syn(pool);
    assert_l4_verifies(p, 14, 34, VNS_IPPROTO_TCP);
    vns_packet_free(p);
    p = net_test_tcp4_sack(pool, 1448);
    assert_l4_verifies(p, 14, 34, VNS_IPPROTO_TCP);
    vns_packet_free(p);
    p = net_test_udp6(pool, 1200);
    assert_l4_verifies(p, 14, 54, VNS_IPPROTO_UDP);
    vns_packet_free(p);
    p = net_test_tcp6_ext(pool, 100);
    assert_l4_verifies(p, 14, 54 + 8 + 24 + 16, VNS_IPPROTO_TCP);
    vns_packet_free(p);
    p = net_test_icmp6_ns(pool);
    assert_l4_verifies(p, 14, 54, VNS_IPPROTO_ICMPV6);
    vns_packet_free(p);
    p = net_test_icmp6_ptb(pool, 1280);
    assert_l4_verifies(p, 14, 54, VNS_IPPROTO_ICMPV6);
    vns_packet_free(p);
    /* ICMPv4 has no pseudo-header (RFC 792). */
    p = net_test_icmp4_echo(pool, 56);
    cr_assert_eq(net_test_ones_sum(vns_packet_data(p) + 34, p->len - 34, 0), 0xffff);
    vns_packet_free(p);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
}

Test(checksum, udp_zero_sum_is_sent_as_ffff)
{
    /* RFC 768: "If the computed checksum is zero, it is transmitted as all
     * ones". Search source ports for one whose checksum computes to zero. */
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsIpAddr s = vns_ip_addr_v4(NT_IP4_A), d = vns_ip_addr_v4(NT_IP4_B);
    bool found = false;

    for (uint32_t port = 0; port < 65536 && !found; port++) {
        VnsPacket *pkt = vns_packet_new(pool, 10);
        VnsUdpHdr u = { .sport = (uint16_t) port, .dport = 9 };
        uint8_t *p = vns_udp_push(pkt, &u, &s, &d);
        /* The checksum as if the field were zero, computed independently. */
        uint8_t copy[8];
        memcpy(copy, p, 8);
        copy[6] = copy[7] = 0;
        uint16_t sum = net_test_ones_sum(copy, 8, net_test_pseudo_sum(
            (uint8_t[]) { 0x45, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                          10, 0, 0, 1, 10, 0, 0, 2 }, VNS_IPPROTO_UDP, 18));
        uint16_t want = (uint16_t) ~sum;
        if (want == 0) {
            cr_assert_eq(vns_wire_get16(p + 6), 0xffff);
            found = true;
        } else {
            cr_assert_eq(vns_wire_get16(p + 6), want);
        }
        vns_packet_free(pkt);
    }
    cr_assert(found, "some source port gives a zero sum");
}
