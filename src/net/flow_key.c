/* Flow keys: parsing a packet's headers into a VnsFlowKey, hashing keys for
 * ECMP and tables, and comparing them (see flow_key.h).
 *
 * The parser trusts nothing: it reads through the codecs' parse functions,
 * which check every length against the bytes present, and a header cut short
 * or malformed ends the parse with the fields it has not reached left
 * unknown. */
#include <config.h>
#include "net/flow_key.h"

#include <string.h>
#include "net/proto.h"

/* More stacked VLAN tags than this is taken as malformed (802.1ad QinQ
 * uses two). */
#define FLOW_MAX_VLAN_TAGS 4

/*
 * vns_flow_key_init:
 * Sets every field of 'key' to unknown: zero, and vlan_id VNS_VLAN_NONE.
 */
void
vns_flow_key_init(VnsFlowKey *key)
{
    memset(key, 0, sizeof *key);
    key->vlan_id = VNS_VLAN_NONE;
}

static void
flow_offsets_init(VnsFlowOffsets *off)
{
    off->l2 = VNS_OFF_NONE;
    off->l3 = VNS_OFF_NONE;
    off->l4 = VNS_OFF_NONE;
}

/* Reads the VNI or key of a tunnel header at 'at' into key->tunnel_id, if
 * the header is whole: VXLAN (RFC 7348 section 5: flags with the I bit
 * 0x08, VNI in bytes 4-6), Geneve (RFC 8926 section 3.4: version 0, VNI in
 * bytes 4-6), or GRE (RFC 2784, RFC 2890 section 2: version 0, a Key after
 * the optional Checksum word when K is set). Tunnel headers are best effort:
 * an overlay packet whose tunnel header is absent still has a full key. */
static void
flow_parse_tunnel(VnsFlowKey *key, const uint8_t *data, size_t size, size_t at,
                  int kind)
{
    if (at > size)
        return;
    const uint8_t *p = data + at;
    size_t n = size - at;

    if (kind == VNS_UDP_PORT_VXLAN) {
        if (n >= 8 && (p[0] & 0x08) != 0)
            key->tunnel_id = vns_wire_get32(p + 4) >> 8;
    } else if (kind == VNS_UDP_PORT_GENEVE) {
        if (n >= 8 && (p[0] >> 6) == 0)
            key->tunnel_id = vns_wire_get32(p + 4) >> 8;
    } else if (kind == VNS_IPPROTO_GRE) {
        if (n < 4)
            return;
        uint16_t flags = vns_wire_get16(p);
        size_t kat = (flags & 0x8000) ? 8 : 4;
        if ((flags & 7) == 0 && (flags & 0x2000) && n >= kat + 4)
            key->tunnel_id = vns_wire_get32(p + kat);
    }
}

/* Parses the layer-4 header of protocol key->proto at 'at' (the IP packet
 * ends at 'size'). */
static bool
flow_parse_l4(VnsFlowKey *key, VnsFlowOffsets *off, const uint8_t *data,
              size_t size, size_t at)
{
    const uint8_t *p = data + at;
    size_t n = size - at;

    switch (key->proto) {
    case VNS_IPPROTO_TCP: {
        VnsTcpHdr t;
        if (!vns_tcp_parse(p, n, &t))
            return false;
        key->sport = t.sport;
        key->dport = t.dport;
        key->tcp_flags = t.flags;
        break;
    }
    case VNS_IPPROTO_UDP: {
        VnsUdpHdr u;
        if (!vns_udp_parse(p, n, &u))
            return false;
        key->sport = u.sport;
        key->dport = u.dport;
        if (u.dport == VNS_UDP_PORT_VXLAN || u.dport == VNS_UDP_PORT_GENEVE)
            flow_parse_tunnel(key, data, size, at + VNS_UDP_HLEN, u.dport);
        break;
    }
    case VNS_IPPROTO_SCTP:
    case VNS_IPPROTO_DCCP:
    case VNS_IPPROTO_UDPLITE:
        /* Ports are the first four bytes (RFC 9260 3.1, RFC 4340 5.1,
         * RFC 3828 3.1); the rest is not needed for the key. */
        if (n < 4)
            return false;
        key->sport = vns_wire_get16(p);
        key->dport = vns_wire_get16(p + 2);
        break;
    case VNS_IPPROTO_ICMP: {
        VnsIcmpHdr ic;
        if (key->family != VNS_IP_V4 || !vns_icmp_parse(p, n, &ic))
            return false;
        key->icmp_type = ic.type;
        key->icmp_code = ic.code;
        if (ic.type == VNS_ICMP_ECHO_REQUEST || ic.type == VNS_ICMP_ECHO_REPLY)
            key->icmp_id = ic.id;
        break;
    }
    case VNS_IPPROTO_ICMPV6:
        /* Only the first 8 bytes matter here; ND options are not needed. */
        if (key->family != VNS_IP_V6 || n < VNS_ICMP6_HLEN)
            return false;
        key->icmp_type = p[0];
        key->icmp_code = p[1];
        if (p[0] == VNS_ICMP6_ECHO_REQUEST || p[0] == VNS_ICMP6_ECHO_REPLY)
            key->icmp_id = vns_wire_get16(p + 4);
        break;
    case VNS_IPPROTO_GRE:
        if (n < 4)
            return false;
        flow_parse_tunnel(key, data, size, at, VNS_IPPROTO_GRE);
        break;
    default:
        /* An upper layer the key has no fields for: its offset is known. */
        break;
    }
    off->l4 = (uint16_t) at;
    return true;
}

