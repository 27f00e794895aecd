/* In-node wires: the element type "wire", and the helpers the other L2
 * elements (veth, bridge) share to join their ports to the ports their
 * attributes name.
 *
 * <wire a="vm1:eth0" b="br0:vm1"/> joins two ports directly, as a cable of
 * zero length would: a frame sent on one is received by the other at the
 * same simulated instant (vns_port_send() hands it over at once). The wire
 * is an element with no ports of its own; after connect it does nothing.
 * doc/models/l2.md describes it. */
#ifndef VNS_L2_WIRE_H
#define VNS_L2_WIRE_H

#include <stdbool.h>
#include <stdint.h>
#include "net/element.h"

/* The "wire" element type. */
extern const VnsElementOps vns_wire_ops;

char *vns_wire_ref_element(const VnsConfig *cfg, const char *attr);
char *vns_wire_default_name(const VnsConfig *cfg);
bool vns_wire_join(VnsElement *self, const VnsConfig *cfg, const char *attr,
                   VnsPort *port, GError **error);

#endif
