/* IPv6 header codec and extension-header walk (see ipv6.h). */
#include <config.h>
#include "net/ipv6.h"

#include <string.h>

/*
 * vns_ipv6_push:
 * Prepends a 40-byte IPv6 header with the fields of 'hdr'; payload_len 0
 * means all the packet's bytes after the header. Returns data[0].
 */
uint8_t *
vns_ipv6_push(VnsPacket *pkt, const VnsIpv6Hdr *hdr)
{
    uint32_t plen = hdr->payload_len != 0 ? hdr->payload_len : vns_packet_size(pkt);
    uint8_t *p;

    /* Jumbograms (RFC 2675) are not modelled. */
    g_return_val_if_fail(plen <= UINT16_MAX, NULL);
    p = vns_packet_push(pkt, VNS_IPV6_HLEN);
    vns_wire_put32(p, 6u << 28 | (uint32_t) (hdr->dscp & 0x3f) << 22 |
                   (uint32_t) (hdr->ecn & 3) << 20 | (hdr->flow_label & 0xfffff));
    vns_wire_put16(p + 4, (uint16_t) plen);
    p[6] = hdr->next_header;
    p[7] = hdr->hop_limit;
    memcpy(p + 8, hdr->src.b, 16);
    memcpy(p + 24, hdr->dst.b, 16);
    return p;
}

/*
 * vns_ipv6_parse:
 * Reads an IPv6 header and walks its extension headers in the 'size' bytes
 * at 'data': Hop-by-Hop Options, Routing and Destination Options ((Hdr Ext
 * Len + 1) x 8 bytes, RFC 8200 section 4.3, 4.4, 4.6), Fragment (8 bytes,
 * section 4.5) and Authentication ((Payload Len + 2) x 4 bytes, RFC 4302
 * section 2.2). The walk stops at any other Next Header, which is the upper
 * layer, and after a Fragment header with a non-zero offset, whose data
 * holds no header. Returns false when the version is not 6 or the fixed
 * header or an extension header is cut short by 'size'.
 */
bool
vns_ipv6_parse(const uint8_t *data, size_t size, VnsIpv6Hdr *out)
{
    if (size < VNS_IPV6_HLEN || data[0] >> 4 != 6)
        return false;
    uint32_t w0 = vns_wire_get32(data);
    out->dscp = (uint8_t) ((w0 >> 22) & 0x3f);
    out->ecn = (uint8_t) ((w0 >> 20) & 3);
    out->flow_label = w0 & 0xfffff;
    out->payload_len = vns_wire_get16(data + 4);
    out->next_header = data[6];
    out->hop_limit = data[7];
    memcpy(out->src.b, data + 8, 16);
    memcpy(out->dst.b, data + 24, 16);
    out->frag = false;
    out->mf = false;
    out->frag_offset = 0;
    out->frag_id = 0;

    uint8_t nh = data[6];
    size_t off = VNS_IPV6_HLEN;
    /* Every extension header is at least 8 bytes, so the walk ends within
     * size / 8 steps; the header chain of a 64 KiB buffer fits in uint16_t. */
    for (;;) {
        size_t ext;

        if (off > UINT16_MAX)
            return false;
        if (nh == VNS_IPPROTO_HOPOPTS || nh == VNS_IPPROTO_ROUTING ||
            nh == VNS_IPPROTO_DSTOPTS) {
            if (off + 8 > size)
                return false;
            ext = ((size_t) data[off + 1] + 1) * 8;
        } else if (nh == VNS_IPPROTO_AH) {
            if (off + 8 > size)
                return false;
            ext = ((size_t) data[off + 1] + 2) * 4;
        } else if (nh == VNS_IPPROTO_FRAGMENT) {
            if (off + VNS_IPV6_FRAG_HLEN > size)
                return false;
            uint16_t fo = vns_wire_get16(data + off + 2);
            out->frag = true;
            out->frag_offset = (uint16_t) (fo & 0xfff8);
            out->mf = (fo & 1) != 0;
            out->frag_id = vns_wire_get32(data + off + 4);
            ext = VNS_IPV6_FRAG_HLEN;
            if (out->frag_offset != 0) {
                nh = data[off];
                off += ext;
                break;
            }
        } else {
            break;
        }
        if (off + ext > size)
            return false;
        nh = data[off];
        off += ext;
    }
    if (off > UINT16_MAX)
        return false;
    out->proto = nh;
    out->l4_off = (uint16_t) off;
    return true;
}

/*
 * vns_ipv6_opts_push:
 * Prepends a Hop-by-Hop (type VNS_IPPROTO_HOPOPTS) or Destination Options
 * (VNS_IPPROTO_DSTOPTS) header of 'size' bytes (a multiple of 8, 8-2048)
 * whose options are only padding (Pad1/PadN, RFC 8200 section 4.2), with
 * Next Header 'next_header'. Returns data[0].
 */
uint8_t *
vns_ipv6_opts_push(VnsPacket *pkt, uint8_t type, uint8_t next_header,
                   uint32_t size)
{
    uint8_t *p;
    uint32_t pad;

    g_return_val_if_fail(type == VNS_IPPROTO_HOPOPTS || type == VNS_IPPROTO_DSTOPTS,
                         NULL);
    g_return_val_if_fail(size >= 8 && size <= 2048 && size % 8 == 0, NULL);
    p = vns_packet_push(pkt, size);
    p[0] = next_header;
    p[1] = (uint8_t) (size / 8 - 1);
    /* PadN: type 1, length, then that many zero bytes; an option's data is
     * at most 255 bytes, so long padding takes several PadN options. */
    for (uint32_t at = 2; at < size; at += pad) {
        pad = MIN(size - at, 257u);
        if (pad == 1) {
            p[at] = 0;      /* Pad1 */
            continue;
        }
        if (size - at - pad == 1)
            pad--;          /* leave room for a PadN rather than a lone byte */
        p[at] = 1;
        p[at + 1] = (uint8_t) (pad - 2);
    }
    return p;
}

/*
 * vns_ipv6_frag_push:
 * Prepends an 8-byte Fragment header (RFC 8200 section 4.5): 'frag_offset'
 * in bytes (a multiple of 8), the M flag, the Identification. Returns
 * data[0].
 */
uint8_t *
vns_ipv6_frag_push(VnsPacket *pkt, uint8_t next_header, uint16_t frag_offset,
                   bool mf, uint32_t id)
{
    uint8_t *p;

    g_return_val_if_fail(frag_offset % 8 == 0, NULL);
    p = vns_packet_push(pkt, VNS_IPV6_FRAG_HLEN);
    p[0] = next_header;
    vns_wire_put16(p + 2, (uint16_t) (frag_offset | (mf ? 1 : 0)));
    vns_wire_put32(p + 4, id);
    return p;
}

/*
 * vns_ipv6_dec_hop_limit:
 * Decrements the Hop Limit of the header at 'ip6' (RFC 8200 section 3; IPv6
 * has no header checksum). A limit already 0 stays 0. Returns the new
 * limit.
 */
uint8_t
vns_ipv6_dec_hop_limit(uint8_t *ip6)
{
    if (ip6[7] > 0)
        ip6[7]--;
    return ip6[7];
}