/* Parses an IPv4 or IPv6 header at 'at'; 'version' 0 means take it from the
 * version nibble. */
static bool
flow_parse_l3(VnsFlowKey *key, VnsFlowOffsets *off, const uint8_t *data,
              size_t size, size_t at, unsigned version)
{
    size_t end, l4;

    if (at >= size)
        return false;
    if (version == 0)
        version = data[at] >> 4;
    if (version == 4) {
        VnsIpv4Hdr h;
        if (!vns_ipv4_parse(data + at, size - at, &h))
            return false;
        key->family = VNS_IP_V4;
        key->src = vns_ip_addr_v4(h.src);
        key->dst = vns_ip_addr_v4(h.dst);
        key->proto = h.proto;
        key->ttl = h.ttl;
        key->dscp = h.dscp;
        if (h.frag_offset != 0)
            key->frag = VNS_FLOW_FRAG_LATER;
        else if (h.mf)
            key->frag = VNS_FLOW_FRAG_FIRST;
        /* Stored bytes past Total Length (Ethernet padding) are not ours. */
        end = MIN(size, at + h.total_len);
        l4 = at + h.hdr_len;
    } else if (version == 6) {
        VnsIpv6Hdr h;
        if (!vns_ipv6_parse(data + at, size - at, &h))
            return false;
        key->family = VNS_IP_V6;
        key->src = vns_ip_addr_v6(&h.src);
        key->dst = vns_ip_addr_v6(&h.dst);
        key->proto = h.proto;
        key->ttl = h.hop_limit;
        key->dscp = h.dscp;
        /* An atomic fragment (offset 0, M clear) is a whole packet (RFC
         * 8200 section 4.5, RFC 6946). */
        if (h.frag && h.frag_offset != 0)
            key->frag = VNS_FLOW_FRAG_LATER;
        else if (h.frag && h.mf)
            key->frag = VNS_FLOW_FRAG_FIRST;
        end = MIN(size, at + VNS_IPV6_HLEN + h.payload_len);
        l4 = at + h.l4_off;
        /* Extension headers that run past the payload length are malformed. */
        if (l4 > end)
            return false;
    } else {
        return false;
    }
    off->l3 = (uint16_t) at;
    if (key->frag == VNS_FLOW_FRAG_LATER || key->proto == VNS_IPPROTO_NONE)
        return true;
    if (l4 > end)
        return false;
    return flow_parse_l4(key, off, data, end, l4);
}

/*
 * vns_flow_key_parse_eth:
 * Parses an Ethernet frame in the 'size' bytes at 'data' into 'key' and
 * 'off': Ethernet II, up to four 802.1Q/802.1ad tags (vlan_id is the
 * outermost VID), IPv4 or IPv6 with extension headers, then TCP, UDP, SCTP,
 * DCCP, UDP-Lite, ICMP, ICMPv6 or GRE, and the VNI or key of a VXLAN,
 * Geneve or GRE header after them. The key describes the outermost headers;
 * inner headers of a tunnel are not parsed. Fragments: both kinds are
 * marked in key->frag; a later fragment has no layer-4 fields. Returns true
 * when every header the frame announces up to layer 4 was whole and well
 * formed, false when a header was cut short or malformed; either way 'key'
 * holds what was read and the rest is unknown (see flow_key.h). Never reads
 * outside data[0..size).
 */
