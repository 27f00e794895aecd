/* The registry of pending-event set implementations. */
#include <config.h>
#include "sim/event_queue.h"

#include <string.h>

static const VnsEventQueueOps *const queues[] = {
    &vns_heap_queue_ops,
    &vns_calendar_queue_ops,
    NULL,
};

const VnsEventQueueOps *const *
vns_event_queue_list(void)
{
    return queues;
}

const VnsEventQueueOps *
vns_event_queue_find(const char *name)
{
    for (size_t i = 0; queues[i] != NULL; i++)
        if (strcmp(queues[i]->name, name) == 0)
            return queues[i];
    return NULL;
}
