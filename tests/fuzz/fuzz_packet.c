/* libFuzzer target: the packet header parsers. The first input byte picks
 * a parser (modulo the number of parsers) and the rest is the bytes it
 * reads: the flow key parsers (from Ethernet or from IP) and each codec's
 * parse function. Besides the sanitizers' checks (no read outside the
 * bytes given), every parse that succeeds must describe a header that
 * fits in them, and the parsers must agree with one another: a frame's key
 * from Ethernet matches the key of its IP bytes alone, a symmetric flow
 * hash is the same both ways, and the incremental IPv4 checksum updates of
 * RFC 1624 keep a valid header checksum valid. */
#include <config.h>

#include <string.h>
#include <glib.h>
#include "fuzz.h"
#include "net/flow_key.h"
#include "net/proto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef void (*FuzzPacketFn)(const uint8_t *data, size_t size);

/* Reads every byte of a range, so that ASan sees a range that is not all
 * inside the input. */
static void
fuzz_packet_touch(const uint8_t *p, size_t n)
{
    volatile uint8_t sink = 0;

    for (size_t k = 0; k < n; k++)
        sink ^= p[k];
    (void) sink;
}

/* The parse offsets must lie inside the bytes, in layer order. */
static void
fuzz_packet_check_offsets(const VnsFlowOffsets *off, size_t size)
{
    size_t last = 0;
    uint16_t layers[3] = { off->l2, off->l3, off->l4 };

    for (int k = 0; k < 3; k++) {
        if (layers[k] == VNS_OFF_NONE)
            continue;
        FUZZ_CHECK(layers[k] <= size && layers[k] >= last);
        last = layers[k];
    }
    if (off->l4 != VNS_OFF_NONE)
        FUZZ_CHECK(off->l3 != VNS_OFF_NONE);
}

/* Hashing: VNS_FLOW_HASH_SYMMETRIC gives both directions of a flow the same
 * hash (flow_key.h); the key is formatted for good measure. */
static void
fuzz_packet_check_key(const VnsFlowKey *key)
{
    const VnsFlowHashFlags sym_l3 = VNS_FLOW_HASH_SYMMETRIC | VNS_FLOW_HASH_L3;
    VnsFlowKey back = *key;
    g_autofree char *text = vns_flow_key_format(key);

    back.src = key->dst;
    back.dst = key->src;
    back.sport = key->dport;
    back.dport = key->sport;
    FUZZ_CHECK(text != NULL);
    FUZZ_CHECK(vns_flow_key_hash(key, 7, VNS_FLOW_HASH_SYMMETRIC) ==
               vns_flow_key_hash(&back, 7, VNS_FLOW_HASH_SYMMETRIC));
    FUZZ_CHECK(vns_flow_key_hash(key, 7, sym_l3) ==
               vns_flow_key_hash(&back, 7, sym_l3));
    FUZZ_CHECK(vns_flow_key_equal(key, key));
}

static void
fuzz_packet_flow_eth(const uint8_t *data, size_t size)
{
    VnsFlowKey key, ip_key;
    VnsFlowOffsets off, ip_off;
    bool ok = vns_flow_key_parse_eth(&key, &off, data, size);
    bool ip_ok;

    fuzz_packet_check_offsets(&off, size);
    fuzz_packet_check_key(&key);
    if (ok)
        FUZZ_CHECK(off.l2 == 0);
    if (off.l3 == VNS_OFF_NONE)
        return;
    /* The same IP bytes without the link layer parse alike. */
    ip_ok = vns_flow_key_parse_ip(&ip_key, &ip_off, data + off.l3, size - off.l3);
    FUZZ_CHECK(ip_ok == ok);
    FUZZ_CHECK(ip_off.l3 == 0);
    FUZZ_CHECK(off.l4 == VNS_OFF_NONE ? ip_off.l4 == VNS_OFF_NONE
                                      : ip_off.l4 == off.l4 - off.l3);
    ip_key.eth_src = key.eth_src;
    ip_key.eth_dst = key.eth_dst;
    ip_key.vlan_id = key.vlan_id;
    FUZZ_CHECK(vns_flow_key_equal(&key, &ip_key));
}

static void
fuzz_packet_flow_ip(const uint8_t *data, size_t size)
{
    VnsFlowKey key;
    VnsFlowOffsets off;
    bool ok = vns_flow_key_parse_ip(&key, &off, data, size);

    fuzz_packet_check_offsets(&off, size);
    fuzz_packet_check_key(&key);
    FUZZ_CHECK(off.l2 == VNS_OFF_NONE);
    if (ok)
        FUZZ_CHECK(off.l3 == 0 && key.family != VNS_IP_NONE);
}

static void
fuzz_packet_eth(const uint8_t *data, size_t size)
{
    VnsEthHdr h;

    if (vns_eth_parse(data, size, &h))
        FUZZ_CHECK(size >= VNS_ETH_HLEN);
}

static void
fuzz_packet_vlan(const uint8_t *data, size_t size)
{
    VnsVlanHdr h;

    if (vns_vlan_parse(data, size, &h))
        FUZZ_CHECK(size >= VNS_VLAN_HLEN && h.vid <= 0xfff && h.pcp <= 7);
}

static void
fuzz_packet_arp(const uint8_t *data, size_t size)
{
    VnsArpHdr h;

    if (vns_arp_parse(data, size, &h))
        FUZZ_CHECK(size >= VNS_ARP_LEN);
}

/* After the accessors change fields of a header with a valid checksum, the
 * checksum must still verify (RFC 1624 equation 3). */
