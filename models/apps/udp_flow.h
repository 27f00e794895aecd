/* The <udp-flow> traffic construct: one UDP flow from an application on one
 * host to an application on another, expanded into a source element
 * "<name>.src" on the sending host and a sink element "<name>.sink" on the
 * receiving host (udp_source.h, udp_sink.h). doc/models/traffic.md
 * documents the XML and the metrics. */
#ifndef VNS_UDP_FLOW_H
#define VNS_UDP_FLOW_H

#include "topo/registry.h"

/* UDP payload limits, bytes: the IPv4 total length is 16 bits and covers
 * the 20-byte header (RFC 791 section 3.1) and the 8-byte UDP header
 * (RFC 768): 65535 - 20 - 8. The IPv6 payload length is 16 bits and covers
 * everything after the 40-byte fixed header (RFC 8200 section 3; jumbograms,
 * RFC 2675, are not modelled): 65535 - 8. */
#define VNS_UDP_MAX_PAYLOAD_V4 65507
#define VNS_UDP_MAX_PAYLOAD_V6 65527

extern const VnsBuilder vns_udp_flow_builder;

#endif
