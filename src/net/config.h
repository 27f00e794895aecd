/* Reading an element's configuration from its XML node.
 *
 * Every element type declares its XML element and attributes in a VnsSpec
 * table: name, kind, unit, default (and where the default comes from), and a
 * sentence of documentation. The loader checks files against these tables,
 * `vnetsim elements` prints them, and the RelaxNG schema is generated from
 * them, so a default is written in exactly one place.
 *
 * A VnsConfig is one XML node seen through its spec, with ${name} parameter
 * substitution applied to every attribute value. Messages about it start
 * with "file:line: ". */
#ifndef VNS_CONFIG_H
#define VNS_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <libxml/tree.h>
#include "sim/time.h"
#include "net/addr.h"

#define VNS_CONFIG_ERROR (vns_config_error_quark())
GQuark vns_config_error_quark(void);

typedef enum {
    VNS_CONFIG_ERROR_FAILED,
    VNS_CONFIG_ERROR_XML,           /* not well-formed, unreadable */
    VNS_CONFIG_ERROR_SCHEMA,        /* refused by the RelaxNG schema */
    VNS_CONFIG_ERROR_UNKNOWN,       /* unknown element or attribute */
    VNS_CONFIG_ERROR_MISSING,       /* required attribute or element missing */
    VNS_CONFIG_ERROR_BAD_VALUE,     /* bad number, unit, address, choice */
    VNS_CONFIG_ERROR_REFERENCE,     /* dangling reference */
    VNS_CONFIG_ERROR_DUPLICATE,     /* duplicate name */
    VNS_CONFIG_ERROR_CONFLICT,      /* inconsistent values (overlaps...) */
    VNS_CONFIG_ERROR_PARAM,         /* undefined or bad ${parameter} */
} VnsConfigError;

/* The longest name of an element, port or flow, in characters. */
#define VNS_NAME_MAX 255

typedef enum {
    VNS_ATTR_STRING,    /* free text */
    VNS_ATTR_NAME,      /* an identifier: letters, digits, '_', '-', '.' */
    VNS_ATTR_REF,       /* a reference "element" or "element:port" */
    VNS_ATTR_UINT,      /* unsigned 64-bit integer */
    VNS_ATTR_DOUBLE,    /* real number */
    VNS_ATTR_TIME,      /* duration with unit, e.g. "1.5ms" */
    VNS_ATTR_RATE,      /* bit rate with unit, e.g. "10Gbps" */
    VNS_ATTR_BOOL,      /* true/false/yes/no/1/0 */
    VNS_ATTR_ENUM,      /* one of 'choices' ("a|b|c") */
    VNS_ATTR_IP,        /* IPv4 or IPv6 address */
    VNS_ATTR_PREFIX,    /* network prefix "10.0.0.0/24" (no host bits) */
    VNS_ATTR_IFADDR,    /* interface address "10.0.0.1/24" */
    VNS_ATTR_MAC,       /* Ethernet address */
} VnsAttrKind;

typedef struct {
    const char *name;
    VnsAttrKind kind;
    bool required;
    const char *def;        /* default as text; NULL when none */
    const char *unit;       /* for docs: "bytes", "packets"; NULL if n/a */
    const char *doc;        /* one sentence; where the default comes from */
    const char *choices;    /* VNS_ATTR_ENUM: "droptail|codel" */
    uint64_t min, max;      /* VNS_ATTR_UINT: inclusive range (0,0 = any) */
} VnsAttrSpec;

typedef struct VnsSpec VnsSpec;
struct VnsSpec {
    const char *element;            /* XML element name */
    const char *doc;
    const VnsAttrSpec *attrs;       /* terminated by { NULL } */
    const VnsSpec *const *children; /* NULL-terminated; NULL = none */
    bool has_text;                  /* the element holds text */
};

typedef struct VnsConfig VnsConfig;

/* Parameter resolution: ${name} -> value. Borrowed by configs. */
typedef struct VnsParams VnsParams;

VnsParams *vns_params_new(void);
void vns_params_free(VnsParams *params);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsParams, vns_params_free)
/* Sets name = value unless already set ('weak') or always. */
void vns_params_set(VnsParams *params, const char *name, const char *value,
                    bool weak);
const char *vns_params_get(const VnsParams *params, const char *name);
/* Names in insertion order (borrowed). */
GPtrArray *vns_params_names(const VnsParams *params);
char *vns_params_expand(const VnsParams *params, const char *text,
                        const char **undefined);

VnsConfig *vns_config_new(const char *path, xmlNode *node,
                          const VnsSpec *spec, const VnsParams *params);
void vns_config_free(VnsConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsConfig, vns_config_free)

const char *vns_config_path(const VnsConfig *cfg);
int vns_config_line(const VnsConfig *cfg);
xmlNode *vns_config_node(const VnsConfig *cfg);
const VnsSpec *vns_config_spec(const VnsConfig *cfg);
const char *vns_config_element(const VnsConfig *cfg);

void vns_config_error(GError **error, const VnsConfig *cfg, int code,
                      const char *format, ...) G_GNUC_PRINTF(4, 5);
void vns_xml_error(GError **error, const char *path, const xmlNode *node,
                   int code, const char *format, ...) G_GNUC_PRINTF(5, 6);

bool vns_config_check(const VnsConfig *cfg, GError **error);
bool vns_config_has(const VnsConfig *cfg, const char *attr);
bool vns_config_string(const VnsConfig *cfg, const char *attr, char **out,
                       GError **error);
bool vns_config_uint(const VnsConfig *cfg, const char *attr, uint64_t *out,
                     GError **error);
/* An integer in [min, max] or one of the '|'-separated keywords 'words';
 * *word = the keyword's index, or -1 for a number. */
bool vns_config_uint_or(const VnsConfig *cfg, const char *attr,
                        const char *words, uint64_t min, uint64_t max,
                        uint64_t *out, int *word, GError **error);
bool vns_config_double(const VnsConfig *cfg, const char *attr, double *out,
                       GError **error);
bool vns_config_time(const VnsConfig *cfg, const char *attr, VnsTime *out,
                     GError **error);
bool vns_config_rate(const VnsConfig *cfg, const char *attr, uint64_t *out,
                     GError **error);
bool vns_config_ip(const VnsConfig *cfg, const char *attr, VnsIpAddr *out,
                   bool *present, GError **error);
bool vns_config_mac(const VnsConfig *cfg, const char *attr, VnsMac *out,
                    bool *present, GError **error);
bool vns_config_prefix(const VnsConfig *cfg, const char *attr,
                       VnsIpPrefixFlags flags, VnsIpPrefix *out, bool *present,
                       GError **error);
bool vns_config_bool(const VnsConfig *cfg, const char *attr, bool *out,
                     GError **error);
bool vns_config_enum(const VnsConfig *cfg, const char *attr, int *out,
                     GError **error);
bool vns_config_text(const VnsConfig *cfg, char **out, GError **error);

/* Child configs with element name 'element' (NULL: all), in document order.
 * Returns an owned array of owned configs. */
GPtrArray *vns_config_children(const VnsConfig *cfg, const char *element);

const VnsAttrSpec *vns_spec_attr(const VnsSpec *spec, const char *name);
const char *vns_attr_kind_name(VnsAttrKind kind);

#endif
