/* The <tcp-flow> builder: reads a flow's endpoints, size and TCP
 * settings, resolves the hosts and their addresses, and adds the client
 * and server endpoints to the two hosts (see tcp_flow.h).
 *
 * Hosts are found through ports, as <udp-flow> finds them: a host is any
 * element with a port that advertises an IP address; its other ports are
 * application ports, bound to the (protocol, port) their peer advertises. */
#include <config.h>
#include "models/transport/tcp_flow.h"

#include <string.h>
#include <gsl/gsl_rng.h>
#include "models/transport/tcp_endpoint.h"
#include "net/wire.h"

static const VnsAttrSpec tcp_flow_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The flow's name: its row in the 'flows' table, its elements "
      "NAME.client and NAME.server, and the files cwnd-NAME.dat, "
      "rtt-NAME.dat and inflight-NAME.dat." },
    { "from", VNS_ATTR_STRING, true, NULL, NULL,
      "The client's host, 'host' (its first interface with an address of "
      "the family) or 'host:interface'." },
    { "to", VNS_ATTR_STRING, true, NULL, NULL,
      "The server: 'host', 'host:interface', or an IP address one of the "
      "topology's hosts owns." },
    { "family", VNS_ATTR_ENUM, false, "ipv4", NULL,
      "IP version of the flow. Default ipv4, or the family of 'to' when it "
      "is an address.", "ipv4|ipv6" },
    { "dport", VNS_ATTR_UINT, true, NULL, NULL,
      "The server's TCP port; the server listens on it on its host.",
      NULL, 1, 65535 },
    { "sport", VNS_ATTR_STRING, false, "auto", NULL,
      "The client's TCP port (1-65535), or 'auto': drawn from the flow's "
      "random stream in Linux's ephemeral range 32768-60999 "
      "(/proc/sys/net/ipv4/ip_local_port_range), skipping bound ports." },
    { "cc", VNS_ATTR_ENUM, false, "cubic", NULL,
      "Congestion control of the client: cubic (RFC 9438; Linux's default, "
      "net.ipv4.tcp_congestion_control) or newreno (RFC 5681, RFC 6582).",
      "cubic|newreno" },
    { "start", VNS_ATTR_TIME, false, "0s", NULL,
      "When the client connects (sends its SYN), from time 0." },
    { "size", VNS_ATTR_UINT, false, NULL, "bytes",
      "Bytes the client sends, written at once, then closes. Default: an "
      "unlimited stream until 'stop' or the end of the run.", NULL, 1,
      UINT64_MAX },
    { "stop", VNS_ATTR_TIME, false, NULL, NULL,
      "Unlimited streams only: when the client stops writing and closes "
      "(FIN after the bytes already sent). Default: never." },
    { "mtu", VNS_ATTR_UINT, false, "1500", "bytes",
      "The MTU the endpoints derive their MSS option from (MTU - 40 over "
      "IPv4, - 60 over IPv6, RFC 9293 section 3.7.1 and RFC 8200): the "
      "application port does not see the interface. Default 1500, "
      "Ethernet's (RFC 894).", NULL, 88, 65535 },
    { "rcvbuf", VNS_ATTR_UINT, false, "131072", "bytes",
      "Receive buffer of both endpoints, the largest window they advertise. "
      "Default 131072, Linux's net.ipv4.tcp_rmem default "
      "(Documentation/networking/ip-sysctl.rst); autotuning is not "
      "modelled. At least 4096, tcp_rmem's minimum; at most 2^30, the "
      "largest window scaling reaches (RFC 7323 section 2.3).",
      NULL, 4096, 1073725440 },
    { "wscale", VNS_ATTR_BOOL, false, "true", NULL,
      "Offer window scaling (RFC 7323); Linux's net.ipv4.tcp_window_scaling "
      "default 1." },
    { "sack", VNS_ATTR_BOOL, false, "true", NULL,
      "Offer selective acknowledgments (RFC 2018) and recover from loss "
      "by them (RFC 6675); Linux's net.ipv4.tcp_sack default 1. false: "
      "NewReno recovery (RFC 6582) from cumulative ACKs only." },
    { "trace-interval", VNS_ATTR_TIME, false, "10ms", NULL,
      "Least time between lines of the cwnd/rtt/inflight time series "
      "(loss events always write one)." },
    { NULL }
};

