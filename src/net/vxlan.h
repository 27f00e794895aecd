/* VXLAN headers (RFC 7348 section 5): 8 bytes after a UDP header, carrying
 * a 24-bit VXLAN Network Identifier in front of an inner Ethernet frame.
 *
 *    0                   1                   2                   3
 *   |R|R|R|R|I|R|R|R|            Reserved                           |
 *   |                VXLAN Network Identifier (VNI) |   Reserved    |
 *
 * The I flag (0x08 in the first byte) must be 1 for a valid VNI; every
 * reserved bit is sent as zero and ignored on receipt (section 5). */
#ifndef VNS_VXLAN_H
#define VNS_VXLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/packet.h"

#define VNS_VXLAN_HLEN 8            /* RFC 7348 section 5 */
#define VNS_VXLAN_FLAG_I 0x08       /* "I" flag: the VNI is valid */
#define VNS_VXLAN_VNI_MAX 0xffffffu /* 24 bits */

uint8_t *vns_vxlan_push(VnsPacket *pkt, uint32_t vni);
bool vns_vxlan_parse(const uint8_t *data, size_t size, uint32_t *vni);

#endif
