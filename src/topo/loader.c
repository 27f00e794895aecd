/* Topology loading: safe XML parsing, spec checks, RelaxNG validation,
 * building through the registry. */
#include <config.h>
#include "topo/loader.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/relaxng.h>
#include <glib/gstdio.h>
#include <unistd.h>

static const VnsAttrSpec param_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The parameter's name, used as ${name} in attribute values." },
    { "default", VNS_ATTR_STRING, false, NULL, NULL,
      "Topology files: the value used unless the experiment or --set gives one." },
    { "value", VNS_ATTR_STRING, false, NULL, NULL,
      "Experiment files: the value (--set overrides it)." },
    { NULL }
};

const VnsSpec vns_param_spec = {
    "param", "Declares a parameter that attribute values use as ${name}.",
    param_attrs, NULL, false,
};

static const VnsAttrSpec topology_attrs[] = {
    { "name", VNS_ATTR_NAME, false, NULL, NULL, "The topology's name." },
    { NULL }
};

static const VnsSpec *const topology_children[] = { &vns_param_spec, NULL };

const VnsSpec vns_topology_spec = {
    "topology", "The root of a topology file: parameters, then elements "
    "(nodes before the links and constructs that refer to them).",
    topology_attrs, topology_children, false,
};

/* What the parser saw, for the first error and a DOCTYPE. */
typedef struct {
    int error_line;
    char *error;            /* the first error message */
    int doctype_line;       /* > 0 once a DOCTYPE was seen */
} ReadState;

static void
xml_read_error_cb(void *data, xmlError *e)
{
    xmlParserCtxt *ctxt = data;
    ReadState *st = ctxt->_private;

    if (st->error != NULL || e == NULL || e->level < XML_ERR_ERROR)
        return;
    st->error = g_strdup(e->message ? e->message : "not well-formed XML");
    g_strchomp(st->error);
    /* One line per error: libxml2 splits some messages over lines. */
    g_strdelimit(st->error, "\n", ' ');
    st->error_line = e->line > 0 ? e->line : 1;   /* before the first line: 1 */
}

/* A DOCTYPE is refused outright: stop before any declaration in it is
 * read, so no entity (internal or external) can ever be defined. */
static void
xml_read_doctype_cb(void *data, const xmlChar *name, const xmlChar *external_id,
                    const xmlChar *system_id)
{
    xmlParserCtxt *ctxt = data;
    ReadState *st = ctxt->_private;

    st->doctype_line = xmlSAX2GetLineNumber(ctxt);
    xmlStopParser(ctxt);
}

/*
 * vns_xml_read:
 * Parses 'path' without network access, DTD loading or entity
 * substitution; a document with a DOCTYPE is refused (so no entity,
 * internal or external, is ever defined or expanded). Errors read
 * "path:line: message" with the parser's first error.
 */
xmlDoc *
vns_xml_read(const char *path, GError **error)
{
    xmlParserCtxt *ctxt;
    xmlDoc *doc;
    ReadState st = { 0, NULL, 0 };

    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
        g_access(path, R_OK) != 0) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_XML,
                    "%s: cannot read the file: %s", path,
                    g_file_test(path, G_FILE_TEST_EXISTS)
                        ? (g_file_test(path, G_FILE_TEST_IS_DIR)
                               ? "it is a directory" : "permission denied")
                        : "no such file");
        return NULL;
    }
    ctxt = xmlNewParserCtxt();
    g_assert(ctxt != NULL);
    ctxt->_private = &st;
    ctxt->sax->serror = xml_read_error_cb;
    ctxt->sax->internalSubset = xml_read_doctype_cb;
    /* Some errors (input encoding) bypass the context's handler and go to
     * libxml2's per-thread structured handler: route those here too for
     * the parse, so nothing is printed behind our back. */
    xmlSetStructuredErrorFunc(ctxt, xml_read_error_cb);
    doc = xmlCtxtReadFile(ctxt, path, NULL,
                          XML_PARSE_NONET | XML_PARSE_NOERROR |
                          XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (st.doctype_line > 0) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_XML,
                    "%s:%d: DOCTYPE declarations are not allowed (entities are "
                    "never expanded), expected a plain XML document", path,
                    st.doctype_line);
    } else if (doc == NULL || !ctxt->wellFormed || st.error != NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_XML,
                    "%s:%d: %s, expected well-formed XML", path, st.error_line,
                    st.error != NULL ? st.error : "not well-formed XML");
    } else if (xmlDocGetRootElement(doc) == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_XML,
                    "%s: the document has no root element, expected one", path);
    } else {
        xmlFreeParserCtxt(ctxt);
        g_free(st.error);
        return doc;
    }
    if (doc != NULL)
        xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    g_free(st.error);
    return NULL;
}

