/* ICMP for IPv4 (RFC 792): an 8-byte header (type, code, checksum, four
 * bytes that depend on the type) and a body, with a checksum over both.
 *
 * Modelled types: echo request and reply (id, sequence), destination
 * unreachable (with the next-hop MTU of "fragmentation needed", RFC 1191
 * section 4) and time exceeded. Error bodies quote the offending packet's
 * IP header and at least 8 bytes after it (RFC 792; RFC 1812 section 4.3.2.3
 * allows up to 576 bytes in all): the caller pushes the ICMP header in front
 * of those quoted bytes. */
#ifndef VNS_ICMP_H
#define VNS_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/packet.h"

#define VNS_ICMP_HLEN 8             /* RFC 792 */

/* Types and codes (RFC 792; IANA "icmp-parameters"). */
#define VNS_ICMP_ECHO_REPLY 0
#define VNS_ICMP_DEST_UNREACH 3
#define VNS_ICMP_ECHO_REQUEST 8
#define VNS_ICMP_TIME_EXCEEDED 11
#define VNS_ICMP_NET_UNREACH 0          /* codes of DEST_UNREACH */
#define VNS_ICMP_HOST_UNREACH 1
#define VNS_ICMP_PROTO_UNREACH 2
#define VNS_ICMP_PORT_UNREACH 3
#define VNS_ICMP_FRAG_NEEDED 4          /* RFC 1191 section 4 */
#define VNS_ICMP_ADMIN_PROHIBITED 13    /* RFC 1812 section 5.2.7.1 */
#define VNS_ICMP_TTL_EXCEEDED 0         /* codes of TIME_EXCEEDED */
#define VNS_ICMP_REASM_EXCEEDED 1

typedef struct {
    uint8_t type;
    uint8_t code;
    uint16_t checksum;          /* parse: as read; push: computed */
    uint16_t id;                /* bytes 4-5: echo identifier (other types: raw) */
    uint16_t seq;               /* bytes 6-7: echo sequence (other types: raw) */
    uint16_t mtu;               /* destination unreachable: next-hop MTU in
                                 * bytes 6-7, RFC 1191 section 4 (0 if unused) */
} VnsIcmpHdr;

uint8_t *vns_icmp_push(VnsPacket *pkt, const VnsIcmpHdr *hdr);
bool vns_icmp_parse(const uint8_t *data, size_t size, VnsIcmpHdr *out);

#endif
