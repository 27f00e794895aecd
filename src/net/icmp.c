/* ICMPv4 codec (see icmp.h). */
#include <config.h>
#include "net/icmp.h"

#include "net/checksum.h"
#include "net/wire.h"

/*
 * vns_icmp_push:
 * Prepends an 8-byte ICMP header with the fields of 'hdr': for destination
 * unreachable bytes 4-5 are zero and bytes 6-7 the MTU; for time exceeded
 * bytes 4-7 are zero (RFC 792 "unused"); otherwise id and seq. The checksum
 * covers the header and everything after it (RFC 792), the unstored zero
 * payload adding nothing. Returns data[0].
 */
uint8_t *
vns_icmp_push(VnsPacket *pkt, const VnsIcmpHdr *hdr)
{
    uint8_t *p = vns_packet_push(pkt, VNS_ICMP_HLEN);

    p[0] = hdr->type;
    p[1] = hdr->code;
    if (hdr->type == VNS_ICMP_DEST_UNREACH) {
        vns_wire_put16(p + 6, hdr->mtu);
    } else if (hdr->type != VNS_ICMP_TIME_EXCEEDED) {
        vns_wire_put16(p + 4, hdr->id);
        vns_wire_put16(p + 6, hdr->seq);
    }
    vns_wire_put16(p + 2, vns_csum_l4(p, pkt->len, vns_packet_size(pkt), 0,
                                      NULL, NULL));
    return p;
}

/*
 * vns_icmp_parse:
 * Reads an ICMP header from the 'size' bytes at 'data'. id and seq are
 * bytes 4-5 and 6-7 whatever the type; mtu is bytes 6-7 for destination
 * unreachable, else 0. Returns false when fewer than 8 bytes are there. The
 * checksum is not verified here: the body is mostly unstored payload.
 */
bool
vns_icmp_parse(const uint8_t *data, size_t size, VnsIcmpHdr *out)
{
    if (size < VNS_ICMP_HLEN)
        return false;
    out->type = data[0];
    out->code = data[1];
    out->checksum = vns_wire_get16(data + 2);
    out->id = vns_wire_get16(data + 4);
    out->seq = vns_wire_get16(data + 6);
    out->mtu = data[0] == VNS_ICMP_DEST_UNREACH ? out->seq : 0;
    return true;
}
