/* vnetsim path (see path.h). */
#include <config.h>
#include "exp/path.h"

#include "exp/experiment.h"

#include <stddef.h>
#include <string.h>
#include "net/app.h"
#include "net/element.h"
#include "net/eth.h"
#include "net/wire.h"
#include "out/report.h"
#include "sim/event_queue.h"
#include "topo/loader.h"

/* The probe flow's name; topology names cannot hold ':' but may hold
 * '-', so a name no topology element will have. */
#define PATH_PROBE "vnetsim-path-probe"
/* traceroute's first UDP port (traceroute(8), -p). */
#define PATH_PROBE_PORT "33434"
/* How long the probe may take: enough for neighbour resolution to give
 * up (Linux: 3 probes 1 s apart) and report the drop. */
#define PATH_RUN_PS (5 * VNS_SEC)

typedef struct PathTracer PathTracer;

typedef struct {
    VnsPortTap tap;
    PathTracer *tracer;
} PathTap;

struct PathTracer {
    VnsPath *path;
    uint32_t flow_id;
    uint32_t inner_ip;          /* the probe's IP packet size; 0 = not seen */
    VnsTime t0;                 /* when it was sent */
    VnsPort *last_in;           /* the last port it entered */
};

void
vns_path_free(VnsPath *path)
{
    if (path == NULL)
        return;
    for (guint i = 0; path->hops != NULL && i < path->hops->len; i++) {
        VnsPathHop *h = &g_array_index(path->hops, VnsPathHop, i);
        g_free(h->element);
        g_free(h->type);
        g_free(h->port);
        g_free(h->peer);
        g_free(h->encap);
    }
    if (path->hops != NULL)
        g_array_free(path->hops, TRUE);
    g_free(path->from);
    g_free(path->to);
    g_free(path->src);
    g_free(path->dst);
    g_free(path->dropped_at);
    g_free(path->drop_cause);
    g_free(path);
}

/* The MTU of the hop leaving by 'port': its own, or the link's. */
static uint32_t
path_port_mtu(const VnsPort *port)
{
    uint32_t a = port->info.mtu, b = port->peer ? port->peer->info.mtu : 0;

    if (a == 0 || (b != 0 && b < a))
        return b;
    return a;
}

