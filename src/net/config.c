/* Element configuration read from XML through declarative specs, with
 * ${name} parameter substitution. */
#include <config.h>
#include "net/config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "net/addr.h"

G_DEFINE_QUARK(vns-config-error-quark, vns_config_error)

struct VnsParams {
    GHashTable *values;     /* name -> value */
    GPtrArray *names;       /* insertion order, borrowed from 'values' keys */
};

struct VnsConfig {
    char *path;
    xmlNode *node;          /* borrowed from the document */
    const VnsSpec *spec;
    const VnsParams *params;
};

VnsParams *
vns_params_new(void)
{
    VnsParams *p = g_new0(VnsParams, 1);
    p->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    p->names = g_ptr_array_new();
    return p;
}

void
vns_params_free(VnsParams *params)
{
    if (params == NULL)
        return;
    g_ptr_array_free(params->names, TRUE);
    g_hash_table_destroy(params->values);
    g_free(params);
}

/*
 * vns_params_set:
 * Sets parameter 'name' to 'value'. With 'weak', an existing value wins
 * (used for defaults, which yield to experiment values and --set).
 */
void
vns_params_set(VnsParams *params, const char *name, const char *value,
               bool weak)
{
    char *key;

    if (g_hash_table_contains(params->values, name)) {
        /* g_hash_table_insert() keeps the existing key, so 'names' stays
         * valid; only the value is replaced. */
        if (!weak)
            g_hash_table_insert(params->values, g_strdup(name), g_strdup(value));
        return;
    }
    key = g_strdup(name);
    g_hash_table_insert(params->values, key, g_strdup(value));
    g_ptr_array_add(params->names, key);
}

const char *
vns_params_get(const VnsParams *params, const char *name)
{
    return params != NULL ? g_hash_table_lookup(params->values, name) : NULL;
}

GPtrArray *
vns_params_names(const VnsParams *params)
{
    return params->names;
}

/*
 * vns_params_expand:
 * Replaces each ${name} in 'text' by its value ("$$" is a literal '$').
 * Returns a new string, or NULL with *undefined pointing at the first
 * undefined name (a static-lifetime pointer into 'text' is not possible,
 * so *undefined is set to a string owned by nobody: the caller must
 * g_free() it).
 */
char *
vns_params_expand(const VnsParams *params, const char *text,
                  const char **undefined)
{
    GString *out;
    const char *p = text;

    *undefined = NULL;
    if (strchr(text, '$') == NULL)
        return g_strdup(text);
    out = g_string_new(NULL);
    while (*p) {
        if (p[0] == '$' && p[1] == '$') {
            g_string_append_c(out, '$');
            p += 2;
        } else if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            g_autofree char *name = NULL;
            const char *value;

            if (end == NULL) {
                /* Reported as an undefined parameter named "${...": the
                 * callers' messages then show the unterminated text. */
                *undefined = g_strdup(p);
                g_string_free(out, TRUE);
                return NULL;
            }
            name = g_strndup(p + 2, (gsize) (end - p - 2));
            value = vns_params_get(params, name);
            if (value == NULL) {
                *undefined = g_steal_pointer(&name);
                g_string_free(out, TRUE);
                return NULL;
            }
            g_string_append(out, value);
            p = end + 1;
        } else {
            g_string_append_c(out, *p++);
        }
    }
    return g_string_free(out, FALSE);
}

/*
 * vns_config_new:
 * A view of 'node' (borrowed; the document must outlive the config) through
 * 'spec', in file 'path', with 'params' (borrowed, may be NULL).
 */
VnsConfig *
vns_config_new(const char *path, xmlNode *node, const VnsSpec *spec,
               const VnsParams *params)
{
    VnsConfig *cfg = g_new0(VnsConfig, 1);
    cfg->path = g_strdup(path);
    cfg->node = node;
    cfg->spec = spec;
    cfg->params = params;
    return cfg;
}

void
vns_config_free(VnsConfig *cfg)
{
    if (cfg == NULL)
        return;
    g_free(cfg->path);
    g_free(cfg);
}

const char *
vns_config_path(const VnsConfig *cfg)
{
    return cfg->path;
}

int
vns_config_line(const VnsConfig *cfg)
{
    return (int) xmlGetLineNo(cfg->node);
}

xmlNode *
vns_config_node(const VnsConfig *cfg)
{
    return cfg->node;
}

const VnsSpec *
vns_config_spec(const VnsConfig *cfg)
{
    return cfg->spec;
}

const char *
vns_config_element(const VnsConfig *cfg)
{
    return (const char *) cfg->node->name;
}