static const VnsSpec tcp_flow_spec = {
    "tcp-flow", "A bulk TCP transfer from a client application on one host "
    "to a server application on another: handshake, a stream of 'size' "
    "bytes (or unlimited), FIN in both directions.",
    tcp_flow_attrs, NULL, false,
};

/* The choices of 'cc', in the order of the spec. */
static const VnsTcpCcOps *const tcp_flow_ccs[] = {
    &vns_tcp_cubic_ops, &vns_tcp_newreno_ops,
};

static const VnsIpAddr *
tcp_flow_port_addr(const VnsPort *p, VnsIpFamily family)
{
    const VnsIpAddr *a = family == VNS_IP_V4 ? &p->info.addr4 : &p->info.addr6;
    return a->family == family ? a : NULL;
}

/* Resolves 'ref' ("host" or "host:interface") to a host and its address
 * of 'family'. */
static bool
tcp_flow_resolve_host(VnsNet *net, const VnsConfig *cfg, const char *attr,
                      const char *ref, VnsIpFamily family, VnsElement **host,
                      VnsIpAddr *addr, GError **error)
{
    g_autofree char *name = g_strdup(ref);
    char *colon = strchr(name, ':');
    const char *fam = family == VNS_IP_V4 ? "IPv4" : "IPv6";
    VnsElement *e;

    if (colon != NULL)
        *colon++ = '\0';
    e = vns_net_find(net, name);
    if (e == NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<tcp-flow> '%s' names no element '%s', expected a "
                         "host of the topology", attr, name);
        return false;
    }
    for (guint i = 0; i < e->ports->len; i++) {
        const VnsPort *p = e->ports->pdata[i];
        const VnsIpAddr *a = tcp_flow_port_addr(p, family);
        if (colon != NULL && strcmp(p->name, colon) != 0)
            continue;
        if (a != NULL) {
            *host = e;
            *addr = *a;
            return true;
        }
    }
    vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                     "<tcp-flow> '%s' is '%s', which has no %s address, "
                     "expected a host%s with one", attr, ref, fam,
                     colon != NULL ? " interface" : "");
    return false;
}

/* The element owning interface address 'addr', or NULL. */
static VnsElement *
tcp_flow_find_owner(VnsNet *net, const VnsIpAddr *addr)
{
    for (guint i = 0; i < vns_net_n_elements(net); i++) {
        VnsElement *e = vns_net_element(net, i);
        for (guint k = 0; k < e->ports->len; k++) {
            const VnsIpAddr *a = tcp_flow_port_addr(e->ports->pdata[k], addr->family);
            if (a != NULL && vns_ip_addr_equal(a, addr))
                return e;
        }
    }
    return NULL;
}

/* True when an application on 'host' is bound to TCP port 'port'. */
static bool
tcp_flow_port_bound(const VnsElement *host, uint16_t port)
{
    for (guint k = 0; k < host->ports->len; k++) {
        const VnsPort *p = host->ports->pdata[k];
        if (p->peer != NULL && p->peer->info.l4_proto == VNS_IPPROTO_TCP &&
            p->peer->info.l4_port == port)
            return true;
    }
    return false;
}

/* Reads 'sport': a number, or "auto" (returned as 0). */
static bool
tcp_flow_read_sport(const VnsConfig *cfg, uint16_t *out, GError **error)
{
    g_autofree char *text = NULL;
    char *end = NULL;
    guint64 v;

    if (!vns_config_string(cfg, "sport", &text, error))
        return false;
    if (strcmp(text, "auto") == 0) {
        *out = 0;
        return true;
    }
    v = g_ascii_strtoull(text, &end, 10);
    if (!g_ascii_isdigit(text[0]) || *end != '\0' || v == 0 || v > 65535) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<tcp-flow> 'sport' is '%s', expected a port from 1 to "
                         "65535 or 'auto'", text);
        return false;
    }
    *out = (uint16_t) v;
    return true;
}

/* An ephemeral port on 'host': a uniform draw from 'rng' in Linux's
 * range, then the next port not bound (wrapping). 0 when all are bound. */
