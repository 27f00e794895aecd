/* Overhead accounting (the <overhead> builder and its element, see
 * overhead.h).
 *
 * The element's tap sees each frame when it crosses the port (for a host
 * interface joined to a link: incoming frames when the link delivers them,
 * outgoing ones when the host hands them over, before the link's queue).
 * Counts start at the end of the warm-up, like every other measurement.
 * Goodput as a fraction of line rate is payload bits over what the line
 * could have carried in the measurement window: rate x window. */
#include <config.h>
#include "models/capture/overhead.h"

#include <math.h>
#include <string.h>
#include "net/layers.h"

typedef enum {
    OVERHEAD_BOTH,
    OVERHEAD_IN,
    OVERHEAD_OUT,
} OverheadDirection;

typedef struct {
    VnsElement base;            /* must stay first */
    VnsPortTap tap;             /* on 'port' */
    VnsPort *port;              /* the watched port, borrowed */
    char *at;                   /* the 'at' reference as written */
    OverheadDirection direction;
    uint64_t rate_bps;          /* line rate; 0 = unknown */
    VnsTime window_start_ps;    /* end of the warm-up */
    VnsLayerBytes all;          /* every frame */
    VnsLayerBytes *flows;       /* [flow id], 0 = no flow (ARP, ...) */
    uint32_t n_flows;           /* entries in 'flows' */
} Overhead;

static const VnsAttrSpec overhead_attrs[] = {
    { "at", VNS_ATTR_REF, true, NULL, NULL,
      "The port to watch, 'element:port' (e.g. 'h2:eth0'), or 'element' "
      "when it has one port; required." },
    { "direction", VNS_ATTR_ENUM, false, "in", NULL,
      "Which frames: 'in' (received by the port's element), 'out' (sent by "
      "it) or 'both'. Default in: on a receiver's interface that counts "
      "what the link delivered.", "both|in|out" },
    { "rate", VNS_ATTR_RATE, false, NULL, "bit/s",
      "The line rate that goodput is a fraction of. Default: the rate the "
      "port's link advertises (its 'rate')." },
    { NULL }
};

static const VnsSpec overhead_spec = {
    "overhead", "Overhead accounting: splits the line time of the frames "
    "that cross one port by protocol layer (payload, L4, L3, encapsulation, "
    "outer headers, L2, preamble/SFD/IFG), in total and per flow "
    "(doc/models/overhead.md).",
    overhead_attrs, NULL, false,
};

static Overhead *
overhead_from_tap(VnsPortTap *tap)
{
    return (Overhead *) (void *) ((char *) tap - offsetof(Overhead, tap));
}

static void
overhead_seen(VnsPortTap *tap, const VnsPort *port, const VnsPacket *pkt,
              bool outgoing)
{
    Overhead *o = overhead_from_tap(tap);

    (void) port;
    if ((o->direction == OVERHEAD_IN && outgoing) ||
        (o->direction == OVERHEAD_OUT && !outgoing))
        return;
    vns_layers_add(&o->all, pkt);
    if (pkt->flow_id < o->n_flows)
        vns_layers_add(&o->flows[pkt->flow_id], pkt);
}

static bool
overhead_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Overhead *o = (Overhead *) self;
    int direction = 0;

    g_assert(cfg != NULL);
    o->tap.seen = overhead_seen;
    if (!vns_config_string(cfg, "at", &o->at, error) ||
        !vns_config_enum(cfg, "direction", &direction, error))
        return false;
    o->direction = (OverheadDirection) direction;
    if (vns_config_has(cfg, "rate") &&
        !vns_config_rate(cfg, "rate", &o->rate_bps, error))
        return false;
    return true;
}

/* Every flow is registered by now: size the per-flow table once. */
static bool
overhead_start(VnsElement *self, GError **error)
{
    Overhead *o = (Overhead *) self;

    (void) error;
    o->n_flows = vns_net_n_flows(self->net) + 1;
    o->flows = g_new0(VnsLayerBytes, o->n_flows);
    if (o->rate_bps == 0)
        o->rate_bps = o->port->info.rate_bps != 0
                          ? o->port->info.rate_bps
                          : (o->port->peer != NULL ? o->port->peer->info.rate_bps
                                                   : 0);
    return true;
}

