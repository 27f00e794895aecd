/* PLACEHOLDER: replaced by the calendar queue implementation. */
#include <config.h>
#include "sim/event_queue.h"
extern const VnsEventQueueOps vns_heap_queue_ops;
const VnsEventQueueOps vns_calendar_queue_ops = {
    .name = "calendar", .description = "placeholder",
};
