/* Tests of flow keys: fields parsed from sample frames, unknowns for
 * malformed ones, caching on the packet, hashing and equality. */
#include <config.h>
#include <criterion/criterion.h>
#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include "net_test.h"

Test(flow_key, udp4_fields)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_udp4(pool, 100);
    const VnsFlowKey *k = vns_packet_flow_key(p);

    cr_assert(p->key_valid);
    cr_assert_eq(p->l2_off, 0);
    cr_assert_eq(p->l3_off, 14);
    cr_assert_eq(p->l4_off, 34);
    cr_assert(vns_mac_equal(&k->eth_src, &NT_MAC_A));
    cr_assert(vns_mac_equal(&k->eth_dst, &NT_MAC_B));
    cr_assert_eq(k->vlan_id, VNS_VLAN_NONE);
    cr_assert_eq(k->ethertype, VNS_ETHERTYPE_IPV4);
    cr_assert_eq(k->family, VNS_IP_V4);
    cr_assert_eq(k->src.v4, NT_IP4_A);
    cr_assert_eq(k->dst.v4, NT_IP4_B);
    cr_assert_eq(k->proto, VNS_IPPROTO_UDP);
    cr_assert_eq(k->ttl, 64);
    cr_assert_eq(k->frag, VNS_FLOW_FRAG_NONE);
    cr_assert_eq(k->sport, 40000);
    cr_assert_eq(k->dport, 5001);
    cr_assert_eq(k->tunnel_id, 0);
    g_autofree char *s = vns_flow_key_format(k);
    cr_assert_str_eq(s, "udp 10.0.0.1:40000 > 10.0.0.2:5001");
    vns_packet_free(p);
}

Test(flow_key, vlan_tcp_icmp_fields)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *v = net_test_vlan_udp4(pool, 300);
    VnsPacket *t = net_test_tcp4_syn(pool);
    VnsPacket *i = net_test_icmp4_echo(pool, 56);
    VnsPacket *n = net_test_icmp6_ns(pool);
    const VnsFlowKey *k;

    k = vns_packet_flow_key(v);
    cr_assert_eq(k->vlan_id, 300);
    cr_assert_eq(k->ethertype, VNS_ETHERTYPE_IPV4);
    cr_assert_eq(k->dscp, 46);
    cr_assert_eq(v->l3_off, 18);
    cr_assert_eq(k->dport, 5001);
    k = vns_packet_flow_key(t);
    cr_assert_eq(k->tcp_flags, VNS_TCP_SYN);
    cr_assert_eq(k->sport, 43210);
    cr_assert_eq(k->dport, 80);
    k = vns_packet_flow_key(i);
    cr_assert_eq(k->icmp_type, VNS_ICMP_ECHO_REQUEST);
    cr_assert_eq(k->icmp_id, 0x4242);
    k = vns_packet_flow_key(n);
    cr_assert_eq(k->family, VNS_IP_V6);
    cr_assert_eq(k->icmp_type, VNS_ICMP6_NEIGHBOR_SOLICIT);
    cr_assert_eq(k->ttl, 255);
    vns_packet_free(v);
    vns_packet_free(t);
    vns_packet_free(i);
    vns_packet_free(n);
}

Test(flow_key, ipv6_extension_headers_reach_tcp)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_tcp6_ext(pool, 10);
    const VnsFlowKey *k = vns_packet_flow_key(p);

    cr_assert_eq(k->proto, VNS_IPPROTO_TCP);
    cr_assert_eq(p->l4_off, 14 + 40 + 48);
    cr_assert_eq(k->dport, 443);
    cr_assert_eq(k->tcp_flags, VNS_TCP_ACK);
    g_autofree char *s = vns_flow_key_format(k);
    cr_assert_str_eq(s, "tcp [2001:db8::1]:50000 > [2001:db8::2]:443");
    vns_packet_free(p);
}

Test(flow_key, vxlan_vni_and_l3_parse)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_vxlan(pool, 0xabcdef);
    const VnsFlowKey *k = vns_packet_flow_key(p);

    /* The outer headers: 172.16.0.1 -> 172.16.0.2 UDP to 4789. */
    cr_assert_eq(k->src.v4, 0xAC100001u);
    cr_assert_eq(k->dport, VNS_UDP_PORT_VXLAN);
    cr_assert_eq(k->tunnel_id, 0xabcdef);
    /* Decapsulate: outer Ethernet, IPv4, UDP, VXLAN = 14 + 20 + 8 + 8. */
    vns_packet_pull(p, 50);
    cr_assert_not(p->key_valid);
    k = vns_packet_flow_key(p);
    cr_assert_eq(k->src.v4, 0xC0A80001u);
    cr_assert_eq(k->dport, 80);
    cr_assert_eq(k->tunnel_id, 0);
    /* An L3 tunnel's inner packet starts at the IP header. */
    vns_packet_pull(p, 14);
    k = vns_packet_parse_l3(p);
    cr_assert_eq(p->l2_off, VNS_OFF_NONE);
    cr_assert_eq(p->l3_off, 0);
    cr_assert_eq(p->l4_off, 20);
    cr_assert_eq(k->ethertype, VNS_ETHERTYPE_IPV4);
    cr_assert_eq(k->dst.v4, 0xC0A80002u);
    cr_assert_eq(k->sport, 1234);
    vns_packet_free(p);
}