/* RelaxNG schema generation: the structure of every element and the set of
 * attributes each takes. Values are checked in C (they may hold ${...}).
 * 'dyn_parent' is the element whose children are the registry's entries
 * of a scope, referenced as defines. */
static void
schema_element(GString *out, const VnsSpec *spec, int depth,
               const VnsSpec *dyn_parent, const GPtrArray *dynamic)
{
    const char *pad = "                                                  ";
    int ind = MIN(depth * 2, 50);
    bool dyn = spec == dyn_parent;
    bool kids = (spec->children != NULL && spec->children[0] != NULL) || dyn;

    g_string_append_printf(out, "%.*s<element name=\"%s\">\n", ind, pad,
                           spec->element);
    for (const VnsAttrSpec *a = spec->attrs; a != NULL && a->name != NULL; a++) {
        if (a->required)
            g_string_append_printf(out, "%.*s  <attribute name=\"%s\"/>\n",
                                   ind, pad, a->name);
        else
            g_string_append_printf(out, "%.*s  <optional><attribute name=\"%s\"/></optional>\n",
                                   ind, pad, a->name);
    }
    if (kids) {
        g_string_append_printf(out, "%.*s  <zeroOrMore><choice>\n", ind, pad);
        for (size_t i = 0; spec->children != NULL && spec->children[i]; i++)
            schema_element(out, spec->children[i], depth + 2, dyn_parent, dynamic);
        for (guint i = 0; dyn && i < dynamic->len; i++)
            g_string_append_printf(out, "%.*s    <ref name=\"%s\"/>\n", ind, pad,
                                   ((const VnsSpec *) dynamic->pdata[i])->element);
        g_string_append_printf(out, "%.*s  </choice></zeroOrMore>\n", ind, pad);
    }
    if (spec->has_text)
        g_string_append_printf(out, "%.*s  <text/>\n", ind, pad);
    if ((spec->attrs == NULL || spec->attrs[0].name == NULL) && !spec->has_text && !kids)
        g_string_append_printf(out, "%.*s  <empty/>\n", ind, pad);
    g_string_append_printf(out, "%.*s</element>\n", ind, pad);
}

/*
 * vns_schema_generate:
 * The RelaxNG schema of a file whose root element is 'root': its fixed
 * structure from the specs, and under 'dyn_parent' any registry entry of
 * 'scope'. Returns an owned string.
 */
GString *
vns_schema_generate(const VnsRegistry *reg, const VnsSpec *root,
                    const VnsSpec *dyn_parent, unsigned scope)
{
    GString *out = g_string_new(NULL);
    g_autoptr(GPtrArray) specs = vns_registry_specs(reg, scope);

    g_string_append_printf(out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!-- vnetsim %s schema. Generated by `vnetsim schema %s` from the\n"
        "     element specs; do not edit (a test checks it is current). -->\n"
        "<grammar xmlns=\"http://relaxng.org/ns/structure/1.0\">\n"
        "  <start>\n", root->element, root->element);
    schema_element(out, root, 2, dyn_parent, specs);
    g_string_append(out, "  </start>\n");
    for (guint i = 0; i < specs->len; i++) {
        const VnsSpec *s = specs->pdata[i];
        g_string_append_printf(out, "  <define name=\"%s\">\n", s->element);
        schema_element(out, s, 2, NULL, NULL);
        g_string_append(out, "  </define>\n");
    }
    g_string_append(out, "</grammar>\n");
    return out;
}

typedef struct {
    GString *first;         /* the first message, "path:line: ..." */
    const char *path;
} SchemaErrors;

static void
schema_error_cb(void *data, xmlError *e)
{
    SchemaErrors *se = data;
    g_autofree char *msg = NULL;

    if (se->first->len > 0 || e == NULL)
        return;
    msg = g_strdup(e->message ? e->message : "invalid");
    g_strchomp(msg);
    g_string_printf(se->first, "%s:%d: %s (RelaxNG schema)", se->path, e->line, msg);
}

/*
 * vns_schema_validate:
 * Validates 'doc' (read from 'path') against the RelaxNG schema text
 * 'schema' (from vns_schema_generate(): the same text as the shipped
 * src/topo/schemas files, which a test keeps current).
 */