static void
config_verror(GError **error, const char *path, const xmlNode *node, int code,
              const char *format, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(format, ap);
    long line = node != NULL ? xmlGetLineNo(node) : 0;

    if (line > 0)
        g_set_error(error, VNS_CONFIG_ERROR, code, "%s:%ld: %s", path, line, msg);
    else
        g_set_error(error, VNS_CONFIG_ERROR, code, "%s: %s", path, msg);
}

/*
 * vns_xml_error:
 * Sets 'error' to "path:line: message", the line taken from 'node'.
 */
void
vns_xml_error(GError **error, const char *path, const xmlNode *node, int code,
              const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    config_verror(error, path, node, code, format, ap);
    va_end(ap);
}

/*
 * vns_config_error:
 * Sets 'error' to "path:line: message" for the config's node.
 */
void
vns_config_error(GError **error, const VnsConfig *cfg, int code,
                 const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    config_verror(error, cfg->path, cfg->node, code, format, ap);
    va_end(ap);
}

const VnsAttrSpec *
vns_spec_attr(const VnsSpec *spec, const char *name)
{
    for (const VnsAttrSpec *a = spec->attrs; a != NULL && a->name != NULL; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

const char *
vns_attr_kind_name(VnsAttrKind kind)
{
    static const char *const names[] = {
        [VNS_ATTR_STRING] = "text", [VNS_ATTR_NAME] = "name",
        [VNS_ATTR_REF] = "reference", [VNS_ATTR_UINT] = "integer",
        [VNS_ATTR_DOUBLE] = "number", [VNS_ATTR_TIME] = "duration",
        [VNS_ATTR_RATE] = "rate", [VNS_ATTR_BOOL] = "boolean",
        [VNS_ATTR_ENUM] = "choice", [VNS_ATTR_IP] = "IP address",
        [VNS_ATTR_PREFIX] = "prefix", [VNS_ATTR_IFADDR] = "address/length",
        [VNS_ATTR_MAC] = "MAC address",
    };
    return kind < G_N_ELEMENTS(names) ? names[kind] : "?";
}

static GString *
config_attr_list(const VnsSpec *spec)
{
    GString *s = g_string_new(NULL);
    for (const VnsAttrSpec *a = spec->attrs; a != NULL && a->name != NULL; a++)
        g_string_append_printf(s, "%s%s", s->len ? ", " : "", a->name);
    if (s->len == 0)
        g_string_append(s, "none");
    return s;
}

static const VnsSpec *
config_child_spec(const VnsSpec *spec, const char *name)
{
    for (size_t i = 0; spec->children != NULL && spec->children[i]; i++)
        if (strcmp(spec->children[i]->element, name) == 0)
            return spec->children[i];
    return NULL;
}

/*
 * vns_config_check:
 * Checks the node against its spec: every attribute known, every required
 * attribute present, every child element known (children are checked
 * recursively), no text where none belongs.
 */
bool
vns_config_check(const VnsConfig *cfg, GError **error)
{
    const VnsSpec *spec = cfg->spec;

    for (xmlAttr *a = cfg->node->properties; a != NULL; a = a->next) {
        if (vns_spec_attr(spec, (const char *) a->name) == NULL) {
            g_autoptr(GString) list = config_attr_list(spec);
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_UNKNOWN,
                             "<%s> has unknown attribute '%s', expected one of: %s",
                             spec->element, (const char *) a->name, list->str);
            return false;
        }
    }
    for (const VnsAttrSpec *a = spec->attrs; a != NULL && a->name != NULL; a++) {
        if (a->required && !xmlHasProp(cfg->node, (const xmlChar *) a->name)) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                             "<%s> lacks required attribute '%s' (%s)",
                             spec->element, a->name, vns_attr_kind_name(a->kind));
            return false;
        }
    }
    for (xmlNode *c = cfg->node->children; c != NULL; c = c->next) {
        if (c->type == XML_TEXT_NODE && !spec->has_text) {
            const xmlChar *t = c->content;
            while (t != NULL && *t && g_ascii_isspace(*t))
                t++;
            if (t != NULL && *t) {
                vns_xml_error(error, cfg->path, c, VNS_CONFIG_ERROR_UNKNOWN,
                              "<%s> holds text, expected only elements",
                              spec->element);
                return false;
            }
        }
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const VnsSpec *cs = config_child_spec(spec, (const char *) c->name);
        if (cs == NULL) {
            g_autoptr(GString) list = g_string_new(NULL);
            for (size_t i = 0; spec->children != NULL && spec->children[i]; i++)
                g_string_append_printf(list, "%s<%s>", list->len ? ", " : "",
                                       spec->children[i]->element);
            vns_xml_error(error, cfg->path, c, VNS_CONFIG_ERROR_UNKNOWN,
                          "unknown element <%s> in <%s>, expected %s%s",
                          (const char *) c->name, spec->element,
                          list->len ? "one of: " : "no child elements",
                          list->str);
            return false;
        }
        g_autoptr(VnsConfig) child = vns_config_new(cfg->path, c, cs, cfg->params);
        if (!vns_config_check(child, error))
            return false;
    }
    return true;
}

