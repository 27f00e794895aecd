/* Longest-prefix match over a binary trie (see route_table.h).
 *
 * Node 0 is the root (the empty prefix). A node's children are indexes of
 * the nodes one bit longer; 0 means none, since the root is no one's child.
 * Nodes live in one growing array, so the trie is a single allocation that
 * grows only when routes are added. */
#include <config.h>
#include "models/l3/route_table.h"

typedef struct {
    uint32_t child[2];      /* node indexes for next bit 0 and 1; 0 = none */
    uint32_t value;         /* the prefix ending here, or VNS_ROUTE_NONE */
} RouteNode;

struct VnsRouteTable {
    VnsIpFamily family;
    unsigned bits;          /* 32 or 128 */
    GArray *nodes;          /* of RouteNode; [0] is the root */
    guint size;             /* prefixes stored */
};

/* Bit 'i' of 'addr', counting from the most significant (i = 0 is the
 * first bit on the wire, RFC 4632 section 3.1). */
static inline unsigned
route_table_bit(const VnsIpAddr *addr, unsigned i)
{
    if (addr->family == VNS_IP_V4)
        return (addr->v4 >> (31 - i)) & 1u;
    return (addr->v6.b[i / 8] >> (7 - i % 8)) & 1u;
}

/*
 * vns_route_table_new:
 * An empty table for 'family' (VNS_IP_V4 or VNS_IP_V6). Returns an owned
 * table.
 */
VnsRouteTable *
vns_route_table_new(VnsIpFamily family)
{
    VnsRouteTable *t = g_new0(VnsRouteTable, 1);
    RouteNode root = { { 0, 0 }, VNS_ROUTE_NONE };

    g_assert(family == VNS_IP_V4 || family == VNS_IP_V6);
    t->family = family;
    t->bits = family == VNS_IP_V4 ? 32 : 128;
    t->nodes = g_array_new(FALSE, FALSE, sizeof(RouteNode));
    g_array_append_val(t->nodes, root);
    return t;
}

/*
 * vns_route_table_free:
 * Frees 'table'. NULL does nothing.
 */
void
vns_route_table_free(VnsRouteTable *table)
{
    if (table == NULL)
        return;
    g_array_free(table->nodes, TRUE);
    g_free(table);
}

/*
 * vns_route_table_insert:
 * Maps 'prefix' (of the table's family; bits after its length are ignored)
 * to 'value' (not VNS_ROUTE_NONE), replacing any value it had.
 */
void
vns_route_table_insert(VnsRouteTable *table, const VnsIpPrefix *prefix,
                       uint32_t value)
{
    uint32_t n = 0;

    g_return_if_fail(prefix->addr.family == table->family);
    g_return_if_fail(prefix->len <= table->bits && value != VNS_ROUTE_NONE);
    for (unsigned i = 0; i < prefix->len; i++) {
        unsigned b = route_table_bit(&prefix->addr, i);
        uint32_t c = g_array_index(table->nodes, RouteNode, n).child[b];
        if (c == 0) {
            RouteNode leaf = { { 0, 0 }, VNS_ROUTE_NONE };
            c = table->nodes->len;
            g_array_append_val(table->nodes, leaf);
            g_array_index(table->nodes, RouteNode, n).child[b] = c;
        }
        n = c;
    }
    if (g_array_index(table->nodes, RouteNode, n).value == VNS_ROUTE_NONE)
        table->size++;
    g_array_index(table->nodes, RouteNode, n).value = value;
}

/*
 * vns_route_table_get:
 * Returns the value stored for exactly 'prefix', or VNS_ROUTE_NONE.
 */
uint32_t
vns_route_table_get(const VnsRouteTable *table, const VnsIpPrefix *prefix)
{
    const RouteNode *nodes = (const RouteNode *) table->nodes->data;
    uint32_t n = 0;

    if (prefix->addr.family != table->family || prefix->len > table->bits)
        return VNS_ROUTE_NONE;
    for (unsigned i = 0; i < prefix->len; i++) {
        n = nodes[n].child[route_table_bit(&prefix->addr, i)];
        if (n == 0)
            return VNS_ROUTE_NONE;
    }
    return nodes[n].value;
}

/*
 * vns_route_table_lookup:
 * Returns the value of the longest stored prefix that contains 'addr', or
 * VNS_ROUTE_NONE (also for an address of the other family). Allocates
 * nothing.
 */
uint32_t
vns_route_table_lookup(const VnsRouteTable *table, const VnsIpAddr *addr)
{
    const RouteNode *nodes = (const RouteNode *) table->nodes->data;
    uint32_t best = VNS_ROUTE_NONE;
    uint32_t n = 0;

    if (addr->family != table->family)
        return VNS_ROUTE_NONE;
    for (unsigned i = 0;; i++) {
        if (nodes[n].value != VNS_ROUTE_NONE)
            best = nodes[n].value;
        if (i == table->bits)
            break;
        n = nodes[n].child[route_table_bit(addr, i)];
        if (n == 0)
            break;
    }
    return best;
}

/*
 * vns_route_table_size:
 * Returns the number of prefixes stored.
 */
guint
vns_route_table_size(const VnsRouteTable *table)
{
    return table->size;
}
