/* Ethernet II headers (IEEE 802.3 clause 3.2.6 Length/Type >= 0x0600; RFC
 * 894) and IEEE 802.1Q VLAN tags.
 *
 * An Ethernet header is 14 bytes: destination, source, EtherType. A VLAN tag
 * is 4 bytes (TPID 0x8100 and TCI) inserted before the EtherType; the codec
 * below sees it the way a layered parser does, as the 4 bytes that follow an
 * Ethernet header of type 0x8100: TCI then the encapsulated EtherType.
 * The FCS (4 bytes) and the minimum frame padding are the link's business. */
#ifndef VNS_ETH_H
#define VNS_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/addr.h"
#include "net/packet.h"
#include "net/wire.h"

#define VNS_ETH_HLEN 14             /* IEEE 802.3 clause 3.1.1: 6 + 6 + 2 */
#define VNS_VLAN_HLEN 4             /* IEEE 802.1Q clause 9: TPID + TCI */

typedef struct {
    VnsMac dst;
    VnsMac src;
    uint16_t ethertype;         /* VNS_ETHERTYPE_* */
} VnsEthHdr;

typedef struct {
    uint8_t pcp;                /* priority code point, 3 bits */
    bool dei;                   /* drop eligible indicator */
    uint16_t vid;               /* VLAN id, 12 bits */
    uint16_t ethertype;         /* the encapsulated EtherType */
} VnsVlanHdr;

uint8_t *vns_eth_push(VnsPacket *pkt, const VnsEthHdr *hdr);
bool vns_eth_parse(const uint8_t *data, size_t size, VnsEthHdr *out);
uint8_t *vns_vlan_push(VnsPacket *pkt, const VnsVlanHdr *hdr);
bool vns_vlan_parse(const uint8_t *data, size_t size, VnsVlanHdr *out);
bool vns_vlan_insert(VnsPacket *pkt, uint16_t tpid, const VnsVlanHdr *hdr);
bool vns_vlan_strip(VnsPacket *pkt, VnsVlanHdr *out);

#endif