static void
path_seen(VnsPortTap *tap, const VnsPort *port, const VnsPacket *pkt,
          bool outgoing)
{
    PathTracer *tr = ((PathTap *) (void *) tap)->tracer;
    VnsPath *path = tr->path;
    VnsPathHop hop = { 0 };
    VnsLayerBytes lb = { 0 };
    uint32_t size = vns_packet_size(pkt);

    if (pkt->flow_id != tr->flow_id || pkt->flow_seq != 0)
        return;
    if (!outgoing) {
        tr->last_in = (VnsPort *) port;
        if (g_str_has_prefix(port->owner->name, PATH_PROBE) &&
            g_str_has_suffix(port->owner->name, ".sink")) {
            path->delivered = true;
            path->latency_ps = vns_element_now(port->owner) - tr->t0;
        }
        return;
    }
    if (port->peer != NULL && port->peer->owner != NULL &&
        g_str_has_prefix(port->peer->owner->name, PATH_PROBE))
        return;                 /* handed to the probe's sink: not a hop */
    if (tr->inner_ip == 0) {
        /* The source hands its host the bare IP packet: the inner packet
         * every later hop carries. Not a hop of the path. */
        const uint8_t *ip = vns_packet_data(pkt);
        char a[VNS_IP_STRLEN], b[VNS_IP_STRLEN];

        tr->inner_ip = size;
        tr->t0 = vns_element_now(port->owner);
        path->ipv6 = pkt->len >= 40 && ip[0] >> 4 == 6;
        if (path->ipv6) {
            VnsIp6 s6, d6;
            memcpy(s6.b, ip + 8, 16);
            memcpy(d6.b, ip + 24, 16);
            path->src = g_strdup(vns_ip6_format(&s6, a));
            path->dst = g_strdup(vns_ip6_format(&d6, b));
        } else if (pkt->len >= 20) {
            path->src = g_strdup(vns_ip4_format(vns_wire_get32(ip + 12), a));
            path->dst = g_strdup(vns_ip4_format(vns_wire_get32(ip + 16), b));
        }
        return;
    }
    hop.element = g_strdup(port->owner->name);
    hop.type = g_strdup(port->owner->ops->type);
    hop.port = g_strdup(port->name);
    hop.peer = port->peer ? g_strdup_printf("%s:%s", port->peer->owner->name,
                                            port->peer->name)
                          : g_strdup("");
    hop.ethernet = !vns_app_port_is_app(port);
    hop.size = size;
    hop.mtu = path_port_mtu(port);
    hop.t = vns_element_now(port->owner) - tr->t0;
    if (hop.ethernet) {
        uint32_t padded = size < VNS_ETH_MIN_FRAME_SIZE - VNS_ETH_FCS_SIZE
                              ? VNS_ETH_MIN_FRAME_SIZE - VNS_ETH_FCS_SIZE - size
                              : 0;
        vns_layers_add(&lb, pkt);
        hop.l2_header = (uint32_t) lb.bytes[VNS_LAYER_L2] - VNS_ETH_FCS_SIZE -
                        padded;
    }
    hop.l3_overhead = size >= hop.l2_header + tr->inner_ip
                          ? size - hop.l2_header - tr->inner_ip : 0;
    hop.inner_mtu = hop.mtu > hop.l3_overhead ? hop.mtu - hop.l3_overhead : 0;
    {
        GString *e = g_string_new(NULL);
        if (hop.l2_header > VNS_ETH_HLEN)
            g_string_append_printf(e, "802.1Q x%u",
                                   (hop.l2_header - VNS_ETH_HLEN) / VNS_VLAN_HLEN);
        if (lb.tunnel != NULL)
            g_string_append_printf(e, "%s%s", e->len ? "+" : "", lb.tunnel);
        else if (!hop.ethernet && hop.l3_overhead > 0)
            g_string_append(e, "encapsulated");
        hop.encap = g_string_free(e, FALSE);
    }
    g_array_append_val(path->hops, hop);
}

/* Strips "PATH:LINE: " from a builder's message about the probe. */
static void
path_error_from_probe(GError **error, GError *local)
{
    const char *msg = local->message;
    const char *sep = strstr(msg, ": ");

    if (g_str_has_prefix(msg, "vnetsim path:") && sep != NULL)
        msg = sep + 2;
    g_set_error(error, VNS_CONFIG_ERROR, local->code, "vnetsim path: %s", msg);
    g_error_free(local);
}

/* Builds the probe flow: one datagram at time 0. */
static bool
path_add_probe(const VnsRegistry *reg, VnsNet *net, const VnsParams *params,
               const char *from, const char *to, const char *family,
               uint32_t probe_payload, GError **error)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *traffic = xmlNewNode(NULL, (const xmlChar *) "traffic");
    xmlNode *flow, *n;
    g_autofree char *size = g_strdup_printf("%u", probe_payload);
    GError *local = NULL;

    xmlDocSetRootElement(doc, traffic);
    flow = xmlNewChild(traffic, NULL, (const xmlChar *) "udp-flow", NULL);
    xmlNewProp(flow, (const xmlChar *) "name", (const xmlChar *) PATH_PROBE);
    xmlNewProp(flow, (const xmlChar *) "from", (const xmlChar *) from);
    xmlNewProp(flow, (const xmlChar *) "to", (const xmlChar *) to);
    xmlNewProp(flow, (const xmlChar *) "dport", (const xmlChar *) PATH_PROBE_PORT);
    xmlNewProp(flow, (const xmlChar *) "sport", (const xmlChar *) PATH_PROBE_PORT);
    if (family != NULL)
        xmlNewProp(flow, (const xmlChar *) "family", (const xmlChar *) family);
    n = xmlNewChild(flow, NULL, (const xmlChar *) "cbr", NULL);
    xmlNewProp(n, (const xmlChar *) "interval", (const xmlChar *) "1000s");
    n = xmlNewChild(flow, NULL, (const xmlChar *) "size", NULL);
    xmlNewProp(n, (const xmlChar *) "fixed", (const xmlChar *) size);
    if (!vns_topo_build_children(reg, net, "vnetsim path", traffic,
                                 VNS_SCOPE_TRAFFIC, params, &local)) {
        path_error_from_probe(error, local);
        return false;
    }
    return true;
}

