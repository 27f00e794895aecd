/* Tests of the pending-event sets: every implementation must return exactly
 * the (time, seq) order that a plain balanced-tree reference gives, for long
 * random operation sequences under several time distributions, both when
 * driven directly through the queue ops and through VnsSim with
 * cancellation. */
#include <config.h>
#include <criterion/criterion.h>
#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "sim/sim.h"

/* The delay distributions, in ps. */
typedef enum {
    DIST_EXPONENTIAL,   /* Exp(mean 1 us) */
    DIST_UNIFORM,       /* uniform on [0, 2 us] */
    DIST_TIES,          /* 0, 1, 2 or 3 ns: most events share their time */
    DIST_BIMODAL,       /* Exp(1 ns) or 1 s + Exp(1 ns), half each */
    DIST_SHIFTING,      /* Exp(1 ns) and Exp(1 s) in alternating phases */
    DIST_COUNT,
} Dist;

static const char *const dist_name[DIST_COUNT] = {
    "exponential", "uniform", "ties", "bimodal", "shifting",
};

/* Draws a delay; 'step' counts operations, for DIST_SHIFTING, whose mean
 * moves by a factor of 10^9 every 100000 steps (a calendar must re-estimate
 * its day width). */
static VnsTime
dist_draw(Dist dist, gsl_rng *rng, uint64_t step)
{
    switch (dist) {
    case DIST_EXPONENTIAL:
        return (VnsTime) gsl_ran_exponential(rng, 1e6);
    case DIST_UNIFORM:
        return (VnsTime) gsl_rng_uniform_int(rng, 2000001);
    case DIST_TIES:
        return 1000 * (VnsTime) gsl_rng_uniform_int(rng, 4);
    case DIST_BIMODAL:
        return (gsl_rng_uniform(rng) < 0.5 ? 0 : VNS_SEC) +
               (VnsTime) gsl_ran_exponential(rng, 1e3);
    case DIST_SHIFTING:
        return (VnsTime) gsl_ran_exponential(rng, (step / 100000) % 2 ? 1e12 : 1e3);
    default:
        g_assert_not_reached();
    }
}

/* The reference order: a GLib balanced tree keyed by (time, seq). */
static gint
ref_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    if (vns_queue_entry_before(a, b))
        return -1;
    return vns_queue_entry_before(b, a) ? 1 : 0;
}

static GTree *
ref_new(void)
{
    return g_tree_new_full(ref_cmp, NULL, g_free, NULL);
}

/* Removes the reference's first entry into *out; false when empty. */
static bool
ref_pop(GTree *ref, VnsQueueEntry *out)
{
    GTreeNode *first = g_tree_node_first(ref);

    if (first == NULL)
        return false;
    *out = *(const VnsQueueEntry *) g_tree_node_key(first);
    g_tree_remove(ref, out);
    return true;
}

/* Every queue, the reference and the queues checked against it. */
typedef struct {
    GTree *ref;
    const VnsEventQueueOps *const *ops;
    VnsEventQueue *q[8];
    size_t nq;
} Direct;

static void
direct_init(Direct *d)
{
    d->ref = ref_new();
    d->ops = vns_event_queue_list();
    d->nq = 0;
    for (size_t i = 0; d->ops[i] != NULL; i++) {
        cr_assert_lt(i, G_N_ELEMENTS(d->q));
        d->q[i] = d->ops[i]->create();
        d->nq++;
    }
}

static void
direct_free(Direct *d)
{
    for (size_t i = 0; i < d->nq; i++)
        d->ops[i]->destroy(d->q[i]);
    g_tree_destroy(d->ref);
}

static void
direct_push(Direct *d, VnsTime time, uint64_t seq, uint32_t slot)
{
    VnsQueueEntry e = { time, seq, slot };

    g_tree_insert(d->ref, g_memdup2(&e, sizeof e), NULL);
    for (size_t i = 0; i < d->nq; i++)
        d->ops[i]->push(d->q[i], &e);
}

