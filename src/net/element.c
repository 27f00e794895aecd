/* The element graph: creation, lookup, ports, packet hand-over and drops. */
#include <config.h>
#include "net/element.h"

#include <string.h>
#include "net/node.h"

struct VnsNet {
    VnsSim *sim;                /* borrowed */
    VnsPacketPool *pool;        /* owned */
    GPtrArray *elements;        /* of VnsElement*, creation order, owned */
    GHashTable *by_name;        /* name -> VnsElement*, borrowed */
    GPtrArray *flows;           /* flow names, index = id - 1 */
    GPtrArray *nodes;           /* of VnsNode*, owned */
    char *output_dir;           /* NULL: elements write no files */
};

static void
element_destroy(VnsElement *e)
{
    if (e->ops->free != NULL)
        e->ops->free(e);
    for (guint i = 0; i < e->ports->len; i++) {
        VnsPort *p = e->ports->pdata[i];
        g_free(p->name);
        g_free(p);
    }
    g_ptr_array_free(e->ports, TRUE);
    g_free(e->name);
    g_free(e);
}

/*
 * vns_net_new:
 * An empty network on 'sim' (borrowed; must outlive the network).
 */
VnsNet *
vns_net_new(VnsSim *sim)
{
    VnsNet *net = g_new0(VnsNet, 1);
    net->sim = sim;
    net->pool = vns_packet_pool_new();
    net->elements = g_ptr_array_new();
    net->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    net->flows = g_ptr_array_new_with_free_func(g_free);
    net->nodes = g_ptr_array_new_with_free_func((GDestroyNotify) vns_node_free);
    return net;
}

/*
 * vns_net_free:
 * Frees every element (last created first) and the packet pool, including
 * packets still in flight. Pending events of the simulator that refer to
 * elements must be gone first (free the VnsSim before the net... see
 * vns_net_stop(), which drains queues).
 */
void
vns_net_free(VnsNet *net)
{
    if (net == NULL)
        return;
    for (guint i = net->elements->len; i > 0; i--)
        element_destroy(net->elements->pdata[i - 1]);
    g_ptr_array_free(net->elements, TRUE);
    g_hash_table_destroy(net->by_name);
    g_ptr_array_free(net->flows, TRUE);
    g_ptr_array_free(net->nodes, TRUE);
    vns_packet_pool_free(net->pool);
    g_free(net->output_dir);
    g_free(net);
}

VnsSim *
vns_net_sim(const VnsNet *net)
{
    return net->sim;
}

VnsPacketPool *
vns_net_pool(const VnsNet *net)
{
    return net->pool;
}

/*
 * vns_net_add:
 * Allocates an element of type 'ops' (instance_size zeroed bytes), fills
 * its base, and calls ops->create with 'cfg' (may be NULL for elements made
 * by builders). A duplicate name is an error at cfg's line. Returns the
 * element, borrowed (the network owns it), or NULL.
 */
VnsElement *
vns_net_add(VnsNet *net, const VnsElementOps *ops, const char *name,
            const VnsConfig *cfg, GError **error)
{
    VnsElement *e;

    g_assert(ops->instance_size >= sizeof(VnsElement));
    if (g_hash_table_contains(net->by_name, name)) {
        if (cfg != NULL)
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                             "duplicate name '%s', expected names to be unique "
                             "in the topology", name);
        else
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_DUPLICATE,
                        "duplicate element name '%s'", name);
        return NULL;
    }
    e = g_malloc0(ops->instance_size);
    e->ops = ops;
    e->net = net;
    e->sim = net->sim;
    e->name = g_strdup(name);
    e->ports = g_ptr_array_new();
    g_ptr_array_add(net->elements, e);
    g_hash_table_insert(net->by_name, e->name, e);
    if (ops->create != NULL && !ops->create(e, cfg, error))
        return NULL;        /* the net still owns e and frees it */
    return e;
}

VnsElement *
vns_net_find(const VnsNet *net, const char *name)
{
    return g_hash_table_lookup(net->by_name, name);
}