bool
vns_config_has(const VnsConfig *cfg, const char *attr)
{
    return xmlHasProp(cfg->node, (const xmlChar *) attr) != NULL;
}

/* The attribute's value after substitution, or its default; NULL with
 * *error unset when absent with no default; NULL with *error set on a bad
 * parameter. */
static char *
config_raw(const VnsConfig *cfg, const char *attr, const VnsAttrSpec **specp,
           GError **error)
{
    const VnsAttrSpec *spec = vns_spec_attr(cfg->spec, attr);
    xmlChar *raw;
    const char *undefined = NULL;
    char *value;

    /* Reading an undeclared attribute is a bug in the element type. */
    g_assert(spec != NULL);
    *specp = spec;
    raw = xmlGetProp(cfg->node, (const xmlChar *) attr);
    if (raw == NULL) {
        if (spec->required) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                             "<%s> lacks required attribute '%s' (%s)",
                             cfg->spec->element, attr, vns_attr_kind_name(spec->kind));
            return NULL;
        }
        return spec->def != NULL ? g_strdup(spec->def) : NULL;
    }
    value = vns_params_expand(cfg->params, (const char *) raw, &undefined);
    if (value == NULL && g_str_has_prefix(undefined, "${"))
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_PARAM,
                         "<%s> '%s' has an unterminated '%s', expected ${NAME}",
                         cfg->spec->element, attr, undefined);
    else if (value == NULL)
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_PARAM,
                         "<%s> '%s' uses undefined parameter '%s', expected a "
                         "<param> or --set %s=VALUE", cfg->spec->element, attr,
                         undefined, undefined);
    g_free((char *) undefined);
    xmlFree(raw);
    return value;
}

/*
 * vns_config_string:
 * The attribute's text (or default) into *out (owned; NULL when absent
 * with no default). Names are checked to be identifiers.
 */
bool
vns_config_string(const VnsConfig *cfg, const char *attr, char **out,
                  GError **error)
{
    const VnsAttrSpec *spec;
    GError *local = NULL;
    char *v = config_raw(cfg, attr, &spec, &local);

    *out = NULL;
    if (local != NULL) {
        g_propagate_error(error, local);
        return false;
    }
    if (v != NULL && spec->kind == VNS_ATTR_NAME) {
        if (*v == '\0' || strlen(v) > VNS_NAME_MAX) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<%s> '%s' is %zu characters long, expected a name "
                             "of 1 to %d characters", cfg->spec->element, attr,
                             strlen(v), VNS_NAME_MAX);
            g_free(v);
            return false;
        }
        for (const char *p = v; *p; p++) {
            if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.') {
                vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                                 "<%s> '%s' is '%s', expected a name of ASCII "
                                 "letters, digits, '_', '-' and '.'",
                                 cfg->spec->element, attr, v);
                g_free(v);
                return false;
            }
        }
    }
    *out = v;
    return true;
}

/* Reads a value that must be present (from the file or the default). */
static char *
config_need(const VnsConfig *cfg, const char *attr, const VnsAttrSpec **spec,
            GError **error)
{
    GError *local = NULL;
    char *v = config_raw(cfg, attr, spec, &local);

    if (local != NULL) {
        g_propagate_error(error, local);
        return NULL;
    }
    if (v == NULL)
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                         "<%s> lacks attribute '%s' (%s)", cfg->spec->element,
                         attr, vns_attr_kind_name((*spec)->kind));
    return v;
}

