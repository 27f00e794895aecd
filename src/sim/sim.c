/* The simulation kernel: clock, event dispatch, event pool, RNG streams.
 *
 * Events are records in a pool (a growable array with a free list, so
 * scheduling never calls malloc once the pool has grown to the run's peak).
 * The queue holds (time, seq, slot) entries. Cancellation marks the record
 * and leaves the entry in the queue; the dispatcher skips it when it comes
 * up (mark and skip: O(1) cancel, no position tracking in the queues).
 *
 * The first SIM_AHEAD pending entries are kept outside the queue, sorted,
 * in a small ring (VnsSim.ahead). Each time the dispatcher takes the first,
 * it refills the freed place, now the last, from the queue and prefetches
 * that entry's pool record, which is then in cache when its turn comes
 * SIM_AHEAD events later: with a million pending events the pool is far
 * larger than the caches, and this hides one memory latency per event. A
 * newly scheduled event earlier than the last of them is inserted among
 * them and the last goes back into the queue, so the order stays exact, and
 * the queue still sees one push and one pop per event. */
#include <config.h>
#include "sim/sim.h"

#include <string.h>

/* Entries held ahead of the queue: the prefetch distance, in events. A
 * power of two, since the ring wraps with a mask. */
#define SIM_AHEAD 4u

typedef struct {
    const VnsEventType *type;   /* NULL once cancelled */
    void *ctx;
    void *arg;
    uint64_t seq;               /* 0 while the record is free */
} EventRecord;

struct VnsSim {
    VnsTime now;
    uint64_t next_seq;
    const VnsEventQueueOps *qops;
    VnsEventQueue *queue;
    /* The first pending entries, sorted, as a ring from ahead_first; fewer
     * than SIM_AHEAD only while the queue is empty. Every queued entry runs
     * after all of them. */
    VnsQueueEntry ahead[SIM_AHEAD];
    uint32_t ahead_first;
    uint32_t n_ahead;
    EventRecord *pool;
    uint32_t pool_cap;
    uint32_t free_head;         /* UINT32_MAX when the free list is empty */
    uint64_t pending;           /* scheduled, not cancelled, not yet run */
    uint64_t peak_pending;
    uint64_t executed;
    bool stopped;
    uint64_t seed;
    uint32_t replication;
    GHashTable *rngs;           /* stream name -> gsl_rng */
};

#define POOL_NONE UINT32_MAX

/* The i-th entry of the ahead ring. */
static inline VnsQueueEntry *
sim_ahead(VnsSim *sim, uint32_t i)
{
    return &sim->ahead[(sim->ahead_first + i) & (SIM_AHEAD - 1)];
}

/*
 * vns_sim_new:
 * Creates a simulator at time 0 with seed 1, replication 0. 'queue' selects
 * the pending-event set (NULL: the default 4-ary heap). Returns an owned
 * simulator.
 */
VnsSim *
vns_sim_new(const VnsEventQueueOps *queue)
{
    VnsSim *sim = g_new0(VnsSim, 1);

    sim->qops = queue != NULL ? queue : &vns_heap_queue_ops;
    sim->queue = sim->qops->create();
    sim->next_seq = 1;
    sim->free_head = POOL_NONE;
    sim->seed = 1;
    sim->rngs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) gsl_rng_free);
    return sim;
}

/* Releases what a still-pending (not cancelled) event carries. */
static void
sim_destroy_pending(VnsSim *sim, uint32_t slot)
{
    EventRecord *r = &sim->pool[slot];

    if (r->type != NULL && r->type->destroy != NULL)
        r->type->destroy(r->ctx, r->arg);
}

/*
 * vns_sim_free:
 * Frees the simulator. Events still pending are destroyed through their
 * type's destroy function, in queue order.
 */
void
vns_sim_free(VnsSim *sim)
{
    VnsQueueEntry e;

    if (sim == NULL)
        return;
    for (uint32_t i = 0; i < sim->n_ahead; i++)
        sim_destroy_pending(sim, sim_ahead(sim, i)->slot);
    while (sim->qops->pop(sim->queue, &e))
        sim_destroy_pending(sim, e.slot);
    sim->qops->destroy(sim->queue);
    g_free(sim->pool);
    g_hash_table_destroy(sim->rngs);
    g_free(sim);
}

VnsTime
vns_sim_now(const VnsSim *sim)
{
    return sim->now;
}

/* Grows the pool by a thirty-second (at least 16 records): small steps keep
 * the spare capacity, and so the memory per pending event, low; realloc
 * moves large blocks by remapping pages, so the steps cost little. */