/*
 * vns_net_find_port:
 * Resolves "element:port", or "element" when it has exactly one port.
 * Errors name what was wrong, without a file prefix (callers add it).
 */
VnsPort *
vns_net_find_port(const VnsNet *net, const char *ref, GError **error)
{
    g_autofree char *elem = g_strdup(ref);
    char *colon = strchr(elem, ':');
    VnsElement *e;
    VnsPort *p;

    if (colon != NULL)
        *colon = '\0';
    e = vns_net_find(net, elem);
    if (e == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_REFERENCE,
                    "'%s' names no element, expected the name of an element "
                    "defined in the topology", ref);
        return NULL;
    }
    if (colon == NULL) {
        if (e->ports->len == 1)
            return e->ports->pdata[0];
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_REFERENCE,
                    "'%s' has %u ports, expected 'element:port'", ref,
                    e->ports->len);
        return NULL;
    }
    p = vns_element_find_port(e, colon + 1);
    if (p == NULL) {
        GString *names = g_string_new(NULL);
        for (guint i = 0; i < e->ports->len; i++)
            g_string_append_printf(names, "%s%s", i ? ", " : "",
                                   ((VnsPort *) e->ports->pdata[i])->name);
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_REFERENCE,
                    "'%s': element '%s' has no port '%s', expected one of: %s",
                    ref, elem, colon + 1, names->len ? names->str : "(none)");
        g_string_free(names, TRUE);
        return NULL;
    }
    return p;
}

/*
 * vns_net_find_node:
 * The CPU node of the element named 'name' (a host, a router, a hypervisor:
 * any element that owns or uses one). Errors without a file prefix.
 */
VnsNode *
vns_net_find_node(const VnsNet *net, const char *name, GError **error)
{
    VnsElement *e = vns_net_find(net, name);

    if (e == NULL || e->node == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_REFERENCE,
                    e == NULL ? "'%s' names no element, expected the name of "
                                "a host, router or hypervisor"
                              : "'%s' has no CPU, expected the name of a "
                                "host, router or hypervisor", name);
        return NULL;
    }
    return e->node;
}

/*
 * vns_element_use_node:
 * Reads the optional attribute 'attr' of 'cfg' (the name of a host, router
 * or hypervisor) and makes that element's CPU this element's node; without
 * the attribute the element keeps its node (NULL: it costs no CPU). Call it
 * from ops->connect, when every element exists. Errors carry file:line.
 */
bool
vns_element_use_node(VnsElement *self, const VnsConfig *cfg, const char *attr,
                     GError **error)
{
    g_autofree char *name = NULL;
    g_autoptr(GError) local = NULL;
    VnsNode *node;

    if (cfg == NULL || !vns_config_has(cfg, attr))
        return true;
    if (!vns_config_string(cfg, attr, &name, error))
        return false;
    node = vns_net_find_node(self->net, name, &local);
    if (node == NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE, "<%s> '%s': %s",
                         vns_config_element(cfg), attr, local->message);
        return false;
    }
    self->node = node;
    return true;
}

/*
 * vns_config_port:
 * The port that the reference attribute 'attr' of 'cfg' names
 * ("element:port", or "element" with one port). Errors carry file:line and
 * the attribute.
 */
VnsPort *
vns_config_port(const VnsConfig *cfg, const VnsNet *net, const char *attr,
                GError **error)
{
    g_autofree char *ref = NULL;
    g_autoptr(GError) local = NULL;
    VnsPort *port;

    if (!vns_config_string(cfg, attr, &ref, error))
        return NULL;
    port = vns_net_find_port(net, ref, &local);
    if (port == NULL)
        vns_config_error(error, cfg, local->code, "<%s> '%s': %s",
                         vns_config_element(cfg), attr, local->message);
    return port;
}

/*
 * vns_config_connect:
 * Joins 'port' to the port the reference attribute 'attr' names, with
 * file:line errors (dangling reference, port already taken).
 */
