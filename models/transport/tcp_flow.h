/* The <tcp-flow> traffic construct: one bulk TCP transfer from a client
 * application on one host to a server application on another, expanded
 * into endpoints "<name>.client" on the sending host and "<name>.server"
 * on the receiving host (tcp_endpoint.h). doc/models/tcp.md documents the
 * XML and the metrics. */
#ifndef VNS_TCP_FLOW_H
#define VNS_TCP_FLOW_H

#include "topo/registry.h"

/* Linux's default ephemeral port range, /proc/sys/net/ipv4/ip_local_port_range
 * (Documentation/networking/ip-sysctl.rst: "32768 60999"). */
#define VNS_TCP_EPHEMERAL_MIN 32768
#define VNS_TCP_EPHEMERAL_MAX 60999

extern const VnsBuilder vns_tcp_flow_builder;

#endif
