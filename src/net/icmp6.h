/* ICMPv6 (RFC 4443) and the Neighbor Discovery messages of RFC 4861.
 *
 * Every message starts with type, code and checksum; the checksum covers the
 * IPv6 pseudo-header (RFC 4443 section 2.3, RFC 8200 section 8.1) and the
 * whole message. Modelled: destination unreachable, packet too big (with
 * the MTU, RFC 4443 section 3.2), time exceeded, parameter problem (pointer),
 * echo request/reply, neighbor solicitation and advertisement (target and
 * the source/target link-layer address option, RFC 4861 sections 4.3, 4.4,
 * 4.6.1). ND messages must be sent with hop limit 255 (RFC 4861 section
 * 7.1.1); that is the caller's IPv6 header. */
#ifndef VNS_ICMP6_H
#define VNS_ICMP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/addr.h"
#include "net/packet.h"

#define VNS_ICMP6_HLEN 8            /* RFC 4443 section 2.1, plus 4 bytes */
#define VNS_ICMP6_ND_HLEN 24        /* RFC 4861 sections 4.3, 4.4 */
#define VNS_ICMP6_LLADDR_OPT_LEN 8  /* RFC 4861 section 4.6.1, Ethernet */

/* Types (RFC 4443 section 2.1, RFC 4861 section 4). */
#define VNS_ICMP6_DEST_UNREACH 1
#define VNS_ICMP6_PACKET_TOO_BIG 2
#define VNS_ICMP6_TIME_EXCEEDED 3
#define VNS_ICMP6_PARAM_PROBLEM 4
#define VNS_ICMP6_ECHO_REQUEST 128
#define VNS_ICMP6_ECHO_REPLY 129
#define VNS_ICMP6_NEIGHBOR_SOLICIT 135
#define VNS_ICMP6_NEIGHBOR_ADVERT 136
/* ND option types (RFC 4861 section 4.6). */
#define VNS_ND_OPT_SOURCE_LLADDR 1
#define VNS_ND_OPT_TARGET_LLADDR 2

typedef struct {
    uint8_t type;
    uint8_t code;
    uint16_t checksum;          /* parse: as read; push: computed */
    uint16_t id;                /* echo identifier */
    uint16_t seq;               /* echo sequence number */
    uint32_t mtu;               /* packet too big: the next-hop MTU, bytes */
    uint32_t pointer;           /* parameter problem: offset of the error */
    VnsIp6 target;              /* NS/NA: target address */
    bool router;                /* NA: R flag */
    bool solicited;             /* NA: S flag */
    bool override;              /* NA: O flag */
    bool has_lladdr;            /* NS: source, NA: target link-layer option */
    VnsMac lladdr;
} VnsIcmp6Hdr;

uint32_t vns_icmp6_hdr_size(const VnsIcmp6Hdr *hdr);
uint8_t *vns_icmp6_push(VnsPacket *pkt, const VnsIcmp6Hdr *hdr,
                        const VnsIp6 *src, const VnsIp6 *dst);
bool vns_icmp6_parse(const uint8_t *data, size_t size, VnsIcmp6Hdr *out);

#endif
