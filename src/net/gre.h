/* GRE headers (RFC 2784 section 2, with the Key and Sequence Number
 * extensions of RFC 2890 section 2): 4 bytes, then the optional Checksum
 * (with 2 reserved bytes), Key and Sequence Number words, in that order.
 *
 *   |C| |K|S| Reserved0       | Ver |         Protocol Type         |
 *   |      Checksum (optional)      |       Reserved1 (optional)    |
 *   |                         Key (optional)                        |
 *   |                 Sequence Number (optional)                    |
 *
 * The Protocol Type is the EtherType of the payload: 0x0800 IPv4, 0x86DD
 * IPv6 (Linux "gre"), 0x6558 an Ethernet frame (Transparent Ethernet
 * Bridging; Linux "gretap"). The checksum (RFC 2784 section 2.5) covers the
 * GRE header and the payload.
 *
 * Over IPv6, Linux's ip6gre adds by default a Destination Options header
 * with a Tunnel Encapsulation Limit option (RFC 2473 section 5.1) in front
 * of the GRE header; vns_gre_ip6_tel_push() builds it. */
#ifndef VNS_GRE_H
#define VNS_GRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/packet.h"

#define VNS_GRE_HLEN 4              /* RFC 2784 section 2.1 */
#define VNS_GRE_MAX_HLEN 16         /* with checksum, key and sequence */
#define VNS_GRE_F_CSUM 0x8000       /* C */
#define VNS_GRE_F_KEY 0x2000        /* K, RFC 2890 */
#define VNS_GRE_F_SEQ 0x1000        /* S, RFC 2890 */
/* RFC 2473 section 5.1: the Tunnel Encapsulation Limit option, type 4,
 * in an 8-byte Destination Options header. */
#define VNS_IP6_TEL_HLEN 8
#define VNS_IP6_OPT_TEL 4

typedef struct {
    uint16_t proto;             /* Protocol Type (EtherType) */
    bool has_csum;
    bool has_key;
    bool has_seq;
    uint16_t checksum;          /* parse: as read; push: computed */
    uint32_t key;
    uint32_t seq;
    uint8_t hdr_len;            /* parse output: 4-16 bytes */
} VnsGreHdr;

uint32_t vns_gre_hdr_len(bool csum, bool key, bool seq);
uint8_t *vns_gre_push(VnsPacket *pkt, const VnsGreHdr *hdr);
bool vns_gre_parse(const uint8_t *data, size_t size, VnsGreHdr *out);
bool vns_gre_checksum_ok(const VnsPacket *pkt, uint32_t off);
uint8_t *vns_gre_ip6_tel_push(VnsPacket *pkt, uint8_t next_header,
                              uint8_t limit);

#endif