static void
overhead_reset(VnsElement *self)
{
    Overhead *o = (Overhead *) self;

    memset(&o->all, 0, sizeof o->all);
    memset(o->flows, 0, sizeof *o->flows * o->n_flows);
    o->window_start_ps = vns_element_now(self);
}

/* The columns of one row: bytes by layer, then the derived figures. */
static void
overhead_row(const Overhead *o, VnsReport *report, const VnsLayerBytes *b,
             double window_s)
{
    uint64_t total = vns_layers_total(b);
    double line = o->rate_bps > 0 && window_s > 0
                      ? (double) o->rate_bps * window_s : NAN;

    vns_report_int(report, "frames", (int64_t) b->frames);
    for (int i = 0; i < VNS_LAYER_N; i++) {
        g_autofree char *key = g_strdup_printf("bytes_%s",
                                               vns_layer_name((VnsLayer) i));
        vns_report_int(report, key, (int64_t) b->bytes[i]);
    }
    vns_report_int(report, "bytes_total", (int64_t) total);
    vns_report_num(report, "overhead_fraction", vns_layers_overhead(b));
    vns_report_num(report, "payload_per_frame",
                   b->frames > 0 ? (double) b->bytes[VNS_LAYER_PAYLOAD] /
                                       (double) b->frames : NAN);
    vns_report_num(report, "goodput_bps",
                   window_s > 0 ? (double) b->bytes[VNS_LAYER_PAYLOAD] * 8.0 /
                                      window_s : NAN);
    vns_report_num(report, "goodput_fraction_of_line",
                   (double) b->bytes[VNS_LAYER_PAYLOAD] * 8.0 / line);
    vns_report_int(report, "fragments", (int64_t) b->fragments);
    vns_report_int(report, "tunneled", (int64_t) b->tunneled);
}

static void
overhead_stats(VnsElement *self, VnsReport *report)
{
    Overhead *o = (Overhead *) self;
    double window_s = vns_time_to_s(vns_element_now(self) - o->window_start_ps);

    vns_report_row(report, "overhead", o->at);
    vns_report_int(report, "rate_bps", (int64_t) o->rate_bps);
    overhead_row(o, report, &o->all, window_s);
    for (uint32_t f = 1; f < o->n_flows; f++) {
        g_autofree char *row = NULL;

        if (o->flows[f].frames == 0)
            continue;
        row = g_strdup_printf("%s/%s", o->at, vns_net_flow_name(self->net, f));
        vns_report_row(report, "overhead_flows", row);
        vns_report_str(report, "at", o->at);
        vns_report_str(report, "flow", vns_net_flow_name(self->net, f));
        overhead_row(o, report, &o->flows[f], window_s);
    }
}

static void
overhead_free(VnsElement *self)
{
    Overhead *o = (Overhead *) self;

    g_free(o->flows);
    g_free(o->at);
}

const VnsElementOps vns_overhead_ops = {
    .type = "overhead",
    .spec = &overhead_spec,
    .instance_size = sizeof(Overhead),
    .create = overhead_create,
    .start = overhead_start,
    .reset = overhead_reset,
    .stats = overhead_stats,
    .free = overhead_free,
};

/* Expands one <overhead>: resolves the port, adds the element
 * "overhead:AT[:DIRECTION]" and puts its tap on the port. */
static bool
overhead_build(VnsNet *net, const VnsConfig *cfg, GError **error)
{
    g_autofree char *at = NULL, *dir = NULL, *name = NULL;
    VnsPort *port = vns_config_port(cfg, net, "at", error);
    VnsElement *e;

    if (port == NULL || !vns_config_string(cfg, "at", &at, error) ||
        !vns_config_string(cfg, "direction", &dir, error))
        return false;
    name = g_strdup_printf("overhead:%s:%s", at, dir);
    if (vns_net_find(net, name) != NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                         "<overhead> at '%s' direction '%s' is given twice, "
                         "expected each port and direction once", at, dir);
        return false;
    }
    e = vns_net_add(net, &vns_overhead_ops, name, cfg, error);
    if (e == NULL)
        return false;
    ((Overhead *) e)->port = port;
    vns_port_add_tap(port, &((Overhead *) e)->tap);
    return true;
}

const VnsBuilder vns_overhead_builder = {
    "overhead", &overhead_spec, overhead_build,
};
