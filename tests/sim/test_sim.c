/* Tests of the simulation kernel: ordering, ties, cancellation, run limits,
 * RNG streams, and independence of simulators on threads. */
#include <config.h>
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include "sim/sim.h"

typedef struct {
    GArray *log;        /* of int: the order events ran in */
} Recorder;

static void
record_run(VnsSim *sim, void *ctx, void *arg)
{
    Recorder *r = ctx;
    int v = GPOINTER_TO_INT(arg);
    g_array_append_val(r->log, v);
}

static const VnsEventType record_type = { "record", record_run, NULL };

static void
each_queue(void (*fn)(const VnsEventQueueOps *q))
{
    const VnsEventQueueOps *const *qs = vns_event_queue_list();
    for (size_t i = 0; qs[i] != NULL; i++)
        fn(qs[i]);
}

static void
check_ordering(const VnsEventQueueOps *q)
{
    g_autoptr(VnsSim) sim = vns_sim_new(q);
    Recorder r = { g_array_new(FALSE, FALSE, sizeof(int)) };
    VnsTime t[] = { 50, 10, 30, 10, 20, 50, 0 };

    for (int i = 0; i < (int) G_N_ELEMENTS(t); i++)
        vns_sim_schedule(sim, t[i], &record_type, &r, GINT_TO_POINTER(i));
    vns_sim_run(sim);
    /* By time; equal times (10: #1, #3; 50: #0, #5) in insertion order. */
    int want[] = { 6, 1, 3, 4, 2, 0, 5 };
    cr_assert_eq(r.log->len, G_N_ELEMENTS(want), "queue %s", q->name);
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
        cr_assert_eq(g_array_index(r.log, int, i), want[i], "queue %s pos %zu",
                     q->name, i);
    cr_assert_eq(vns_sim_now(sim), 50);
    cr_assert_eq(vns_sim_events_executed(sim), 7);
    g_array_free(r.log, TRUE);
}

Test(sim, runs_in_time_order_fifo_among_ties)
{
    each_queue(check_ordering);
}

static int destroyed;

static void
count_destroy(void *ctx, void *arg)
{
    (void) ctx;
    (void) arg;
    destroyed++;
}

static const VnsEventType destroy_type = { "d", record_run, count_destroy };

Test(sim, cancel_skips_and_destroys)
{
    g_autoptr(VnsSim) sim = vns_sim_new(NULL);
    Recorder r = { g_array_new(FALSE, FALSE, sizeof(int)) };
    VnsEventId a, b;

    destroyed = 0;
    a = vns_sim_schedule(sim, 10, &destroy_type, &r, GINT_TO_POINTER(1));
    b = vns_sim_schedule(sim, 20, &destroy_type, &r, GINT_TO_POINTER(2));
    cr_assert(vns_sim_is_pending(sim, a));
    cr_assert(vns_sim_cancel(sim, a));
    cr_assert_not(vns_sim_is_pending(sim, a));
    cr_assert_not(vns_sim_cancel(sim, a), "second cancel must fail");
    cr_assert_eq(destroyed, 1);
    cr_assert_eq(vns_sim_pending(sim), 1);
    vns_sim_run(sim);
    cr_assert_eq(r.log->len, 1);
    cr_assert_eq(g_array_index(r.log, int, 0), 2);
    cr_assert_not(vns_sim_cancel(sim, b), "an event that ran cannot be cancelled");
    cr_assert_eq(destroyed, 1);
    /* A stale id must not cancel the event that reused its slot. */
    VnsEventId c = vns_sim_schedule(sim, 5, &destroy_type, &r, GINT_TO_POINTER(3));
    cr_assert_not(vns_sim_cancel(sim, a));
    cr_assert(vns_sim_is_pending(sim, c));
    g_array_free(r.log, TRUE);
}

Test(sim, free_destroys_pending_events)
{
    VnsSim *sim = vns_sim_new(NULL);
    destroyed = 0;
    for (int i = 0; i < 5; i++)
        vns_sim_schedule(sim, i, &destroy_type, NULL, NULL);
    vns_sim_free(sim);
    cr_assert_eq(destroyed, 5);
}

Test(sim, run_until_stops_at_limit_and_advances_clock)
{
    g_autoptr(VnsSim) sim = vns_sim_new(NULL);
    Recorder r = { g_array_new(FALSE, FALSE, sizeof(int)) };

    vns_sim_schedule(sim, 100, &record_type, &r, GINT_TO_POINTER(1));
    vns_sim_schedule(sim, 200, &record_type, &r, GINT_TO_POINTER(2));
    vns_sim_run_until(sim, 150);
    cr_assert_eq(r.log->len, 1);
    cr_assert_eq(vns_sim_now(sim), 150);
    cr_assert_eq(vns_sim_pending(sim), 1);
    /* An event exactly at the limit runs. */
    vns_sim_run_until(sim, 200);
    cr_assert_eq(r.log->len, 2);
    g_array_free(r.log, TRUE);
}

