/* The <udp-flow> builder: reads a flow's endpoints, sending pattern and
 * payload sizes, resolves the hosts and their addresses, and adds the
 * flow's source and sink applications to the two hosts (see udp_flow.h).
 *
 * Endpoints are found through ports, not model names: a host is any
 * element with a port that advertises an IP address (VnsPortInfo.addr4 or
 * addr6); its other ports are application ports, and an application port
 * is bound to the UDP port its peer advertises (l4_proto 17, l4_port). */
#include <config.h>
#include "models/apps/udp_flow.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "models/apps/dist.h"
#include "models/apps/udp_sink.h"
#include "models/apps/udp_source.h"
#include "net/app.h"
#include "net/wire.h"

static const VnsAttrSpec cbr_attrs[] = {
    { "rate", VNS_ATTR_RATE, false, NULL, "bit/s",
      "Sending rate in UDP payload bits per second (the application's rate: "
      "UDP, IP and Ethernet headers are not counted); give rate or interval." },
    { "interval", VNS_ATTR_TIME, false, NULL, NULL,
      "Time from one packet to the next, instead of rate." },
    { NULL }
};

static const VnsSpec cbr_spec = {
    "cbr", "Constant bit rate: packet k of the flow leaves when the payload "
    "of packets 0..k-1 has been sent at 'rate' (or k intervals after start).",
    cbr_attrs, NULL, false,
};

static const VnsAttrSpec poisson_attrs[] = {
    { "rate", VNS_ATTR_RATE, false, NULL, "bit/s",
      "Mean sending rate in UDP payload bits per second: packets arrive at "
      "rate / (8 x mean size) per second; give rate or interval." },
    { "interval", VNS_ATTR_TIME, false, NULL, NULL,
      "Mean time between packets, instead of rate." },
    { NULL }
};

static const VnsSpec poisson_spec = {
    "poisson", "Poisson process: independent exponential gaps between "
    "packets, the first one gap after start.",
    poisson_attrs, NULL, false,
};

static const VnsAttrSpec onoff_attrs[] = {
    { "on", VNS_ATTR_STRING, true, NULL, NULL,
      "On-period lengths: 'DURATION' (fixed), 'exp:MEAN', 'pareto:MEAN:SHAPE' "
      "(shape > 1) or 'uniform:MIN:MAX'." },
    { "off", VNS_ATTR_STRING, true, NULL, NULL,
      "Off-period lengths, same syntax as 'on'." },
    { "rate", VNS_ATTR_RATE, false, NULL, "bit/s",
      "Constant payload bit rate during on periods; give rate or interval." },
    { "interval", VNS_ATTR_TIME, false, NULL, NULL,
      "Time between packets during on periods, instead of rate." },
    { NULL }
};

static const VnsSpec onoff_spec = {
    "onoff", "On/off source: starts with an on period at start; sends CBR "
    "during on periods (a packet due at or after the period's end waits for "
    "the next one) and nothing during off periods.",
    onoff_attrs, NULL, false,
};

static const VnsAttrSpec size_attrs[] = {
    { "dist", VNS_ATTR_ENUM, false, "fixed", NULL,
      "The payload size distribution: fixed, uniform (integers min..max), "
      "exponential (mean, rounded up to whole bytes, at most max) or "
      "empirical (values).", "fixed|uniform|exponential|empirical" },
    { "fixed", VNS_ATTR_UINT, false, "1000", "bytes",
      "The payload size of dist=\"fixed\"; also used without a <size> "
      "element. Default 1000 bytes (a round size that fits a 1500-byte MTU)." },
    { "min", VNS_ATTR_UINT, false, NULL, "bytes",
      "dist=\"uniform\": the smallest size (at least 1)." },
    { "max", VNS_ATTR_UINT, false, NULL, "bytes",
      "dist=\"uniform\": the largest size; dist=\"exponential\": the "
      "truncation point (default: the largest UDP payload of the family, "
      "65507 for IPv4, 65527 for IPv6)." },
    { "mean", VNS_ATTR_DOUBLE, false, NULL, "bytes",
      "dist=\"exponential\": the mean of the exponential before rounding "
      "and truncation." },
    { "values", VNS_ATTR_STRING, false, NULL, NULL,
      "dist=\"empirical\": 'size:weight,size:weight,...'; weights are "
      "normalized to sum to 1." },
    { NULL }
};

static const VnsSpec size_spec = {
    "size", "UDP payload sizes (bytes). Sizes above the path MTU are sent "
    "and dropped by the host (mtu_exceeded).",
    size_attrs, NULL, false,
};