static G_GNUC_NO_INLINE void
sim_pool_grow(VnsSim *sim)
{
    uint32_t old = sim->pool_cap;
    uint64_t want = (uint64_t) old + MAX(old / 32, 16u);
    uint32_t cap = want < POOL_NONE ? (uint32_t) want : POOL_NONE - 1;

    g_assert(cap > old);
    sim->pool = g_renew(EventRecord, sim->pool, cap);
    /* Thread the new records onto the free list, lowest first. */
    for (uint32_t i = old; i < cap; i++) {
        sim->pool[i].seq = 0;
        sim->pool[i].type = NULL;
        sim->pool[i].ctx = GUINT_TO_POINTER(i + 1 < cap ? i + 1 : POOL_NONE);
    }
    sim->free_head = old;
    sim->pool_cap = cap;
}

static inline uint32_t
sim_pool_take(VnsSim *sim)
{
    uint32_t slot;

    if (G_UNLIKELY(sim->free_head == POOL_NONE))
        sim_pool_grow(sim);
    slot = sim->free_head;
    sim->free_head = GPOINTER_TO_UINT(sim->pool[slot].ctx);
    return slot;
}

static inline void
sim_pool_put(VnsSim *sim, uint32_t slot)
{
    sim->pool[slot].seq = 0;
    sim->pool[slot].type = NULL;
    sim->pool[slot].ctx = GUINT_TO_POINTER(sim->free_head);
    sim->free_head = slot;
}

/* Inserts a new entry among the ahead entries (it runs before the last of
 * them, or there is room). The newest entry has the largest seq, so it goes
 * after every entry of equal time. When all places are taken, the last
 * entry goes back into the queue, ahead of everything there. */
static G_GNUC_NO_INLINE void
sim_ahead_insert(VnsSim *sim, const VnsQueueEntry *e)
{
    uint32_t i = sim->n_ahead;

    if (i == SIM_AHEAD)
        sim->qops->push(sim->queue, sim_ahead(sim, --i));
    else
        sim->n_ahead++;
    while (i > 0 && e->time < sim_ahead(sim, i - 1)->time) {
        *sim_ahead(sim, i) = *sim_ahead(sim, i - 1);
        i--;
    }
    *sim_ahead(sim, i) = *e;
}

/*
 * vns_sim_schedule_at:
 * Schedules 'type' to run at absolute time 'when' (not before now) with
 * 'ctx' and 'arg' (ownership passes to the event). Events at equal times
 * run in the order they were scheduled. Returns the event's id.
 */
VnsEventId
vns_sim_schedule_at(VnsSim *sim, VnsTime when, const VnsEventType *type,
                    void *ctx, void *arg)
{
    VnsQueueEntry e;
    EventRecord *r;
    uint32_t slot;

    g_assert(type != NULL && type->run != NULL);
    g_assert(when >= sim->now);
    slot = sim_pool_take(sim);
    r = &sim->pool[slot];
    r->type = type;
    r->ctx = ctx;
    r->arg = arg;
    r->seq = sim->next_seq;
    e.time = when;
    e.seq = sim->next_seq++;
    e.slot = slot;
    if (G_LIKELY(sim->n_ahead == SIM_AHEAD &&
                 when >= sim_ahead(sim, SIM_AHEAD - 1)->time)) {
        sim->qops->push(sim->queue, &e);
    } else {
        sim_ahead_insert(sim, &e);
    }
    if (++sim->pending > sim->peak_pending)
        sim->peak_pending = sim->pending;
    return (VnsEventId) { e.seq, slot };
}

/*
 * vns_sim_schedule:
 * As vns_sim_schedule_at(), 'delay' (>= 0) after now.
 */
VnsEventId
vns_sim_schedule(VnsSim *sim, VnsTime delay, const VnsEventType *type,
                 void *ctx, void *arg)
{
    g_assert(delay >= 0 && delay <= VNS_TIME_MAX - sim->now);
    return vns_sim_schedule_at(sim, sim->now + delay, type, ctx, arg);
}

/*
 * vns_sim_is_pending:
 * True while the event named by 'id' is scheduled and neither run nor
 * cancelled.
 */
bool
vns_sim_is_pending(const VnsSim *sim, VnsEventId id)
{
    return id.seq != 0 && id.slot < sim->pool_cap &&
           sim->pool[id.slot].seq == id.seq && sim->pool[id.slot].type != NULL;
}

/*
 * vns_sim_cancel:
 * Cancels a pending event and releases its ctx/arg through the type's
 * destroy function. Returns false (and does nothing) when the event already
 * ran or was cancelled. O(1): the queue entry is skipped when it comes up.
 */
bool
vns_sim_cancel(VnsSim *sim, VnsEventId id)
{
    EventRecord *r;

    if (!vns_sim_is_pending(sim, id))
        return false;
    r = &sim->pool[id.slot];
    if (r->type->destroy != NULL)
        r->type->destroy(r->ctx, r->arg);
    r->type = NULL;
    sim->pending--;
    return true;
}

/* Runs events with time <= until; returns when none is left, when the next
 * is later than 'until', or when stopped. */