Test(flow_key, fragments)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *first = net_test_udp4(pool, 1000);
    VnsPacket *later = net_test_udp4(pool, 1000);
    uint8_t *ip;
    VnsFlowKey a, b;

    ip = vns_packet_data(first) + 14;
    vns_ipv4_set_frag(ip, false, true, 0);
    vns_packet_invalidate(first);
    ip = vns_packet_data(later) + 14;
    vns_ipv4_set_frag(ip, false, false, 1480);
    vns_packet_invalidate(later);
    a = *vns_packet_flow_key(first);
    b = *vns_packet_flow_key(later);
    cr_assert_eq(a.frag, VNS_FLOW_FRAG_FIRST);
    cr_assert_eq(a.dport, 5001);          /* the first fragment has the header */
    cr_assert_eq(b.frag, VNS_FLOW_FRAG_LATER);
    cr_assert_eq(b.dport, 0);           /* later ones do not */
    cr_assert_eq(later->l4_off, VNS_OFF_NONE);
    /* All fragments of a datagram hash alike, so ECMP keeps them together. */
    cr_assert_eq(vns_flow_key_hash(&a, 1, 0), vns_flow_key_hash(&b, 1, 0));
    vns_packet_free(first);
    vns_packet_free(later);
}

Test(flow_key, malformed_leaves_fields_unknown)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_tcp4_syn(pool);
    const VnsFlowKey *k;

    /* Cut inside the TCP options: L3 known, L4 unknown. */
    vns_packet_trim(p, 14 + 20 + 30);
    k = vns_packet_flow_key(p);
    cr_assert_eq(k->family, VNS_IP_V4);
    cr_assert_eq(p->l3_off, 14);
    cr_assert_eq(p->l4_off, VNS_OFF_NONE);
    cr_assert_eq(k->sport, 0);
    cr_assert_eq(k->tcp_flags, 0);
    /* A bad IP version: L2 known, L3 unknown. */
    vns_packet_data(p)[14] = 0x55;
    vns_packet_invalidate(p);
    k = vns_packet_flow_key(p);
    cr_assert_eq(k->ethertype, VNS_ETHERTYPE_IPV4);
    cr_assert_eq(k->family, VNS_IP_NONE);
    cr_assert_eq(p->l3_off, VNS_OFF_NONE);
    /* Too short for Ethernet: everything unknown. */
    vns_packet_trim(p, 13);
    k = vns_packet_flow_key(p);
    cr_assert_eq(p->l2_off, VNS_OFF_NONE);
    cr_assert_eq(k->ethertype, 0);
    cr_assert_eq(k->vlan_id, VNS_VLAN_NONE);
    vns_packet_free(p);
}

Test(flow_key, ethernet_padding_is_not_l4)
{
    /* A 60-byte minimum frame carrying a 28-byte IPv4/UDP datagram with
     * zero data: the 18 bytes of padding after Total Length are ignored. */
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_udp4(pool, 0);
    const VnsFlowKey *k;

    vns_packet_put(p, 18);
    k = vns_packet_flow_key(p);
    cr_assert_eq(k->dport, 5001);
    /* A Total Length that ends inside the UDP header: L4 refused. */
    vns_ipv4_set_total_len(vns_packet_data(p) + 14, 24);
    vns_packet_invalidate(p);
    k = vns_packet_flow_key(p);
    cr_assert_eq(k->family, VNS_IP_V4);
    cr_assert_eq(p->l4_off, VNS_OFF_NONE);
    vns_packet_free(p);
}

/* Every field that a parse of a prefix knows agrees with the parse of the
 * whole frame; a field it does not know is at its unknown value. */
