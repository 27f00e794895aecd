/* A longest-prefix-match table for one address family: prefixes map to
 * 32-bit values (a host uses them as indexes into its route list).
 *
 * Forwarding picks the route with the longest prefix that contains the
 * destination (RFC 1812 section 5.2.4.3; RFC 4632 section 5.1). This is a
 * plain binary (unibit) trie: a lookup walks at most 32 (IPv4) or 128
 * (IPv6) nodes and allocates nothing. It is correct and small, not fast at
 * scale; a compressed structure that holds a million prefixes replaces it
 * behind the same functions later. */
#ifndef VNS_ROUTE_TABLE_H
#define VNS_ROUTE_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "net/addr.h"

/* "No route": the value a lookup of an uncovered address returns. */
#define VNS_ROUTE_NONE UINT32_MAX

typedef struct VnsRouteTable VnsRouteTable;

VnsRouteTable *vns_route_table_new(VnsIpFamily family);
void vns_route_table_free(VnsRouteTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsRouteTable, vns_route_table_free)

void vns_route_table_insert(VnsRouteTable *table, const VnsIpPrefix *prefix,
                            uint32_t value);
uint32_t vns_route_table_get(const VnsRouteTable *table,
                             const VnsIpPrefix *prefix);
uint32_t vns_route_table_lookup(const VnsRouteTable *table,
                                const VnsIpAddr *addr);
guint vns_route_table_size(const VnsRouteTable *table);

#endif
