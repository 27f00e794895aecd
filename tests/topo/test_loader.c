/* Tests of the topology loader with a registry of test-only element types:
 * safe parsing, unknown elements, duplicates, dangling references, schema
 * generation and validation. */
#include <config.h>
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include "topo/loader.h"

/* A "box" with named ports; a "wire" joining two of them. */
static const VnsAttrSpec box_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL, "name" },
    { "ports", VNS_ATTR_UINT, false, "1", NULL, "ports", NULL, 1, 8 },
    { NULL }
};
static const VnsSpec box_spec = { "box", "a box", box_attrs, NULL, false };

static bool
box_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    uint64_t n;
    if (!vns_config_uint(cfg, "ports", &n, error))
        return false;
    for (uint64_t i = 0; i < n; i++) {
        g_autofree char *name = g_strdup_printf("p%" G_GUINT64_FORMAT, i);
        vns_element_add_port(self, name);
    }
    return true;
}

static void
box_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    vns_packet_drop(pkt, self, VNS_DROP_NO_ROUTE);
}

static const VnsElementOps box_ops = {
    .type = "box", .spec = &box_spec, .instance_size = sizeof(VnsElement),
    .create = box_create, .receive = box_receive,
};

static const VnsAttrSpec wire_attrs[] = {
    { "a", VNS_ATTR_REF, true, NULL, NULL, "a" },
    { "b", VNS_ATTR_REF, true, NULL, NULL, "b" },
    { NULL }
};
static const VnsSpec wire_spec = { "wire", "a wire", wire_attrs, NULL, false };

static char *
wire_name(const VnsConfig *cfg)
{
    g_autofree char *a = NULL, *b = NULL;
    vns_config_string(cfg, "a", &a, NULL);
    vns_config_string(cfg, "b", &b, NULL);
    return g_strdup_printf("%s~%s", a ? a : "?", b ? b : "?");
}

static bool
wire_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    g_autofree char *a = NULL, *b = NULL;
    VnsPort *pa, *pb;
    GError *local = NULL;

    if (!vns_config_string(cfg, "a", &a, error) || !vns_config_string(cfg, "b", &b, error))
        return false;
    pa = vns_net_find_port(self->net, a, &local);
    pb = pa ? vns_net_find_port(self->net, b, &local) : NULL;
    if (pb == NULL || !vns_port_connect(pa, pb, &local)) {
        vns_config_error(error, cfg, local->code, "<wire>: %s", local->message);
        g_error_free(local);
        return false;
    }
    return true;
}

static const VnsElementOps wire_ops = {
    .type = "wire", .spec = &wire_spec, .instance_size = sizeof(VnsElement),
    .default_name = wire_name, .connect = wire_connect,
};

static VnsRegistry *
test_registry(void)
{
    VnsRegistry *reg = vns_registry_new();
    cr_assert(vns_registry_add_element(reg, &box_ops, VNS_SCOPE_TOPOLOGY, NULL));
    cr_assert(vns_registry_add_element(reg, &wire_ops, VNS_SCOPE_TOPOLOGY, NULL));
    return reg;
}

static char *
write_temp(const char *name, const char *text)
{
    g_autofree char *dir = g_dir_make_tmp("vns-loader-XXXXXX", NULL);
    char *path = g_build_filename(dir, name, NULL);
    cr_assert(g_file_set_contents(path, text, -1, NULL));
    return path;
}

static void
remove_temp(char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
}

/* Loads 'text' as a topology; returns the error message (owned) or NULL. */
static char *
load_text(const char *text, guint *n_elements)
{
    g_autoptr(VnsRegistry) reg = test_registry();
    char *path = write_temp("t.xml", text);
    g_autoptr(VnsSim) sim = vns_sim_new(NULL);
    g_autoptr(VnsNet) net = vns_net_new(sim);
    g_autoptr(VnsParams) params = vns_params_new();
    GError *err = NULL;
    g_autoptr(xmlDoc) doc = vns_topo_read(reg, path, &err);
    bool ok = doc != NULL && vns_topo_params(doc, path, params, &err) &&
              vns_topo_build(reg, net, path, doc, params, &err);
    char *msg = NULL;

    if (n_elements != NULL)
        *n_elements = vns_net_n_elements(net);
    if (!ok) {
        cr_assert_eq(err->domain, VNS_CONFIG_ERROR);
        /* Replace the temporary path by "t.xml" for comparisons. */
        cr_assert(g_str_has_prefix(err->message, path), "%s", err->message);
        msg = g_strconcat("t.xml", err->message + strlen(path), NULL);
        g_error_free(err);
    }
    remove_temp(path);
    return msg;
}

static void
expect(const char *text, const char *message)
{
    g_autofree char *msg = load_text(text, NULL);
    cr_assert_not_null(msg, "accepted:\n%s", text);
    cr_assert_str_eq(msg, message);
}

