/* The one list of element types and builders. The program hands it to the
 * registry at start-up; the loader itself never names a model. */
#include <config.h>
#include "models/models.h"

#include "models/apps/udp_flow.h"
#include "models/capture/capture.h"
#include "models/capture/overhead.h"
#include "models/link/p2p.h"
#include "models/l3/host.h"
#include "models/transport/tcp_flow.h"

static const struct {
    const VnsElementOps *ops;
    unsigned scopes;
} element_types[] = {
    { &vns_p2p_link_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_host_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_router_ops, VNS_SCOPE_TOPOLOGY },
    { &vns_hypervisor_ops, VNS_SCOPE_TOPOLOGY },
};

static const struct {
    const VnsBuilder *builder;
    unsigned scopes;
} builders[] = {
    { &vns_udp_flow_builder, VNS_SCOPE_TRAFFIC },
    { &vns_capture_builder, VNS_SCOPE_TRAFFIC },
    { &vns_overhead_builder, VNS_SCOPE_TRAFFIC },
    { &vns_tcp_flow_builder, VNS_SCOPE_TRAFFIC },
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
