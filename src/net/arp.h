/* ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol type
 * 0x0800, 6-byte and 4-byte addresses, so 28 bytes. */
#ifndef VNS_ARP_H
#define VNS_ARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/addr.h"
#include "net/packet.h"

#define VNS_ARP_LEN 28              /* RFC 826: 2+2+1+1+2 + 6+4+6+4 */
#define VNS_ARP_OP_REQUEST 1
#define VNS_ARP_OP_REPLY 2

typedef struct {
    uint16_t op;                /* VNS_ARP_OP_* */
    VnsMac sha;                 /* sender hardware address */
    uint32_t spa;               /* sender IPv4 address, host order */
    VnsMac tha;                 /* target hardware address */
    uint32_t tpa;               /* target IPv4 address, host order */
} VnsArpHdr;

uint8_t *vns_arp_push(VnsPacket *pkt, const VnsArpHdr *hdr);
bool vns_arp_parse(const uint8_t *data, size_t size, VnsArpHdr *out);

#endif
