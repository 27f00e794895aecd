/* IPv6 headers (RFC 8200 section 3): a fixed 40-byte header, then
 * extension headers (section 4) before the upper-layer header.
 *
 * The parser walks Hop-by-Hop Options, Routing, Fragment, Destination
 * Options and Authentication (RFC 4302) headers to find the upper layer. */
#ifndef VNS_IPV6_H
#define VNS_IPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/addr.h"
#include "net/packet.h"
#include "net/wire.h"

#define VNS_IPV6_HLEN 40            /* RFC 8200 section 3 */
#define VNS_IPV6_FRAG_HLEN 8        /* RFC 8200 section 4.5 */

typedef struct {
    uint8_t dscp;               /* 6 bits of Traffic Class, RFC 2474 */
    uint8_t ecn;                /* 2 bits of Traffic Class, RFC 3168 */
    uint32_t flow_label;        /* 20 bits, RFC 6437 */
    uint16_t payload_len;       /* bytes after the fixed header, extension
                                 * headers included; push: 0 = compute */
    uint8_t next_header;        /* the fixed header's Next Header */
    uint8_t hop_limit;
    VnsIp6 src;
    VnsIp6 dst;
    /* Parse results (ignored by push). */
    uint8_t proto;              /* upper-layer protocol after the extension
                                 * headers; VNS_IPPROTO_NONE if none */
    uint16_t l4_off;            /* bytes from the fixed header to the upper-layer
                                 * header (to the fragment data of a
                                 * non-first fragment) */
    bool frag;                  /* a Fragment header is present */
    bool mf;                    /* its M flag */
    uint16_t frag_offset;       /* its offset, bytes */
    uint32_t frag_id;           /* its Identification */
} VnsIpv6Hdr;

uint8_t *vns_ipv6_push(VnsPacket *pkt, const VnsIpv6Hdr *hdr);
bool vns_ipv6_parse(const uint8_t *data, size_t size, VnsIpv6Hdr *out);
uint8_t *vns_ipv6_opts_push(VnsPacket *pkt, uint8_t type, uint8_t next_header,
                            uint32_t size);
uint8_t *vns_ipv6_frag_push(VnsPacket *pkt, uint8_t next_header,
                            uint16_t frag_offset, bool mf, uint32_t id);
uint8_t vns_ipv6_dec_hop_limit(uint8_t *ip6);

#endif
