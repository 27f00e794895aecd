/* A veth pair: see veth.h. Nothing is allocated per packet: frames
 * waiting for the CPU wait in a CPU stage (src/net/cpu_stage.h). */
#include <config.h>
#include "models/l2/veth.h"

#include "models/l2/wire.h"
#include "net/eth.h"
#include "net/cpu_stage.h"
#include "net/node.h"

typedef struct {
    VnsElement base;            /* must stay first */
    VnsTime cost_ps;            /* CPU time per frame; 0 = free */
    uint64_t mtu;               /* bytes of L3 packet */
    VnsCpuStage cpu;            /* frames in CPU service; tag: in port */
} Veth;

static const VnsAttrSpec veth_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The pair's name, unique in the topology; its ends are the ports "
      "'NAME:a' and 'NAME:b'.", NULL, 0, 0 },
    { "a", VNS_ATTR_REF, false, NULL, NULL,
      "The port 'element:port' joined to end 'a'. Default: none (join "
      "'NAME:a' with a <wire> or <link>).", NULL, 0, 0 },
    { "b", VNS_ATTR_REF, false, NULL, NULL,
      "The port joined to end 'b'. Default: none, as for 'a'.", NULL, 0, 0 },
    { "node", VNS_ATTR_NAME, false, NULL, NULL,
      "The host, router or hypervisor whose CPU forwards the frames. "
      "Default: none, the pair costs no CPU.", NULL, 0, 0 },
    { "cost-per-packet", VNS_ATTR_TIME, false, "0ns", "s",
      "CPU time each frame costs on 'node' (veth_xmit plus the peer's "
      "receive). Default 0: no figure for it is published that holds "
      "across CPUs, so the pair is free unless told; see doc/models/l2.md.",
      NULL, 0, 0 },
    { "mtu", VNS_ATTR_UINT, false, VNS_VETH_DEFAULT_MTU, "bytes",
      "Largest L3 packet either end carries (frames up to MTU + 14 + 4 "
      "bytes pass, the kernel's is_skb_forwardable()). Default 1500, "
      "Linux's veth default (ETH_DATA_LEN); at least 68 (RFC 791).",
      NULL, 68, 65535 },
    { NULL }
};

static const VnsSpec veth_spec = {
    .element = "veth",
    .doc = "A virtual Ethernet pair (Linux veth): ports 'a' and 'b', "
           "joined to the ports its 'a' and 'b' attributes name (or by "
           "<wire>/<link>); a frame entering one end leaves the other, "
           "after an optional CPU cost on 'node'.",
    .attrs = veth_attrs,
    .children = NULL,
    .has_text = false,
};

/* Sends a frame that entered at port 'in' out of the other end, unless
 * it is too large (after its CPU time, if any: the CPU stage's release
 * callback). */
static void
veth_xmit(VnsElement *self, VnsPacket *pkt, uint32_t in, const void *data)
{
    Veth *v = (Veth *) self;

    (void) data;
    if (G_UNLIKELY(vns_packet_size(pkt) > v->mtu + VNS_ETH_HLEN + VNS_VLAN_HLEN)) {
        vns_packet_drop(pkt, self, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    vns_port_send(vns_element_port(self, (uint16_t) (1 - in)), pkt);
}

static void
veth_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Veth *v = (Veth *) self;

    vns_cpu_stage_submit(&v->cpu, pkt, port, v->cost_ps);
}

static bool
veth_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Veth *v = (Veth *) self;

    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "veth '%s' has no configuration, expected a <veth> "
                    "element", self->name);
        return false;
    }
    if (!vns_config_time(cfg, "cost-per-packet", &v->cost_ps, error) ||
        !vns_config_uint(cfg, "mtu", &v->mtu, error))
        return false;
    if (v->cost_ps < 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<veth> 'cost-per-packet' is negative, expected a "
                         "duration of 0 or more");
        return false;
    }
    for (int i = 0; i < 2; i++) {
        VnsPort *p = vns_element_add_port(self, i == 0 ? "a" : "b");
        p->info.mtu = (uint32_t) v->mtu;
    }
    vns_cpu_stage_init(&v->cpu, self, "veth-cpu", veth_xmit);
    return true;
}

static bool
veth_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Veth *v = (Veth *) self;

    for (uint16_t i = 0; i < 2; i++) {
        const char *end = i == 0 ? "a" : "b";
        if (vns_config_has(cfg, end) &&
            !vns_wire_join(self, cfg, end, vns_element_port(self, i), error))
            return false;
    }
    if (!vns_element_use_node(self, cfg, "node", error))
        return false;
    if (v->cost_ps > 0 && self->node == NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                         "<veth> has a 'cost-per-packet' but no 'node', "
                         "expected the host or hypervisor whose CPU pays it");
        return false;
    }
    return true;
}

/* Frames waiting for the CPU die as end_of_run. */
static void
veth_stop(VnsElement *self)
{
    vns_cpu_stage_purge(&((Veth *) self)->cpu);
}

static void
veth_stats(VnsElement *self, VnsReport *report)
{
    Veth *v = (Veth *) self;
    const VnsPort *a = vns_element_port(self, 0);
    const VnsPort *b = vns_element_port(self, 1);

    vns_report_row(report, "veths", self->name);
    /* Frames that entered at a travel a->b; leaving by b counts as b's tx. */
    vns_report_int(report, "a_to_b_packets", (int64_t) b->tx_packets);
    vns_report_int(report, "a_to_b_bytes", (int64_t) b->tx_bytes);
    vns_report_int(report, "b_to_a_packets", (int64_t) a->tx_packets);
    vns_report_int(report, "b_to_a_bytes", (int64_t) a->tx_bytes);
    if (v->cost_ps > 0 && self->node != NULL)
        vns_report_num(report, "node_cpu_utilization",
                       vns_node_cpu_utilization(self->node));
}

static void
veth_free(VnsElement *self)
{
    vns_cpu_stage_clear(&((Veth *) self)->cpu);
}

const VnsElementOps vns_veth_ops = {
    .type = "veth",
    .spec = &veth_spec,
    .instance_size = sizeof(Veth),
    .create = veth_create,
    .connect = veth_connect,
    .receive = veth_receive,
    .stop = veth_stop,
    .stats = veth_stats,
    .free = veth_free,
};
