/* ARP codec (RFC 826, Ethernet and IPv4 only). */
#include <config.h>
#include "net/arp.h"

#include <string.h>
#include "net/wire.h"

/* RFC 826 "Packet format"; hardware type 1 is Ethernet (IANA arp-parameters). */
#define ARP_HTYPE_ETHERNET 1

/*
 * vns_arp_push:
 * Prepends a 28-byte ARP packet for IPv4 over Ethernet with the fields of
 * 'hdr'. Returns data[0].
 */
uint8_t *
vns_arp_push(VnsPacket *pkt, const VnsArpHdr *hdr)
{
    uint8_t *p = vns_packet_push(pkt, VNS_ARP_LEN);

    vns_wire_put16(p, ARP_HTYPE_ETHERNET);
    vns_wire_put16(p + 2, VNS_ETHERTYPE_IPV4);
    p[4] = 6;
    p[5] = 4;
    vns_wire_put16(p + 6, hdr->op);
    memcpy(p + 8, hdr->sha.b, 6);
    vns_wire_put32(p + 14, hdr->spa);
    memcpy(p + 18, hdr->tha.b, 6);
    vns_wire_put32(p + 24, hdr->tpa);
    return p;
}

/*
 * vns_arp_parse:
 * Reads an ARP packet from the 'size' bytes at 'data'. Returns false when
 * it is shorter than 28 bytes or not for IPv4 over Ethernet (hardware type
 * 1, protocol 0x0800, address lengths 6 and 4).
 */
bool
vns_arp_parse(const uint8_t *data, size_t size, VnsArpHdr *out)
{
    if (size < VNS_ARP_LEN || vns_wire_get16(data) != ARP_HTYPE_ETHERNET ||
        vns_wire_get16(data + 2) != VNS_ETHERTYPE_IPV4 || data[4] != 6 ||
        data[5] != 4)
        return false;
    out->op = vns_wire_get16(data + 6);
    memcpy(out->sha.b, data + 8, 6);
    out->spa = vns_wire_get32(data + 14);
    memcpy(out->tha.b, data + 18, 6);
    out->tpa = vns_wire_get32(data + 24);
    return true;
}
