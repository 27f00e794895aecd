/* IPv4 headers (RFC 791 section 3.1): 20 bytes plus up to 40 bytes of
 * options, with the header checksum of RFC 791 / RFC 1071.
 *
 * Besides the build and parse functions, accessors read and set single
 * fields of a header in place (fragmentation, TTL, NAT), keeping the header
 * checksum right by the incremental update of RFC 1624. They take a pointer
 * to at least 20 valid header bytes. */
#ifndef VNS_IPV4_H
#define VNS_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/packet.h"
#include "net/wire.h"

#define VNS_IPV4_HLEN 20            /* RFC 791 section 3.1, IHL = 5 */
#define VNS_IPV4_MAX_HLEN 60        /* IHL = 15 */

typedef struct {
    uint8_t hdr_len;            /* bytes, 20-60, a multiple of 4 (IHL x 4);
                                 * push: 0 means 20 */
    uint8_t dscp;               /* 6 bits, RFC 2474 */
    uint8_t ecn;                /* 2 bits, RFC 3168 */
    uint16_t total_len;         /* bytes, header + data; push: 0 = compute */
    uint16_t id;                /* Identification */
    bool df;                    /* Don't Fragment */
    bool mf;                    /* More Fragments */
    uint16_t frag_offset;       /* bytes, a multiple of 8 (the field counts
                                 * 8-byte units) */
    uint8_t ttl;
    uint8_t proto;              /* VNS_IPPROTO_* */
    uint16_t checksum;          /* parse: as read; push: computed */
    uint32_t src;               /* host byte order */
    uint32_t dst;
    const uint8_t *options;     /* push: hdr_len - 20 option bytes, or NULL for
                                 * zeros (End of Option List); parse: borrowed
                                 * pointer into the parsed bytes */
} VnsIpv4Hdr;

uint8_t *vns_ipv4_push(VnsPacket *pkt, const VnsIpv4Hdr *hdr);
bool vns_ipv4_parse(const uint8_t *data, size_t size, VnsIpv4Hdr *out);
uint16_t vns_ipv4_checksum(const uint8_t *ip);
bool vns_ipv4_checksum_ok(const uint8_t *data, size_t size);

uint16_t vns_ipv4_id(const uint8_t *ip);
bool vns_ipv4_df(const uint8_t *ip);
bool vns_ipv4_mf(const uint8_t *ip);
uint16_t vns_ipv4_frag_offset(const uint8_t *ip);
bool vns_ipv4_is_fragment(const uint8_t *ip);
void vns_ipv4_set_id(uint8_t *ip, uint16_t id);
void vns_ipv4_set_frag(uint8_t *ip, bool df, bool mf, uint16_t frag_offset);
void vns_ipv4_set_total_len(uint8_t *ip, uint16_t total_len);
uint8_t vns_ipv4_dec_ttl(uint8_t *ip);
void vns_ipv4_set_src(uint8_t *ip, uint32_t addr);
void vns_ipv4_set_dst(uint8_t *ip, uint32_t addr);

#endif