/* Pops from every queue and checks each against the reference. Returns the
 * time popped, or 'none' when empty. */
static VnsTime
direct_pop(Direct *d, VnsTime none, const char *what, uint64_t op)
{
    VnsQueueEntry want, got;
    bool have = ref_pop(d->ref, &want);

    for (size_t i = 0; i < d->nq; i++) {
        bool ok = d->ops[i]->pop(d->q[i], &got);
        if (ok != have)
            cr_assert_fail("%s op %" G_GUINT64_FORMAT ": %s pop returned %d, "
                    "expected %d", what, op, d->ops[i]->name, ok, have);
        if (have && (got.time != want.time || got.seq != want.seq ||
                     got.slot != want.slot))
            cr_assert_fail("%s op %" G_GUINT64_FORMAT ": %s popped (%" G_GINT64_FORMAT
                    ", %" G_GUINT64_FORMAT ", %u), expected (%" G_GINT64_FORMAT
                    ", %" G_GUINT64_FORMAT ", %u)", what, op, d->ops[i]->name,
                    got.time, got.seq, got.slot, want.time, want.seq, want.slot);
        if (d->ops[i]->size(d->q[i]) != (size_t) g_tree_nnodes(d->ref))
            cr_assert_fail("%s op %" G_GUINT64_FORMAT ": %s size %zu, expected %d",
                    what, op, d->ops[i]->name, d->ops[i]->size(d->q[i]),
                    g_tree_nnodes(d->ref));
    }
    return have ? want.time : none;
}

/* Random pushes and pops straight on the queue ops. Pushes are mostly at
 * the last popped time plus a delay, as a simulator makes them; one in a
 * hundred lies before it (possibly negative), which a queue must also
 * order exactly. The push probability alternates between 0.7 and 0.3 in
 * blocks, so the size swings between empty and tens of thousands and the
 * calendar resizes both ways. */
static void
direct_random(Dist dist, unsigned long seed, uint64_t nops)
{
    Direct d;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    VnsTime last = 0;
    uint64_t seq = 1;
    const uint64_t block = 40000;

    gsl_rng_set(rng, seed);
    direct_init(&d);
    for (uint64_t op = 0; op < nops; op++) {
        double p_push = (op / block) % 2 == 0 ? 0.7 : 0.3;
        if (gsl_rng_uniform(rng) < p_push) {
            VnsTime delay = dist_draw(dist, rng, op);
            VnsTime t = gsl_rng_uniform(rng) < 0.01 ? last - delay : last + delay;
            direct_push(&d, t, seq, (uint32_t) gsl_rng_get(rng));
            seq++;
        } else {
            last = direct_pop(&d, last, dist_name[dist], op);
        }
    }
    while (g_tree_nnodes(d.ref) > 0)
        direct_pop(&d, last, dist_name[dist], nops);
    direct_pop(&d, last, dist_name[dist], nops);
    direct_free(&d);
    gsl_rng_free(rng);
}

Test(queue, direct_exponential_matches_reference)
{
    direct_random(DIST_EXPONENTIAL, 11, 1000000);
}

Test(queue, direct_uniform_matches_reference)
{
    direct_random(DIST_UNIFORM, 12, 1000000);
}

Test(queue, direct_ties_match_reference)
{
    direct_random(DIST_TIES, 13, 1000000);
}

Test(queue, direct_bimodal_matches_reference)
{
    direct_random(DIST_BIMODAL, 14, 1000000);
}

Test(queue, direct_shifting_matches_reference)
{
    direct_random(DIST_SHIFTING, 15, 1000000);
}

