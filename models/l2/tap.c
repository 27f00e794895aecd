/* A TAP device: frames cross between the vNIC side (port "vm") and the
 * hypervisor's kernel side (port "host") unchanged, each paying an
 * optional per-packet CPU cost on the hypervisor's node.
 *
 * The frames in service wait in a CPU stage (src/net/cpu_stage.h), which
 * owns them, releases them in order and drops them at a stop. */
#include <config.h>
#include "models/l2/tap.h"

#include "models/l2/vnic.h"
#include "net/cpu_stage.h"

typedef struct {
    VnsElement base;            /* must stay first */
    VnsTime cost_ps;            /* CPU time per frame; 0 = free */
    VnsCpuStage cpu;            /* frames in CPU service; tag: in port */
    VnsTime window_start_ps;
    uint64_t packets[2];        /* frames forwarded, by arrival port */
    uint64_t bytes[2];
} Tap;

static const VnsAttrSpec tap_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The TAP's name (like 'tap0' or libvirt's 'vnet0'), unique in the "
      "topology." },
    { "node", VNS_ATTR_NAME, false, NULL, NULL,
      "The hypervisor whose CPU pays 'cost-per-packet'. Default: none "
      "(free)." },
    { "vm", VNS_ATTR_REF, false, NULL, NULL,
      "The port joined to the TAP's port 'vm', normally the vNIC's "
      "'vnic:host'. Default: none (the <vnic>'s 'host' may name this "
      "TAP's 'tap:vm' instead)." },
    { "host", VNS_ATTR_REF, false, NULL, NULL,
      "The port joined to the TAP's port 'host', e.g. a bridge port "
      "'br0:tap1'. Default: none (join it with <wire>)." },
    { "cost-per-packet", VNS_ATTR_TIME, false, "0ns", "s",
      "CPU time of the tun driver per frame, either way. Default 0: the "
      "vNIC's default cost is a measured vhost-net rate, which already "
      "includes the tun driver's work (vhost-net calls tun_sendmsg() and "
      "tun_recvmsg() from its worker thread); give the TAP a cost only to "
      "split it out of the vNIC's." },
    { NULL }
};

static const VnsSpec tap_spec = {
    .element = "tap",
    .doc = "A TAP device, the hypervisor-kernel end of a VM's vNIC: port "
           "'vm' faces the <vnic>, port 'host' the bridge or switch; frames "
           "pass unchanged with an optional per-packet CPU cost.",
    .attrs = tap_attrs,
    .children = NULL,
    .has_text = false,
};

/* Forwards a frame that came in on 'port' (after its CPU time, if any)
 * out of the other port: the CPU stage's release callback. */
static void
tap_forward(VnsElement *self, VnsPacket *pkt, uint32_t port, const void *data)
{
    Tap *t = (Tap *) self;

    (void) data;
    t->packets[port]++;
    t->bytes[port] += vns_packet_size(pkt);
    vns_port_send(vns_element_port(self, (uint16_t) (1 - port)), pkt);
}

static void
tap_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Tap *t = (Tap *) self;

    vns_cpu_stage_submit(&t->cpu, pkt, port, t->cost_ps);
}

static bool
tap_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Tap *t = (Tap *) self;

    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "tap '%s' has no configuration, expected a <tap> "
                    "element", self->name);
        return false;
    }
    if (!vns_config_time(cfg, "cost-per-packet", &t->cost_ps, error))
        return false;
    if (t->cost_ps < 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<tap> 'cost-per-packet' is negative, expected a "
                         "time of 0 or more");
        return false;
    }
    vns_element_add_port(self, "vm");
    vns_element_add_port(self, "host");
    vns_cpu_stage_init(&t->cpu, self, "tap-cpu", tap_forward);
    return true;
}

static bool
tap_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    return vns_element_use_node(self, cfg, "node", error) &&
           vns_vnic_join(self, cfg, "vm", VNS_TAP_PORT_VM, error) &&
           vns_vnic_join(self, cfg, "host", VNS_TAP_PORT_HOST, error);
}

static bool
tap_start(VnsElement *self, GError **error)
{
    Tap *t = (Tap *) self;

    t->window_start_ps = vns_element_now(self);
    return true;
}

static void
tap_reset(VnsElement *self)
{
    Tap *t = (Tap *) self;

    t->window_start_ps = vns_element_now(self);
    vns_cpu_stage_reset(&t->cpu);
    t->packets[0] = t->packets[1] = 0;
    t->bytes[0] = t->bytes[1] = 0;
}

static void
tap_stop(VnsElement *self)
{
    vns_cpu_stage_purge(&((Tap *) self)->cpu);
}

static void
tap_stats(VnsElement *self, VnsReport *report)
{
    Tap *t = (Tap *) self;
    double window_s = vns_time_to_s(vns_element_now(self) - t->window_start_ps);

    vns_report_row(report, "taps", self->name);
    vns_report_int(report, "to_host_packets",
                   (int64_t) t->packets[VNS_TAP_PORT_VM]);
    vns_report_int(report, "to_host_bytes", (int64_t) t->bytes[VNS_TAP_PORT_VM]);
    vns_report_int(report, "to_vm_packets",
                   (int64_t) t->packets[VNS_TAP_PORT_HOST]);
    vns_report_int(report, "to_vm_bytes", (int64_t) t->bytes[VNS_TAP_PORT_HOST]);
    vns_report_int(report, "drops_cpu_backlog",
                   (int64_t) self->drops[VNS_DROP_CPU_BACKLOG]);
    vns_report_num(report, "cpu_s", vns_time_to_s(t->cpu.busy_ps));
    vns_report_num(report, "cpu_cores",
                   window_s > 0 ? vns_time_to_s(t->cpu.busy_ps) / window_s : 0.0);
}

static void
tap_free(VnsElement *self)
{
    vns_cpu_stage_clear(&((Tap *) self)->cpu);
}

const VnsElementOps vns_tap_ops = {
    .type = "tap",
    .spec = &tap_spec,
    .instance_size = sizeof(Tap),
    .create = tap_create,
    .connect = tap_connect,
    .start = tap_start,
    .receive = tap_receive,
    .reset = tap_reset,
    .stop = tap_stop,
    .stats = tap_stats,
    .free = tap_free,
};
