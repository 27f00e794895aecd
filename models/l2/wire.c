/* The in-node wire (element type "wire") and the port-joining helpers of
 * the L2 elements; see wire.h. */
#include <config.h>
#include "models/l2/wire.h"

#include <string.h>

static const VnsAttrSpec wire_attrs[] = {
    { "name", VNS_ATTR_NAME, false, NULL, NULL,
      "The wire's name; default '<a element>-<b element>', e.g. 'vm1-br0' "
      "for a='vm1:eth0' b='br0:vm1' (as a link's).",
      NULL, 0, 0 },
    { "a", VNS_ATTR_REF, true, NULL, NULL,
      "One end: the port 'element:port' (or 'element', if it has one "
      "port); required.",
      NULL, 0, 0 },
    { "b", VNS_ATTR_REF, true, NULL, NULL,
      "The other end, joined directly to 'a'; required.",
      NULL, 0, 0 },
    { NULL }
};

static const VnsSpec wire_spec = {
    .element = "wire",
    .doc = "An in-node connection of zero length and infinite rate: joins "
           "port 'a' to port 'b' directly, so a frame sent on one reaches "
           "the other at the same instant (e.g. a VM's interface to a "
           "bridge port inside one hypervisor).",
    .attrs = wire_attrs,
    .children = NULL,
    .has_text = false,
};

/*
 * vns_wire_ref_element:
 * The element part of the reference "element:port" held by attribute
 * 'attr' of 'cfg' (the attribute's name when it is absent). Returns an
 * owned string.
 */
char *
vns_wire_ref_element(const VnsConfig *cfg, const char *attr)
{
    char *ref = NULL;
    char *colon;

    if (!vns_config_string(cfg, attr, &ref, NULL) || ref == NULL)
        return g_strdup(attr);
    colon = strchr(ref, ':');
    if (colon != NULL)
        *colon = '\0';
    return ref;
}

/*
 * vns_wire_default_name:
 * '<a element>-<b element>', the name of a wire or veth without 'name'.
 * Returns an owned string.
 */
char *
vns_wire_default_name(const VnsConfig *cfg)
{
    g_autofree char *a = vns_wire_ref_element(cfg, "a");
    g_autofree char *b = vns_wire_ref_element(cfg, "b");

    return g_strdup_printf("%s-%s", a, b);
}

/* Resolves the port that attribute 'attr' of 'cfg' names. Errors carry
 * the file and line. */
static VnsPort *
wire_find(VnsElement *self, const VnsConfig *cfg, const char *attr,
          GError **error)
{
    g_autofree char *ref = NULL;
    GError *local = NULL;
    VnsPort *port;

    if (!vns_config_string(cfg, attr, &ref, error))
        return NULL;
    port = vns_net_find_port(self->net, ref, &local);
    if (port == NULL) {
        vns_config_error(error, cfg, local->code, "<%s> '%s': %s",
                         vns_config_element(cfg), attr, local->message);
        g_error_free(local);
    }
    return port;
}

/* Joins 'a' and 'b'; errors name attribute 'attr' at cfg's line. */
static bool
wire_connect_ports(const VnsConfig *cfg, const char *attr, VnsPort *a,
                   VnsPort *b, GError **error)
{
    GError *local = NULL;

    if (!vns_port_connect(a, b, &local)) {
        vns_config_error(error, cfg, local->code, "<%s> '%s': %s",
                         vns_config_element(cfg), attr, local->message);
        g_error_free(local);
        return false;
    }
    return true;
}

/*
 * vns_wire_join:
 * From ops->connect: joins 'port' (one of self's) to the port that
 * attribute 'attr' of 'cfg' names. Errors carry the file and line.
 */
bool
vns_wire_join(VnsElement *self, const VnsConfig *cfg, const char *attr,
              VnsPort *port, GError **error)
{
    VnsPort *peer = wire_find(self, cfg, attr, error);

    return peer != NULL && wire_connect_ports(cfg, attr, port, peer, error);
}

static bool
wire_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "wire '%s' has no configuration, expected a <wire> "
                    "element", self->name);
        return false;
    }
    return true;
}

static bool
wire_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    VnsPort *a = wire_find(self, cfg, "a", error);
    VnsPort *b = a != NULL ? wire_find(self, cfg, "b", error) : NULL;

    /* Name the end whose port is taken (vns_port_connect() checks a first). */
    return b != NULL &&
           wire_connect_ports(cfg, a->peer != NULL ? "a" : "b", a, b, error);
}

const VnsElementOps vns_wire_ops = {
    .type = "wire",
    .spec = &wire_spec,
    .instance_size = sizeof(VnsElement),
    .default_name = vns_wire_default_name,
    .create = wire_create,
    .connect = wire_connect,
};