Test(queue, fifo_among_equal_times)
{
    Direct d;
    uint64_t seq = 1;

    /* Three instants, interleaved, 3000 entries each: every instant must
     * come out in insertion order. */
    direct_init(&d);
    for (int i = 0; i < 3000; i++)
        for (VnsTime t = 30; t >= 10; t -= 10, seq++)
            direct_push(&d, t * VNS_NS, seq, (uint32_t) seq);
    for (int i = 0; i < 9000; i++)
        direct_pop(&d, 0, "fifo", (uint64_t) i);
    /* Ties pushed while the instant is being served go after it. */
    for (int i = 0; i < 100; i++, seq++)
        direct_push(&d, VNS_MS, seq, 0);
    for (int i = 0; i < 50; i++) {
        direct_pop(&d, 0, "fifo-live", (uint64_t) i);
        direct_push(&d, VNS_MS, seq++, 1);
    }
    while (g_tree_nnodes(d.ref) > 0)
        direct_pop(&d, 0, "fifo-drain", 0);
    direct_free(&d);
}

Test(queue, extreme_times)
{
    Direct d;
    const VnsTime t[] = {
        INT64_MAX, INT64_MIN, 0, -1, 1, INT64_MAX - 1, INT64_MIN + 1,
        INT64_MAX / 2, INT64_MIN / 2, 1000, -1000, INT64_MAX, INT64_MIN, 0,
    };
    uint64_t seq = 1;

    direct_init(&d);
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < G_N_ELEMENTS(t); i++)
            direct_push(&d, t[i], seq++, (uint32_t) i);
        for (size_t i = 0; i < G_N_ELEMENTS(t) / 2; i++)
            direct_pop(&d, 0, "extreme", i);
    }
    while (g_tree_nnodes(d.ref) > 0)
        direct_pop(&d, 0, "extreme-drain", 0);
    direct_free(&d);
}

/* A hold model straight on a queue: after the fill, the memory a queue
 * reports must not move (no allocation per push once grown), and it must be
 * at least what the entries themselves need. */
static void
check_hold_memory(const VnsEventQueueOps *ops)
{
    VnsEventQueue *q = ops->create();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    VnsQueueEntry e;
    uint64_t seq = 1;
    size_t mem;
    const size_t k = 100000;

    for (size_t i = 0; i < k; i++, seq++) {
        e = (VnsQueueEntry) { (VnsTime) gsl_ran_exponential(rng, 1e9), seq, 0 };
        ops->push(q, &e);
    }
    /* Warm up: one pass of the whole set. */
    for (size_t i = 0; i < k; i++, seq++) {
        cr_assert(ops->pop(q, &e));
        e.time += (VnsTime) gsl_ran_exponential(rng, 1e9);
        e.seq = seq;
        ops->push(q, &e);
    }
    mem = ops->memory(q);
    cr_assert_geq(mem, k * 20, "%s: %zu bytes for %zu entries", ops->name, mem, k);
    cr_assert_leq(mem, k * 40, "%s: %zu bytes for %zu entries", ops->name, mem, k);
    for (size_t i = 0; i < 4 * k; i++, seq++) {
        cr_assert(ops->pop(q, &e));
        e.time += (VnsTime) gsl_ran_exponential(rng, 1e9);
        e.seq = seq;
        ops->push(q, &e);
    }
    cr_assert_eq(ops->memory(q), mem, "%s grew while its size stayed", ops->name);
    cr_assert_eq(ops->size(q), k);
    gsl_rng_free(rng);
    ops->destroy(q);
}

Test(queue, hold_keeps_memory_constant)
{
    const VnsEventQueueOps *const *qs = vns_event_queue_list();
    for (size_t i = 0; qs[i] != NULL; i++)
        check_hold_memory(qs[i]);
}

Test(queue, registry_finds_every_queue)
{
    const VnsEventQueueOps *const *qs = vns_event_queue_list();

    cr_assert_str_eq(qs[0]->name, "heap", "the heap is the default");
    for (size_t i = 0; qs[i] != NULL; i++)
        cr_assert_eq(vns_event_queue_find(qs[i]->name), qs[i]);
    cr_assert_not_null(vns_event_queue_find("calendar"));
    cr_assert_null(vns_event_queue_find("no-such-queue"));
}

/* Through VnsSim: a random program of events that schedule children and
 * cancel random earlier events, run once on a reference simulator (the
 * balanced tree, with cancellation by removal) and once per queue. The
 * runs must log the same (time, label) sequence and agree on which cancels
 * succeeded. */

