/* UDP codec (see udp.h). */
#include <config.h>
#include "net/udp.h"

#include "net/checksum.h"
#include "net/wire.h"

/*
 * vns_udp_push:
 * Prepends a UDP header with the ports of 'hdr'; length 0 means the header
 * plus all the packet's bytes after it. With 'src' and 'dst' (one family)
 * the checksum covers their pseudo-header, the header, the stored bytes and
 * the zero payload (which adds nothing to the sum but counts in the
 * length); a sum of zero is sent as 0xffff (RFC 768). With 'src' NULL the
 * checksum is 0, "not computed": allowed for IPv4 (RFC 768) and for IPv6
 * tunnels (RFC 6935, RFC 6936), as VXLAN senders commonly do. Returns
 * data[0].
 */
uint8_t *
vns_udp_push(VnsPacket *pkt, const VnsUdpHdr *hdr, const VnsIpAddr *src,
             const VnsIpAddr *dst)
{
    uint32_t length = hdr->length != 0 ? hdr->length : VNS_UDP_HLEN + vns_packet_size(pkt);
    uint8_t *p;

    g_return_val_if_fail(length <= UINT16_MAX, NULL);
    g_return_val_if_fail(src == NULL || (dst != NULL && src->family == dst->family), NULL);
    p = vns_packet_push(pkt, VNS_UDP_HLEN);
    vns_wire_put16(p, hdr->sport);
    vns_wire_put16(p + 2, hdr->dport);
    vns_wire_put16(p + 4, (uint16_t) length);
    if (src != NULL) {
        uint16_t c = vns_csum_l4(p, pkt->len, vns_packet_size(pkt),
                                 VNS_IPPROTO_UDP, src, dst);
        vns_wire_put16(p + 6, c == 0 ? 0xffff : c);
    }
    return p;
}

/*
 * vns_udp_parse:
 * Reads a UDP header from the 'size' bytes at 'data'. Returns false when
 * fewer than 8 bytes are there or the length field is below 8. The checksum
 * is not verified.
 */
bool
vns_udp_parse(const uint8_t *data, size_t size, VnsUdpHdr *out)
{
    if (size < VNS_UDP_HLEN || vns_wire_get16(data + 4) < VNS_UDP_HLEN)
        return false;
    out->sport = vns_wire_get16(data);
    out->dport = vns_wire_get16(data + 2);
    out->length = vns_wire_get16(data + 4);
    out->checksum = vns_wire_get16(data + 6);
    return true;
}
