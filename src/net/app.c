/* Attaching applications to hosts (see app.h). */
#include <config.h>
#include "net/app.h"

#include <string.h>

/*
 * vns_app_port_addr:
 * The address of 'family' that 'port' advertises, or NULL.
 */
const VnsIpAddr *
vns_app_port_addr(const VnsPort *port, VnsIpFamily family)
{
    const VnsIpAddr *a = family == VNS_IP_V4 ? &port->info.addr4 : &port->info.addr6;
    return a->family == family ? a : NULL;
}

static const char *
app_family_name(VnsIpFamily family)
{
    return family == VNS_IP_V4 ? "IPv4" : "IPv6";
}

/*
 * vns_app_resolve_host:
 * Resolves 'ref' ("host" or "host:interface"), the value of attribute
 * 'attr' of 'cfg', to the host element and the first address of 'family'
 * its (named) interface advertises.
 */
bool
vns_app_resolve_host(VnsNet *net, const VnsConfig *cfg, const char *attr,
                     const char *ref, VnsIpFamily family, VnsElement **host,
                     VnsIpAddr *addr, GError **error)
{
    const char *what = vns_config_element(cfg);
    g_autofree char *name = g_strdup(ref);
    char *colon = strchr(name, ':');
    VnsElement *e;

    if (colon != NULL)
        *colon++ = '\0';
    e = vns_net_find(net, name);
    if (e == NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<%s> '%s' names no element '%s', expected a host of "
                         "the topology", what, attr, name);
        return false;
    }
    for (guint i = 0; i < e->ports->len; i++) {
        const VnsPort *p = e->ports->pdata[i];
        const VnsIpAddr *a = vns_app_port_addr(p, family);
        if (colon != NULL && strcmp(p->name, colon) != 0)
            continue;
        if (a != NULL) {
            *host = e;
            *addr = *a;
            return true;
        }
        if (colon != NULL) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                             "<%s> '%s': interface '%s' of '%s' has no %s "
                             "address, expected an interface with one", what,
                             attr, colon, name, app_family_name(family));
            return false;
        }
    }
    if (colon != NULL)
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<%s> '%s': '%s' has no interface '%s', expected an "
                         "interface of the host", what, attr, name, colon);
    else
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<%s> '%s': '%s' has no %s address, expected a host "
                         "with an %s interface%s", what, attr, name,
                         app_family_name(family), app_family_name(family),
                         family == VNS_IP_V4 ? " (or family=\"ipv6\")"
                                             : " (or family=\"ipv4\")");
    return false;
}

/*
 * vns_app_find_owner:
 * The element one of whose ports advertises 'addr', or NULL.
 */
VnsElement *
vns_app_find_owner(VnsNet *net, const VnsIpAddr *addr)
{
    for (guint i = 0; i < vns_net_n_elements(net); i++) {
        VnsElement *e = vns_net_element(net, i);
        for (guint k = 0; k < e->ports->len; k++) {
            const VnsIpAddr *a = vns_app_port_addr(e->ports->pdata[k], addr->family);
            if (a != NULL && vns_ip_addr_equal(a, addr))
                return e;
        }
    }
    return NULL;
}

/*
 * vns_app_port_bound:
 * True when an application attached to 'host' is bound to ('proto',
 * 'port'), as its port info advertises.
 */
bool
vns_app_port_bound(const VnsElement *host, uint8_t proto, uint16_t port)
{
    for (guint k = 0; k < host->ports->len; k++) {
        const VnsPort *p = host->ports->pdata[k];
        if (p->peer != NULL && p->peer->info.l4_proto == proto &&
            p->peer->info.l4_port == port)
            return true;
    }
    return false;
}

/*
 * vns_app_read_port:
 * Reads attribute 'attr': a port 1-65535, or "auto" (returned as 0).
 */
bool
vns_app_read_port(const VnsConfig *cfg, const char *attr, uint16_t *out,
                  GError **error)
{
    g_autofree char *text = NULL;
    char *end = NULL;
    guint64 v;

    if (!vns_config_string(cfg, attr, &text, error))
        return false;
    if (strcmp(text, "auto") == 0) {
        *out = 0;
        return true;
    }
    v = g_ascii_strtoull(text, &end, 10);
    if (!g_ascii_isdigit(text[0]) || *end != '\0' || v == 0 || v > 65535) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is '%s', expected a port from 1 to 65535 "
                         "or 'auto'", vns_config_element(cfg), attr, text);
        return false;
    }
    *out = (uint16_t) v;
    return true;
}

/*
 * vns_app_ephemeral_port:
 * An ephemeral port for an application on 'host': a uniform draw from
 * 'rng' in Linux's range, then the next port not bound for 'proto' on the
 * host (wrapping), as Linux's search from a random offset does, never
 * 'avoid' (0: none). 0 when every port is taken.
 */