static void
assert_prefix_consistent(const VnsFlowKey *k, const VnsFlowOffsets *o,
                         const VnsFlowKey *full, size_t n)
{
    VnsFlowKey unknown;

    vns_flow_key_init(&unknown);
    if (o->l2 == VNS_OFF_NONE) {
        cr_assert(vns_flow_key_equal(k, &unknown), "n %zu: L2 unknown, key not", n);
        return;
    }
    cr_assert(vns_mac_equal(&k->eth_src, &full->eth_src), "n %zu", n);
    cr_assert(k->ethertype == full->ethertype || k->ethertype == 0, "n %zu", n);
    if (o->l3 == VNS_OFF_NONE) {
        cr_assert_eq(k->family, VNS_IP_NONE, "n %zu", n);
        cr_assert_eq(k->sport, 0, "n %zu", n);
        return;
    }
    cr_assert_eq(k->family, full->family, "n %zu", n);
    cr_assert(vns_ip_addr_equal(&k->src, &full->src), "n %zu", n);
    cr_assert(vns_ip_addr_equal(&k->dst, &full->dst), "n %zu", n);
    cr_assert_eq(k->proto, full->proto, "n %zu", n);
    cr_assert_eq(k->ttl, full->ttl, "n %zu", n);
    if (o->l4 == VNS_OFF_NONE) {
        cr_assert_eq(k->sport, 0, "n %zu", n);
        cr_assert_eq(k->dport, 0, "n %zu", n);
        cr_assert_eq(k->tcp_flags, 0, "n %zu", n);
        cr_assert_eq(k->icmp_type, 0, "n %zu", n);
        return;
    }
    cr_assert_eq(k->sport, full->sport, "n %zu", n);
    cr_assert_eq(k->dport, full->dport, "n %zu", n);
    cr_assert_eq(k->tcp_flags, full->tcp_flags, "n %zu", n);
    cr_assert_eq(k->icmp_type, full->icmp_type, "n %zu", n);
    cr_assert_eq(k->icmp_id, full->icmp_id, "n %zu", n);
    /* The tunnel header is read when present (best effort). */
    cr_assert(k->tunnel_id == full->tunnel_id || k->tunnel_id == 0, "n %zu", n);
}

Test(flow_key, prefixes_parse_consistently)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();

    for (int s = 0; s < NET_TEST_N_SAMPLES; s++) {
        VnsPacket *p = net_test_sample(pool, s);
        VnsFlowKey full = *vns_packet_flow_key(p);
        VnsFlowOffsets fo = { p->l2_off, p->l3_off, p->l4_off };

        /* The whole frame parses completely (ARP: layer 2 only). */
        cr_assert_eq(fo.l2, 0, "sample %d", s);
        cr_assert(s == 5 || (fo.l3 != VNS_OFF_NONE && fo.l4 != VNS_OFF_NONE),
                  "sample %d", s);
        for (size_t n = 0; n <= p->len; n++) {
            g_autofree uint8_t *b = n > 0 ? g_memdup2(vns_packet_data(p), n) : NULL;
            VnsFlowKey k;
            VnsFlowOffsets o;
            bool ok = vns_flow_key_parse_eth(&k, &o, b, n);

            assert_prefix_consistent(&k, &o, &full, n);
            if (n == p->len) {
                cr_assert(ok, "sample %d", s);
                cr_assert(vns_flow_key_equal(&k, &full), "sample %d", s);
            }
            /* A prefix that ends inside the headers reaching layer 4 fails. */
            if (fo.l4 != VNS_OFF_NONE && n < fo.l4 + 4u)
                cr_assert_not(ok, "sample %d n %zu", s, n);
        }
        vns_packet_free(p);
    }
}

Test(flow_key, cache_is_invalidated_by_push_and_pull)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_udp4(pool, 100);
    const VnsFlowKey *k = vns_packet_flow_key(p);
    VnsVlanHdr tag = { .vid = 42 };

    cr_assert(p->key_valid);
    cr_assert_eq(vns_packet_flow_key(p), k);        /* cached: same key */
    cr_assert_eq(k->vlan_id, VNS_VLAN_NONE);
    cr_assert(vns_vlan_insert(p, VNS_ETHERTYPE_VLAN, &tag));
    cr_assert_not(p->key_valid);
    cr_assert_eq(p->l3_off, VNS_OFF_NONE);
    k = vns_packet_flow_key(p);
    cr_assert_eq(k->vlan_id, 42);
    cr_assert_eq(p->l3_off, 18);
    cr_assert(vns_vlan_strip(p, NULL));
    cr_assert_not(p->key_valid);
    k = vns_packet_flow_key(p);
    cr_assert_eq(k->vlan_id, VNS_VLAN_NONE);
    vns_packet_put(p, 1);
    cr_assert_not(p->key_valid);
    vns_packet_free(p);
}

static VnsFlowKey
random_tuple(gsl_rng *rng)
{
    VnsFlowKey k;

    vns_flow_key_init(&k);
    k.family = VNS_IP_V4;
    k.proto = gsl_rng_uniform(rng) < 0.5 ? VNS_IPPROTO_TCP : VNS_IPPROTO_UDP;
    k.src = vns_ip_addr_v4((uint32_t) gsl_rng_get(rng));
    k.dst = vns_ip_addr_v4((uint32_t) gsl_rng_get(rng));
    k.sport = (uint16_t) gsl_rng_get(rng);
    k.dport = (uint16_t) gsl_rng_get(rng);
    return k;
}

