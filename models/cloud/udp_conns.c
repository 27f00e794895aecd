/* The <udp-connections> traffic builder and its two elements (see
 * udp_conns.h).
 *
 * NAME.src, on the 'from' host, sends datagram k (k = 0 .. count-1) at
 * start + k x interval from source port sport + k (wrapping inside the
 * range the first port starts, 1024-65535), to 'to':'dport'. NAME.sink, on
 * the destination host, is bound to UDP 'dport' and counts the datagrams
 * and the distinct source ports (after any NAT) it sees. One pending event
 * at a time; nothing allocated per datagram beyond the packet. */
#include <config.h>
#include "models/cloud/udp_conns.h"

#include <string.h>
#include "net/app.h"
#include "net/proto.h"

typedef struct {
    VnsElement base;            /* must stay first */
    VnsPort *port;
    VnsIpAddr src, dst;
    uint16_t sport, dport;
    uint32_t count;
    uint32_t size;              /* UDP payload bytes */
    VnsTime start_ps, interval_ps;
    uint32_t next;              /* datagrams sent */
    uint16_t ip_id;
    VnsEventId event;
    uint64_t sent;
} ConnsSrc;

typedef struct {
    VnsElement base;            /* must stay first */
    VnsPort *port;
    char *flow;                 /* the builder's name */
    ConnsSrc *src;              /* borrowed */
    uint64_t received, bytes;
    GHashTable *ports;          /* distinct source ports seen */
} ConnsSink;

static const VnsAttrSpec conns_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "Its name: the row in the 'udp_connections' table and the elements "
      "NAME.src and NAME.sink." },
    { "from", VNS_ATTR_STRING, true, NULL, NULL,
      "The sending host, 'host' or 'host:interface' (IPv4)." },
    { "to", VNS_ATTR_STRING, true, NULL, NULL,
      "The destination host, 'host' or 'host:interface' (IPv4)." },
    { "dport", VNS_ATTR_UINT, true, NULL, NULL,
      "The destination UDP port; the receiver binds it on its host.",
      NULL, 1, 65535 },
    { "sport", VNS_ATTR_UINT, false, "32768", NULL,
      "The first connection's source port; connection k uses sport + k. "
      "Default 32768, the start of Linux's ephemeral range "
      "(/proc/sys/net/ipv4/ip_local_port_range).", NULL, 1024, 65535 },
    { "count", VNS_ATTR_UINT, true, NULL, "connections",
      "Connections opened, one datagram each; at most 64512 (the ports "
      "1024-65535).", NULL, 1, 64512 },
    { "interval", VNS_ATTR_TIME, false, "1ms", NULL,
      "Time from one connection to the next." },
    { "start", VNS_ATTR_TIME, false, "0s", NULL,
      "When the first connection opens." },
    { "size", VNS_ATTR_UINT, false, "100", "bytes",
      "UDP payload of each datagram.", NULL, 0, 1472 },
    { NULL }
};

static const VnsSpec conns_spec = {
    "udp-connections", "Many short UDP connections (one datagram each, each "
    "from its own source port) from one host to one destination port, and "
    "a receiver that counts them: load for NAT gateways and connection "
    "tracking.", conns_attrs, NULL, false,
};

static void conns_fire(VnsSim *sim, void *ctx, void *arg);
static const VnsEventType conns_event = { "udp-connections", conns_fire, NULL };

static void
conns_fire(VnsSim *sim, void *ctx, void *arg)
{
    ConnsSrc *s = ctx;
    uint32_t span = 65535 - 1024 + 1;
    uint16_t sport = (uint16_t) (1024 + (s->sport - 1024 + s->next) % span);
    VnsPacket *pkt = vns_packet_new(vns_net_pool(s->base.net), s->size);
    VnsUdpHdr udp = { .sport = sport, .dport = s->dport };
    VnsIpv4Hdr ip = {
        .ttl = 64, .proto = VNS_IPPROTO_UDP, .id = s->ip_id++, .df = true,
        .src = s->src.v4, .dst = s->dst.v4,
    };

    s->event = VNS_EVENT_NONE;
    pkt->t_created = vns_sim_now(sim);
    vns_udp_push(pkt, &udp, &s->src, &s->dst);
    vns_ipv4_push(pkt, &ip);
    s->next++;
    s->sent++;
    if (s->next < s->count)
        s->event = vns_sim_schedule(sim, s->interval_ps, &conns_event, s, NULL);
    vns_port_send(s->port, pkt);
}

static bool
conns_src_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    ConnsSrc *s = (ConnsSrc *) self;

    s->port = vns_element_add_port(self, "ip");
    s->event = VNS_EVENT_NONE;
    return true;
}

static bool
conns_src_start(VnsElement *self, GError **error)
{
    ConnsSrc *s = (ConnsSrc *) self;

    s->event = vns_sim_schedule_at(self->sim, s->start_ps, &conns_event, s,
                                   NULL);
    return true;
}

static void
conns_src_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    /* Replies and ICMP errors: not counted. */
    vns_packet_free(pkt);
}

