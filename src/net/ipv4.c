/* IPv4 header codec and in-place field accessors (see ipv4.h). */
#include <config.h>
#include "net/ipv4.h"

#include <string.h>
#include "net/checksum.h"

/* Flags and Fragment Offset share bytes 6-7 (RFC 791 section 3.1). */
#define IPV4_DF 0x4000
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff

/*
 * vns_ipv4_push:
 * Prepends an IPv4 header with the fields of 'hdr' and its header checksum.
 * hdr_len 0 means 20 (no options); total_len 0 means the header plus all
 * the packet's bytes after it. Returns data[0].
 */
uint8_t *
vns_ipv4_push(VnsPacket *pkt, const VnsIpv4Hdr *hdr)
{
    uint32_t hlen = hdr->hdr_len == 0 ? VNS_IPV4_HLEN : hdr->hdr_len;
    uint32_t total;
    uint8_t *p;

    g_return_val_if_fail(hlen >= VNS_IPV4_HLEN && hlen <= VNS_IPV4_MAX_HLEN &&
                         hlen % 4 == 0, NULL);
    g_return_val_if_fail(hdr->frag_offset % 8 == 0, NULL);
    total = hdr->total_len != 0 ? hdr->total_len : hlen + vns_packet_size(pkt);
    g_return_val_if_fail(total <= UINT16_MAX, NULL);
    p = vns_packet_push(pkt, hlen);
    p[0] = (uint8_t) (4 << 4 | hlen / 4);
    p[1] = (uint8_t) ((hdr->dscp & 0x3f) << 2 | (hdr->ecn & 3));
    vns_wire_put16(p + 2, (uint16_t) total);
    vns_wire_put16(p + 4, hdr->id);
    vns_wire_put16(p + 6, (uint16_t) ((hdr->df ? IPV4_DF : 0) | (hdr->mf ? IPV4_MF : 0) |
                                      ((hdr->frag_offset / 8) & IPV4_OFFSET_MASK)));
    p[8] = hdr->ttl;
    p[9] = hdr->proto;
    vns_wire_put32(p + 12, hdr->src);
    vns_wire_put32(p + 16, hdr->dst);
    if (hlen > VNS_IPV4_HLEN && hdr->options != NULL)
        memcpy(p + VNS_IPV4_HLEN, hdr->options, hlen - VNS_IPV4_HLEN);
    vns_wire_put16(p + 10, vns_ipv4_checksum(p));
    return p;
}

/*
 * vns_ipv4_parse:
 * Reads an IPv4 header from the 'size' bytes at 'data'. Options are not
 * interpreted: 'out->options' points at them and hdr_len covers them.
 * Returns false when the version is not 4, IHL is below 5, the header runs
 * past 'size', or total_len is shorter than the header. The checksum is not
 * verified (vns_ipv4_checksum_ok() does that); total_len may exceed 'size',
 * since payload bytes are not stored.
 */
bool
vns_ipv4_parse(const uint8_t *data, size_t size, VnsIpv4Hdr *out)
{
    if (size < VNS_IPV4_HLEN || data[0] >> 4 != 4)
        return false;
    uint32_t hlen = (data[0] & 0x0fu) * 4;
    uint16_t total = vns_wire_get16(data + 2);
    if (hlen < VNS_IPV4_HLEN || hlen > size || total < hlen)
        return false;
    uint16_t frag = vns_wire_get16(data + 6);
    out->hdr_len = (uint8_t) hlen;
    out->dscp = data[1] >> 2;
    out->ecn = data[1] & 3;
    out->total_len = total;
    out->id = vns_wire_get16(data + 4);
    out->df = (frag & IPV4_DF) != 0;
    out->mf = (frag & IPV4_MF) != 0;
    out->frag_offset = (uint16_t) ((frag & IPV4_OFFSET_MASK) * 8);
    out->ttl = data[8];
    out->proto = data[9];
    out->checksum = vns_wire_get16(data + 10);
    out->src = vns_wire_get32(data + 12);
    out->dst = vns_wire_get32(data + 16);
    out->options = hlen > VNS_IPV4_HLEN ? data + VNS_IPV4_HLEN : NULL;
    return true;
}

/*
 * vns_ipv4_checksum:
 * Computes the header checksum of the IPv4 header at 'ip' (IHL read from
 * it; the header must be complete), treating the checksum field as zero
 * (RFC 791 section 3.1). Returns the field value, host order.
 */
uint16_t
vns_ipv4_checksum(const uint8_t *ip)
{
    size_t hlen = (ip[0] & 0x0fu) * 4;
    uint32_t sum = vns_csum_partial(ip, 10, 0);

    sum = vns_csum_partial(ip + 12, hlen - 12, sum);
    return vns_csum_fold(sum);
}