static void
fuzz_packet_ipv4_update(const uint8_t *data, const VnsIpv4Hdr *h)
{
    g_autofree uint8_t *ip = g_memdup2(data, h->hdr_len);

    vns_wire_put16(ip + 10, vns_ipv4_checksum(ip));
    FUZZ_CHECK(vns_ipv4_checksum_ok(ip, h->hdr_len));
    vns_ipv4_dec_ttl(ip);
    FUZZ_CHECK(vns_ipv4_checksum_ok(ip, h->hdr_len));
    vns_ipv4_set_src(ip, h->dst);
    vns_ipv4_set_dst(ip, h->src ^ 0xffffffffu);
    FUZZ_CHECK(vns_ipv4_checksum_ok(ip, h->hdr_len));
    vns_ipv4_set_id(ip, (uint16_t) ~h->id);
    vns_ipv4_set_total_len(ip, h->checksum);
    vns_ipv4_set_frag(ip, !h->df, !h->mf, (uint16_t) (h->frag_offset ^ 0xfff8));
    FUZZ_CHECK(vns_ipv4_checksum_ok(ip, h->hdr_len));
    FUZZ_CHECK(vns_ipv4_id(ip) == (uint16_t) ~h->id);
    FUZZ_CHECK(vns_ipv4_df(ip) == !h->df && vns_ipv4_mf(ip) == !h->mf);
    FUZZ_CHECK(vns_ipv4_frag_offset(ip) == (uint16_t) (h->frag_offset ^ 0xfff8));
}

static void
fuzz_packet_ipv4(const uint8_t *data, size_t size)
{
    VnsIpv4Hdr h;

    if (!vns_ipv4_parse(data, size, &h))
        return;
    FUZZ_CHECK(h.hdr_len >= VNS_IPV4_HLEN && h.hdr_len <= VNS_IPV4_MAX_HLEN &&
               h.hdr_len % 4 == 0 && h.hdr_len <= size);
    FUZZ_CHECK(h.total_len >= h.hdr_len && h.frag_offset % 8 == 0);
    FUZZ_CHECK(h.dscp < 64 && h.ecn < 4);
    if (h.hdr_len > VNS_IPV4_HLEN) {
        FUZZ_CHECK(h.options == data + VNS_IPV4_HLEN);
        fuzz_packet_touch(h.options, h.hdr_len - VNS_IPV4_HLEN);
    }
    fuzz_packet_ipv4_update(data, &h);
}

static void
fuzz_packet_ipv6(const uint8_t *data, size_t size)
{
    VnsIpv6Hdr h;

    if (!vns_ipv6_parse(data, size, &h))
        return;
    FUZZ_CHECK(size >= VNS_IPV6_HLEN);
    FUZZ_CHECK(h.l4_off >= VNS_IPV6_HLEN && h.l4_off <= size);
    FUZZ_CHECK(h.flow_label < (1u << 20) && h.dscp < 64 && h.ecn < 4);
    FUZZ_CHECK(h.frag_offset % 8 == 0);
    FUZZ_CHECK(h.frag || (!h.mf && h.frag_offset == 0));
}

static void
fuzz_packet_icmp(const uint8_t *data, size_t size)
{
    VnsIcmpHdr h;

    if (vns_icmp_parse(data, size, &h))
        FUZZ_CHECK(size >= VNS_ICMP_HLEN);
}

static void
fuzz_packet_icmp6(const uint8_t *data, size_t size)
{
    VnsIcmp6Hdr h;

    if (!vns_icmp6_parse(data, size, &h))
        return;
    FUZZ_CHECK(size >= VNS_ICMP6_HLEN);
    /* What was parsed was there: the message push would write is no
     * longer than the bytes read. */
    FUZZ_CHECK(vns_icmp6_hdr_size(&h) <= size);
}

static void
fuzz_packet_udp(const uint8_t *data, size_t size)
{
    VnsUdpHdr h;

    if (vns_udp_parse(data, size, &h))
        FUZZ_CHECK(size >= VNS_UDP_HLEN);
}

static void
fuzz_packet_tcp(const uint8_t *data, size_t size)
{
    VnsTcpHdr h;

    if (!vns_tcp_parse(data, size, &h))
        return;
    FUZZ_CHECK(h.hdr_len >= VNS_TCP_HLEN && h.hdr_len <= VNS_TCP_MAX_HLEN &&
               h.hdr_len % 4 == 0 && h.hdr_len <= size);
    FUZZ_CHECK(h.opts.sack_blocks <= VNS_TCP_MAX_SACK);
}

/* Indexed by the first input byte, modulo the count; tests/fuzz/corpus/
 * packet/ names its files after these. */
static const FuzzPacketFn fuzz_packet_parsers[] = {
    fuzz_packet_flow_eth,   /* 0 */
    fuzz_packet_flow_ip,    /* 1 */
    fuzz_packet_eth,        /* 2 */
    fuzz_packet_vlan,       /* 3 */
    fuzz_packet_arp,        /* 4 */
    fuzz_packet_ipv4,       /* 5 */
    fuzz_packet_ipv6,       /* 6 */
    fuzz_packet_icmp,       /* 7 */
    fuzz_packet_icmp6,      /* 8 */
    fuzz_packet_udp,        /* 9 */
    fuzz_packet_tcp,        /* 10 */
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t which;

    if (size == 0)
        return 0;
    which = data[0] % G_N_ELEMENTS(fuzz_packet_parsers);
    fuzz_packet_parsers[which](data + 1, size - 1);
    return 0;
}
