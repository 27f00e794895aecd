/* The simulation kernel: a clock, a pending-event set and an event pool.
 *
 * All state of one simulation lives in a VnsSim; there is no global or
 * static mutable state, so simulations may run side by side on threads. */
#ifndef VNS_SIM_H
#define VNS_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <gsl/gsl_rng.h>
#include "sim/time.h"
#include "sim/event_queue.h"

typedef struct VnsSim VnsSim;

/* What an event does. One static const VnsEventType per kind of event: the
 * name shows in traces, 'run' executes it, and 'destroy' (may be NULL)
 * releases ctx/arg when the event is cancelled or the simulator is freed
 * while it is still pending. 'run' owns whatever the event carried. */
typedef struct {
    const char *name;
    void (*run)(VnsSim *sim, void *ctx, void *arg);
    void (*destroy)(void *ctx, void *arg);
} VnsEventType;

/* Names a scheduled event for cancellation. seq == 0 names no event. */
typedef struct {
    uint64_t seq;
    uint32_t slot;
} VnsEventId;

#define VNS_EVENT_NONE ((VnsEventId) { 0, 0 })

VnsSim *vns_sim_new(const VnsEventQueueOps *queue);
void vns_sim_free(VnsSim *sim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsSim, vns_sim_free)

VnsTime vns_sim_now(const VnsSim *sim);
VnsEventId vns_sim_schedule(VnsSim *sim, VnsTime delay,
                            const VnsEventType *type, void *ctx, void *arg);
VnsEventId vns_sim_schedule_at(VnsSim *sim, VnsTime when,
                               const VnsEventType *type, void *ctx, void *arg);
bool vns_sim_cancel(VnsSim *sim, VnsEventId id);
bool vns_sim_is_pending(const VnsSim *sim, VnsEventId id);

void vns_sim_run(VnsSim *sim);
void vns_sim_run_until(VnsSim *sim, VnsTime until);
void vns_sim_stop(VnsSim *sim);

uint64_t vns_sim_events_executed(const VnsSim *sim);
uint64_t vns_sim_pending(const VnsSim *sim);
uint64_t vns_sim_peak_pending(const VnsSim *sim);
size_t vns_sim_memory(const VnsSim *sim);
const char *vns_sim_queue_name(const VnsSim *sim);

void vns_sim_set_seed(VnsSim *sim, uint64_t seed, uint32_t replication);
uint64_t vns_sim_seed(const VnsSim *sim);
uint32_t vns_sim_replication(const VnsSim *sim);
gsl_rng *vns_sim_rng(VnsSim *sim, const char *stream);
uint64_t vns_rng_stream_seed(uint64_t seed, uint32_t replication,
                             const char *stream);

#endif