uint16_t
vns_app_ephemeral_port(const VnsElement *host, uint8_t proto, uint16_t avoid,
                       gsl_rng *rng)
{
    const unsigned n = VNS_EPHEMERAL_MAX - VNS_EPHEMERAL_MIN + 1;
    unsigned off = (unsigned) gsl_rng_uniform_int(rng, n);

    for (unsigned i = 0; i < n; i++) {
        uint16_t port = (uint16_t) (VNS_EPHEMERAL_MIN + (off + i) % n);
        if (port != avoid && !vns_app_port_bound(host, proto, port))
            return port;
    }
    return 0;
}

/*
 * vns_app_add:
 * Adds an application element of 'ops' named 'name'; a failure is reported
 * at 'cfg's line. Returns the element (borrowed) or NULL.
 */
VnsElement *
vns_app_add(VnsNet *net, const VnsConfig *cfg, const VnsElementOps *ops,
            const char *name, GError **error)
{
    GError *local = NULL;
    VnsElement *e = vns_net_add(net, ops, name, NULL, &local);

    if (e == NULL) {
        vns_config_error(error, cfg, local->code, "<%s>: %s",
                         vns_config_element(cfg), local->message);
        g_error_free(local);
    }
    return e;
}

/*
 * vns_app_port_is_app:
 * Whether 'port' joins an application to its host (either side): such a
 * port carries bare IP packets, not Ethernet frames. vns_app_attach_named()
 * names the host's side "app:NAME"; this is the one place that reads it.
 */
bool
vns_app_port_is_app(const VnsPort *port)
{
    return g_str_has_prefix(port->name, "app:") ||
           (port->peer != NULL && g_str_has_prefix(port->peer->name, "app:"));
}

/*
 * vns_app_attach_named:
 * Joins application port 'app' to a new port "app:NAME" of 'host'.
 */
bool
vns_app_attach_named(const VnsConfig *cfg, VnsElement *host, VnsPort *app,
                     const char *name, GError **error)
{
    g_autofree char *pname = g_strdup_printf("app:%s", name);
    GError *local = NULL;
    VnsPort *hp;

    if (vns_element_find_port(host, pname) != NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                         "<%s> host '%s' already has a port '%s', expected "
                         "unique flow names", vns_config_element(cfg),
                         host->name, pname);
        return false;
    }
    hp = vns_element_add_port(host, pname);
    if (!vns_port_connect(hp, app, &local)) {
        vns_config_error(error, cfg, local->code, "<%s>: %s",
                         vns_config_element(cfg), local->message);
        g_error_free(local);
        return false;
    }
    return true;
}

/*
 * vns_app_attach:
 * Joins application port 'app' to a new port "app:NAME" of 'host', NAME
 * being the application element's name.
 */
bool
vns_app_attach(const VnsConfig *cfg, VnsElement *host, VnsPort *app,
               GError **error)
{
    return vns_app_attach_named(cfg, host, app, app->owner->name, error);
}

/*
 * vns_app_check_window:
 * Checks that 'start' is before 'stop' (the flow's sending window).
 */
bool
vns_app_check_window(const VnsConfig *cfg, VnsTime start, VnsTime stop,
                     GError **error)
{
    if (start < stop)
        return true;
    g_autofree char *a = vns_time_format(start);
    g_autofree char *b = vns_time_format(stop);
    vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                     "<%s> 'start' (%s) is not before 'stop' (%s), expected "
                     "start < stop", vns_config_element(cfg), a, b);
    return false;
}

/*
 * vns_app_flow_family:
 * The flow's IP family: 'family' as configured (attribute "family"), or,
 * when 'to' is a literal address and no family is given, that address's.
 * A literal of the other family is an error. *literal (family NONE when
 * 'to' is not an address) receives the parsed address.
 */
bool
vns_app_flow_family(const VnsConfig *cfg, const char *to, VnsIpFamily *family,
                    VnsIpAddr *literal, GError **error)
{
    memset(literal, 0, sizeof *literal);
    if (!vns_ip_addr_parse(to, literal, NULL)) {
        memset(literal, 0, sizeof *literal);
        return true;
    }
    if (!vns_config_has(cfg, "family")) {
        *family = literal->family;
    } else if (literal->family != *family) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<%s> 'to' is an %s address but family is '%s', "
                         "expected an address of the flow's family",
                         vns_config_element(cfg),
                         literal->family == VNS_IP_V4 ? "IPv4" : "IPv6",
                         *family == VNS_IP_V4 ? "ipv4" : "ipv6");
        return false;
    }
    return true;
}
