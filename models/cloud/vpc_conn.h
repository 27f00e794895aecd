/* The VPC model's connection tables: a hash table of IPv4 flow keys whose
 * entries expire after a per-class idle time.
 *
 * One table type serves the security groups' connection tracking (one table
 * per ENI), the NAT gateway's translations (forward, reverse and
 * per-destination tables) and the flow logs' aggregation. Entries live in
 * one array, reached by index (so growing the array keeps references
 * valid), chained per hash bucket, and recycled through a free list. Each
 * entry belongs to one timeout class; a class keeps its entries in
 * least-recently-used order, so the entries whose idle time is over are at
 * the head of their class's list and expiring them costs O(1) per entry.
 * Lookups and updates allocate nothing; an insert allocates only when the
 * table doubles (amortized, never at steady state). */
#ifndef VNS_VPC_CONN_H
#define VNS_VPC_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "sim/time.h"

/* "No entry". */
#define VPC_CONN_NONE UINT32_MAX
/* Timeout classes per table. */
#define VPC_CONN_CLASSES 4

/* A flow key, 16 bytes without padding (hashed and compared as bytes).
 * Addresses and ports are host order; 'tag' and 'id' are the caller's
 * (an action, an ENI or public address index). */
typedef struct {
    uint32_t a;
    uint32_t b;
    uint16_t pa;
    uint16_t pb;
    uint8_t proto;
    uint8_t tag;
    uint16_t id;
} VpcConnKey;

typedef struct {
    VpcConnKey key;
    uint32_t hash_next;         /* next entry in the bucket */
    uint32_t lru_prev;          /* neighbours in the class's list */
    uint32_t lru_next;
    uint8_t cls;                /* timeout class */
    bool used;
    VnsTime last_ps;            /* last time the entry was used */
    uint64_t user[4];           /* the caller's data */
} VpcConn;

typedef struct {
    VpcConn *e;                 /* entries, owned */
    uint32_t cap;               /* entries allocated */
    uint32_t n;                 /* entries in use */
    uint32_t *buckets;          /* heads, cap of them (a power of two) */
    uint32_t free_head;         /* free entries, linked through hash_next */
    uint32_t head[VPC_CONN_CLASSES];    /* least recently used first */
    uint32_t tail[VPC_CONN_CLASSES];
    VnsTime timeout_ps[VPC_CONN_CLASSES];   /* 0 = never expires */
} VpcConnTable;

/* Called for an entry about to be removed by vpc_conn_expire(). */
typedef void (*VpcConnExpireFn)(VpcConnTable *t, uint32_t idx, void *data);

void vpc_conn_init(VpcConnTable *t, uint32_t initial);
void vpc_conn_clear(VpcConnTable *t);
void vpc_conn_free(VpcConnTable *t);
uint32_t vpc_conn_lookup(const VpcConnTable *t, const VpcConnKey *key);
uint32_t vpc_conn_insert(VpcConnTable *t, const VpcConnKey *key, uint8_t cls,
                         VnsTime now);
void vpc_conn_touch(VpcConnTable *t, uint32_t idx, VnsTime now);
void vpc_conn_set_class(VpcConnTable *t, uint32_t idx, uint8_t cls);
void vpc_conn_remove(VpcConnTable *t, uint32_t idx);
void vpc_conn_expire(VpcConnTable *t, VnsTime now, VpcConnExpireFn fn,
                     void *data);

static inline VpcConn *
vpc_conn_at(const VpcConnTable *t, uint32_t idx)
{
    return &t->e[idx];
}

#endif
