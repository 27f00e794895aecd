/* The default pending-event set: a 4-ary implicit min-heap.
 *
 * A 4-ary heap is half as deep as a binary heap and its four children share
 * one or two cache lines, which makes sift-down cheaper on large sets
 * (LaMarca and Ladner, "The influence of caches on the performance of heaps",
 * 1996). Entries are stored inline, so a comparison never chases a pointer.
 * The array grows by half its size; it never shrinks during a run. */
#include <config.h>
#include "sim/event_queue.h"

#include <glib.h>

struct VnsEventQueue {
    VnsQueueEntry *a;   /* a[0] is the root; children of i are 4i+1..4i+4 */
    size_t n;
    size_t cap;
};

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

static void
heap_queue_push(VnsEventQueue *q, const VnsQueueEntry *e)
{
    size_t i;

    if (q->n == q->cap) {
        q->cap = q->cap < 16 ? 16 : q->cap + q->cap / 2;
        q->a = g_renew(VnsQueueEntry, q->a, q->cap);
    }
    /* Sift up: move parents down until e fits. */
    i = q->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!vns_queue_entry_before(e, &q->a[parent]))
            break;
        q->a[i] = q->a[parent];
        i = parent;
    }
    q->a[i] = *e;
}

static bool
heap_queue_pop(VnsEventQueue *q, VnsQueueEntry *out)
{
    VnsQueueEntry last;
    size_t i = 0, n;

    if (q->n == 0)
        return false;
    *out = q->a[0];
    n = --q->n;
    if (n == 0)
        return true;
    last = q->a[n];
    /* Sift down: move the smallest child up until 'last' fits. */
    for (;;) {
        size_t c = 4 * i + 1, best, end;
        if (c >= n)
            break;
        best = c;
        end = c + 4 < n ? c + 4 : n;
        for (size_t k = c + 1; k < end; k++)
            if (vns_queue_entry_before(&q->a[k], &q->a[best]))
                best = k;
        if (!vns_queue_entry_before(&q->a[best], &last))
            break;
        q->a[i] = q->a[best];
        i = best;
    }
    q->a[i] = last;
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
    return sizeof(*q) + q->cap * sizeof(VnsQueueEntry);
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