bool
vns_config_uint(const VnsConfig *cfg, const char *attr, uint64_t *out,
                GError **error)
{
    const VnsAttrSpec *spec;
    g_autofree char *v = config_need(cfg, attr, &spec, error);
    char *end;
    guint64 x;

    if (v == NULL)
        return false;
    errno = 0;
    x = g_ascii_strtoull(v, &end, 10);
    if (!g_ascii_isdigit(v[0]) || *end != '\0' || errno == ERANGE) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is '%s', expected %s", cfg->spec->element,
                         attr, v, errno == ERANGE
                             ? "an integer below 2^64"
                             : "a non-negative integer");
        return false;
    }
    if ((spec->min != 0 || spec->max != 0) && (x < spec->min || x > spec->max)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is %" G_GUINT64_FORMAT ", expected %"
                         G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT "%s%s",
                         cfg->spec->element, attr, (guint64) x, spec->min,
                         spec->max, spec->unit ? " " : "",
                         spec->unit ? spec->unit : "");
        return false;
    }
    *out = x;
    return true;
}

/*
 * vns_config_uint_or:
 * Reads attribute 'attr' as an integer from 'min' to 'max' (decimal, or
 * hexadecimal after "0x") or one of the keywords of 'words' ("flow" or
 * "auto|inherit"). Sets *word to the keyword's index, or -1 and *out to
 * the number.
 */
bool
vns_config_uint_or(const VnsConfig *cfg, const char *attr, const char *words,
                   uint64_t min, uint64_t max, uint64_t *out, int *word,
                   GError **error)
{
    g_autofree char *v = NULL;
    g_auto(GStrv) list = g_strsplit(words, "|", -1);
    bool hex;
    char *end;
    guint64 x;

    if (!vns_config_string(cfg, attr, &v, error))
        return false;
    for (int i = 0; list[i] != NULL; i++)
        if (strcmp(v, list[i]) == 0) {
            *word = i;
            *out = 0;
            return true;
        }
    hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
    errno = 0;
    x = g_ascii_strtoull(hex ? v + 2 : v, &end, hex ? 16 : 10);
    if (!g_ascii_isxdigit(v[hex ? 2 : 0]) || (!hex && !g_ascii_isdigit(v[0])) ||
        *end != '\0' || errno == ERANGE || x < min || x > max) {
        GString *w = g_string_new(NULL);
        for (int i = 0; list[i] != NULL; i++)
            g_string_append_printf(w, " or '%s'", list[i]);
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is '%s', expected an integer from %"
                         G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT "%s",
                         cfg->spec->element, attr, v, (guint64) min,
                         (guint64) max, w->str);
        g_string_free(w, TRUE);
        return false;
    }
    *word = -1;
    *out = x;
    return true;
}

bool
vns_config_double(const VnsConfig *cfg, const char *attr, double *out,
                  GError **error)
{
    const VnsAttrSpec *spec;
    g_autofree char *v = config_need(cfg, attr, &spec, error);
    char *end;
    double x;

    if (v == NULL)
        return false;
    x = g_ascii_strtod(v, &end);
    if (end == v || *end != '\0' || !isfinite(x)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is '%s', expected a finite number",
                         cfg->spec->element, attr, v);
        return false;
    }
    *out = x;
    return true;
}

/* A parser of typed text: one of the library's *_parse functions behind a
 * common signature. */
typedef bool (*ConfigParseFn)(const char *text, void *out, const void *arg,
                              GError **error);

/* Reads 'attr' and parses it with 'parse', prefixing a parse error with
 * "file:line: <element> 'attr': ". With 'present' non-NULL the attribute
 * is optional: absent (and no default) sets *present false and succeeds. */
static bool
config_parsed(const VnsConfig *cfg, const char *attr, ConfigParseFn parse,
              void *out, const void *arg, bool *present, GError **error)
{
    const VnsAttrSpec *spec;
    GError *local = NULL;
    g_autofree char *v = NULL;

    if (present != NULL) {
        v = config_raw(cfg, attr, &spec, &local);
        if (local != NULL) {
            g_propagate_error(error, local);
            return false;
        }
        *present = v != NULL;
        if (v == NULL)
            return true;
    } else if ((v = config_need(cfg, attr, &spec, error)) == NULL) {
        return false;
    }
    if (!parse(v, out, arg, &local)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE, "<%s> '%s': %s",
                         cfg->spec->element, attr, local->message);
        g_error_free(local);
        return false;
    }
    return true;
}

static bool
config_parse_time(const char *text, void *out, const void *arg, GError **error)
{
    return vns_time_parse(text, out, error);
}

static bool
config_parse_rate(const char *text, void *out, const void *arg, GError **error)
{
    return vns_rate_parse(text, out, error);
}

static bool
config_parse_ip(const char *text, void *out, const void *arg, GError **error)
{
    return vns_ip_addr_parse(text, out, error);
}

static bool
config_parse_mac(const char *text, void *out, const void *arg, GError **error)
{
    return vns_mac_parse(text, out, error);
}