/* Refuses a --set of a parameter the topology does not declare. */
static bool
path_check_sets(xmlDoc *doc, const char *topology, const char *const *sets,
                GError **error)
{
    for (size_t i = 0; sets != NULL && sets[i] != NULL; i++) {
        g_autofree char *name = g_strndup(sets[i], strcspn(sets[i], "="));
        bool declared = false;

        for (xmlNode *c = xmlDocGetRootElement(doc)->children;
             c != NULL && !declared; c = c->next) {
            xmlChar *n;
            if (c->type != XML_ELEMENT_NODE ||
                strcmp((const char *) c->name, "param") != 0)
                continue;
            n = xmlGetProp(c, (const xmlChar *) "name");
            declared = n != NULL && strcmp((const char *) n, name) == 0;
            xmlFree(n);
        }
        if (!declared) {
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_PARAM,
                        "--set %s: no parameter '%s' is declared by <param> in "
                        "%s, expected a declared name", sets[i], name, topology);
            return false;
        }
    }
    return true;
}

/* The sum of every element's drops by cause. */
static void
path_drops(VnsNet *net, uint64_t *out)
{
    memset(out, 0, sizeof(uint64_t) * VNS_DROP_N_CAUSES);
    for (guint i = 0; i < vns_net_n_elements(net); i++) {
        const VnsElement *e = vns_net_element(net, i);
        for (int c = 0; c < VNS_DROP_N_CAUSES; c++)
            out[c] += e->drops[c];
    }
}

VnsPath *
vns_path_trace(const VnsRegistry *reg, const char *topology,
               const char *const *sets, const char *from, const char *to,
               const char *family, uint32_t payload, GError **error)
{
    g_autoptr(VnsPath) path = g_new0(VnsPath, 1);
    g_autoptr(VnsParams) params = vns_params_new();
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree PathTap *taps = NULL;
    uint64_t drops_before[VNS_DROP_N_CAUSES], drops_after[VNS_DROP_N_CAUSES];
    PathTracer tr = { 0 };
    VnsSim *sim;
    VnsNet *net;
    guint n_ports = 0, k = 0;
    bool ok;

    path->hops = g_array_new(FALSE, TRUE, sizeof(VnsPathHop));
    path->from = g_strdup(from);
    path->to = g_strdup(to);
    path->payload = payload;
    path->probe_payload = 100;
    path->limiting_hop = -1;
    doc = vns_topo_read(reg, topology, error);
    if (doc == NULL)
        return NULL;
    if (!vns_experiment_apply_sets(params, sets, error) ||
        !path_check_sets(doc, topology, sets, error))
        return NULL;
    if (!vns_topo_params(doc, topology, params, error))
        return NULL;

    sim = vns_sim_new(&vns_heap_queue_ops);
    vns_sim_set_seed(sim, 1, 0);
    net = vns_net_new(sim);
    ok = vns_topo_build(reg, net, topology, doc, params, error) &&
         path_add_probe(reg, net, params, from, to, family,
                        path->probe_payload, error);
    if (ok) {
        tr.path = path;
        for (guint i = 0; i < vns_net_n_flows(net); i++)
            if (g_strcmp0(vns_net_flow_name(net, i + 1), PATH_PROBE) == 0)
                tr.flow_id = i + 1;
        ok = vns_net_start(net, error);
    }
    if (ok) {
        /* Taps go on after the start: some elements add ports then (a
         * tunnel's port on its underlay host). No event has run yet. */
        for (guint i = 0; i < vns_net_n_elements(net); i++)
            n_ports += vns_net_element(net, i)->ports->len;
        taps = g_new0(PathTap, n_ports);
        for (guint i = 0; i < vns_net_n_elements(net); i++) {
            VnsElement *e = vns_net_element(net, i);
            for (guint p = 0; p < e->ports->len; p++, k++) {
                taps[k].tap.seen = path_seen;
                taps[k].tracer = &tr;
                vns_port_add_tap(e->ports->pdata[p], &taps[k].tap);
            }
        }

        path_drops(net, drops_before);
        vns_sim_run_until(sim, PATH_RUN_PS);
        path_drops(net, drops_after);
        if (!path->delivered) {
            path->dropped_at = g_strdup(tr.last_in != NULL
                                            ? tr.last_in->owner->name : from);
            for (int c = 0; c < VNS_DROP_N_CAUSES; c++)
                if (drops_after[c] > drops_before[c] && path->drop_cause == NULL)
                    path->drop_cause = g_strdup(vns_drop_cause_name(c));
        }
        vns_net_stop(net);
    }
    vns_sim_free(sim);
    vns_net_free(net);
    if (!ok)
        return NULL;

    /* The path MTU: the smallest inner packet any hop lets through. */
    for (guint i = 0; i < path->hops->len; i++) {
        const VnsPathHop *h = &g_array_index(path->hops, VnsPathHop, i);
        if (h->inner_mtu != 0 &&
            (path->path_mtu == 0 || h->inner_mtu < path->path_mtu)) {
            path->path_mtu = h->inner_mtu;
            path->limiting_hop = (int) i;
        }
    }
    if (path->path_mtu != 0) {
        uint32_t ip = path->ipv6 ? 40 : 20;
        path->max_udp_payload = path->path_mtu > ip + 8 ? path->path_mtu - ip - 8 : 0;
        path->max_tcp_mss = path->path_mtu > ip + 20 ? path->path_mtu - ip - 20 : 0;
    }
    return g_steal_pointer(&path);
}

