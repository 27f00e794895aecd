/* libFuzzer target: the packet header parsers. The first input byte picks
 * a parser (modulo the number of parsers) and the rest is the bytes it
 * reads: the flow key parsers (from Ethernet or from IP) and each codec's
 * parse function. Besides the sanitizers' checks (no read outside the
 * bytes given), every parse that succeeds must describe a header that
 * fits in them, and the parsers must agree with one another: a frame's key
 * from Ethernet matches the key of its IP bytes alone, a symmetric flow
 * hash is the same both ways, and the incremental IPv4 checksum updates of
 * RFC 1624 keep a valid header checksum valid. The tunnel codecs (VXLAN,
 * Geneve, GRE) must read back what they push, and vns_layers_add() must
 * stay inside the stored header bytes of a packet (its buffer here is
 * exactly pkt->len bytes, so ASan sees any read past them) and account for
 * every byte of the frame on the line exactly once. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "fuzz.h"
#include "net/flow_key.h"
#include "net/geneve.h"
#include "net/gre.h"
#include "net/layers.h"
#include "net/proto.h"
#include "net/vxlan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef void (*FuzzPacketFn)(const uint8_t *data, size_t size);

/* The packet pool of the round trips (push, then parse), made once per
 * process: a pool per input would allocate and clear a 64 KiB slab each
 * time. Every packet goes back to it within the input. */
static VnsPacketPool *fuzz_packet_pool;

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

/* A packet whose stored header bytes are a copy of 'data' in a buffer of
 * exactly 'size' bytes (no headroom, no slack), so that a read past
 * pkt->len is a heap overflow ASan reports. malloc(0) gives a distinct
 * pointer with no bytes (like a pooled packet, buf is never NULL; g_malloc
 * would return NULL). Free with free(pkt->buf). */
static void
fuzz_packet_exact(VnsPacket *pkt, const uint8_t *data, size_t size,
                  uint32_t payload_len)
{
    memset(pkt, 0, sizeof *pkt);
    pkt->buf = malloc(size);
    FUZZ_CHECK(pkt->buf != NULL);
    if (size > 0)
        memcpy(pkt->buf, data, size);
    pkt->buf_size = (uint32_t) size;
    pkt->head = 0;
    pkt->len = (uint32_t) size;
    pkt->payload_len = payload_len;
    vns_packet_invalidate(pkt);
}

/* VXLAN (RFC 7348 section 5): a parsed VNI has 24 bits, and pushing it
 * back gives a header with only the I flag that parses to the same VNI. */
static void
fuzz_packet_vxlan(const uint8_t *data, size_t size)
{
    VnsPacket *pkt;
    uint32_t vni, back;
    const uint8_t *p;

    if (!vns_vxlan_parse(data, size, &vni))
        return;
    FUZZ_CHECK(size >= VNS_VXLAN_HLEN && vni <= VNS_VXLAN_VNI_MAX);
    FUZZ_CHECK((data[0] & VNS_VXLAN_FLAG_I) != 0);
    pkt = vns_packet_new(fuzz_packet_pool, 0);
    p = vns_vxlan_push(pkt, vni);
    FUZZ_CHECK(p != NULL && pkt->len == VNS_VXLAN_HLEN);
    FUZZ_CHECK(p[0] == VNS_VXLAN_FLAG_I && p[1] == 0 && p[2] == 0 &&
               p[3] == 0 && p[7] == 0);
    FUZZ_CHECK(vns_vxlan_parse(p, pkt->len, &back) && back == vni);
    vns_packet_free(pkt);
    FUZZ_CHECK(vns_packet_pool_outstanding(fuzz_packet_pool) == 0);
}

/* Geneve (RFC 8926 section 3): the options lie inside the bytes, each
 * option read lies inside the options, and push + parse is the identity
 * (the C bit then says whether an option is critical). */
static void
fuzz_packet_geneve(const uint8_t *data, size_t size)
{
    VnsGeneveHdr h, back;
    VnsGeneveOpt o;
    VnsPacket *pkt;
    uint32_t at = 0, prev = 0;
    bool critical = false;
    const uint8_t *p;

    if (!vns_geneve_parse(data, size, &h))
        return;
    FUZZ_CHECK(size >= VNS_GENEVE_HLEN && (data[0] >> 6) == 0);
    FUZZ_CHECK(h.opt_len % 4 == 0 && h.opt_len <= VNS_GENEVE_MAX_OPTS);
    FUZZ_CHECK(VNS_GENEVE_HLEN + h.opt_len <= size && h.vni <= 0xffffffu);
    FUZZ_CHECK(h.opt_len == 0 ? h.opts == NULL : h.opts == data + VNS_GENEVE_HLEN);
    while (vns_geneve_opt_next(h.opts, h.opt_len, &at, &o)) {
        FUZZ_CHECK(at > prev && at <= h.opt_len);
        FUZZ_CHECK(o.len % 4 == 0 && o.len <= VNS_GENEVE_MAX_OPT_DATA);
        FUZZ_CHECK(o.data == h.opts + prev + VNS_GENEVE_OPT_HLEN &&
                   prev + VNS_GENEVE_OPT_HLEN + o.len == at);
        fuzz_packet_touch(o.data, o.len);
        critical |= (o.type & VNS_GENEVE_TYPE_CRITICAL) != 0;
        prev = at;
    }
    FUZZ_CHECK(at <= h.opt_len);
    pkt = vns_packet_new(fuzz_packet_pool, 0);
    p = vns_geneve_push(pkt, &h);
    FUZZ_CHECK(p != NULL && pkt->len == VNS_GENEVE_HLEN + h.opt_len);
    FUZZ_CHECK(vns_geneve_parse(p, pkt->len, &back));
    FUZZ_CHECK(back.vni == h.vni && back.proto == h.proto && back.oam == h.oam &&
               back.opt_len == h.opt_len && back.critical == critical);
    FUZZ_CHECK(h.opt_len == 0 || memcmp(back.opts, h.opts, h.opt_len) == 0);
    vns_packet_free(pkt);
    FUZZ_CHECK(vns_packet_pool_outstanding(fuzz_packet_pool) == 0);
}

