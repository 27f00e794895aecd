/* The <tcp-rr> traffic construct: a request/response application over
 * TCP. A client on one host issues requests, each on a connection of its
 * own ("new": connect, request, response, close) or on one of a pool of
 * persistent connections; a server on another host reads each request,
 * waits for one of its workers, serves it for a service time and writes
 * the response. Expanded into "<name>.client" and "<name>.server";
 * doc/models/traffic.md documents the XML, the metrics and the
 * assumptions. */
#ifndef VNS_TCP_RR_H
#define VNS_TCP_RR_H

#include "topo/registry.h"

extern const VnsElementOps vns_tcp_rr_client_ops;
extern const VnsElementOps vns_tcp_rr_server_ops;
extern const VnsBuilder vns_tcp_rr_builder;

#endif
