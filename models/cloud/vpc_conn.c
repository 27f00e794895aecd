/* The VPC model's connection tables (see vpc_conn.h). */
#include <config.h>
#include "models/cloud/vpc_conn.h"

#include <string.h>

G_STATIC_ASSERT(sizeof(VpcConnKey) == 16);

/* A multiply-rotate mix of the key's four words (in the manner of
 * MurmurHash3's body and finalizer): fixed, so runs are reproducible. */
static uint32_t
conn_hash(const VpcConnKey *k)
{
    uint32_t w[4], h = 2166136261u;

    memcpy(w, k, sizeof w);
    for (int i = 0; i < 4; i++) {
        uint32_t x = w[i] * 0xcc9e2d51u;
        x = (x << 15) | (x >> 17);
        h ^= x * 0x1b873593u;
        h = ((h << 13) | (h >> 19)) * 5 + 0xe6546b64u;
    }
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* Puts entries [from, t->cap) on the free list, lowest index first. */
static void
conn_free_range(VpcConnTable *t, uint32_t from)
{
    for (uint32_t i = t->cap; i-- > from;) {
        t->e[i].used = false;
        t->e[i].hash_next = t->free_head;
        t->free_head = i;
    }
}

/* Rebuilds the bucket array for the current capacity. */
static void
conn_rehash(VpcConnTable *t)
{
    g_free(t->buckets);
    t->buckets = g_new(uint32_t, t->cap);
    for (uint32_t i = 0; i < t->cap; i++)
        t->buckets[i] = VPC_CONN_NONE;
    for (uint32_t i = 0; i < t->cap; i++) {
        if (t->e[i].used) {
            uint32_t b = conn_hash(&t->e[i].key) & (t->cap - 1);
            t->e[i].hash_next = t->buckets[b];
            t->buckets[b] = i;
        }
    }
}

/*
 * vpc_conn_init:
 * Makes 't' an empty table with room for 'initial' entries (rounded up to
 * a power of two, at least 16) and every class never expiring.
 */
void
vpc_conn_init(VpcConnTable *t, uint32_t initial)
{
    uint32_t cap = 16;

    memset(t, 0, sizeof *t);
    while (cap < initial && cap < (1u << 30))
        cap <<= 1;
    t->cap = cap;
    t->e = g_new0(VpcConn, cap);
    t->free_head = VPC_CONN_NONE;
    conn_free_range(t, 0);
    for (int c = 0; c < VPC_CONN_CLASSES; c++)
        t->head[c] = t->tail[c] = VPC_CONN_NONE;
    conn_rehash(t);
}

/*
 * vpc_conn_clear:
 * Removes every entry, keeping the capacity and the timeouts.
 */
void
vpc_conn_clear(VpcConnTable *t)
{
    t->n = 0;
    t->free_head = VPC_CONN_NONE;
    conn_free_range(t, 0);
    for (int c = 0; c < VPC_CONN_CLASSES; c++)
        t->head[c] = t->tail[c] = VPC_CONN_NONE;
    for (uint32_t i = 0; i < t->cap; i++)
        t->buckets[i] = VPC_CONN_NONE;
}

void
vpc_conn_free(VpcConnTable *t)
{
    g_free(t->e);
    g_free(t->buckets);
    t->e = NULL;
    t->buckets = NULL;
    t->cap = t->n = 0;
}

/*
 * vpc_conn_lookup:
 * Returns the index of the entry with 'key', or VPC_CONN_NONE.
 */
uint32_t
vpc_conn_lookup(const VpcConnTable *t, const VpcConnKey *key)
{
    uint32_t i = t->buckets[conn_hash(key) & (t->cap - 1)];

    while (i != VPC_CONN_NONE) {
        if (memcmp(&t->e[i].key, key, sizeof *key) == 0)
            return i;
        i = t->e[i].hash_next;
    }
    return VPC_CONN_NONE;
}

static void
conn_lru_unlink(VpcConnTable *t, uint32_t idx)
{
    VpcConn *e = &t->e[idx];

    if (e->lru_prev != VPC_CONN_NONE)
        t->e[e->lru_prev].lru_next = e->lru_next;
    else
        t->head[e->cls] = e->lru_next;
    if (e->lru_next != VPC_CONN_NONE)
        t->e[e->lru_next].lru_prev = e->lru_prev;
    else
        t->tail[e->cls] = e->lru_prev;
    e->lru_prev = e->lru_next = VPC_CONN_NONE;
}

static void
conn_lru_append(VpcConnTable *t, uint32_t idx)
{
    VpcConn *e = &t->e[idx];

    e->lru_next = VPC_CONN_NONE;
    e->lru_prev = t->tail[e->cls];
    if (t->tail[e->cls] != VPC_CONN_NONE)
        t->e[t->tail[e->cls]].lru_next = idx;
    else
        t->head[e->cls] = idx;
    t->tail[e->cls] = idx;
}

/*
 * vpc_conn_insert:
 * Adds an entry for 'key' (not present) in class 'cls', last used 'now',
 * with zeroed user data. Returns its index. Doubles the table when full.
 */
uint32_t
vpc_conn_insert(VpcConnTable *t, const VpcConnKey *key, uint8_t cls,
                VnsTime now)
{
    uint32_t idx, b;
    VpcConn *e;

    g_assert(cls < VPC_CONN_CLASSES);
    if (t->free_head == VPC_CONN_NONE) {
        uint32_t old = t->cap;
        t->cap = old * 2;
        t->e = g_renew(VpcConn, t->e, t->cap);
        memset(t->e + old, 0, (size_t) old * sizeof(VpcConn));
        conn_free_range(t, old);
        conn_rehash(t);
    }
    idx = t->free_head;
    e = &t->e[idx];
    t->free_head = e->hash_next;
    memset(e, 0, sizeof *e);
    e->key = *key;
    e->used = true;
    e->cls = cls;
    e->last_ps = now;
    b = conn_hash(key) & (t->cap - 1);
    e->hash_next = t->buckets[b];
    t->buckets[b] = idx;
    conn_lru_append(t, idx);
    t->n++;
    return idx;
}

/*
 * vpc_conn_touch:
 * Marks entry 'idx' used at 'now' (the most recently used of its class).
 */
void
vpc_conn_touch(VpcConnTable *t, uint32_t idx, VnsTime now)
{
    t->e[idx].last_ps = now;
    if (t->tail[t->e[idx].cls] != idx) {
        conn_lru_unlink(t, idx);
        conn_lru_append(t, idx);
    }
}

/*
 * vpc_conn_set_class:
 * Moves entry 'idx' to class 'cls' (as its most recently used entry).
 */
void
vpc_conn_set_class(VpcConnTable *t, uint32_t idx, uint8_t cls)
{
    g_assert(cls < VPC_CONN_CLASSES);
    conn_lru_unlink(t, idx);
    t->e[idx].cls = cls;
    conn_lru_append(t, idx);
}

/*
 * vpc_conn_remove:
 * Removes entry 'idx' and puts it on the free list.
 */
void
vpc_conn_remove(VpcConnTable *t, uint32_t idx)
{
    VpcConn *e = &t->e[idx];
    uint32_t b = conn_hash(&e->key) & (t->cap - 1);
    uint32_t *p = &t->buckets[b];

    while (*p != idx) {
        g_assert(*p != VPC_CONN_NONE);
        p = &t->e[*p].hash_next;
    }
    *p = e->hash_next;
    conn_lru_unlink(t, idx);
    e->used = false;
    e->hash_next = t->free_head;
    t->free_head = idx;
    t->n--;
}

/*
 * vpc_conn_expire:
 * Removes the entries idle for at least their class's timeout at 'now',
 * calling 'fn' (may be NULL) for each just before.
 */
void
vpc_conn_expire(VpcConnTable *t, VnsTime now, VpcConnExpireFn fn, void *data)
{
    for (int c = 0; c < VPC_CONN_CLASSES; c++) {
        if (t->timeout_ps[c] == 0)
            continue;
        while (t->head[c] != VPC_CONN_NONE &&
               now - t->e[t->head[c]].last_ps >= t->timeout_ps[c]) {
            uint32_t idx = t->head[c];
            if (fn != NULL)
                fn(t, idx, data);
            vpc_conn_remove(t, idx);
        }
    }
}