uint32_t
vns_path_hop_size(const VnsPath *path, guint i, uint32_t payload)
{
    const VnsPathHop *h = &g_array_index(path->hops, VnsPathHop, i);

    return h->size - path->probe_payload + payload;
}

/* Line time of hop 'i' at 'payload' (bytes): the Ethernet frame's, or the
 * bare packet's size for application hops. */
static uint64_t
path_hop_line(const VnsPath *path, guint i, uint32_t payload)
{
    const VnsPathHop *h = &g_array_index(path->hops, VnsPathHop, i);
    uint32_t size = vns_path_hop_size(path, i, payload);

    return h->ethernet ? vns_eth_wire_size(size) : size;
}

void
vns_path_print(const VnsPath *path, GString *out)
{
    g_string_append_printf(out, "path %s -> %s (%s %s -> %s)\n", path->from,
                           path->to, path->ipv6 ? "IPv6" : "IPv4",
                           path->src ? path->src : "?", path->dst ? path->dst : "?");
    g_string_append_printf(out, "%3s  %-28s %-11s %-28s %6s %6s %-16s %9s %9s %7s\n",
                           "hop", "from", "device", "to", "bytes", "mtu",
                           "encapsulation", "inner-mtu", "line", "ovh%");
    for (guint i = 0; i < path->hops->len; i++) {
        const VnsPathHop *h = &g_array_index(path->hops, VnsPathHop, i);
        g_autofree char *at = g_strdup_printf("%s:%s", h->element, h->port);
        uint64_t line = path_hop_line(path, i, path->payload);
        g_autofree char *mtu = h->mtu ? g_strdup_printf("%u", h->mtu) : g_strdup("-");
        g_autofree char *imtu = h->inner_mtu ? g_strdup_printf("%u", h->inner_mtu)
                                             : g_strdup("-");

        g_string_append_printf(out, "%3u  %-28s %-11s %-28s %6u %6s %-16s %9s %9" G_GUINT64_FORMAT " %6.2f%s\n",
                               i + 1, at, h->type, h->peer,
                               vns_path_hop_size(path, i, path->payload), mtu,
                               h->encap[0] ? h->encap : "-", imtu, line,
                               100.0 * (1.0 - (double) path->payload / (double) line),
                               (int) i == path->limiting_hop ? " <" : "");
    }
    if (path->delivered)
        g_string_append_printf(out, "delivered: %u hops; the %u-byte probe took "
                               "%.3f us, neighbour resolution included\n", path->hops->len,
                               path->probe_payload,
                               vns_time_to_s(path->latency_ps) * 1e6);
    else
        g_string_append_printf(out, "NOT delivered: the probe died at %s (%s)\n",
                               path->dropped_at ? path->dropped_at : "?",
                               path->drop_cause ? path->drop_cause : "no drop recorded");
    if (path->path_mtu != 0)
        g_string_append_printf(out, "path MTU %u bytes (hop %d); largest UDP "
                               "payload %u, largest TCP MSS %u (no options)\n",
                               path->path_mtu, path->limiting_hop + 1,
                               path->max_udp_payload, path->max_tcp_mss);
    else
        g_string_append(out, "path MTU unknown: no hop states an MTU\n");
    g_string_append_printf(out, "columns at %u bytes of UDP payload: bytes = "
                           "frame or packet as sent, line = with FCS, padding, "
                           "preamble and gap; ovh%% = 1 - payload/line\n",
                           path->payload);
}

