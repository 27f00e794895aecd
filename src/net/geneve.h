/* Geneve headers (RFC 8926 section 3): an 8-byte base header after a UDP
 * header, then 0 to 252 bytes of TLV options, then the payload whose
 * EtherType the Protocol Type names (0x6558, an Ethernet frame).
 *
 *   |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *   |        Virtual Network Identifier (VNI)       |    Reserved   |
 *   |                    Variable-Length Options                    |
 *
 * Opt Len counts the options in 4-byte words. Each option (section 3.5) is
 * a 4-byte header, Option Class (16 bits), Type (8 bits, the high bit
 * marking it critical), 3 reserved bits and Length (5 bits, data length in
 * 4-byte words), followed by its data. */
#ifndef VNS_GENEVE_H
#define VNS_GENEVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/packet.h"

#define VNS_GENEVE_HLEN 8           /* RFC 8926 section 3.4 */
#define VNS_GENEVE_OPT_HLEN 4       /* RFC 8926 section 3.5 */
#define VNS_GENEVE_MAX_OPTS 252     /* Opt Len is 6 bits of 4-byte words */
#define VNS_GENEVE_MAX_OPT_DATA 124 /* Length is 5 bits of 4-byte words */
#define VNS_GENEVE_TYPE_CRITICAL 0x80
/* Transparent Ethernet Bridging (IANA EtherType registry, RFC 1701): the
 * protocol type of an Ethernet payload, in Geneve and in GRE. */
#define VNS_ETHERTYPE_TEB 0x6558

typedef struct {
    uint32_t vni;               /* 24 bits */
    uint16_t proto;             /* Protocol Type, an EtherType */
    bool oam;                   /* O bit */
    bool critical;              /* C bit: a critical option is present
                                 * (push: computed from the options) */
    uint32_t opt_len;           /* option bytes, a multiple of 4, <= 252 */
    const uint8_t *opts;        /* push: opt_len encoded option bytes;
                                 * parse: borrowed pointer into the data */
} VnsGeneveHdr;

typedef struct {
    uint16_t cls;               /* Option Class */
    uint8_t type;               /* Type, high bit = critical */
    uint8_t len;                /* data bytes, a multiple of 4, <= 124 */
    const uint8_t *data;        /* len bytes; NULL = zeros */
} VnsGeneveOpt;

uint32_t vns_geneve_opt_encode(uint8_t *out, size_t room,
                               const VnsGeneveOpt *opt);
uint8_t *vns_geneve_push(VnsPacket *pkt, const VnsGeneveHdr *hdr);
bool vns_geneve_parse(const uint8_t *data, size_t size, VnsGeneveHdr *out);
bool vns_geneve_opt_next(const uint8_t *opts, uint32_t opt_len, uint32_t *at,
                         VnsGeneveOpt *out);

#endif
