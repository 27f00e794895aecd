/* Network address translation on a host or router: the element type
 * "nat", a model of Linux's nf_nat (net/netfilter/nf_nat_core.c) with
 * iptables' SNAT, MASQUERADE and DNAT targets.
 *
 * <nat host="r1"> holds rules: <snat>, <masquerade> (source translation
 * when leaving by an interface, at postrouting, priority 100) and <dnat>
 * (destination translation of arriving or locally sent packets, at
 * prerouting and output, priority -100). The first packet of a connection
 * decides: its translation is stored in the connection's conntrack entry
 * (the reply tuple) and applied to every later packet of both directions,
 * replies translated back. NAT needs a <conntrack> on the same host.
 * doc/models/conntrack.md documents the XML and the model. */
#ifndef VNS_NAT_H
#define VNS_NAT_H

#include <stdbool.h>
#include <stdint.h>
#include "models/stateful/conntrack.h"
#include "net/element.h"

extern const VnsElementOps vns_nat_ops;

/* For other models that translate (Kubernetes Services): set up DNAT on a
 * connection's first packet, then rewrite every packet of the connection
 * at the same hooks as NAT (destination kind at prerouting/output -100,
 * source kind at postrouting/input 100). */
bool vns_nat_setup_dnat(VnsCtEntry *e, const VnsIpAddr *addr, uint16_t port);
bool vns_nat_packet(VnsPacket *pkt, VnsCtEntry *e, VnsCtDir dir, bool src);

#endif