void
vns_path_json(const VnsPath *path, GString *out)
{
    g_string_append(out, "{\"from\": ");
    vns_report_json_string(out, path->from);
    g_string_append(out, ", \"to\": ");
    vns_report_json_string(out, path->to);
    g_string_append(out, ", \"src\": ");
    vns_report_json_string(out, path->src ? path->src : "");
    g_string_append(out, ", \"dst\": ");
    vns_report_json_string(out, path->dst ? path->dst : "");
    g_string_append_printf(out, ", \"family\": \"%s\", \"delivered\": %s",
                           path->ipv6 ? "ipv6" : "ipv4",
                           path->delivered ? "true" : "false");
    if (path->delivered)
        g_string_append_printf(out, ", \"probe_latency_s\": %.12g",
                               vns_time_to_s(path->latency_ps));
    else {
        g_string_append(out, ", \"dropped_at\": ");
        vns_report_json_string(out, path->dropped_at ? path->dropped_at : "");
        g_string_append(out, ", \"drop_cause\": ");
        vns_report_json_string(out, path->drop_cause ? path->drop_cause : "");
    }
    g_string_append_printf(out, ", \"path_mtu\": %u, \"limiting_hop\": %d, "
                           "\"max_udp_payload\": %u, \"max_tcp_mss\": %u, "
                           "\"payload\": %u, \"hops\": [",
                           path->path_mtu, path->limiting_hop + 1,
                           path->max_udp_payload, path->max_tcp_mss,
                           path->payload);
    for (guint i = 0; i < path->hops->len; i++) {
        const VnsPathHop *h = &g_array_index(path->hops, VnsPathHop, i);
        uint64_t line = path_hop_line(path, i, path->payload);

        g_string_append(out, i ? ", {\"element\": " : "{\"element\": ");
        vns_report_json_string(out, h->element);
        g_string_append(out, ", \"device\": ");
        vns_report_json_string(out, h->type);
        g_string_append(out, ", \"port\": ");
        vns_report_json_string(out, h->port);
        g_string_append(out, ", \"to\": ");
        vns_report_json_string(out, h->peer);
        g_string_append(out, ", \"encapsulation\": ");
        vns_report_json_string(out, h->encap);
        g_string_append_printf(out, ", \"ethernet\": %s, \"bytes\": %u, "
                               "\"mtu\": %u, \"inner_mtu\": %u, "
                               "\"overhead_l3\": %u, \"line_bytes\": %"
                               G_GUINT64_FORMAT ", \"overhead_bytes\": %"
                               G_GUINT64_FORMAT ", \"overhead_fraction\": %.6f}",
                               h->ethernet ? "true" : "false",
                               vns_path_hop_size(path, i, path->payload),
                               h->mtu, h->inner_mtu, h->l3_overhead, line,
                               line - path->payload,
                               1.0 - (double) path->payload / (double) line);
    }
    g_string_append(out, "]}\n");
}
