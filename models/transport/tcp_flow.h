/* The <tcp-flow> traffic construct: one bulk TCP transfer from a client
 * application on one host to a server application on another, expanded
 * into endpoints "<name>.client" on the sending host and "<name>.server"
 * on the receiving host (tcp_endpoint.h). doc/models/tcp.md documents the
 * XML and the metrics. */
#ifndef VNS_TCP_FLOW_H
#define VNS_TCP_FLOW_H

#include "topo/registry.h"

extern const VnsBuilder vns_tcp_flow_builder;

#endif
