/* A VM's virtual NIC (element type "vnic"): the device a guest's interface
 * is plugged into, emulated by the hypervisor, with the CPU it costs there
 * and its segmentation offloads.
 *
 * Two ports: "guest", joined to the VM's interface (attribute guest=), and
 * "host", joined to the hypervisor-side end (a <tap>, attribute host=, or
 * anything else through <wire>/<link>). Every packet costs the hypervisor's
 * CPU (node=) a time per packet plus a time per byte, in both directions.
 *
 * Offloads: with TSO or GSO on, the guest port advertises gso_max_size, so
 * the guest may hand over TCP packets larger than the MTU; the vNIC cuts
 * them into MSS-sized segments with right sequence numbers, IP ids, lengths
 * and checksums. With GRO on, in-order TCP segments of a flow that queue
 * for the CPU on the way to the guest are coalesced into one packet, NAPI
 * style (a poll takes up to 64 packets; up to 64 KB per merged packet).
 * doc/models/vnic.md describes the model, its defaults and their sources. */
#ifndef VNS_VNIC_H
#define VNS_VNIC_H

#include "net/element.h"

extern const VnsElementOps vns_vnic_ops;

/* Port indices of a vNIC. */
#define VNS_VNIC_PORT_GUEST 0
#define VNS_VNIC_PORT_HOST 1

/* Joins a port to the one an optional reference attribute names (used by
 * <vnic> and <tap> from their connect). */
bool vns_vnic_join(VnsElement *self, const VnsConfig *cfg, const char *attr,
                   uint16_t index, GError **error);

#endif