static uint16_t
tcp_flow_ephemeral_port(const VnsElement *host, gsl_rng *rng)
{
    const unsigned n = VNS_TCP_EPHEMERAL_MAX - VNS_TCP_EPHEMERAL_MIN + 1;
    unsigned off = (unsigned) gsl_rng_uniform_int(rng, n);

    for (unsigned i = 0; i < n; i++) {
        uint16_t port = (uint16_t) (VNS_TCP_EPHEMERAL_MIN + (off + i) % n);
        if (!tcp_flow_port_bound(host, port))
            return port;
    }
    return 0;
}

/* Adds an endpoint named 'name'. */
static VnsElement *
tcp_flow_add(VnsNet *net, const VnsConfig *cfg, const char *name, GError **error)
{
    GError *local = NULL;
    VnsElement *e = vns_net_add(net, &vns_tcp_endpoint_ops, name, NULL, &local);

    if (e == NULL) {
        vns_config_error(error, cfg, local->code, "<tcp-flow>: %s", local->message);
        g_error_free(local);
    }
    return e;
}

/* Joins application port 'app' to a new port "app:NAME" of 'host'. */
static bool
tcp_flow_attach(const VnsConfig *cfg, VnsElement *host, VnsPort *app, GError **error)
{
    g_autofree char *pname = g_strdup_printf("app:%s", app->owner->name);
    GError *local = NULL;
    VnsPort *hp;

    if (vns_element_find_port(host, pname) != NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                         "<tcp-flow> host '%s' already has a port '%s', "
                         "expected unique flow names", host->name, pname);
        return false;
    }
    hp = vns_element_add_port(host, pname);
    if (!vns_port_connect(hp, app, &local)) {
        vns_config_error(error, cfg, local->code, "<tcp-flow>: %s", local->message);
        g_error_free(local);
        return false;
    }
    return true;
}

/* Reads the attributes and resolves the hosts. */
static bool
tcp_flow_read(VnsNet *net, const VnsConfig *cfg, VnsTcpConf *conf,
              VnsElement **src_host, VnsElement **dst_host, GError **error)
{
    g_autofree char *from = NULL, *to = NULL;
    uint64_t dport, mtu, rcvbuf;
    int family_index = 0, cc_index = 0;
    VnsIpFamily family;
    VnsIpAddr literal = { 0 };
    bool to_is_addr;

    if (!vns_config_string(cfg, "from", &from, error) ||
        !vns_config_string(cfg, "to", &to, error) ||
        !vns_config_enum(cfg, "family", &family_index, error) ||
        !vns_config_uint(cfg, "dport", &dport, error) ||
        !tcp_flow_read_sport(cfg, &conf->lport, error) ||
        !vns_config_enum(cfg, "cc", &cc_index, error) ||
        !vns_config_time(cfg, "start", &conf->start, error) ||
        !vns_config_uint(cfg, "mtu", &mtu, error) ||
        !vns_config_uint(cfg, "rcvbuf", &rcvbuf, error) ||
        !vns_config_bool(cfg, "wscale", &conf->wscale, error) ||
        !vns_config_bool(cfg, "sack", &conf->sack, error) ||
        !vns_config_time(cfg, "trace-interval", &conf->trace_interval, error))
        return false;
    conf->rport = (uint16_t) dport;
    conf->mtu = (uint32_t) mtu;
    conf->rcvbuf = (uint32_t) rcvbuf;
    conf->cc = tcp_flow_ccs[cc_index];
    conf->stop = VNS_TIME_NEVER;
    if (vns_config_has(cfg, "size") &&
        !vns_config_uint(cfg, "size", &conf->size, error))
        return false;
    if (vns_config_has(cfg, "stop")) {
        if (conf->size > 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                             "<tcp-flow> has both 'size' and 'stop', expected "
                             "'size' (a sized transfer) or 'stop' (an "
                             "unlimited one)");
            return false;
        }
        if (!vns_config_time(cfg, "stop", &conf->stop, error))
            return false;
        if (conf->stop <= conf->start) {
            g_autofree char *a = vns_time_format(conf->start);
            g_autofree char *b = vns_time_format(conf->stop);
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<tcp-flow> 'start' (%s) is not before 'stop' (%s), "
                             "expected start < stop", a, b);
            return false;
        }
    }
    if (conf->trace_interval <= 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<tcp-flow> 'trace-interval' is zero, expected a "
                         "positive duration");
        return false;
    }
    family = family_index == 0 ? VNS_IP_V4 : VNS_IP_V6;
    to_is_addr = vns_ip_addr_parse(to, &literal, NULL);
    if (to_is_addr) {
        if (!vns_config_has(cfg, "family")) {
            family = literal.family;
        } else if (literal.family != family) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                             "<tcp-flow> 'to' is an %s address but family is "
                             "'%s', expected an address of the flow's family",
                             literal.family == VNS_IP_V4 ? "IPv4" : "IPv6",
                             family == VNS_IP_V4 ? "ipv4" : "ipv6");
            return false;
        }
    }
    if (conf->mtu < (family == VNS_IP_V4 ? 88u : 1280u)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<tcp-flow> 'mtu' is %u, expected at least %u for %s",
                         conf->mtu, family == VNS_IP_V4 ? 88u : 1280u,
                         family == VNS_IP_V4 ? "IPv4 (an MSS of 48)"
                                             : "IPv6 (RFC 8200 section 5)");
        return false;
    }
    if (!tcp_flow_resolve_host(net, cfg, "from", from, family, src_host,
                               &conf->local, error))
        return false;
    if (to_is_addr) {
        conf->remote = literal;
        *dst_host = tcp_flow_find_owner(net, &literal);
        if (*dst_host == NULL) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                             "<tcp-flow> 'to' is %s, which no host interface "
                             "has, expected a host's address", to);
            return false;
        }
    } else if (!tcp_flow_resolve_host(net, cfg, "to", to, family, dst_host,
                                      &conf->remote, error)) {
        return false;
    }
    if (*src_host == *dst_host) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<tcp-flow> 'from' and 'to' are both on '%s', expected "
                         "two hosts (loopback is not modelled)", (*src_host)->name);
        return false;
    }
    if (tcp_flow_port_bound(*dst_host, conf->rport)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<tcp-flow> dport %u is already bound on '%s', expected "
                         "a free port (flows do not share a server)",
                         conf->rport, (*dst_host)->name);
        return false;
    }
    if (conf->lport != 0 && tcp_flow_port_bound(*src_host, conf->lport)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<tcp-flow> sport %u is already bound on '%s', expected "
                         "a free port or 'auto'", conf->lport, (*src_host)->name);
        return false;
    }
    return true;
}