bool
vns_schema_validate(xmlDoc *doc, const char *path, const GString *schema_text,
                    GError **error)
{
    xmlRelaxNGParserCtxt *pctxt =
        xmlRelaxNGNewMemParserCtxt(schema_text->str, (int) schema_text->len);
    xmlRelaxNG *schema;
    xmlRelaxNGValidCtxt *vctxt;
    SchemaErrors se = { g_string_new(NULL), path };
    int rc;

    xmlRelaxNGSetParserStructuredErrors(pctxt, schema_error_cb, &se);
    schema = xmlRelaxNGParse(pctxt);
    xmlRelaxNGFreeParserCtxt(pctxt);
    /* The schema is generated from compiled-in specs: failing to parse it
     * is a bug, not bad input. */
    g_assert(schema != NULL);
    g_string_truncate(se.first, 0);
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vctxt, schema_error_cb, &se);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlRelaxNGFree(schema);
    if (rc != 0) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_SCHEMA, "%s",
                    se.first->len ? se.first->str : "document does not match the schema");
        g_string_free(se.first, TRUE);
        return false;
    }
    g_string_free(se.first, TRUE);
    return true;
}

static bool
topo_is_param(const xmlNode *n)
{
    return strcmp((const char *) n->name, "param") == 0;
}

/*
 * vns_topo_params:
 * Adds each <param name default> of the topology root to 'params' weakly
 * (values already set by the experiment or --set win).
 */
bool
vns_topo_params(xmlDoc *doc, const char *path, VnsParams *params,
                GError **error)
{
    xmlNode *root = xmlDocGetRootElement(doc);

    for (xmlNode *c = root->children; c != NULL; c = c->next) {
        g_autoptr(VnsConfig) cfg = NULL;
        g_autofree char *name = NULL, *def = NULL;

        if (c->type != XML_ELEMENT_NODE || !topo_is_param(c))
            continue;
        cfg = vns_config_new(path, c, &vns_param_spec, NULL);
        if (!vns_config_check(cfg, error) ||
            !vns_config_string(cfg, "name", &name, error))
            return false;
        if (vns_config_has(cfg, "value")) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_UNKNOWN,
                             "<param> in a topology takes 'default', not 'value'");
            return false;
        }
        /* Defaults are taken literally: they may not refer to parameters. */
        def = (char *) xmlGetProp(c, (const xmlChar *) "default");
        if (def != NULL) {
            vns_params_set(params, name, def, true);
            xmlFree(def);
            def = NULL;
        } else if (vns_params_get(params, name) == NULL) {
            /* Declared without default: must come from outside. */
            vns_params_set(params, name, "", true);
            g_assert(vns_params_get(params, name) != NULL);
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_PARAM,
                             "parameter '%s' has no default and no value, expected "
                             "a value from the experiment or --set %s=VALUE",
                             name, name);
            return false;
        }
    }
    return true;
}

typedef struct {
    VnsElement *element;
    VnsConfig *cfg;
} Pending;

/*
 * vns_topo_build_children:
 * For each element child of 'parent' (skipping <param>): look it up in the
 * registry for 'scope', check it against its spec, and create it (element
 * types) or expand it (builders), in document order; then run every
 * created element's connect op in the same order.
 */
bool
vns_topo_build_children(const VnsRegistry *reg, VnsNet *net, const char *path,
                        xmlNode *parent, unsigned scope,
                        const VnsParams *params, GError **error)
{
    g_autoptr(GArray) pending = g_array_new(FALSE, FALSE, sizeof(Pending));
    bool ok = true;

    for (xmlNode *c = parent->children; ok && c != NULL; c = c->next) {
        const char *type = (const char *) c->name;
        const VnsSpec *spec;
        VnsConfig *cfg;

        if (c->type != XML_ELEMENT_NODE ||
            (scope == VNS_SCOPE_TOPOLOGY && topo_is_param(c)))
            continue;
        spec = vns_registry_spec(reg, type, scope);
        if (spec == NULL) {
            g_autoptr(GPtrArray) specs = vns_registry_specs(reg, scope);
            g_autoptr(GString) names = g_string_new(NULL);
            for (guint i = 0; i < specs->len; i++)
                g_string_append_printf(names, "%s<%s>", i ? ", " : "",
                                       ((const VnsSpec *) specs->pdata[i])->element);
            vns_xml_error(error, path, c, VNS_CONFIG_ERROR_UNKNOWN,
                          "unknown element <%s> in <%s>, expected one of: %s",
                          type, (const char *) parent->name, names->str);
            ok = false;
            break;
        }
        cfg = vns_config_new(path, c, spec, params);
        if (!vns_config_check(cfg, error)) {
            vns_config_free(cfg);
            ok = false;
            break;
        }
        const VnsElementOps *ops = vns_registry_element(reg, type, scope);
        if (ops != NULL) {
            g_autofree char *name = NULL;
            VnsElement *e;
            if (vns_spec_attr(spec, "name") != NULL && vns_config_has(cfg, "name")) {
                if (!vns_config_string(cfg, "name", &name, error)) {
                    vns_config_free(cfg);
                    ok = false;
                    break;
                }
            } else if (ops->default_name != NULL) {
                name = ops->default_name(cfg);
            } else {
                vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                                 "<%s> lacks required attribute 'name'", type);
                vns_config_free(cfg);
                ok = false;
                break;
            }
            e = vns_net_add(net, ops, name, cfg, error);
            if (e == NULL) {
                vns_config_free(cfg);
                ok = false;
                break;
            }
            Pending p = { e, cfg };
            g_array_append_val(pending, p);
        } else {
            const VnsBuilder *b = vns_registry_builder(reg, type, scope);
            ok = b->build(net, cfg, error);
            vns_config_free(cfg);
        }
    }
    for (guint i = 0; i < pending->len; i++) {
        Pending *p = &g_array_index(pending, Pending, i);
        if (ok && p->element->ops->connect != NULL)
            ok = p->element->ops->connect(p->element, p->cfg, error);
        vns_config_free(p->cfg);
    }
    return ok;
}