typedef struct {
    VnsTime time;
    uint32_t label;     /* CANCEL_OK or CANCEL_LATE flag for cancels */
} LogEntry;

#define CANCEL_OK   0x80000000u
#define CANCEL_LATE 0x40000000u

typedef struct Program Program;

/* What a program needs from a simulator. */
typedef struct {
    void (*schedule)(Program *p, VnsTime delay, uint32_t label);
    bool (*cancel)(Program *p, uint32_t label);
} Backend;

struct Program {
    const Backend *be;
    gsl_rng *rng;
    Dist dist;
    uint32_t created;       /* labels handed out */
    uint32_t limit;         /* labels that may be handed out */
    GArray *log;            /* of LogEntry */
    uint64_t destroyed;     /* destroy calls seen (VnsSim only) */
    /* VnsSim backend. */
    VnsSim *sim;
    VnsEventId *ids;        /* per label */
    /* Reference backend. */
    GTree *tree;            /* VnsQueueEntry (slot = label) */
    VnsQueueEntry *keys;    /* per label; time < 0 once gone */
    uint64_t next_seq;
    VnsTime now;
};

static void
program_new_event(Program *p)
{
    if (p->created < p->limit) {
        uint32_t label = p->created++;
        p->be->schedule(p, dist_draw(p->dist, p->rng, label), label);
    }
}

/* One executed event: log it, schedule 0, 1 or 2 children (mean 1.05),
 * and one time in ten cancel a random label (which may have run, been
 * cancelled, or be the running event itself). */
static void
program_step(Program *p, VnsTime now, uint32_t label)
{
    LogEntry le = { now, label };
    unsigned r = (unsigned) gsl_rng_uniform_int(p->rng, 20);
    unsigned children = r < 5 ? 0 : r < 14 ? 1 : 2;

    g_array_append_val(p->log, le);
    for (unsigned i = 0; i < children; i++)
        program_new_event(p);
    if (gsl_rng_uniform_int(p->rng, 10) == 0 && p->created > 0) {
        uint32_t victim = (uint32_t) gsl_rng_uniform_int(p->rng, p->created);
        bool ok = p->be->cancel(p, victim);
        LogEntry ce = { now, victim | (ok ? CANCEL_OK : CANCEL_LATE) };
        g_array_append_val(p->log, ce);
    }
}

static void
sim_event_run(VnsSim *sim, void *ctx, void *arg)
{
    program_step(ctx, vns_sim_now(sim), GPOINTER_TO_UINT(arg));
}

static void
sim_event_destroy(void *ctx, void *arg)
{
    ((Program *) ctx)->destroyed++;
}

static const VnsEventType program_type = {
    "program", sim_event_run, sim_event_destroy,
};

static void
sim_schedule(Program *p, VnsTime delay, uint32_t label)
{
    p->ids[label] = vns_sim_schedule(p->sim, delay, &program_type, p,
                                     GUINT_TO_POINTER(label));
}

static bool
sim_cancel(Program *p, uint32_t label)
{
    return vns_sim_cancel(p->sim, p->ids[label]);
}

static const Backend sim_backend = { sim_schedule, sim_cancel };

static void
ref_schedule(Program *p, VnsTime delay, uint32_t label)
{
    p->keys[label] = (VnsQueueEntry) { p->now + delay, p->next_seq++, label };
    g_tree_insert(p->tree, &p->keys[label], NULL);
}

static bool
ref_cancel(Program *p, uint32_t label)
{
    if (p->keys[label].time < 0)
        return false;
    g_tree_remove(p->tree, &p->keys[label]);
    p->keys[label].time = -1;
    return true;
}

static const Backend ref_backend = { ref_schedule, ref_cancel };