Test(flow_key, hash_spreads_evenly_over_ecmp_buckets)
{
    /* 1e5 random 5-tuples into 8 buckets. Each bucket's share is binomial
     * with p = 1/8: its standard deviation is sqrt(p(1-p)/n) = 0.00105, so
     * a tolerance of 0.02 is about 19 sigma and can only fail for a broken
     * hash. A chi-square test with 7 degrees of freedom is the sharper
     * check: a good hash passes p > 0.001 at this fixed seed. Also the
     * same tuples from a few realistic low-entropy sources (one client,
     * sequential ports). */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    const int n = 100000;

    gsl_rng_set(rng, 42);
    for (int trial = 0; trial < 3; trial++) {
        unsigned count[8] = { 0 };
        double chi2 = 0;

        for (int i = 0; i < n; i++) {
            VnsFlowKey k = random_tuple(rng);
            if (trial == 1) {           /* one client, ephemeral ports in order */
                k.src = vns_ip_addr_v4(NT_IP4_A);
                k.dst = vns_ip_addr_v4(NT_IP4_B);
                k.dport = 443;
                k.sport = (uint16_t) (32768 + i % 28232);
                k.proto = VNS_IPPROTO_TCP;
                k.src.v4 += (uint32_t) (i / 28232);
            } else if (trial == 2) {    /* one server, clients in 10.0.0.0/16 */
                k.dst = vns_ip_addr_v4(NT_IP4_B);
                k.dport = 80;
                k.src.v4 = 0x0A000000u | (uint32_t) (i & 0xffff);
                k.sport = 40000;
                k.proto = VNS_IPPROTO_TCP;
            }
            count[vns_flow_key_hash(&k, 0x5eed, 0) % 8]++;
        }
        for (int b = 0; b < 8; b++) {
            double share = (double) count[b] / n;
            cr_assert(fabs(share - 0.125) < 0.02, "trial %d bucket %d share %f",
                      trial, b, share);
            chi2 += (count[b] - n / 8.0) * (count[b] - n / 8.0) / (n / 8.0);
        }
        cr_assert_gt(gsl_cdf_chisq_Q(chi2, 7), 0.001, "trial %d chi2 %f", trial, chi2);
    }
    gsl_rng_free(rng);
}

Test(flow_key, hash_symmetry_and_seeds)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int same_dir = 0, same_seed = 0;

    gsl_rng_set(rng, 5);
    for (int i = 0; i < 10000; i++) {
        VnsFlowKey f = random_tuple(rng), r = f;
        r.src = f.dst;
        r.dst = f.src;
        r.sport = f.dport;
        r.dport = f.sport;
        cr_assert_eq(vns_flow_key_hash(&f, 9, VNS_FLOW_HASH_SYMMETRIC),
                     vns_flow_key_hash(&r, 9, VNS_FLOW_HASH_SYMMETRIC));
        same_dir += vns_flow_key_hash(&f, 9, 0) == vns_flow_key_hash(&r, 9, 0);
        same_seed += vns_flow_key_hash(&f, 1, 0) % 8 == vns_flow_key_hash(&f, 2, 0) % 8;
        /* L3 hashing ignores ports. */
        r = f;
        r.sport++;
        cr_assert_eq(vns_flow_key_hash(&f, 3, VNS_FLOW_HASH_L3),
                     vns_flow_key_hash(&r, 3, VNS_FLOW_HASH_L3));
    }
    /* Without the flag, the directions differ (a collision is 1 in 2^32). */
    cr_assert_leq(same_dir, 1);
    /* Different seeds choose independently: the same bucket of 8 about
     * 1/8 of the time (1250 of 10000, binomial sd 33; 20 sigma bound). */
    cr_assert(same_seed > 600 && same_seed < 1900, "%d", same_seed);
    gsl_rng_free(rng);
}

Test(flow_key, equality)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *a = net_test_udp4(pool, 10), *b = net_test_udp4(pool, 2000);
    VnsPacket *c = net_test_udp6(pool, 10);
    VnsFlowKey ka = *vns_packet_flow_key(a), kb = *vns_packet_flow_key(b);

    /* Payload size is not part of the key. */
    cr_assert(vns_flow_key_equal(&ka, &kb));
    cr_assert(vns_flow_key_equal_5tuple(&ka, &kb));
    kb.ttl--;
    cr_assert_not(vns_flow_key_equal(&ka, &kb));
    cr_assert(vns_flow_key_equal_5tuple(&ka, &kb));
    kb = ka;
    kb.sport++;
    cr_assert_not(vns_flow_key_equal_5tuple(&ka, &kb));
    cr_assert_not(vns_flow_key_equal(&ka, vns_packet_flow_key(c)));
    vns_packet_free(a);
    vns_packet_free(b);
    vns_packet_free(c);
}