bool
vns_config_connect(const VnsConfig *cfg, VnsPort *port, const char *attr,
                   GError **error)
{
    g_autoptr(GError) local = NULL;
    VnsPort *peer = vns_config_port(cfg, port->owner->net, attr, error);

    if (peer == NULL)
        return false;
    if (!vns_port_connect(port, peer, &local)) {
        vns_config_error(error, cfg, local->code, "<%s> '%s': %s",
                         vns_config_element(cfg), attr, local->message);
        return false;
    }
    return true;
}

guint
vns_net_n_elements(const VnsNet *net)
{
    return net->elements->len;
}

VnsElement *
vns_net_element(const VnsNet *net, guint i)
{
    return net->elements->pdata[i];
}

/*
 * vns_net_start:
 * Calls every element's start, in creation order.
 */
bool
vns_net_start(VnsNet *net, GError **error)
{
    for (guint i = 0; i < net->elements->len; i++) {
        VnsElement *e = net->elements->pdata[i];
        if (e->ops->start != NULL && !e->ops->start(e, error))
            return false;
    }
    return true;
}

/*
 * vns_net_reset:
 * Ends warm-up: elements reset their measurements, drop counts restart.
 */
void
vns_net_reset(VnsNet *net)
{
    for (guint i = 0; i < net->elements->len; i++) {
        VnsElement *e = net->elements->pdata[i];
        memset(e->drops, 0, sizeof e->drops);
        for (guint k = 0; k < e->ports->len; k++) {
            VnsPort *p = e->ports->pdata[k];
            p->tx_packets = p->tx_bytes = p->rx_packets = p->rx_bytes = 0;
        }
        if (e->ops->reset != NULL)
            e->ops->reset(e);
    }
}

void
vns_net_stop(VnsNet *net)
{
    for (guint i = 0; i < net->elements->len; i++) {
        VnsElement *e = net->elements->pdata[i];
        if (e->ops->stop != NULL)
            e->ops->stop(e);
    }
}

/*
 * vns_net_stats:
 * Every element's results, then the "drops" table: one row per (element,
 * cause) with a non-zero count, in creation order.
 */
void
vns_net_stats(VnsNet *net, VnsReport *report)
{
    for (guint i = 0; i < net->elements->len; i++) {
        VnsElement *e = net->elements->pdata[i];
        if (e->ops->stats != NULL)
            e->ops->stats(e, report);
    }
    for (guint i = 0; i < net->elements->len; i++) {
        VnsElement *e = net->elements->pdata[i];
        for (int c = 0; c < VNS_DROP_N_CAUSES; c++) {
            g_autofree char *row = NULL;
            if (e->drops[c] == 0)
                continue;
            row = g_strdup_printf("%s/%s", e->name, vns_drop_cause_name(c));
            vns_report_row(report, "drops", row);
            vns_report_str(report, "element", e->name);
            vns_report_str(report, "cause", vns_drop_cause_name(c));
            vns_report_int(report, "packets", (int64_t) e->drops[c]);
        }
    }
}

void
vns_net_set_output_dir(VnsNet *net, const char *dir)
{
    g_free(net->output_dir);
    net->output_dir = g_strdup(dir);
}

const char *
vns_net_output_dir(const VnsNet *net)
{
    return net->output_dir;
}

uint32_t
vns_net_flow_register(VnsNet *net, const char *name)
{
    g_ptr_array_add(net->flows, g_strdup(name));
    return net->flows->len;
}

const char *
vns_net_flow_name(const VnsNet *net, uint32_t flow_id)
{
    if (flow_id == 0 || flow_id > net->flows->len)
        return NULL;
    return net->flows->pdata[flow_id - 1];
}

uint32_t
vns_net_n_flows(const VnsNet *net)
{
    return net->flows->len;
}

/*
 * vns_net_add_node:
 * Takes ownership of 'node' (freed with the network).
 */
