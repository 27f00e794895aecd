/* The one list of element types and builders. The program hands it to the
 * registry at start-up; the loader itself never names a model. */
#include <config.h>
#include "models/models.h"

#include "models/apps/tcp_rr.h"
#include "models/apps/udp_flow.h"
#include "models/capture/capture.h"
#include "models/capture/overhead.h"
#include "models/cloud/udp_conns.h"
#include "models/cloud/vpc.h"
#include "models/l2/bridge.h"
#include "models/l2/ovs.h"
#include "models/l2/tap.h"
#include "models/l2/veth.h"
#include "models/l2/vnic.h"
#include "models/l2/wire.h"
#include "models/link/p2p.h"
#include "models/l3/host.h"
#include "models/overlay/mss_clamp.h"
#include "models/overlay/tunnel.h"
#include "models/stateful/conntrack.h"
#include "models/stateful/nat.h"
#include "models/transport/tcp_flow.h"

static const struct {
    const VnsElementOps *ops;
    unsigned scopes;
} element_types[] = {
    { &vns_p2p_link_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_host_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_router_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_hypervisor_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_conntrack_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_nat_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_vxlan_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_geneve_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_gretap_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_gre_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_mss_clamp_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_wire_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_veth_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_bridge_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_vnic_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_tap_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_ovs_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_vpc_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_transit_gateway_ops, VNS_SCOPE_TOPOLOGY },
};

static const struct {
    const VnsBuilder *builder;
    unsigned scopes;
} builders[] = {
    { &vns_udp_flow_builder, VNS_SCOPE_TRAFFIC },
    { &vns_capture_builder, VNS_SCOPE_TRAFFIC },
    { &vns_overhead_builder, VNS_SCOPE_TRAFFIC },
    { &vns_tcp_flow_builder, VNS_SCOPE_TRAFFIC },
    { &vns_udp_conns_builder, VNS_SCOPE_TRAFFIC },
    { &vns_tcp_rr_builder, VNS_SCOPE_TRAFFIC },
};

/*
 * vns_models_register:
 * Registers every model. Fails only on a duplicate name (a bug).
 */
bool
vns_models_register(VnsRegistry *reg, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(element_types); i++)
        if (!vns_registry_add_element(reg, element_types[i].ops,
                                      element_types[i].scopes, error))
            return false;
    for (size_t i = 0; i < G_N_ELEMENTS(builders); i++)
        if (builders[i].builder != NULL &&
            !vns_registry_add_builder(reg, builders[i].builder,
                                      builders[i].scopes, error))
            return false;
    return true;
}