static const VnsSpec *const udp_flow_children[] = {
    &cbr_spec, &poisson_spec, &onoff_spec, &size_spec, NULL
};

static const VnsAttrSpec udp_flow_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The flow's name: its row in the 'flows' table, and its elements "
      "NAME.src and NAME.sink." },
    { "from", VNS_ATTR_STRING, true, NULL, NULL,
      "The sending host, 'host' (its first interface with an address of the "
      "family) or 'host:interface'." },
    { "to", VNS_ATTR_STRING, true, NULL, NULL,
      "The destination: 'host', 'host:interface', or an IP address." },
    { "sink", VNS_ATTR_REF, false, NULL, NULL,
      "The host that runs the receiving application. Default: the host "
      "that 'to' names or that owns the address 'to'." },
    { "family", VNS_ATTR_ENUM, false, "ipv4", NULL,
      "IP version of the flow. Default ipv4, or the family of 'to' when it "
      "is an address.", "ipv4|ipv6" },
    { "dport", VNS_ATTR_UINT, true, NULL, NULL,
      "UDP destination port; the sink binds it on its host.", NULL, 1, 65535 },
    { "sport", VNS_ATTR_STRING, false, "auto", NULL,
      "UDP source port (1-65535), or 'auto': drawn from the flow's random "
      "stream in Linux's ephemeral range 32768-60999 "
      "(/proc/sys/net/ipv4/ip_local_port_range), skipping bound ports." },
    { "start", VNS_ATTR_TIME, false, "0s", NULL,
      "When the source starts sending, from time 0 (warm-up included)." },
    { "stop", VNS_ATTR_TIME, false, NULL, NULL,
      "When the source stops (no packet at or after it). Default: the end "
      "of the run." },
    { "tos", VNS_ATTR_UINT, false, "0", NULL,
      "IPv4 TOS / IPv6 Traffic Class byte: DSCP << 2 | ECN.", NULL, 0, 255 },
    { "goodput-bin", VNS_ATTR_TIME, false, "100ms", NULL,
      "Bin width of the goodput-NAME.dat time series." },
    { NULL }
};

static const VnsSpec udp_flow_spec = {
    "udp-flow", "A UDP flow from an application on one host to an "
    "application on another, with one pattern (<cbr>, <poisson> or <onoff>) "
    "and optionally <size>.",
    udp_flow_attrs, udp_flow_children, false,
};

static bool
udp_flow_has_addr(const VnsElement *e)
{
    for (guint k = 0; k < e->ports->len; k++) {
        const VnsPort *p = e->ports->pdata[k];
        if (p->info.addr4.family != VNS_IP_NONE || p->info.addr6.family != VNS_IP_NONE)
            return true;
    }
    return false;
}

/* Reads the rate or interval of a pattern element: exactly one of them. */
static bool
udp_flow_read_rate(const VnsConfig *pc, VnsUdpSourceConf *conf, GError **error)
{
    bool has_rate = vns_config_has(pc, "rate");
    bool has_interval = vns_config_has(pc, "interval");
    const char *el = vns_config_element(pc);

    if (has_rate == has_interval) {
        vns_config_error(error, pc, has_rate ? VNS_CONFIG_ERROR_CONFLICT
                                             : VNS_CONFIG_ERROR_MISSING,
                         "<%s> %s, expected either 'rate' or 'interval'", el,
                         has_rate ? "has both 'rate' and 'interval'"
                                  : "has neither 'rate' nor 'interval'");
        return false;
    }
    if (has_rate)
        return vns_config_rate(pc, "rate", &conf->rate_bps, error);
    if (!vns_config_time(pc, "interval", &conf->interval, error))
        return false;
    if (conf->interval <= 0) {
        vns_config_error(error, pc, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> 'interval' is zero, expected a positive duration",
                         el);
        return false;
    }
    return true;
}