static void
stopper_run(VnsSim *sim, void *ctx, void *arg)
{
    record_run(sim, ctx, arg);
    vns_sim_stop(sim);
}

static const VnsEventType stopper_type = { "stop", stopper_run, NULL };

Test(sim, stop_returns_after_current_event)
{
    g_autoptr(VnsSim) sim = vns_sim_new(NULL);
    Recorder r = { g_array_new(FALSE, FALSE, sizeof(int)) };

    vns_sim_schedule(sim, 1, &stopper_type, &r, GINT_TO_POINTER(1));
    vns_sim_schedule(sim, 2, &record_type, &r, GINT_TO_POINTER(2));
    vns_sim_run(sim);
    cr_assert_eq(r.log->len, 1);
    cr_assert_eq(vns_sim_now(sim), 1);
    vns_sim_run(sim);
    cr_assert_eq(r.log->len, 2);
    g_array_free(r.log, TRUE);
}

Test(rng, same_seed_and_name_same_sequence)
{
    g_autoptr(VnsSim) a = vns_sim_new(NULL);
    g_autoptr(VnsSim) b = vns_sim_new(NULL);
    vns_sim_set_seed(a, 42, 3);
    vns_sim_set_seed(b, 42, 3);
    gsl_rng *ra = vns_sim_rng(a, "link.r1"), *rb = vns_sim_rng(b, "link.r1");
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(gsl_rng_get(ra), gsl_rng_get(rb));
}

Test(rng, other_name_seed_or_replication_differs)
{
    g_autoptr(VnsSim) a = vns_sim_new(NULL);
    vns_sim_set_seed(a, 42, 0);
    unsigned long x = gsl_rng_get(vns_sim_rng(a, "flow1"));
    unsigned long y = gsl_rng_get(vns_sim_rng(a, "flow2"));
    cr_assert_neq(x, y);
    cr_assert_neq(vns_rng_stream_seed(42, 0, "flow1"), vns_rng_stream_seed(42, 1, "flow1"));
    cr_assert_neq(vns_rng_stream_seed(42, 0, "flow1"), vns_rng_stream_seed(43, 0, "flow1"));
}

Test(rng, adding_a_stream_leaves_others_unchanged)
{
    g_autoptr(VnsSim) a = vns_sim_new(NULL);
    g_autoptr(VnsSim) b = vns_sim_new(NULL);
    vns_sim_set_seed(a, 7, 0);
    vns_sim_set_seed(b, 7, 0);
    gsl_rng *ra = vns_sim_rng(a, "x");
    /* b creates two extra streams first and draws from them. */
    gsl_rng_get(vns_sim_rng(b, "extra1"));
    gsl_rng_get(vns_sim_rng(b, "extra2"));
    gsl_rng *rb = vns_sim_rng(b, "x");
    for (int i = 0; i < 100; i++)
        cr_assert_eq(gsl_rng_get(ra), gsl_rng_get(rb));
}

/* A hold-model run: returns a digest of the event times it executed. */
typedef struct {
    gsl_rng *rng;
    uint64_t digest;
    uint64_t left;
} Hold;

static void
hold_run(VnsSim *sim, void *ctx, void *arg)
{
    Hold *h = ctx;
    h->digest = h->digest * 1099511628211ULL ^ (uint64_t) vns_sim_now(sim);
    /* A budget of events to schedule; once spent, the pending ones drain. */
    if (h->left > 0) {
        h->left--;
        vns_sim_schedule(sim, (VnsTime) gsl_ran_exponential(h->rng, 1e9),
                         (const VnsEventType *) arg, h, arg);
    }
}

static const VnsEventType hold_type = { "hold", hold_run, NULL };

static gpointer
hold_digest(gpointer seedp)
{
    g_autoptr(VnsSim) sim = vns_sim_new(NULL);
    Hold h = { NULL, 0, 200000 };
    vns_sim_set_seed(sim, GPOINTER_TO_UINT(seedp), 0);
    h.rng = vns_sim_rng(sim, "hold");
    for (int i = 0; i < 1000; i++)
        vns_sim_schedule(sim, (VnsTime) gsl_ran_exponential(h.rng, 1e9),
                         &hold_type, &h, (void *) &hold_type);
    vns_sim_run(sim);
    return g_memdup2(&h.digest, sizeof h.digest);
}

Test(sim, two_simulations_on_threads_match_sequential_runs)
{
    g_autofree uint64_t *s1 = hold_digest(GUINT_TO_POINTER(1));
    g_autofree uint64_t *s2 = hold_digest(GUINT_TO_POINTER(2));
    GThread *t1 = g_thread_new("a", hold_digest, GUINT_TO_POINTER(1));
    GThread *t2 = g_thread_new("b", hold_digest, GUINT_TO_POINTER(2));
    g_autofree uint64_t *p1 = g_thread_join(t1);
    g_autofree uint64_t *p2 = g_thread_join(t2);
    cr_assert_eq(*s1, *p1);
    cr_assert_eq(*s2, *p2);
    cr_assert_neq(*s1, *s2, "different seeds must give different runs");
}