/* Expands one <tcp-flow> into its client and server. */
static bool
tcp_flow_build(VnsNet *net, const VnsConfig *cfg, GError **error)
{
    VnsTcpConf conf = { 0 }, sconf;
    g_autofree char *name = NULL, *cname = NULL, *sname = NULL;
    VnsElement *src_host = NULL, *dst_host = NULL, *client, *server;

    if (!vns_config_string(cfg, "name", &name, error))
        return false;
    for (uint32_t id = 1; id <= vns_net_n_flows(net); id++) {
        if (strcmp(vns_net_flow_name(net, id), name) == 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                             "<tcp-flow> name '%s' is already used by another "
                             "flow, expected unique flow names", name);
            return false;
        }
    }
    if (!tcp_flow_read(net, cfg, &conf, &src_host, &dst_host, error))
        return false;
    cname = g_strdup_printf("%s.client", name);
    sname = g_strdup_printf("%s.server", name);
    client = tcp_flow_add(net, cfg, cname, error);
    if (client == NULL)
        return false;
    server = tcp_flow_add(net, cfg, sname, error);
    if (server == NULL)
        return false;
    if (conf.lport == 0) {
        /* The client's own stream, so other flows do not change the port. */
        conf.lport = tcp_flow_ephemeral_port(src_host, vns_element_rng(client));
        if (conf.lport == 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                             "<tcp-flow> every ephemeral port of '%s' is bound, "
                             "expected a free one", src_host->name);
            return false;
        }
    }
    conf.flow_id = vns_net_flow_register(net, name);
    sconf = conf;
    sconf.server = true;
    sconf.lport = conf.rport;
    sconf.rport = 0;
    sconf.size = 0;
    if (!tcp_flow_attach(cfg, dst_host,
                         vns_tcp_endpoint_setup(server, &sconf, NULL, NULL), error))
        return false;
    return tcp_flow_attach(cfg, src_host,
                           vns_tcp_endpoint_setup(client, &conf, name, server),
                           error);
}

const VnsBuilder vns_tcp_flow_builder = {
    "tcp-flow", &tcp_flow_spec, tcp_flow_build,
};
