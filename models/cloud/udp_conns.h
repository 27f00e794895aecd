/* The <udp-connections> traffic builder: many short UDP "connections"
 * (one datagram each, each from its own source port) from one host to one
 * destination address and port, as a client opening connections does; a
 * receiver on the destination host counts what arrives. It loads NAT
 * gateways and connection-tracking tables with distinct 5-tuples toward a
 * single destination, which one <udp-flow> per connection cannot (flows
 * do not share a sink port). */
#ifndef VNS_UDP_CONNS_H
#define VNS_UDP_CONNS_H

#include "topo/registry.h"

extern const VnsBuilder vns_udp_conns_builder;

#endif