bool
vns_flow_key_parse_eth(VnsFlowKey *key, VnsFlowOffsets *off,
                       const uint8_t *data, size_t size)
{
    VnsEthHdr eth;
    size_t at = VNS_ETH_HLEN;
    uint16_t type;

    vns_flow_key_init(key);
    flow_offsets_init(off);
    if (!vns_eth_parse(data, size, &eth))
        return false;
    off->l2 = 0;
    key->eth_src = eth.src;
    key->eth_dst = eth.dst;
    type = eth.ethertype;
    for (int tags = 0; type == VNS_ETHERTYPE_VLAN || type == VNS_ETHERTYPE_QINQ;
         tags++) {
        VnsVlanHdr tag;
        if (tags == FLOW_MAX_VLAN_TAGS || !vns_vlan_parse(data + at, size - at, &tag))
            return false;
        if (key->vlan_id == VNS_VLAN_NONE)
            key->vlan_id = tag.vid;
        type = tag.ethertype;
        at += VNS_VLAN_HLEN;
    }
    key->ethertype = type;
    if (type == VNS_ETHERTYPE_IPV4)
        return flow_parse_l3(key, off, data, size, at, 4);
    if (type == VNS_ETHERTYPE_IPV6)
        return flow_parse_l3(key, off, data, size, at, 6);
    return true;
}

/*
 * vns_flow_key_parse_ip:
 * Like vns_flow_key_parse_eth() for bytes that start with an IPv4 or IPv6
 * header (the version nibble decides). The layer-2 fields stay unknown
 * except ethertype, which names the IP version found.
 */
bool
vns_flow_key_parse_ip(VnsFlowKey *key, VnsFlowOffsets *off,
                      const uint8_t *data, size_t size)
{
    bool ok;

    vns_flow_key_init(key);
    flow_offsets_init(off);
    ok = flow_parse_l3(key, off, data, size, 0, 0);
    if (key->family == VNS_IP_V4)
        key->ethertype = VNS_ETHERTYPE_IPV4;
    else if (key->family == VNS_IP_V6)
        key->ethertype = VNS_ETHERTYPE_IPV6;
    return ok;
}

/* One step of MurmurHash3_x86_32 (Austin Appleby, public domain) over a
 * 32-bit word. */
static uint32_t
flow_hash_mix(uint32_t h, uint32_t k)
{
    k *= 0xcc9e2d51u;
    k = k << 15 | k >> 17;
    k *= 0x1b873593u;
    h ^= k;
    h = h << 13 | h >> 19;
    return h * 5 + 0xe6546b64u;
}