/*
 * vns_topo_read:
 * Parses a topology file and checks its root and its structure against
 * the specs and the shipped RelaxNG schema. Returns the owned document.
 */
xmlDoc *
vns_topo_read(const VnsRegistry *reg, const char *path, GError **error)
{
    g_autoptr(xmlDoc) doc = vns_xml_read(path, error);
    xmlNode *root;

    if (doc == NULL)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (strcmp((const char *) root->name, "topology") != 0) {
        vns_xml_error(error, path, root, VNS_CONFIG_ERROR_UNKNOWN,
                      "root element is <%s>, expected <topology>",
                      (const char *) root->name);
        return NULL;
    }
    {
        g_autoptr(VnsConfig) cfg = vns_config_new(path, root, &vns_topology_spec, NULL);
        for (xmlAttr *a = root->properties; a != NULL; a = a->next) {
            if (vns_spec_attr(&vns_topology_spec, (const char *) a->name) == NULL) {
                vns_config_error(error, cfg, VNS_CONFIG_ERROR_UNKNOWN,
                                 "<topology> has unknown attribute '%s', expected one of: name",
                                 (const char *) a->name);
                return NULL;
            }
        }
    }
    /* Spec checks give precise messages; the schema then confirms. */
    for (xmlNode *c = root->children; c != NULL; c = c->next) {
        const VnsSpec *spec;
        if (c->type == XML_TEXT_NODE) {
            const xmlChar *t = c->content;
            while (t && *t && g_ascii_isspace(*t))
                t++;
            if (t && *t) {
                vns_xml_error(error, path, c, VNS_CONFIG_ERROR_UNKNOWN,
                              "<topology> holds text, expected only elements");
                return NULL;
            }
        }
        if (c->type != XML_ELEMENT_NODE)
            continue;
        spec = topo_is_param(c) ? &vns_param_spec
                                : vns_registry_spec(reg, (const char *) c->name,
                                                    VNS_SCOPE_TOPOLOGY);
        if (spec == NULL) {
            g_autoptr(GPtrArray) specs = vns_registry_specs(reg, VNS_SCOPE_TOPOLOGY);
            g_autoptr(GString) names = g_string_new("<param>");
            for (guint i = 0; i < specs->len; i++)
                g_string_append_printf(names, ", <%s>",
                                       ((const VnsSpec *) specs->pdata[i])->element);
            vns_xml_error(error, path, c, VNS_CONFIG_ERROR_UNKNOWN,
                          "unknown element <%s> in <topology>, expected one of: %s",
                          (const char *) c->name, names->str);
            return NULL;
        }
        g_autoptr(VnsConfig) cfg = vns_config_new(path, c, spec, NULL);
        if (!vns_config_check(cfg, error))
            return NULL;
    }
    {
        g_autoptr(GString) schema = vns_schema_generate(reg, &vns_topology_spec,
                                                        &vns_topology_spec,
                                                        VNS_SCOPE_TOPOLOGY);
        if (!vns_schema_validate(doc, path, schema, error))
            return NULL;
    }
    return g_steal_pointer(&doc);
}

/*
 * vns_topo_build:
 * Builds the elements of a topology document into 'net'.
 */
bool
vns_topo_build(const VnsRegistry *reg, VnsNet *net, const char *path,
               xmlDoc *doc, const VnsParams *params, GError **error)
{
    return vns_topo_build_children(reg, net, path, xmlDocGetRootElement(doc),
                                   VNS_SCOPE_TOPOLOGY, params, error);
}