static bool
config_parse_prefix(const char *text, void *out, const void *arg, GError **error)
{
    return vns_ip_prefix_parse(text, *(const VnsIpPrefixFlags *) arg, out, error);
}

bool
vns_config_time(const VnsConfig *cfg, const char *attr, VnsTime *out,
                GError **error)
{
    return config_parsed(cfg, attr, config_parse_time, out, NULL, NULL, error);
}

/*
 * vns_config_ip, vns_config_mac, vns_config_prefix:
 * Optional address attributes: *present tells whether the attribute (or a
 * default) was there; 'flags' as for vns_ip_prefix_parse().
 */
bool
vns_config_ip(const VnsConfig *cfg, const char *attr, VnsIpAddr *out,
              bool *present, GError **error)
{
    return config_parsed(cfg, attr, config_parse_ip, out, NULL, present, error);
}

bool
vns_config_mac(const VnsConfig *cfg, const char *attr, VnsMac *out,
               bool *present, GError **error)
{
    return config_parsed(cfg, attr, config_parse_mac, out, NULL, present, error);
}

bool
vns_config_prefix(const VnsConfig *cfg, const char *attr,
                  VnsIpPrefixFlags flags, VnsIpPrefix *out, bool *present,
                  GError **error)
{
    return config_parsed(cfg, attr, config_parse_prefix, out, &flags, present,
                         error);
}

bool
vns_config_rate(const VnsConfig *cfg, const char *attr, uint64_t *out,
                GError **error)
{
    if (!config_parsed(cfg, attr, config_parse_rate, out, NULL, NULL, error))
        return false;
    if (*out == 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is zero, expected a positive rate",
                         cfg->spec->element, attr);
        return false;
    }
    return true;
}

bool
vns_config_bool(const VnsConfig *cfg, const char *attr, bool *out,
                GError **error)
{
    const VnsAttrSpec *spec;
    g_autofree char *v = config_need(cfg, attr, &spec, error);

    if (v == NULL)
        return false;
    if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1") ||
        !strcmp(v, "on")) {
        *out = true;
    } else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0") ||
               !strcmp(v, "off")) {
        *out = false;
    } else {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is '%s', expected true or false",
                         cfg->spec->element, attr, v);
        return false;
    }
    return true;
}

/*
 * vns_config_enum:
 * The index of the attribute's value among the spec's '|'-separated
 * choices.
 */
bool
vns_config_enum(const VnsConfig *cfg, const char *attr, int *out,
                GError **error)
{
    const VnsAttrSpec *spec;
    g_autofree char *v = config_need(cfg, attr, &spec, error);
    g_auto(GStrv) choices = NULL;

    if (v == NULL)
        return false;
    g_assert(spec->choices != NULL);
    choices = g_strsplit(spec->choices, "|", -1);
    for (int i = 0; choices[i] != NULL; i++) {
        if (strcmp(choices[i], v) == 0) {
            *out = i;
            return true;
        }
    }
    vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                     "<%s> '%s' is '%s', expected one of: %s",
                     cfg->spec->element, attr, v, spec->choices);
    return false;
}

/*
 * vns_config_text:
 * The element's text content, trimmed and with parameters substituted.
 */
bool
vns_config_text(const VnsConfig *cfg, char **out, GError **error)
{
    xmlChar *raw = xmlNodeGetContent(cfg->node);
    const char *undefined = NULL;
    char *v = vns_params_expand(cfg->params, raw ? g_strstrip((char *) raw) : "",
                                &undefined);

    xmlFree(raw);
    if (v == NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_PARAM,
                         "<%s> uses undefined parameter '%s', expected a "
                         "<param> or --set %s=VALUE", cfg->spec->element,
                         undefined, undefined);
        g_free((char *) undefined);
        return false;
    }
    *out = v;
    return true;
}

/*
 * vns_config_children:
 * Configs of the child elements named 'element' (all when NULL), each seen
 * through its child spec. Returns an owned array (frees its configs).
 */
GPtrArray *
vns_config_children(const VnsConfig *cfg, const char *element)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) vns_config_free);

    for (xmlNode *c = cfg->node->children; c != NULL; c = c->next) {
        const VnsSpec *cs;
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (element != NULL && strcmp((const char *) c->name, element) != 0)
            continue;
        cs = config_child_spec(cfg->spec, (const char *) c->name);
        g_assert(cs != NULL);   /* vns_config_check() ran first */
        g_ptr_array_add(out, vns_config_new(cfg->path, c, cs, cfg->params));
    }
    return out;
}