/* Reads one on/off period attribute. */
static VnsDist *
udp_flow_read_period(const VnsConfig *pc, const char *attr, GError **error)
{
    g_autofree char *text = NULL;
    GError *local = NULL;
    VnsDist *d;

    if (!vns_config_string(pc, attr, &text, error))
        return NULL;
    d = vns_dist_parse_period(text, &local);
    if (d == NULL) {
        vns_config_error(error, pc, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<onoff> '%s' is '%s': %s", attr, text, local->message);
        g_error_free(local);
    }
    return d;
}

/* Reads a size attribute that must lie in [1, limit]. */
static bool
udp_flow_read_size_attr(const VnsConfig *sc, const char *attr, uint64_t limit,
                        uint64_t *out, GError **error)
{
    if (!vns_config_has(sc, attr) && vns_spec_attr(&size_spec, attr)->def == NULL) {
        vns_config_error(error, sc, VNS_CONFIG_ERROR_MISSING,
                         "<size> lacks attribute '%s' (bytes)", attr);
        return false;
    }
    if (!vns_config_uint(sc, attr, out, error))
        return false;
    if (*out == 0 || *out > limit) {
        vns_config_error(error, sc, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<size> '%s' is %" G_GUINT64_FORMAT ", expected 1 to %"
                         G_GUINT64_FORMAT " bytes (the largest UDP payload of "
                         "the family)", attr, *out, limit);
        return false;
    }
    return true;
}

/* The choices of <size dist>, in the order of the spec's 'choices'. */
enum {
    UDP_FLOW_SIZE_FIXED,
    UDP_FLOW_SIZE_UNIFORM,
    UDP_FLOW_SIZE_EXPONENTIAL,
    UDP_FLOW_SIZE_EMPIRICAL,
};

/* The payload size distribution of <size> 'sc' (NULL: the spec's default,
 * a fixed size). */
static VnsDist *
udp_flow_read_size(const VnsConfig *sc, uint64_t limit, GError **error)
{
    /* Indexed by the 'dist' choice: its name and its attributes. */
    static const char *const names[] = {
        "fixed", "uniform", "exponential", "empirical",
    };
    static const char *const only[] = {
        "fixed", "min max", "mean max", "values",
    };
    int dist = UDP_FLOW_SIZE_FIXED;
    uint64_t a, b;
    double mean;
    g_autofree char *values = NULL;
    GError *local = NULL;
    VnsDist *d;

    if (sc == NULL) {
        /* No <size>: the default of 'fixed' in the spec. */
        a = g_ascii_strtoull(vns_spec_attr(&size_spec, "fixed")->def, NULL, 10);
        g_assert(a >= 1 && a <= limit);
        return vns_dist_new(VNS_DIST_FIXED, (double) a, 0);
    }
    if (!vns_config_enum(sc, "dist", &dist, error))
        return NULL;
    /* Attributes of another distribution are a mistake, not noise. */
    for (const VnsAttrSpec *at = size_attrs + 1; at->name != NULL; at++) {
        g_auto(GStrv) ok = g_strsplit(only[dist], " ", -1);
        if (vns_config_has(sc, at->name) &&
            !g_strv_contains((const char *const *) ok, at->name)) {
            vns_config_error(error, sc, VNS_CONFIG_ERROR_CONFLICT,
                             "<size> '%s' does not apply to dist=\"%s\", "
                             "expected only: %s", at->name, names[dist],
                             only[dist]);
            return NULL;
        }
    }
    switch (dist) {
    case UDP_FLOW_SIZE_FIXED:
        if (!udp_flow_read_size_attr(sc, "fixed", limit, &a, error))
            return NULL;
        return vns_dist_new(VNS_DIST_FIXED, (double) a, 0);
    case UDP_FLOW_SIZE_UNIFORM:
        if (!udp_flow_read_size_attr(sc, "min", limit, &a, error) ||
            !udp_flow_read_size_attr(sc, "max", limit, &b, error))
            return NULL;
        if (a > b) {
            vns_config_error(error, sc, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<size> 'min' (%" G_GUINT64_FORMAT ") exceeds 'max' (%"
                             G_GUINT64_FORMAT "), expected min <= max", a, b);
            return NULL;
        }
        return vns_dist_new(VNS_DIST_UNIFORM_INT, (double) a, (double) b);
    case UDP_FLOW_SIZE_EXPONENTIAL:
        if (!vns_config_has(sc, "mean")) {
            vns_config_error(error, sc, VNS_CONFIG_ERROR_MISSING,
                             "<size dist=\"exponential\"> lacks attribute "
                             "'mean' (bytes)");
            return NULL;
        }
        b = limit;
        if (!vns_config_double(sc, "mean", &mean, error) ||
            (vns_config_has(sc, "max") &&
             !udp_flow_read_size_attr(sc, "max", limit, &b, error)))
            return NULL;
        if (!(mean > 0) || mean > (double) limit) {
            vns_config_error(error, sc, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<size> 'mean' is %g, expected a positive size of "
                             "at most %" G_GUINT64_FORMAT " bytes", mean, limit);
            return NULL;
        }
        return vns_dist_new(VNS_DIST_EXP_INT, mean, (double) b);
    default:
        g_assert(dist == UDP_FLOW_SIZE_EMPIRICAL);
        if (!vns_config_has(sc, "values")) {
            vns_config_error(error, sc, VNS_CONFIG_ERROR_MISSING,
                             "<size dist=\"empirical\"> lacks attribute 'values' "
                             "('size:weight,...')");
            return NULL;
        }
        if (!vns_config_string(sc, "values", &values, error))
            return NULL;
        d = vns_dist_new_empirical(values, 1, (double) limit, &local);
        if (d == NULL) {
            vns_config_error(error, sc, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<size> 'values' is '%s': %s", values, local->message);
            g_error_free(local);
        }
        return d;
    }
}

/* Reads the pattern child and the optional <size> into 'conf'. */
static bool
udp_flow_read_children(const VnsConfig *cfg, uint64_t limit, VnsUdpSourceConf *conf,
                       GError **error)
{
    g_autoptr(GPtrArray) kids = vns_config_children(cfg, NULL);
    const VnsConfig *pattern = NULL, *size = NULL;

    for (guint i = 0; i < kids->len; i++) {
        const VnsConfig *c = kids->pdata[i];
        bool is_size = strcmp(vns_config_element(c), "size") == 0;
        const VnsConfig **slot = is_size ? &size : &pattern;
        if (*slot != NULL) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                             "<udp-flow> has a second %s <%s>, expected %s",
                             is_size ? "size" : "pattern", vns_config_element(c),
                             is_size ? "at most one <size>"
                                     : "exactly one of <cbr>, <poisson>, <onoff>");
            return false;
        }
        *slot = c;
    }
    if (pattern == NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                         "<udp-flow> has no traffic pattern, expected one of "
                         "<cbr>, <poisson>, <onoff>");
        return false;
    }
    if (strcmp(vns_config_element(pattern), "cbr") == 0) {
        conf->pattern = VNS_UDP_PATTERN_CBR;
    } else if (strcmp(vns_config_element(pattern), "poisson") == 0) {
        conf->pattern = VNS_UDP_PATTERN_POISSON;
    } else {
        conf->pattern = VNS_UDP_PATTERN_ONOFF;
        conf->on = udp_flow_read_period(pattern, "on", error);
        if (conf->on == NULL)
            return false;
        conf->off = udp_flow_read_period(pattern, "off", error);
        if (conf->off == NULL)
            return false;
    }
    if (!udp_flow_read_rate(pattern, conf, error))
        return false;
    conf->size = udp_flow_read_size(size, limit, error);
    return conf->size != NULL;
}

