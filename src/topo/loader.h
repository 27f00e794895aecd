/* Loading topology and experiment XML: parsing (no network, no DTD, no
 * entities), checks against the element specs, RelaxNG validation against
 * the shipped schemas, parameter substitution, and building the element
 * graph through the registry. Every error reads "file:line: message". */
#ifndef VNS_LOADER_H
#define VNS_LOADER_H

#include <stdbool.h>
#include <glib.h>
#include <libxml/tree.h>
#include "net/config.h"
#include "net/element.h"
#include "topo/registry.h"

xmlDoc *vns_xml_read(const char *path, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

GString *vns_schema_generate(const VnsRegistry *reg, const VnsSpec *root,
                             const VnsSpec *dyn_parent, unsigned scope);
bool vns_schema_validate(xmlDoc *doc, const char *path,
                         const GString *schema_text, GError **error);

/* The specs of the fixed elements (for docs and schema). */
extern const VnsSpec vns_param_spec;
extern const VnsSpec vns_topology_spec;

/* Collects <param name default> of a topology into 'params' (weakly). */
bool vns_topo_params(xmlDoc *doc, const char *path, VnsParams *params,
                     GError **error);
/* Checks and builds the registered children of 'parent' in 'scope' into
 * 'net': creates in document order, then runs every connect. */
bool vns_topo_build_children(const VnsRegistry *reg, VnsNet *net,
                             const char *path, xmlNode *parent,
                             unsigned scope, const VnsParams *params,
                             GError **error);
/* Loads a topology file (already parsed) into 'net'. */
bool vns_topo_build(const VnsRegistry *reg, VnsNet *net, const char *path,
                    xmlDoc *doc, const VnsParams *params, GError **error);
/* Reads, checks and validates a topology file's structure. */
xmlDoc *vns_topo_read(const VnsRegistry *reg, const char *path,
                      GError **error);

#endif