static void
conns_src_stop(VnsElement *self)
{
    ConnsSrc *s = (ConnsSrc *) self;

    vns_sim_cancel(self->sim, s->event);
    s->event = VNS_EVENT_NONE;
}

static void
conns_src_reset(VnsElement *self)
{
    ((ConnsSrc *) self)->sent = 0;
}

static const VnsElementOps conns_src_ops = {
    .type = "udp-connections-source",
    .instance_size = sizeof(ConnsSrc),
    .create = conns_src_create,
    .start = conns_src_start,
    .receive = conns_src_receive,
    .reset = conns_src_reset,
    .stop = conns_src_stop,
};

static bool
conns_sink_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    ConnsSink *k = (ConnsSink *) self;

    k->port = vns_element_add_port(self, "ip");
    k->ports = g_hash_table_new(g_direct_hash, g_direct_equal);
    return true;
}

static void
conns_sink_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    ConnsSink *k = (ConnsSink *) self;
    const VnsFlowKey *key = vns_packet_parse_l3(pkt);

    k->received++;
    k->bytes += vns_packet_size(pkt);
    /* Once per source port, not per packet. */
    g_hash_table_add(k->ports, GUINT_TO_POINTER(key->sport));
    vns_packet_free(pkt);       /* consumed */
}

static void
conns_sink_reset(VnsElement *self)
{
    ConnsSink *k = (ConnsSink *) self;

    k->received = k->bytes = 0;
    k->src->sent = 0;
    g_hash_table_remove_all(k->ports);
}

static void
conns_sink_stats(VnsElement *self, VnsReport *report)
{
    ConnsSink *k = (ConnsSink *) self;

    vns_report_row(report, "udp_connections", k->flow);
    vns_report_int(report, "sent", (int64_t) k->src->sent);
    vns_report_int(report, "received", (int64_t) k->received);
    vns_report_int(report, "received_bytes", (int64_t) k->bytes);
    vns_report_int(report, "source_ports_seen",
                   (int64_t) g_hash_table_size(k->ports));
}

static void
conns_sink_free(VnsElement *self)
{
    ConnsSink *k = (ConnsSink *) self;

    g_free(k->flow);
    if (k->ports != NULL)
        g_hash_table_destroy(k->ports);
}

static const VnsElementOps conns_sink_ops = {
    .type = "udp-connections-sink",
    .instance_size = sizeof(ConnsSink),
    .create = conns_sink_create,
    .receive = conns_sink_receive,
    .reset = conns_sink_reset,
    .stats = conns_sink_stats,
    .free = conns_sink_free,
};

static bool
conns_build(VnsNet *net, const VnsConfig *cfg, GError **error)
{
    g_autofree char *name = NULL, *from = NULL, *to = NULL;
    g_autofree char *src_name = NULL, *sink_name = NULL;
    VnsElement *src_host = NULL, *dst_host = NULL;
    uint64_t dport, sport, count, size;
    ConnsSrc *s;
    ConnsSink *k;

    if (!vns_config_string(cfg, "name", &name, error) ||
        !vns_config_string(cfg, "from", &from, error) ||
        !vns_config_string(cfg, "to", &to, error) ||
        !vns_config_uint(cfg, "dport", &dport, error) ||
        !vns_config_uint(cfg, "sport", &sport, error) ||
        !vns_config_uint(cfg, "count", &count, error) ||
        !vns_config_uint(cfg, "size", &size, error))
        return false;
    src_name = g_strdup_printf("%s.src", name);
    sink_name = g_strdup_printf("%s.sink", name);
    s = (ConnsSrc *) vns_app_add(net, cfg, &conns_src_ops, src_name, error);
    if (s == NULL ||
        !vns_config_time(cfg, "interval", &s->interval_ps, error) ||
        !vns_config_time(cfg, "start", &s->start_ps, error) ||
        !vns_app_resolve_host(net, cfg, "from", from, VNS_IP_V4, &src_host,
                              &s->src, error) ||
        !vns_app_resolve_host(net, cfg, "to", to, VNS_IP_V4, &dst_host,
                              &s->dst, error))
        return false;
    if (vns_app_port_bound(dst_host, VNS_IPPROTO_UDP, (uint16_t) dport)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<udp-connections> dport %u is already bound on "
                         "'%s', expected a free port", (unsigned) dport,
                         dst_host->name);
        return false;
    }
    s->dport = (uint16_t) dport;
    s->sport = (uint16_t) sport;
    s->count = (uint32_t) count;
    s->size = (uint32_t) size;
    if (!vns_app_attach(cfg, src_host, s->port, error))
        return false;
    k = (ConnsSink *) vns_app_add(net, cfg, &conns_sink_ops, sink_name, error);
    if (k == NULL)
        return false;
    k->flow = g_strdup(name);
    k->src = s;
    k->port->info.l4_proto = VNS_IPPROTO_UDP;
    k->port->info.l4_port = (uint16_t) dport;
    return vns_app_attach(cfg, dst_host, k->port, error);
}

const VnsBuilder vns_udp_conns_builder = {
    "udp-connections", &conns_spec, conns_build,
};