static void
udp_flow_conf_clear(VnsUdpSourceConf *conf)
{
    g_clear_pointer(&conf->size, vns_dist_free);
    g_clear_pointer(&conf->on, vns_dist_free);
    g_clear_pointer(&conf->off, vns_dist_free);
}

/* Reads the <udp-flow> attributes and children and resolves the hosts. */
static bool
udp_flow_read(VnsNet *net, const VnsConfig *cfg, VnsUdpSourceConf *conf,
              VnsElement **src_host, VnsElement **sink_host, VnsTime *bin,
              GError **error)
{
    g_autofree char *from = NULL, *to = NULL, *sink = NULL;
    uint64_t dport, tos, limit;
    int family_index = 0;
    VnsIpFamily family;
    VnsIpAddr literal = { 0 };
    bool to_is_addr;

    if (!vns_config_string(cfg, "from", &from, error) ||
        !vns_config_string(cfg, "to", &to, error) ||
        !vns_config_string(cfg, "sink", &sink, error) ||
        !vns_config_enum(cfg, "family", &family_index, error) ||
        !vns_config_uint(cfg, "dport", &dport, error) ||
        !vns_app_read_port(cfg, "sport", &conf->sport, error) ||
        !vns_config_time(cfg, "start", &conf->start, error) ||
        !vns_config_uint(cfg, "tos", &tos, error) ||
        !vns_config_time(cfg, "goodput-bin", bin, error))
        return false;
    conf->dport = (uint16_t) dport;
    conf->tos = (uint8_t) tos;
    conf->stop = VNS_TIME_NEVER;
    if (vns_config_has(cfg, "stop")) {
        if (!vns_config_time(cfg, "stop", &conf->stop, error))
            return false;
        if (!vns_app_check_window(cfg, conf->start, conf->stop, error))
            return false;
    }
    if (*bin <= 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<udp-flow> 'goodput-bin' is zero, expected a positive "
                         "duration");
        return false;
    }
    family = family_index == 0 ? VNS_IP_V4 : VNS_IP_V6;
    if (!vns_app_flow_family(cfg, to, &family, &literal, error))
        return false;
    to_is_addr = literal.family != VNS_IP_NONE;
    limit = family == VNS_IP_V4 ? VNS_UDP_MAX_PAYLOAD_V4 : VNS_UDP_MAX_PAYLOAD_V6;
    if (!udp_flow_read_children(cfg, limit, conf, error))
        return false;
    if (!vns_app_resolve_host(net, cfg, "from", from, family, src_host,
                               &conf->src, error))
        return false;
    if (to_is_addr) {
        conf->dst = literal;
        *sink_host = vns_app_find_owner(net, &literal);
    } else if (!vns_app_resolve_host(net, cfg, "to", to, family, sink_host,
                                      &conf->dst, error)) {
        return false;
    }
    if (sink != NULL) {
        *sink_host = vns_net_find(net, sink);
        if (*sink_host == NULL || !udp_flow_has_addr(*sink_host)) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                             "<udp-flow> 'sink' is '%s', %s, expected a host "
                             "of the topology", sink,
                             *sink_host == NULL ? "which names no element"
                                                : "which has no IP address");
            return false;
        }
    } else if (*sink_host == NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<udp-flow> 'to' is %s, which no host interface has, "
                         "expected a host's address or a 'sink' attribute "
                         "naming the receiving host", to);
        return false;
    }
    if (vns_app_port_bound(*sink_host, VNS_IPPROTO_UDP, conf->dport)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<udp-flow> dport %u is already bound on '%s', expected "
                         "a free port (flows do not share a sink)",
                         conf->dport, (*sink_host)->name);
        return false;
    }
    if (conf->sport != 0 && (vns_app_port_bound(*src_host, VNS_IPPROTO_UDP, conf->sport) ||
                             (*src_host == *sink_host && conf->sport == conf->dport))) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<udp-flow> sport %u is already bound on '%s', expected "
                         "a free port or 'auto'", conf->sport, (*src_host)->name);
        return false;
    }
    return true;
}