/* MurmurHash3's finalizer: every input bit affects every output bit. */
static uint32_t
flow_hash_finish(uint32_t h, uint32_t nwords)
{
    h ^= nwords * 4;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint32_t
flow_hash_addr(uint32_t h, const VnsIpAddr *a, uint32_t *nwords)
{
    if (a->family == VNS_IP_V6) {
        for (int k = 0; k < 4; k++)
            h = flow_hash_mix(h, vns_wire_get32(a->v6.b + 4 * k));
        *nwords += 4;
    } else {
        h = flow_hash_mix(h, a->family == VNS_IP_V4 ? a->v4 : 0);
        *nwords += 1;
    }
    return h;
}

/* Orders two endpoints (address, then port) for symmetric hashing. */
static int
flow_endpoint_cmp(const VnsIpAddr *a, uint16_t aport, const VnsIpAddr *b,
                  uint16_t bport)
{
    int c = 0;

    if (a->family == VNS_IP_V4)
        c = a->v4 < b->v4 ? -1 : a->v4 > b->v4;
    else if (a->family == VNS_IP_V6)
        c = memcmp(a->v6.b, b->v6.b, 16);
    if (c != 0)
        return c;
    return aport < bport ? -1 : aport > bport;
}

/*
 * vns_flow_key_hash:
 * Hashes the flow's 5-tuple (family, protocol, source and destination
 * address, source and destination port; the echo identifier for ICMP) with
 * MurmurHash3 seeded by 'seed', as ECMP and flow tables need. Ports are left
 * out for fragments, so that all fragments of a datagram hash alike (as
 * Linux's multipath hash does), and with VNS_FLOW_HASH_L3. With
 * VNS_FLOW_HASH_SYMMETRIC the two endpoints are put in order first, so both
 * directions hash alike. Give each ECMP node its own seed, or all nodes
 * make the same choice and some paths stay idle (hash polarization).
 * Returns the hash.
 */
uint32_t
vns_flow_key_hash(const VnsFlowKey *key, uint32_t seed, VnsFlowHashFlags flags)
{
    const VnsIpAddr *a = &key->src, *b = &key->dst;
    uint16_t ap = key->sport, bp = key->dport;
    uint32_t nwords = 1;
    uint32_t h = seed;

    if ((flags & VNS_FLOW_HASH_L3) || key->frag != VNS_FLOW_FRAG_NONE) {
        ap = 0;
        bp = 0;
    } else if (key->proto == VNS_IPPROTO_ICMP || key->proto == VNS_IPPROTO_ICMPV6) {
        ap = key->icmp_id;
        bp = key->icmp_id;
    }
    if ((flags & VNS_FLOW_HASH_SYMMETRIC) && flow_endpoint_cmp(a, ap, b, bp) > 0) {
        const VnsIpAddr *t = a;
        uint16_t tp = ap;
        a = b;
        b = t;
        ap = bp;
        bp = tp;
    }
    h = flow_hash_mix(h, (uint32_t) key->family << 8 | key->proto);
    h = flow_hash_addr(h, a, &nwords);
    h = flow_hash_addr(h, b, &nwords);
    h = flow_hash_mix(h, (uint32_t) ap << 16 | bp);
    nwords++;
    return flow_hash_finish(h, nwords);
}

/*
 * vns_flow_key_equal_5tuple:
 * Returns whether two keys have the same family, protocol, addresses, ports
 * and ICMP echo identifier.
 */
bool
vns_flow_key_equal_5tuple(const VnsFlowKey *a, const VnsFlowKey *b)
{
    return a->family == b->family && a->proto == b->proto &&
           vns_ip_addr_equal(&a->src, &b->src) &&
           vns_ip_addr_equal(&a->dst, &b->dst) &&
           a->sport == b->sport && a->dport == b->dport &&
           a->icmp_id == b->icmp_id;
}

/*
 * vns_flow_key_equal:
 * Returns whether two keys agree in every field.
 */
bool
vns_flow_key_equal(const VnsFlowKey *a, const VnsFlowKey *b)
{
    return vns_flow_key_equal_5tuple(a, b) &&
           vns_mac_equal(&a->eth_src, &b->eth_src) &&
           vns_mac_equal(&a->eth_dst, &b->eth_dst) &&
           a->vlan_id == b->vlan_id && a->ethertype == b->ethertype &&
           a->ttl == b->ttl && a->dscp == b->dscp && a->frag == b->frag &&
           a->tcp_flags == b->tcp_flags && a->icmp_type == b->icmp_type &&
           a->icmp_code == b->icmp_code && a->tunnel_id == b->tunnel_id;
}

/*
 * vns_flow_key_format:
 * Describes the key in one line for logs and test messages, like
 * "tcp 10.0.0.1:1234 > 10.0.0.2:80" or "ethertype 0x0806". Returns an owned
 * string.
 */
char *
vns_flow_key_format(const VnsFlowKey *key)
{
    char sb[VNS_IP_STRLEN], db[VNS_IP_STRLEN];
    const char *name;
    GString *s;

    if (key->family == VNS_IP_NONE)
        return g_strdup_printf("ethertype 0x%04x", key->ethertype);
    switch (key->proto) {
    case VNS_IPPROTO_TCP: name = "tcp"; break;
    case VNS_IPPROTO_UDP: name = "udp"; break;
    case VNS_IPPROTO_ICMP: name = "icmp"; break;
    case VNS_IPPROTO_ICMPV6: name = "icmp6"; break;
    case VNS_IPPROTO_GRE: name = "gre"; break;
    case VNS_IPPROTO_SCTP: name = "sctp"; break;
    default: name = NULL; break;
    }
    s = g_string_new(NULL);
    if (name != NULL)
        g_string_append(s, name);
    else
        g_string_append_printf(s, "proto %u", key->proto);
    vns_ip_addr_format(&key->src, sb);
    vns_ip_addr_format(&key->dst, db);
    if (key->sport != 0 || key->dport != 0) {
        const char *l = key->family == VNS_IP_V6 ? "[" : "";
        const char *r = key->family == VNS_IP_V6 ? "]" : "";
        g_string_append_printf(s, " %s%s%s:%u > %s%s%s:%u", l, sb, r, key->sport,
                               l, db, r, key->dport);
    } else {
        g_string_append_printf(s, " %s > %s", sb, db);
    }
    if (key->proto == VNS_IPPROTO_ICMP || key->proto == VNS_IPPROTO_ICMPV6)
        g_string_append_printf(s, " type %u code %u", key->icmp_type, key->icmp_code);
    if (key->frag != VNS_FLOW_FRAG_NONE)
        g_string_append(s, key->frag == VNS_FLOW_FRAG_FIRST ? " frag first" : " frag later");
    if (key->tunnel_id != 0)
        g_string_append_printf(s, " tunnel %u", key->tunnel_id);
    return g_string_free(s, FALSE);
}
