/* A UDP traffic source: an application on a host that sends datagrams of
 * random payload sizes to one destination address and port, spaced by a
 * constant-bit-rate, Poisson or on/off pattern. It hands complete IPv4 or
 * IPv6 packets (data[0] = the IP header) to its host through its port, and
 * stamps each with the flow's id, sequence number and send time.
 *
 * Sources are made by the <udp-flow> builder (udp_flow.c), not from XML
 * directly: vns_net_add() with a NULL config, then vns_udp_source_setup(). */
#ifndef VNS_UDP_SOURCE_H
#define VNS_UDP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include "models/apps/dist.h"
#include "net/addr.h"
#include "net/element.h"
#include "sim/time.h"

typedef enum {
    VNS_UDP_PATTERN_CBR,        /* constant bit rate */
    VNS_UDP_PATTERN_POISSON,    /* exponential gaps */
    VNS_UDP_PATTERN_ONOFF,      /* CBR during on periods, silent in off periods */
} VnsUdpPattern;

/* What a source sends. */
typedef struct {
    VnsUdpPattern pattern;
    uint64_t rate_bps;          /* payload bits per second; 0: use interval */
    VnsTime interval;           /* CBR/on-period gap, or mean Poisson gap, ps;
                                 * 0: use rate_bps */
    VnsDist *size;              /* payload bytes */
    VnsDist *on;                /* VNS_UDP_PATTERN_ONOFF: on periods, ps */
    VnsDist *off;               /* and off periods, ps */
    VnsTime start;              /* first send, ps from time 0 */
    VnsTime stop;               /* no send at or after it; VNS_TIME_NEVER */
    VnsIpAddr src;              /* IPv4 or IPv6 source address */
    VnsIpAddr dst;              /* destination, same family */
    uint16_t sport;             /* host order */
    uint16_t dport;
    uint8_t tos;                /* IPv4 TOS / IPv6 Traffic Class byte */
    uint32_t flow_id;           /* from vns_net_flow_register() */
} VnsUdpSourceConf;

extern const VnsElementOps vns_udp_source_ops;

VnsPort *vns_udp_source_setup(VnsElement *self, VnsUdpSourceConf *conf);
uint64_t vns_udp_source_sent_packets(const VnsElement *self);
uint64_t vns_udp_source_sent_bytes(const VnsElement *self);
uint64_t vns_udp_source_base_seq(const VnsElement *self);
uint64_t vns_udp_source_next_seq(const VnsElement *self);

#endif
