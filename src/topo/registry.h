/* The registry of XML element types and builders.
 *
 * models/models.c fills it at start-up; the loader looks every XML element
 * up here and never names a model itself. An element type makes one
 * element; a builder expands a high-level construct (a flow, a hypervisor,
 * a VPC) into several elements and connections. */
#ifndef VNS_REGISTRY_H
#define VNS_REGISTRY_H

#include <stdbool.h>
#include <glib.h>
#include "net/element.h"

/* Where an entry may appear. */
typedef enum {
    VNS_SCOPE_TOPOLOGY = 1 << 0,    /* a child of <topology> */
    VNS_SCOPE_TRAFFIC = 1 << 1,     /* a child of <traffic> in an experiment */
} VnsScope;

typedef struct {
    const char *element;            /* XML element name */
    const VnsSpec *spec;
    /* Expands 'cfg' into 'net'. Elements it names must exist already. */
    bool (*build)(VnsNet *net, const VnsConfig *cfg, GError **error);
} VnsBuilder;

typedef struct VnsRegistry VnsRegistry;

VnsRegistry *vns_registry_new(void);
void vns_registry_free(VnsRegistry *reg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsRegistry, vns_registry_free)

bool vns_registry_add_element(VnsRegistry *reg, const VnsElementOps *ops,
                              unsigned scopes, GError **error);
bool vns_registry_add_builder(VnsRegistry *reg, const VnsBuilder *builder,
                              unsigned scopes, GError **error);
const VnsElementOps *vns_registry_element(const VnsRegistry *reg,
                                          const char *name, unsigned scope);
const VnsBuilder *vns_registry_builder(const VnsRegistry *reg,
                                       const char *name, unsigned scope);
const VnsSpec *vns_registry_spec(const VnsRegistry *reg, const char *name,
                                 unsigned scope);
/* Specs of every entry allowed in 'scope', sorted by name (borrowed). */
GPtrArray *vns_registry_specs(const VnsRegistry *reg, unsigned scope);

#endif