static void
sim_dispatch(VnsSim *sim, VnsTime until)
{
    const VnsEventQueueOps *q = sim->qops;

    sim->stopped = false;
    while (!sim->stopped && sim->n_ahead > 0) {
        VnsQueueEntry *first = sim_ahead(sim, 0);
        VnsQueueEntry e = *first;
        EventRecord *r;
        const VnsEventType *type;
        void *ctx, *arg;

        if (G_UNLIKELY(e.time > until))
            break;
        /* The first place becomes the last: refill it from the queue. */
        sim->ahead_first = (sim->ahead_first + 1) & (SIM_AHEAD - 1);
        if (G_LIKELY(sim->n_ahead == SIM_AHEAD && q->pop(sim->queue, first)))
            __builtin_prefetch(&sim->pool[first->slot], 1);
        else
            sim->n_ahead--;
        r = &sim->pool[e.slot];
        type = r->type;
        ctx = r->ctx;
        arg = r->arg;
        sim_pool_put(sim, e.slot);
        if (type == NULL)
            continue;           /* cancelled */
        sim->pending--;
        sim->now = e.time;
        sim->executed++;
        type->run(sim, ctx, arg);
    }
}

/*
 * vns_sim_run:
 * Runs until no event is pending or vns_sim_stop() is called.
 */
void
vns_sim_run(VnsSim *sim)
{
    sim_dispatch(sim, VNS_TIME_MAX);
}

/*
 * vns_sim_run_until:
 * Runs every event due at or before 'until', then advances the clock to
 * 'until' (unless stopped earlier). Events after 'until' stay pending.
 */
void
vns_sim_run_until(VnsSim *sim, VnsTime until)
{
    sim_dispatch(sim, until);
    if (!sim->stopped && until > sim->now)
        sim->now = until;
}

/*
 * vns_sim_stop:
 * Makes the running dispatch loop return after the current event.
 */
void
vns_sim_stop(VnsSim *sim)
{
    sim->stopped = true;
}

uint64_t
vns_sim_events_executed(const VnsSim *sim)
{
    return sim->executed;
}

uint64_t
vns_sim_pending(const VnsSim *sim)
{
    return sim->pending;
}

uint64_t
vns_sim_peak_pending(const VnsSim *sim)
{
    return sim->peak_pending;
}

/*
 * vns_sim_memory:
 * Bytes held by the pending-event set and the event pool.
 */
size_t
vns_sim_memory(const VnsSim *sim)
{
    return sim->qops->memory(sim->queue) +
           (size_t) sim->pool_cap * sizeof(EventRecord);
}

const char *
vns_sim_queue_name(const VnsSim *sim)
{
    return sim->qops->name;
}

/* SplitMix64's finalizer (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014): a bijective 64-bit mix. */
static uint64_t
sim_mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/*
 * vns_rng_stream_seed:
 * The documented seed derivation (doc/kernel.md): with FNV-1a-64 of the stream
 * name as h, seed64 = mix(mix(mix(seed) ^ replication) ^ h), where mix is
 * SplitMix64's finalizer. A stream's seed depends only on (seed,
 * replication, its own name), so adding a stream never moves another.
 */
uint64_t
vns_rng_stream_seed(uint64_t seed, uint32_t replication, const char *stream)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (const unsigned char *p = (const unsigned char *) stream; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return sim_mix64(sim_mix64(sim_mix64(seed) ^ replication) ^ h);
}

/*
 * vns_sim_set_seed:
 * Sets the experiment seed and replication number. Streams already created
 * are re-seeded, so the call may come before or after they are first used.
 */
void
vns_sim_set_seed(VnsSim *sim, uint64_t seed, uint32_t replication)
{
    GHashTableIter it;
    gpointer key, value;

    sim->seed = seed;
    sim->replication = replication;
    g_hash_table_iter_init(&it, sim->rngs);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        uint64_t s = vns_rng_stream_seed(seed, replication, key);
        gsl_rng_set(value, (unsigned long) (s ^ (s >> 32)));
    }
}

uint64_t
vns_sim_seed(const VnsSim *sim)
{
    return sim->seed;
}

uint32_t
vns_sim_replication(const VnsSim *sim)
{
    return sim->replication;
}

/*
 * vns_sim_rng:
 * The GSL generator (MT19937) of the named stream, created on first use and
 * seeded by vns_rng_stream_seed() folded to the 32 bits MT19937 takes.
 * Borrowed: the simulator owns it.
 */
gsl_rng *
vns_sim_rng(VnsSim *sim, const char *stream)
{
    gsl_rng *r = g_hash_table_lookup(sim->rngs, stream);

    if (r == NULL) {
        uint64_t s = vns_rng_stream_seed(sim->seed, sim->replication, stream);
        r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, (unsigned long) (s ^ (s >> 32)));
        g_hash_table_insert(sim->rngs, g_strdup(stream), r);
    }
    return r;
}
