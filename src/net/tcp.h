/* TCP headers (RFC 9293 section 3.1): 20 bytes plus up to 40 bytes of
 * options, with a checksum over the IPv4 or IPv6 pseudo-header, the header
 * and the data.
 *
 * Options: End of Option List and No-Operation (RFC 9293 section 3.2),
 * Maximum Segment Size (kind 2, section 3.7.1), Window Scale (kind 3, RFC
 * 7323 section 2), SACK-Permitted and SACK (kinds 4 and 5, RFC 2018),
 * Timestamps (kind 8, RFC 7323 section 3). */
#ifndef VNS_TCP_H
#define VNS_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/addr.h"
#include "net/packet.h"

#define VNS_TCP_HLEN 20             /* RFC 9293 section 3.1, Data Offset 5 */
#define VNS_TCP_MAX_HLEN 60         /* Data Offset 15 */
#define VNS_TCP_MAX_SACK 4          /* RFC 2018 section 3: at most 4 blocks */

/* Control bits (RFC 9293 section 3.1; ECE and CWR from RFC 3168). */
#define VNS_TCP_FIN 0x01
#define VNS_TCP_SYN 0x02
#define VNS_TCP_RST 0x04
#define VNS_TCP_PSH 0x08
#define VNS_TCP_ACK 0x10
#define VNS_TCP_URG 0x20
#define VNS_TCP_ECE 0x40
#define VNS_TCP_CWR 0x80

typedef struct {
    bool has_mss;
    uint16_t mss;               /* bytes */
    bool has_wscale;
    uint8_t wscale;             /* shift count, as sent (RFC 7323 caps use at 14) */
    bool sack_permitted;
    bool has_ts;
    uint32_t ts_val;            /* TSval */
    uint32_t ts_ecr;            /* TSecr */
    uint8_t sack_blocks;        /* 0-4 SACK blocks */
    uint32_t sack[VNS_TCP_MAX_SACK][2];  /* left and right edges */
} VnsTcpOpts;

typedef struct {
    uint16_t sport;
    uint16_t dport;
    uint32_t seq;
    uint32_t ack;
    uint8_t hdr_len;            /* bytes (Data Offset x 4); parse output */
    uint8_t flags;              /* VNS_TCP_* */
    uint16_t window;            /* unscaled, as on the wire */
    uint16_t checksum;          /* parse: as read; push: computed */
    uint16_t urg_ptr;
    VnsTcpOpts opts;
} VnsTcpHdr;

uint32_t vns_tcp_opts_size(const VnsTcpOpts *opts);
uint8_t *vns_tcp_push(VnsPacket *pkt, const VnsTcpHdr *hdr,
                      const VnsIpAddr *src, const VnsIpAddr *dst);
bool vns_tcp_parse(const uint8_t *data, size_t size, VnsTcpHdr *out);

#endif