/* GRE (RFC 2784, RFC 2890): the header length follows the C, K and S bits
 * and fits in the bytes; push + parse is the identity, and a pushed
 * checksum covers header and payload (RFC 2784 section 2.5). The checksum
 * check itself reads only the packet's stored bytes, from any offset. */
static void
fuzz_packet_gre(const uint8_t *data, size_t size)
{
    VnsGreHdr h, back;
    VnsPacket exact, *pkt;
    const uint8_t *p;

    fuzz_packet_exact(&exact, data, size, 0);
    (void) vns_gre_checksum_ok(&exact, 0);
    if (size > 0)
        (void) vns_gre_checksum_ok(&exact, data[size - 1] % (uint32_t) (size + 1));
    free(exact.buf);
    if (!vns_gre_parse(data, size, &h))
        return;
    FUZZ_CHECK(h.hdr_len == vns_gre_hdr_len(h.has_csum, h.has_key, h.has_seq));
    FUZZ_CHECK(h.hdr_len >= VNS_GRE_HLEN && h.hdr_len <= VNS_GRE_MAX_HLEN &&
               h.hdr_len <= size);
    pkt = vns_packet_new(fuzz_packet_pool, 0);
    /* The bytes after the header become the GRE payload (stored). */
    if (size > h.hdr_len)
        memcpy(vns_packet_put(pkt, (uint32_t) (size - h.hdr_len)),
               data + h.hdr_len, size - h.hdr_len);
    p = vns_gre_push(pkt, &h);
    FUZZ_CHECK(p != NULL && pkt->len == size);
    FUZZ_CHECK(vns_gre_parse(p, pkt->len, &back));
    FUZZ_CHECK(back.hdr_len == h.hdr_len && back.proto == h.proto &&
               back.has_csum == h.has_csum && back.has_key == h.has_key &&
               back.has_seq == h.has_seq && back.key == h.key && back.seq == h.seq);
    if (h.has_csum)
        FUZZ_CHECK(vns_gre_checksum_ok(pkt, 0));
    vns_packet_free(pkt);
    FUZZ_CHECK(vns_packet_pool_outstanding(fuzz_packet_pool) == 0);
}

/* vns_layers_add() on any frame: the first two bytes are the unstored
 * payload length, the rest the stored header bytes. Every byte of the
 * frame and its line overheads lands in exactly one layer (the sum is
 * vns_eth_wire_size()), the unstored payload is payload, the preamble and
 * gap are L1, and tunnel layers appear only with a tunnel. */
static void
fuzz_packet_layers(const uint8_t *data, size_t size)
{
    VnsLayerBytes acc;
    VnsPacket pkt;
    uint32_t payload_len;

    if (size < 2)
        return;
    payload_len = (uint32_t) data[0] << 8 | data[1];
    fuzz_packet_exact(&pkt, data + 2, size - 2, payload_len);
    memset(&acc, 0, sizeof acc);
    vns_layers_add(&acc, &pkt);
    FUZZ_CHECK(acc.frames == 1);
    FUZZ_CHECK(vns_layers_total(&acc) == vns_eth_wire_size(vns_packet_size(&pkt)));
    FUZZ_CHECK(acc.bytes[VNS_LAYER_PAYLOAD] >= payload_len);
    FUZZ_CHECK(acc.bytes[VNS_LAYER_L1] ==
               VNS_ETH_PREAMBLE_SIZE + VNS_ETH_IFG_SIZE);
    FUZZ_CHECK(acc.bytes[VNS_LAYER_L2] >= VNS_ETH_FCS_SIZE);
    FUZZ_CHECK(acc.tunneled <= 1 && acc.fragments <= 2);
    if (acc.tunneled == 0) {
        FUZZ_CHECK(acc.tunnel == NULL);
        FUZZ_CHECK(acc.bytes[VNS_LAYER_ENCAP] == 0 && acc.bytes[VNS_LAYER_OUTER] == 0);
    } else {
        FUZZ_CHECK(acc.tunnel != NULL);
        FUZZ_CHECK(strcmp(acc.tunnel, "vxlan") == 0 || strcmp(acc.tunnel, "geneve") == 0 ||
                   strcmp(acc.tunnel, "gre") == 0 || strcmp(acc.tunnel, "gretap") == 0);
        FUZZ_CHECK(acc.bytes[VNS_LAYER_ENCAP] > 0);
    }
    FUZZ_CHECK(vns_layers_overhead(&acc) >= 0.0 && vns_layers_overhead(&acc) <= 1.0);
    free(pkt.buf);
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
    fuzz_packet_vxlan,      /* 11 */
    fuzz_packet_geneve,     /* 12 */
    fuzz_packet_gre,        /* 13 */
    fuzz_packet_layers,     /* 14 */
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    fuzz_packet_pool = vns_packet_pool_new();
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
