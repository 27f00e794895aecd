/* Wire-format helpers shared by the header codecs: big-endian (network byte
 * order, RFC 1700 "Data Notations") loads and stores, and the registry
 * numbers the codecs and the flow-key parser dispatch on.
 *
 * Loads and stores go byte by byte, so they work at any alignment and on any
 * host byte order; header fields in a packet buffer are often unaligned
 * (an IPv4 header follows a 14-byte Ethernet header). */
#ifndef VNS_WIRE_H
#define VNS_WIRE_H

#include <stdint.h>

/* EtherType values, IEEE 802 numbers registry (IANA "ieee-802-numbers"). */
#define VNS_ETHERTYPE_IPV4 0x0800
#define VNS_ETHERTYPE_ARP  0x0806
#define VNS_ETHERTYPE_VLAN 0x8100   /* IEEE 802.1Q customer VLAN tag */
#define VNS_ETHERTYPE_IPV6 0x86DD
#define VNS_ETHERTYPE_QINQ 0x88A8   /* IEEE 802.1ad service VLAN tag */

/* IP protocol / IPv6 Next Header numbers (IANA "protocol-numbers"). */
#define VNS_IPPROTO_HOPOPTS  0      /* IPv6 Hop-by-Hop Options, RFC 8200 4.3 */
#define VNS_IPPROTO_ICMP     1
#define VNS_IPPROTO_IPIP     4      /* IPv4 in IP, RFC 2003 */
#define VNS_IPPROTO_TCP      6
#define VNS_IPPROTO_UDP      17
#define VNS_IPPROTO_DCCP     33
#define VNS_IPPROTO_IPV6     41     /* IPv6 in IP, RFC 4213 */
#define VNS_IPPROTO_ROUTING  43     /* IPv6 Routing header, RFC 8200 4.4 */
#define VNS_IPPROTO_FRAGMENT 44     /* IPv6 Fragment header, RFC 8200 4.5 */
#define VNS_IPPROTO_GRE      47     /* RFC 2784 */
#define VNS_IPPROTO_ESP      50
#define VNS_IPPROTO_AH       51     /* RFC 4302 */
#define VNS_IPPROTO_ICMPV6   58
#define VNS_IPPROTO_NONE     59     /* IPv6 No Next Header, RFC 8200 4.7 */
#define VNS_IPPROTO_DSTOPTS  60     /* IPv6 Destination Options, RFC 8200 4.6 */
#define VNS_IPPROTO_SCTP     132
#define VNS_IPPROTO_UDPLITE  136

/* Well-known UDP ports of the overlays (IANA "service-names-port-numbers"). */
#define VNS_UDP_PORT_VXLAN  4789    /* RFC 7348 section 5 */
#define VNS_UDP_PORT_GENEVE 6081    /* RFC 8926 section 3.3 */

static inline uint16_t
vns_wire_get16(const uint8_t *p)
{
    return (uint16_t) ((unsigned) p[0] << 8 | p[1]);
}

static inline uint32_t
vns_wire_get32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 |
           (uint32_t) p[2] << 8 | p[3];
}

static inline void
vns_wire_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

static inline void
vns_wire_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) (v >> 24);
    p[1] = (uint8_t) (v >> 16);
    p[2] = (uint8_t) (v >> 8);
    p[3] = (uint8_t) v;
}

#endif