void
vns_net_add_node(VnsNet *net, VnsNode *node)
{
    g_ptr_array_add(net->nodes, node);
}

/*
 * vns_element_add_port:
 * Adds a port named 'name' (unique within the element). Returns it,
 * borrowed. Pointers to ports stay valid for the element's life.
 */
VnsPort *
vns_element_add_port(VnsElement *self, const char *name)
{
    VnsPort *p = g_new0(VnsPort, 1);

    g_assert(vns_element_find_port(self, name) == NULL);
    g_assert(self->ports->len < UINT16_MAX);
    p->owner = self;
    p->name = g_strdup(name);
    p->index = (uint16_t) self->ports->len;
    g_ptr_array_add(self->ports, p);
    return p;
}

VnsPort *
vns_element_port(const VnsElement *self, uint16_t index)
{
    g_assert(index < self->ports->len);
    return self->ports->pdata[index];
}

VnsPort *
vns_element_find_port(const VnsElement *self, const char *name)
{
    for (guint i = 0; i < self->ports->len; i++) {
        VnsPort *p = self->ports->pdata[i];
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

/*
 * vns_element_rng:
 * The element's GSL stream, named after the element, created on first use.
 * Borrowed.
 */
gsl_rng *
vns_element_rng(const VnsElement *self)
{
    return vns_sim_rng(self->sim, self->name);
}

/*
 * vns_port_connect:
 * Joins two unconnected ports. Errors say which port is taken.
 */
bool
vns_port_connect(VnsPort *a, VnsPort *b, GError **error)
{
    VnsPort *taken = a->peer != NULL ? a : (b->peer != NULL ? b : NULL);

    if (taken != NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_CONFLICT,
                    "port '%s:%s' is already connected to '%s:%s', expected "
                    "each port on one link only", taken->owner->name,
                    taken->name, taken->peer->owner->name, taken->peer->name);
        return false;
    }
    if (a == b || a->owner == b->owner) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_CONFLICT,
                    "cannot connect '%s' to itself, expected two elements",
                    a->owner->name);
        return false;
    }
    a->peer = b;
    b->peer = a;
    return true;
}

/*
 * vns_port_add_tap:
 * Adds 'tap' (borrowed: it must outlive the port's use) to the port.
 */
void
vns_port_add_tap(VnsPort *port, VnsPortTap *tap)
{
    tap->next = port->taps;
    port->taps = tap;
}

/*
 * vns_port_send:
 * Hands 'pkt' (taken) to the element across 'port', at once (an in-node
 * wire: links are elements and add their own delay). An unconnected port
 * drops it with VNS_DROP_LINK_DOWN.
 */
void
vns_port_send(VnsPort *port, VnsPacket *pkt)
{
    VnsPort *peer = port->peer;
    uint32_t size = vns_packet_size(pkt);

    if (G_UNLIKELY(peer == NULL)) {
        vns_packet_drop(pkt, port->owner, VNS_DROP_LINK_DOWN);
        return;
    }
    port->tx_packets++;
    port->tx_bytes += size;
    peer->rx_packets++;
    peer->rx_bytes += size;
    if (G_UNLIKELY(port->taps != NULL))
        for (VnsPortTap *t = port->taps; t != NULL; t = t->next)
            t->seen(t, port, pkt, true);
    if (G_UNLIKELY(peer->taps != NULL))
        for (VnsPortTap *t = peer->taps; t != NULL; t = t->next)
            t->seen(t, peer, pkt, false);
    pkt->in_port = peer->index;
    peer->owner->ops->receive(peer->owner, pkt, peer->index);
}

/*
 * vns_packet_drop:
 * Records that 'pkt' died at 'where' for 'cause' and returns it to its
 * pool. Every drop in the simulator goes through here.
 */
void
vns_packet_drop(VnsPacket *pkt, VnsElement *where, VnsDropCause cause)
{
    g_assert(cause < VNS_DROP_N_CAUSES);
    where->drops[cause]++;
    vns_packet_free(pkt);
}
