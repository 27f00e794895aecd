/* The pluggable pending-event set.
 *
 * A queue holds entries ordered by (time, seq): equal times leave in the
 * order they were inserted, since seq grows with every insertion. The queue
 * knows nothing of what an event does; the entry's slot indexes the
 * simulator's event pool. Cancellation is mark-and-skip in VnsSim, so queues
 * only push and pop. */
#ifndef VNS_EVENT_QUEUE_H
#define VNS_EVENT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/time.h"

typedef struct {
    VnsTime time;       /* when the event runs, ps */
    uint64_t seq;       /* insertion sequence, unique per simulator */
    uint32_t slot;      /* index of the event record in the pool */
} VnsQueueEntry;

/* True when a runs before b. */
static inline bool
vns_queue_entry_before(const VnsQueueEntry *a, const VnsQueueEntry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

typedef struct VnsEventQueue VnsEventQueue;

typedef struct {
    const char *name;                       /* as given to --queue */
    const char *description;
    VnsEventQueue *(*create)(void);
    void (*destroy)(VnsEventQueue *q);
    void (*push)(VnsEventQueue *q, const VnsQueueEntry *e);
    /* Removes the first entry into *out; false when empty. */
    bool (*pop)(VnsEventQueue *q, VnsQueueEntry *out);
    size_t (*size)(const VnsEventQueue *q);
    /* Bytes of memory the queue holds now (for bytes-per-event figures). */
    size_t (*memory)(const VnsEventQueue *q);
} VnsEventQueueOps;

extern const VnsEventQueueOps vns_heap_queue_ops;
extern const VnsEventQueueOps vns_calendar_queue_ops;

/* NULL-terminated list of every queue implementation, default first. */
const VnsEventQueueOps *const *vns_event_queue_list(void);
/* Looks a queue up by name; NULL when unknown. */
const VnsEventQueueOps *vns_event_queue_find(const char *name);

#endif
