/* UDP headers (RFC 768): 8 bytes, with a checksum over the IPv4 or IPv6
 * pseudo-header, the header and the data. */
#ifndef VNS_UDP_H
#define VNS_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/addr.h"
#include "net/packet.h"

#define VNS_UDP_HLEN 8              /* RFC 768 */

typedef struct {
    uint16_t sport;
    uint16_t dport;
    uint16_t length;            /* bytes, header + data; push: 0 = compute */
    uint16_t checksum;          /* parse: as read; push: computed */
} VnsUdpHdr;

uint8_t *vns_udp_push(VnsPacket *pkt, const VnsUdpHdr *hdr,
                      const VnsIpAddr *src, const VnsIpAddr *dst);
bool vns_udp_parse(const uint8_t *data, size_t size, VnsUdpHdr *out);

#endif
