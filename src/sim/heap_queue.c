/* The default pending-event set: a 4-ary implicit min-heap.
 *
 * A 4-ary heap is half as deep as a binary heap and its four children sit
 * side by side (96 bytes), which makes sift-down cheaper on large sets
 * (LaMarca and Ladner, "The influence of caches on the performance of heaps",
 * 1996). Entries are stored inline, so a comparison never chases a pointer.
 *
 * Three things keep it fast:
 *
 * - Each node stores its time with the sign bit flipped next to its seq, so
 *   (time, seq) compares as one unsigned 128-bit number: two instructions
 *   and no branch to mispredict.
 * - Pop moves the hole left by the root down to the bottom along the
 *   smallest children, choosing among four children without branches, and
 *   then sifts the last entry up from there (Wegener's bottom-up heapsort
 *   idea): the last entry belongs near the bottom, so this saves a
 *   comparison per level and the mispredicted exit test of a plain
 *   sift-down.
 * - On heaps larger than the fast caches, pop prefetches the children of
 *   the children while it chooses among the children, so the next level is
 *   on its way while this one is compared.
 *
 * The array grows by a thirty-second of its size (realloc moves large
 * blocks by remapping pages); it never shrinks during a run. */
#include <config.h>
#include "sim/event_queue.h"

#include <glib.h>

/* A heap node: the time with its sign bit flipped (so that unsigned order is
 * signed time order), then the seq, then the pool slot. */
typedef struct {
    uint64_t seq;       /* low half of the 128-bit key */
    uint64_t utime;     /* high half: (uint64_t) time ^ 2^63 */
    uint32_t slot;
} HeapNode;

struct VnsEventQueue {
    HeapNode *a;        /* a[0] is the root; children of i are 4i+1..4i+4 */
    size_t n;
    size_t cap;
};

#define HEAP_SIGN (UINT64_C(1) << 63)
/* Heaps larger than this many nodes (384 KiB) outgrow the fast caches;
 * below it, prefetching only costs instructions. */
#define HEAP_PREFETCH_MIN 16384u

typedef unsigned __int128 HeapKey;

static inline HeapKey
heap_key(const HeapNode *x)
{
    return ((HeapKey) x->utime << 64) | x->seq;
}

static VnsEventQueue *
heap_queue_create(void)
{
    return g_new0(VnsEventQueue, 1);
}

static void
heap_queue_destroy(VnsEventQueue *q)
{
    if (q == NULL)
        return;
    g_free(q->a);
    g_free(q);
}

static G_GNUC_NO_INLINE void
heap_queue_grow(VnsEventQueue *q)
{
    q->cap = q->cap + MAX(q->cap / 32, 16u);
    q->a = g_renew(HeapNode, q->a, q->cap);
}

static void
heap_queue_push(VnsEventQueue *q, const VnsQueueEntry *e)
{
    HeapNode x = { e->seq, (uint64_t) e->time ^ HEAP_SIGN, e->slot };
    HeapKey k = heap_key(&x);
    HeapNode *a;
    size_t i;

    if (G_UNLIKELY(q->n == q->cap))
        heap_queue_grow(q);
    a = q->a;
    /* Sift up: move parents down until x fits. */
    i = q->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (k >= heap_key(&a[parent]))
            break;
        a[i] = a[parent];
        i = parent;
    }
    a[i] = x;
}

/* The index of the smallest of the four nodes c[0..3], chosen without
 * branches. */
static inline size_t
heap_min4(const HeapNode *c)
{
    size_t m01 = heap_key(&c[1]) < heap_key(&c[0]);
    size_t m23 = 2 + (heap_key(&c[3]) < heap_key(&c[2]));
    size_t lt = heap_key(&c[m23]) < heap_key(&c[m01]);

    /* A mask select: GCC turns '?:' here into an unpredictable branch. */
    return m01 ^ ((m01 ^ m23) & -lt);
}

static bool
heap_queue_pop(VnsEventQueue *q, VnsQueueEntry *out)
{
    HeapNode *a = q->a;
    HeapNode last;
    HeapKey k;
    size_t i = 0, n;
    bool deep;

    if (G_UNLIKELY(q->n == 0))
        return false;
    out->time = (VnsTime) (a[0].utime ^ HEAP_SIGN);
    out->seq = a[0].seq;
    out->slot = a[0].slot;
    n = --q->n;
    if (n == 0)
        return true;
    last = a[n];
    k = heap_key(&last);
    deep = n > HEAP_PREFETCH_MIN;
    /* Move the hole down while a node has all four children. */
    for (;;) {
        size_t c = 4 * i + 1, best;
        if (c + 3 >= n)
            break;
        /* Children of the children: 16 nodes from 16i + 5 on, 384 bytes
         * over six or seven cache lines. */
        if (deep && 16 * i + 20 < n) {
            const char *g = (const char *) &a[16 * i + 5];
            for (size_t off = 0; off < 16 * sizeof(HeapNode); off += 64)
                __builtin_prefetch(g + off);
            __builtin_prefetch(g + 16 * sizeof(HeapNode) - 1);
        }
        best = c + heap_min4(&a[c]);
        a[i] = a[best];
        i = best;
    }
    /* A last node with one to three children (positions below n). */
    if (4 * i + 1 < n) {
        size_t c = 4 * i + 1, best = c;
        for (size_t j = c + 1; j < n; j++)
            if (heap_key(&a[j]) < heap_key(&a[best]))
                best = j;
        a[i] = a[best];
        i = best;
    }
    /* Sift the former last node up from the hole. */
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (k >= heap_key(&a[parent]))
            break;
        a[i] = a[parent];
        i = parent;
    }
    a[i] = last;
    return true;
}

static size_t
heap_queue_size(const VnsEventQueue *q)
{
    return q->n;
}

static size_t
heap_queue_memory(const VnsEventQueue *q)
{
    return sizeof(*q) + q->cap * sizeof(HeapNode);
}

const VnsEventQueueOps vns_heap_queue_ops = {
    .name = "heap",
    .description = "4-ary implicit min-heap (default)",
    .create = heap_queue_create,
    .destroy = heap_queue_destroy,
    .push = heap_queue_push,
    .pop = heap_queue_pop,
    .size = heap_queue_size,
    .memory = heap_queue_memory,
};