/*
 * vns_ipv4_checksum_ok:
 * Returns whether the 'size' bytes at 'data' start with a whole IPv4 header
 * whose checksum verifies: the one's complement sum over the header,
 * checksum included, is 0xffff (RFC 1071 section 1).
 */
bool
vns_ipv4_checksum_ok(const uint8_t *data, size_t size)
{
    if (size < VNS_IPV4_HLEN)
        return false;
    size_t hlen = (data[0] & 0x0fu) * 4;
    if (hlen < VNS_IPV4_HLEN || hlen > size)
        return false;
    return vns_csum_partial(data, hlen, 0) == 0xffff;
}

/* Sets the 16-bit word at byte 'at' of the header, updating the checksum
 * incrementally (RFC 1624 equation 3). */
static void
ipv4_set16(uint8_t *ip, size_t at, uint16_t v)
{
    uint16_t old = vns_wire_get16(ip + at);

    vns_wire_put16(ip + at, v);
    vns_wire_put16(ip + 10, vns_csum_update16(vns_wire_get16(ip + 10), old, v));
}

/*
 * vns_ipv4_id:
 * Returns the Identification field of the header at 'ip'.
 */
uint16_t
vns_ipv4_id(const uint8_t *ip)
{
    return vns_wire_get16(ip + 4);
}

/*
 * vns_ipv4_df:
 * Returns the Don't Fragment flag of the header at 'ip'.
 */
bool
vns_ipv4_df(const uint8_t *ip)
{
    return (vns_wire_get16(ip + 6) & IPV4_DF) != 0;
}

/*
 * vns_ipv4_mf:
 * Returns the More Fragments flag of the header at 'ip'.
 */
bool
vns_ipv4_mf(const uint8_t *ip)
{
    return (vns_wire_get16(ip + 6) & IPV4_MF) != 0;
}

/*
 * vns_ipv4_frag_offset:
 * Returns the fragment offset of the header at 'ip' in bytes.
 */
uint16_t
vns_ipv4_frag_offset(const uint8_t *ip)
{
    return (uint16_t) ((vns_wire_get16(ip + 6) & IPV4_OFFSET_MASK) * 8);
}

/*
 * vns_ipv4_is_fragment:
 * Returns whether the header at 'ip' is of a fragment (MF set or a non-zero
 * offset, RFC 791 section 3.2).
 */
bool
vns_ipv4_is_fragment(const uint8_t *ip)
{
    return (vns_wire_get16(ip + 6) & (IPV4_MF | IPV4_OFFSET_MASK)) != 0;
}

/*
 * vns_ipv4_set_id:
 * Sets the Identification field, updating the checksum.
 */
void
vns_ipv4_set_id(uint8_t *ip, uint16_t id)
{
    ipv4_set16(ip, 4, id);
}

/*
 * vns_ipv4_set_frag:
 * Sets DF, MF and the fragment offset ('frag_offset' in bytes, a multiple
 * of 8), updating the checksum.
 */
void
vns_ipv4_set_frag(uint8_t *ip, bool df, bool mf, uint16_t frag_offset)
{
    g_return_if_fail(frag_offset % 8 == 0);
    ipv4_set16(ip, 6, (uint16_t) ((df ? IPV4_DF : 0) | (mf ? IPV4_MF : 0) |
                                  ((frag_offset / 8) & IPV4_OFFSET_MASK)));
}

/*
 * vns_ipv4_set_total_len:
 * Sets the Total Length field, updating the checksum.
 */
void
vns_ipv4_set_total_len(uint8_t *ip, uint16_t total_len)
{
    ipv4_set16(ip, 2, total_len);
}

/*
 * vns_ipv4_dec_ttl:
 * Decrements the TTL of the header at 'ip' as a router forwarding it does
 * (RFC 1812 section 5.3.1), updating the checksum. A TTL already 0 stays 0.
 * Returns the new TTL.
 */
uint8_t
vns_ipv4_dec_ttl(uint8_t *ip)
{
    if (ip[8] == 0)
        return 0;
    ipv4_set16(ip, 8, (uint16_t) ((ip[8] - 1) << 8 | ip[9]));
    return ip[8];
}

/*
 * vns_ipv4_set_src:
 * Sets the source address (host order), updating the header checksum only:
 * a transport checksum covering the pseudo-header needs its own update
 * (vns_csum_update32()).
 */
void
vns_ipv4_set_src(uint8_t *ip, uint32_t addr)
{
    ipv4_set16(ip, 12, (uint16_t) (addr >> 16));
    ipv4_set16(ip, 14, (uint16_t) addr);
}

/*
 * vns_ipv4_set_dst:
 * Sets the destination address, like vns_ipv4_set_src().
 */
void
vns_ipv4_set_dst(uint8_t *ip, uint32_t addr)
{
    ipv4_set16(ip, 16, (uint16_t) (addr >> 16));
    ipv4_set16(ip, 18, (uint16_t) addr);
}