/* Expands one <udp-flow> into its source and sink. */
static bool
udp_flow_build(VnsNet *net, const VnsConfig *cfg, GError **error)
{
    VnsUdpSourceConf conf = { 0 };
    g_autofree char *name = NULL, *src_name = NULL, *sink_name = NULL;
    VnsElement *src_host = NULL, *sink_host = NULL, *src, *sink;
    VnsTime bin = 0;
    VnsPort *port;

    if (!vns_config_string(cfg, "name", &name, error))
        return false;
    for (uint32_t id = 1; id <= vns_net_n_flows(net); id++) {
        if (strcmp(vns_net_flow_name(net, id), name) == 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                             "<udp-flow> name '%s' is already used by another "
                             "flow, expected unique flow names", name);
            return false;
        }
    }
    if (!udp_flow_read(net, cfg, &conf, &src_host, &sink_host, &bin, error)) {
        udp_flow_conf_clear(&conf);
        return false;
    }
    src_name = g_strdup_printf("%s.src", name);
    sink_name = g_strdup_printf("%s.sink", name);
    src = vns_app_add(net, cfg, &vns_udp_source_ops, src_name, error);
    if (src == NULL) {
        udp_flow_conf_clear(&conf);
        return false;
    }
    if (conf.sport == 0) {
        /* The flow's own stream, so other flows do not change the port. */
        conf.sport = vns_app_ephemeral_port(src_host, VNS_IPPROTO_UDP,
                                             src_host == sink_host ? conf.dport : 0,
                                             vns_element_rng(src));
        if (conf.sport == 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                             "<udp-flow> every ephemeral port of '%s' is bound, "
                             "expected a free one", src_host->name);
            udp_flow_conf_clear(&conf);
            return false;
        }
    }
    conf.flow_id = vns_net_flow_register(net, name);
    port = vns_udp_source_setup(src, &conf);
    if (!vns_app_attach(cfg, src_host, port, error))
        return false;
    sink = vns_app_add(net, cfg, &vns_udp_sink_ops, sink_name, error);
    if (sink == NULL)
        return false;
    port = vns_udp_sink_setup(sink, name, conf.flow_id, conf.dport, src, bin);
    return vns_app_attach(cfg, sink_host, port, error);
}

const VnsBuilder vns_udp_flow_builder = {
    "udp-flow", &udp_flow_spec, udp_flow_build,
};
