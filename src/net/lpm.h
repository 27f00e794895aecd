/* Longest-prefix match: the table IP forwarding looks destinations up in,
 * mapping IPv4 or IPv6 prefixes (CIDR, RFC 4632 section 3.1; RFC 4291
 * section 2.3) to a value the caller chooses (a route or next-hop index),
 * and the choice among equal-cost next hops by flow hash (RFC 2992).
 *
 * A table holds one address family. It is a path-compressed multibit trie
 * of stride 8 whose prefixes are expanded inside their node (controlled
 * prefix expansion, Srinivasan and Varghese, "Fast Address Lookups Using
 * Controlled Prefix Expansion", ACM TOCS 17(1), 1999), with leaf pushing;
 * doc/lpm.md describes the structure, its costs and its validation. A
 * lookup reads at most one slot in each of bits / 8 nodes and one leaf (5
 * reads for IPv4, 17 for IPv6), whatever the number of prefixes, and
 * allocates nothing. Inserting and removing may allocate.
 *
 * Lookups only read the table, so any number may run at once (from several
 * threads too) while nothing modifies it. */
#ifndef VNS_LPM_H
#define VNS_LPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "net/addr.h"
#include "net/flow_key.h"

typedef struct VnsLpm VnsLpm;

/* The largest value a prefix can map to: values are 31 bits, the top bit of
 * a trie entry tells a value from a reference to a node (as DPDK's rte_lpm
 * keeps flags beside a 24-bit next hop). */
#define VNS_LPM_VALUE_MAX 0x7FFFFFFFu

/* Sizes of a table, for reports and tests. */
typedef struct {
    size_t prefixes;            /* as vns_lpm_count() */
    size_t nodes;               /* stride-8 nodes in use, the root included */
    size_t leaves;              /* single-prefix leaves in use */
    size_t bytes_used;          /* bytes of the nodes, leaves and rules in use */
    size_t bytes;               /* bytes allocated, as vns_lpm_memory() */
} VnsLpmStats;

/* Called by vns_lpm_foreach() once per prefix; returns false to stop. */
typedef bool (*VnsLpmForeachFn)(const VnsIpPrefix *prefix, uint32_t value,
                                void *data);

VnsLpm *vns_lpm_new(VnsIpFamily family);
void vns_lpm_free(VnsLpm *lpm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsLpm, vns_lpm_free)

VnsIpFamily vns_lpm_family(const VnsLpm *lpm);
bool vns_lpm_insert(VnsLpm *lpm, const VnsIpPrefix *prefix, uint32_t value);
bool vns_lpm_remove(VnsLpm *lpm, const VnsIpPrefix *prefix, uint32_t *old_value);
bool vns_lpm_lookup(const VnsLpm *lpm, const VnsIpAddr *addr, uint32_t *value);
bool vns_lpm_lookup_v4(const VnsLpm *lpm, uint32_t addr, uint32_t *value);
bool vns_lpm_lookup_v6(const VnsLpm *lpm, const VnsIp6 *addr, uint32_t *value);
bool vns_lpm_lookup_exact(const VnsLpm *lpm, const VnsIpPrefix *prefix,
                          uint32_t *value);
size_t vns_lpm_count(const VnsLpm *lpm);
size_t vns_lpm_memory(const VnsLpm *lpm);
void vns_lpm_stats(const VnsLpm *lpm, VnsLpmStats *out);
bool vns_lpm_foreach(const VnsLpm *lpm, VnsLpmForeachFn fn, void *data);

/* Which packet fields choose among equal-cost paths. The numbers are those
 * of Linux's net.ipv4.fib_multipath_hash_policy (0, the default, hashes
 * layer 3; 1 hashes the 5-tuple; Documentation/networking/ip-sysctl.rst). */
typedef enum {
    VNS_LPM_MULTIPATH_L3 = 0,   /* addresses and protocol */
    VNS_LPM_MULTIPATH_L4 = 1,   /* addresses, protocol and ports */
} VnsLpmMultipathPolicy;

unsigned vns_lpm_multipath_index(uint32_t hash, unsigned n_paths);
unsigned vns_lpm_multipath_select(const VnsFlowKey *key, uint32_t seed,
                                  VnsLpmMultipathPolicy policy,
                                  unsigned n_paths);

#endif
