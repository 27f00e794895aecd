/* Ethernet II and 802.1Q codecs (see eth.h). */
#include <config.h>
#include "net/eth.h"

#include <string.h>

/*
 * vns_eth_push:
 * Prepends a 14-byte Ethernet II header with the fields of 'hdr'. Returns
 * the header's first byte (data[0]).
 */
uint8_t *
vns_eth_push(VnsPacket *pkt, const VnsEthHdr *hdr)
{
    uint8_t *p = vns_packet_push(pkt, VNS_ETH_HLEN);

    memcpy(p, hdr->dst.b, 6);
    memcpy(p + 6, hdr->src.b, 6);
    vns_wire_put16(p + 12, hdr->ethertype);
    return p;
}

/*
 * vns_eth_parse:
 * Reads an Ethernet II header from the 'size' bytes at 'data'. Returns false
 * when fewer than 14 bytes are there, or when the Type field is an 802.3
 * length (below 0x0600, IEEE 802.3 clause 3.2.6), which this simulator does
 * not model.
 */
bool
vns_eth_parse(const uint8_t *data, size_t size, VnsEthHdr *out)
{
    if (size < VNS_ETH_HLEN)
        return false;
    uint16_t type = vns_wire_get16(data + 12);
    if (type < 0x0600)
        return false;
    memcpy(out->dst.b, data, 6);
    memcpy(out->src.b, data + 6, 6);
    out->ethertype = type;
    return true;
}

static void
vlan_write_tci(uint8_t *p, const VnsVlanHdr *hdr)
{
    vns_wire_put16(p, (uint16_t) ((hdr->pcp & 7u) << 13 | (hdr->dei ? 1u << 12 : 0) |
                                  (hdr->vid & 0x0fffu)));
}

/*
 * vns_vlan_push:
 * Prepends the 4 bytes that follow an Ethernet header of type 0x8100 or
 * 0x88a8: TCI (pcp, dei, vid) and the encapsulated EtherType. Push the
 * Ethernet header (type VNS_ETHERTYPE_VLAN) after it. Returns data[0].
 */
uint8_t *
vns_vlan_push(VnsPacket *pkt, const VnsVlanHdr *hdr)
{
    uint8_t *p = vns_packet_push(pkt, VNS_VLAN_HLEN);

    vlan_write_tci(p, hdr);
    vns_wire_put16(p + 2, hdr->ethertype);
    return p;
}

/*
 * vns_vlan_parse:
 * Reads the TCI and encapsulated EtherType from the 'size' bytes at 'data'
 * (just after an Ethernet header of a VLAN type). Returns false if fewer
 * than 4 bytes are there.
 */
bool
vns_vlan_parse(const uint8_t *data, size_t size, VnsVlanHdr *out)
{
    if (size < VNS_VLAN_HLEN)
        return false;
    uint16_t tci = vns_wire_get16(data);
    out->pcp = (uint8_t) (tci >> 13);
    out->dei = (tci >> 12) & 1;
    out->vid = tci & 0x0fff;
    out->ethertype = vns_wire_get16(data + 2);
    return true;
}

/*
 * vns_vlan_insert:
 * Inserts a tag ('tpid', normally VNS_ETHERTYPE_VLAN, and the TCI from
 * 'hdr') after the MAC addresses of the Ethernet frame at data[0], as a
 * switch access port does on ingress; the frame's EtherType becomes the
 * tag's encapsulated type ('hdr->ethertype' is not used). Returns false if
 * data[0] holds no Ethernet header.
 */
bool
vns_vlan_insert(VnsPacket *pkt, uint16_t tpid, const VnsVlanHdr *hdr)
{
    uint8_t macs[12];
    uint8_t *p;

    if (pkt->len < VNS_ETH_HLEN)
        return false;
    memcpy(macs, vns_packet_data(pkt), sizeof macs);
    p = vns_packet_push(pkt, VNS_VLAN_HLEN);
    memcpy(p, macs, sizeof macs);
    vns_wire_put16(p + 12, tpid);
    vlan_write_tci(p + 14, hdr);
    return true;
}

/*
 * vns_vlan_strip:
 * Removes the outer VLAN tag of the Ethernet frame at data[0], as an access
 * port does on egress, and fills 'out' (may be NULL) with it. Returns false,
 * changing nothing, if the frame has no 802.1Q/802.1ad tag.
 */
bool
vns_vlan_strip(VnsPacket *pkt, VnsVlanHdr *out)
{
    uint8_t macs[12];
    uint8_t *p = vns_packet_data(pkt);
    VnsVlanHdr tag;

    if (pkt->len < VNS_ETH_HLEN + VNS_VLAN_HLEN)
        return false;
    uint16_t tpid = vns_wire_get16(p + 12);
    if (tpid != VNS_ETHERTYPE_VLAN && tpid != VNS_ETHERTYPE_QINQ)
        return false;
    vns_vlan_parse(p + VNS_ETH_HLEN, VNS_VLAN_HLEN, &tag);
    memcpy(macs, p, sizeof macs);
    p = vns_packet_pull(pkt, VNS_VLAN_HLEN);
    memcpy(p, macs, sizeof macs);
    if (out != NULL)
        *out = tag;
    return true;
}