Test(loader, builds_elements_and_connections)
{
    guint n = 0;
    g_autofree char *msg = load_text(
        "<topology>\n"
        "  <param name=\"k\" default=\"2\"/>\n"
        "  <box name=\"x\" ports=\"${k}\"/>\n"
        "  <box name=\"y\"/>\n"
        "  <wire a=\"x:p1\" b=\"y\"/>\n"
        "</topology>\n", &n);
    cr_assert_null(msg, "%s", msg);
    cr_assert_eq(n, 3);
}

Test(loader, refuses_bad_files_with_file_line_messages)
{
    expect("<topology>\n<box name=\"x\">\n</topology>\n",
           "t.xml:3: Opening and ending tag mismatch: box line 2 and topology, "
           "expected well-formed XML");
    expect("<network/>\n", "t.xml:1: root element is <network>, expected <topology>");
    expect("<topology>\n\n<bx name=\"x\"/></topology>",
           "t.xml:3: unknown element <bx> in <topology>, expected one of: <param>, "
           "<box>, <wire>");
    expect("<topology>\n<box name=\"x\" port=\"2\"/></topology>",
           "t.xml:2: <box> has unknown attribute 'port', expected one of: name, ports");
    expect("<topology>\n<box/></topology>",
           "t.xml:2: <box> lacks required attribute 'name' (name)");
    expect("<topology><box name=\"x\"/>\n<box name=\"x\"/></topology>",
           "t.xml:2: duplicate name 'x', expected names to be unique in the topology");
    expect("<topology><box name=\"x\"/>\n<wire a=\"x\" b=\"z:p0\"/></topology>",
           "t.xml:2: <wire>: 'z:p0' names no element, expected the name of an "
           "element defined in the topology");
    expect("<topology><box name=\"x\"/><box name=\"y\"/>\n<wire a=\"x:p3\" b=\"y\"/></topology>",
           "t.xml:2: <wire>: 'x:p3': element 'x' has no port 'p3', expected one of: p0");
    expect("<topology><box name=\"x\"/><box name=\"y\"/><box name=\"z\"/>\n"
           "<wire a=\"x\" b=\"y\"/>\n<wire a=\"x\" b=\"z\"/></topology>",
           "t.xml:3: <wire>: port 'x:p0' is already connected to 'y:p0', expected "
           "each port on one link only");
    expect("<topology>\n<box name=\"x\" ports=\"${n}\"/></topology>",
           "t.xml:2: <box> 'ports' uses undefined parameter 'n', expected a <param> "
           "or --set n=VALUE");
    expect("<topology>\n<box name=\"x\" ports=\"9\"/></topology>",
           "t.xml:2: <box> 'ports' is 9, expected 1 to 8");
}

Test(loader, never_expands_entities)
{
    /* An external entity (XXE): must be refused, never fetched or expanded. */
    expect("<?xml version=\"1.0\"?>\n"
           "<!DOCTYPE topology [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n"
           "<topology><box name=\"&x;\"/></topology>\n",
           "t.xml:2: DOCTYPE declarations are not allowed (entities are never "
           "expanded), expected a plain XML document");
}

Test(loader, unreadable_files_are_input_errors)
{
    GError *err = NULL;
    cr_assert_null(vns_xml_read("/nonexistent/t.xml", &err));
    cr_assert_str_eq(err->message, "/nonexistent/t.xml: cannot read the file: no such file");
    g_clear_error(&err);
    cr_assert_null(vns_xml_read("/tmp", &err));
    cr_assert_str_eq(err->message, "/tmp: cannot read the file: it is a directory");
    g_clear_error(&err);
}

Test(loader, generated_schema_accepts_good_and_refuses_bad_structure)
{
    g_autoptr(VnsRegistry) reg = test_registry();
    g_autoptr(GString) schema = vns_schema_generate(reg, &vns_topology_spec,
                                                    &vns_topology_spec,
                                                    VNS_SCOPE_TOPOLOGY);
    const char *good = "<topology><param name=\"a\" default=\"1\"/><box name=\"x\"/>"
                       "<wire a=\"x\" b=\"y\"/></topology>";
    const char *bad = "<topology>\n<wire a=\"x\"/></topology>";
    g_autoptr(xmlDoc) g = xmlReadMemory(good, (int) strlen(good), "g.xml", NULL, 0);
    g_autoptr(xmlDoc) b = xmlReadMemory(bad, (int) strlen(bad), "b.xml", NULL, 0);
    GError *err = NULL;

    cr_assert(g_str_has_prefix(schema->str, "<?xml"));
    cr_assert(vns_schema_validate(g, "g.xml", schema, &err), "%s", err ? err->message : "");
    cr_assert_not(vns_schema_validate(b, "b.xml", schema, &err));
    cr_assert_eq(err->code, VNS_CONFIG_ERROR_SCHEMA);
    cr_assert(g_str_has_prefix(err->message, "b.xml:2: "), "%s", err->message);
    g_error_free(err);
}
