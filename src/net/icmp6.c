/* ICMPv6 and Neighbor Discovery codec (see icmp6.h). */
#include <config.h>
#include "net/icmp6.h"

#include <string.h>
#include "net/checksum.h"
#include "net/wire.h"

/* NA flags in byte 4 (RFC 4861 section 4.4). */
#define NA_ROUTER 0x80
#define NA_SOLICITED 0x40
#define NA_OVERRIDE 0x20

static bool
icmp6_is_nd(uint8_t type)
{
    return type == VNS_ICMP6_NEIGHBOR_SOLICIT || type == VNS_ICMP6_NEIGHBOR_ADVERT;
}

/*
 * vns_icmp6_hdr_size:
 * Returns the bytes vns_icmp6_push() writes for 'hdr': 8, or 24 for NS/NA
 * plus 8 with a link-layer address option.
 */
uint32_t
vns_icmp6_hdr_size(const VnsIcmp6Hdr *hdr)
{
    if (!icmp6_is_nd(hdr->type))
        return VNS_ICMP6_HLEN;
    return VNS_ICMP6_ND_HLEN + (hdr->has_lladdr ? VNS_ICMP6_LLADDR_OPT_LEN : 0);
}

/*
 * vns_icmp6_push:
 * Prepends an ICMPv6 message header with the fields of 'hdr' that its type
 * uses (bytes 4-7: id and seq for echo, mtu for packet too big, pointer for
 * parameter problem, flags for NA, zero otherwise; NS/NA add the target and
 * the link-layer address option), and the checksum over the pseudo-header
 * of 'src' and 'dst' and the whole message, the unstored zero payload
 * included in the length. Returns data[0].
 */
uint8_t *
vns_icmp6_push(VnsPacket *pkt, const VnsIcmp6Hdr *hdr, const VnsIp6 *src,
               const VnsIp6 *dst)
{
    uint32_t hlen = vns_icmp6_hdr_size(hdr);
    uint8_t *p = vns_packet_push(pkt, hlen);
    VnsIpAddr s = vns_ip_addr_v6(src);
    VnsIpAddr d = vns_ip_addr_v6(dst);

    p[0] = hdr->type;
    p[1] = hdr->code;
    switch (hdr->type) {
    case VNS_ICMP6_ECHO_REQUEST:
    case VNS_ICMP6_ECHO_REPLY:
        vns_wire_put16(p + 4, hdr->id);
        vns_wire_put16(p + 6, hdr->seq);
        break;
    case VNS_ICMP6_PACKET_TOO_BIG:
        vns_wire_put32(p + 4, hdr->mtu);
        break;
    case VNS_ICMP6_PARAM_PROBLEM:
        vns_wire_put32(p + 4, hdr->pointer);
        break;
    case VNS_ICMP6_NEIGHBOR_ADVERT:
        p[4] = (uint8_t) ((hdr->router ? NA_ROUTER : 0) |
                          (hdr->solicited ? NA_SOLICITED : 0) |
                          (hdr->override ? NA_OVERRIDE : 0));
        break;
    default:
        break;
    }
    if (icmp6_is_nd(hdr->type)) {
        memcpy(p + 8, hdr->target.b, 16);
        if (hdr->has_lladdr) {
            p[24] = hdr->type == VNS_ICMP6_NEIGHBOR_SOLICIT ?
                    VNS_ND_OPT_SOURCE_LLADDR : VNS_ND_OPT_TARGET_LLADDR;
            p[25] = 1;          /* length in units of 8 bytes */
            memcpy(p + 26, hdr->lladdr.b, 6);
        }
    }
    vns_wire_put16(p + 2, vns_csum_l4(p, pkt->len, vns_packet_size(pkt),
                                      VNS_IPPROTO_ICMPV6, &s, &d));
    return p;
}

/*
 * vns_icmp6_parse:
 * Reads an ICMPv6 message header from the 'size' bytes at 'data', filling
 * the fields its type uses and zeroing the rest. For NS/NA it needs 24
 * bytes and walks the options in the remaining bytes, taking the source
 * (NS) or target (NA) link-layer address. Returns false when the bytes are
 * too few, or an ND option has length 0 or runs past the end (such packets
 * are discarded, RFC 4861 section 4.6). The checksum is not verified.
 */
bool
vns_icmp6_parse(const uint8_t *data, size_t size, VnsIcmp6Hdr *out)
{
    if (size < VNS_ICMP6_HLEN)
        return false;
    memset(out, 0, sizeof *out);
    out->type = data[0];
    out->code = data[1];
    out->checksum = vns_wire_get16(data + 2);
    switch (out->type) {
    case VNS_ICMP6_ECHO_REQUEST:
    case VNS_ICMP6_ECHO_REPLY:
        out->id = vns_wire_get16(data + 4);
        out->seq = vns_wire_get16(data + 6);
        break;
    case VNS_ICMP6_PACKET_TOO_BIG:
        out->mtu = vns_wire_get32(data + 4);
        break;
    case VNS_ICMP6_PARAM_PROBLEM:
        out->pointer = vns_wire_get32(data + 4);
        break;
    case VNS_ICMP6_NEIGHBOR_ADVERT:
        out->router = (data[4] & NA_ROUTER) != 0;
        out->solicited = (data[4] & NA_SOLICITED) != 0;
        out->override = (data[4] & NA_OVERRIDE) != 0;
        break;
    default:
        break;
    }
    if (!icmp6_is_nd(out->type))
        return true;
    if (size < VNS_ICMP6_ND_HLEN)
        return false;
    memcpy(out->target.b, data + 8, 16);

    uint8_t want = out->type == VNS_ICMP6_NEIGHBOR_SOLICIT ?
                   VNS_ND_OPT_SOURCE_LLADDR : VNS_ND_OPT_TARGET_LLADDR;
    for (size_t at = VNS_ICMP6_ND_HLEN; at < size;) {
        if (size - at < 2)
            return false;
        size_t olen = (size_t) data[at + 1] * 8;
        if (olen == 0 || olen > size - at)
            return false;
        if (data[at] == want && olen == VNS_ICMP6_LLADDR_OPT_LEN) {
            out->has_lladdr = true;
            memcpy(out->lladdr.b, data + at + 2, 6);
        }
        at += olen;
    }
    return true;
}