static void
program_init(Program *p, const Backend *be, Dist dist, unsigned long seed,
             uint32_t limit)
{
    memset(p, 0, sizeof *p);
    p->be = be;
    p->rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(p->rng, seed);
    p->dist = dist;
    p->limit = limit;
    p->log = g_array_new(FALSE, FALSE, sizeof(LogEntry));
}

static void
program_fini(Program *p)
{
    gsl_rng_free(p->rng);
    g_array_free(p->log, TRUE);
    g_free(p->ids);
    g_free(p->keys);
}

/* Starts 'initial' events, then runs to the end. The VnsSim run stops at
 * a few points with vns_sim_run_until(), which must not change the order. */
static void
program_run_sim(Program *p, const VnsEventQueueOps *q, uint32_t initial)
{
    p->sim = vns_sim_new(q);
    p->ids = g_new0(VnsEventId, p->limit);
    for (uint32_t i = 0; i < initial; i++)
        program_new_event(p);
    for (VnsTime t = 0; vns_sim_pending(p->sim) > 0 && t < 40 * VNS_US;
         t += 7 * VNS_US)
        vns_sim_run_until(p->sim, t);
    vns_sim_run(p->sim);
    cr_assert_eq(vns_sim_pending(p->sim), 0);
    vns_sim_free(p->sim);
    p->sim = NULL;
}

static void
program_run_ref(Program *p, uint32_t initial)
{
    VnsQueueEntry e;

    p->tree = g_tree_new_full(ref_cmp, NULL, NULL, NULL);
    p->keys = g_new0(VnsQueueEntry, p->limit);
    p->next_seq = 1;
    for (uint32_t i = 0; i < initial; i++)
        program_new_event(p);
    while (ref_pop(p->tree, &e)) {
        p->keys[e.slot].time = -1;
        p->now = e.time;
        program_step(p, e.time, e.slot);
    }
    g_tree_destroy(p->tree);
}

static void
sim_random(Dist dist, unsigned long seed, uint32_t limit)
{
    const uint32_t initial = 2000;
    const VnsEventQueueOps *const *qs = vns_event_queue_list();
    Program ref;

    program_init(&ref, &ref_backend, dist, seed, limit);
    program_run_ref(&ref, initial);
    cr_assert_gt(ref.log->len, limit / 2, "the program ran too few events");
    for (size_t i = 0; qs[i] != NULL; i++) {
        Program p;
        uint64_t cancels = 0;

        program_init(&p, &sim_backend, dist, seed, limit);
        program_run_sim(&p, qs[i], initial);
        cr_assert_eq(p.log->len, ref.log->len, "%s/%s: %u log entries, "
                     "expected %u", qs[i]->name, dist_name[dist],
                     p.log->len, ref.log->len);
        for (guint k = 0; k < ref.log->len; k++) {
            LogEntry *a = &g_array_index(p.log, LogEntry, k);
            LogEntry *b = &g_array_index(ref.log, LogEntry, k);
            if (a->time != b->time || a->label != b->label)
                cr_assert_fail("%s/%s entry %u: (%" G_GINT64_FORMAT ", %#x), expected "
                        "(%" G_GINT64_FORMAT ", %#x)", qs[i]->name,
                        dist_name[dist], k, a->time, a->label, b->time, b->label);
            if (b->label & CANCEL_OK)
                cancels++;
        }
        cr_assert_eq(p.destroyed, cancels, "%s: destroy must run once per "
                     "successful cancel", qs[i]->name);
        program_fini(&p);
    }
    program_fini(&ref);
}

Test(queue, sim_exponential_matches_reference)
{
    sim_random(DIST_EXPONENTIAL, 21, 250000);
}

Test(queue, sim_uniform_matches_reference)
{
    sim_random(DIST_UNIFORM, 22, 250000);
}

Test(queue, sim_ties_match_reference)
{
    sim_random(DIST_TIES, 23, 250000);
}

Test(queue, sim_bimodal_matches_reference)
{
    sim_random(DIST_BIMODAL, 24, 250000);
}

Test(queue, sim_shifting_matches_reference)
{
    sim_random(DIST_SHIFTING, 25, 250000);
}
