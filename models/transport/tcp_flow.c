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
#include "net/app.h"
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
    { "start", VNS_ATTR_TIME, false, "0s", NULL,
      "When the client connects (sends its SYN), from time 0." },
    { "size", VNS_ATTR_UINT, false, NULL, "bytes",
      "Bytes the client sends, written at once, then closes. Default: an "
      "unlimited stream until 'stop' or the end of the run.", NULL, 1,
      UINT64_MAX },
    { "stop", VNS_ATTR_TIME, false, NULL, NULL,
      "Unlimited streams only: when the client stops writing and closes "
      "(FIN after the bytes already sent). Default: never." },
    VNS_TCP_COMMON_ATTRS
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

/*
 * vns_tcp_app_read:
 * Reads what every TCP application construct has: 'from', 'to', 'family',
 * 'dport' and VNS_TCP_COMMON_ATTRS, into 'conf' (client side: local,
 * remote, rport, cc, mtu, rcvbuf, wscale, sack, mtu_probing), and resolves
 * the two hosts (borrowed). Checks that the hosts differ, that the MTU
 * suits the family and that 'dport' is free on the server's host.
 */
bool
vns_tcp_app_read(VnsNet *net, const VnsConfig *cfg, VnsTcpConf *conf,
                 VnsElement **src_host, VnsElement **dst_host, GError **error)
{
    g_autofree char *from = NULL, *to = NULL;
    uint64_t dport, mtu, rcvbuf;
    int family_index = 0, cc_index = 0;
    VnsIpFamily family;
    VnsIpAddr literal = { 0 };
    bool to_is_addr;
    const char *what = vns_config_element(cfg);

    if (!vns_config_string(cfg, "from", &from, error) ||
        !vns_config_string(cfg, "to", &to, error) ||
        !vns_config_enum(cfg, "family", &family_index, error) ||
        !vns_config_uint(cfg, "dport", &dport, error) ||
        !vns_config_enum(cfg, "cc", &cc_index, error) ||
        !vns_config_uint(cfg, "mtu", &mtu, error) ||
        !vns_config_uint(cfg, "rcvbuf", &rcvbuf, error) ||
        !vns_config_bool(cfg, "wscale", &conf->wscale, error) ||
        !vns_config_bool(cfg, "sack", &conf->sack, error) ||
        !vns_config_bool(cfg, "mtu-probing", &conf->mtu_probing, error))
        return false;
    conf->rport = (uint16_t) dport;
    conf->mtu = (uint32_t) mtu;
    conf->rcvbuf = (uint32_t) rcvbuf;
    conf->cc = tcp_flow_ccs[cc_index];
    family = family_index == 0 ? VNS_IP_V4 : VNS_IP_V6;
    if (!vns_app_flow_family(cfg, to, &family, &literal, error))
        return false;
    to_is_addr = literal.family != VNS_IP_NONE;
    if (conf->mtu < (family == VNS_IP_V4 ? 88u : 1280u)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> 'mtu' is %u, expected at least %u for %s", what,
                         conf->mtu, family == VNS_IP_V4 ? 88u : 1280u,
                         family == VNS_IP_V4 ? "IPv4 (an MSS of 48)"
                                             : "IPv6 (RFC 8200 section 5)");
        return false;
    }
    if (!vns_app_resolve_host(net, cfg, "from", from, family, src_host,
                               &conf->local, error))
        return false;
    if (to_is_addr) {
        conf->remote = literal;
        *dst_host = vns_app_find_owner(net, &literal);
        if (*dst_host == NULL) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                             "<%s> 'to' is %s, which no host interface "
                             "has, expected a host's address", what, to);
            return false;
        }
    } else if (!vns_app_resolve_host(net, cfg, "to", to, family, dst_host,
                                      &conf->remote, error)) {
        return false;
    }
    if (*src_host == *dst_host) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<%s> 'from' and 'to' are both on '%s', expected "
                         "two hosts (loopback is not modelled)", what,
                         (*src_host)->name);
        return false;
    }
    if (vns_app_port_bound(*dst_host, VNS_IPPROTO_TCP, conf->rport)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<%s> dport %u is already bound on '%s', expected "
                         "a free port (flows do not share a server)", what,
                         conf->rport, (*dst_host)->name);
        return false;
    }
    return true;
}

/* Reads the attributes and resolves the hosts. */
static bool
tcp_flow_read(VnsNet *net, const VnsConfig *cfg, VnsTcpConf *conf,
              VnsElement **src_host, VnsElement **dst_host, GError **error)
{
    if (!vns_tcp_app_read(net, cfg, conf, src_host, dst_host, error) ||
        !vns_app_read_port(cfg, "sport", &conf->lport, error) ||
        !vns_config_time(cfg, "start", &conf->start, error) ||
        !vns_config_time(cfg, "trace-interval", &conf->trace_interval, error))
        return false;
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
        if (!vns_app_check_window(cfg, conf->start, conf->stop, error))
            return false;
    }
    if (conf->trace_interval <= 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<tcp-flow> 'trace-interval' is zero, expected a "
                         "positive duration");
        return false;
    }
    if (conf->lport != 0 && vns_app_port_bound(*src_host, VNS_IPPROTO_TCP, conf->lport)) {
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
    client = vns_app_add(net, cfg, &vns_tcp_endpoint_ops, cname, error);
    if (client == NULL)
        return false;
    server = vns_app_add(net, cfg, &vns_tcp_endpoint_ops, sname, error);
    if (server == NULL)
        return false;
    if (conf.lport == 0) {
        /* The client's own stream, so other flows do not change the port. */
        conf.lport = vns_app_ephemeral_port(src_host, VNS_IPPROTO_TCP, 0, vns_element_rng(client));
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
    if (!vns_app_attach(cfg, dst_host,
                         vns_tcp_endpoint_setup(server, &sconf, NULL, NULL), error))
        return false;
    return vns_app_attach(cfg, src_host,
                           vns_tcp_endpoint_setup(client, &conf, name, server),
                           error);
}

const VnsBuilder vns_tcp_flow_builder = {
    "tcp-flow", &tcp_flow_spec, tcp_flow_build,
};
