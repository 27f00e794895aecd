/* The classic hold benchmark of a pending-event set, run through the real
 * VnsSim schedule and dispatch path.
 *
 * K events are pending at all times: each executed event schedules one new
 * event at now + Exp(mean 1 ms), drawn from the simulator's GSL stream
 * "hold", and does nothing else (Jones, "An empirical comparison of
 * priority-queue and event-set implementations", CACM 1986). The run stops
 * after N executed events. Wall time is taken with g_get_monotonic_time()
 * around the dispatch loop only, so the initial fill of K events is not
 * counted; memory is vns_sim_memory() (queue plus event pool) divided by K
 * at the end of the run.
 *
 * Without arguments every queue runs K = 1e3, 1e5 and 1e6 with a default N
 * per K. Each run prints one line of key=value fields. */
#include <config.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <glib.h>
#include <gsl/gsl_rng.h>
#include "sim/sim.h"

/* The state shared by every hold event of one run. */
typedef struct {
    gsl_rng *rng;           /* the simulator's "hold" stream; borrowed */
    uint64_t left;          /* events still to execute before stopping */
} Hold;

/* Mean of the exponential hold time: 1 ms. */
#define HOLD_MEAN_PS 1e9

static void hold_run(VnsSim *sim, void *ctx, void *arg);

static const VnsEventType hold_type = { "hold", hold_run, NULL };

/* Draws one hold time, Exp(1 ms) truncated to whole picoseconds, by
 * inversion as gsl_ran_exponential() does: -mean * log1p(-u) there,
 * -mean * log(1 - u) here. u is a multiple of 2^-32, so 1 - u is exact and
 * the two agree to rounding, but glibc's log is about twice as fast as its
 * log1p, and the draw is a large part of the work of a small hold run. */
static inline VnsTime
hold_draw(gsl_rng *rng)
{
    return (VnsTime) (-HOLD_MEAN_PS * log(1.0 - gsl_rng_uniform(rng)));
}

/* Executes one hold event: schedules its successor, or stops the run once N
 * events have executed (the successor is still scheduled, so K events stay
 * pending for the memory figure). */
static void
hold_run(VnsSim *sim, void *ctx, void *arg)
{
    Hold *h = ctx;

    vns_sim_schedule(sim, hold_draw(h->rng), &hold_type, h, NULL);
    if (--h->left == 0)
        vns_sim_stop(sim);
}

/* Processor time used by this process, in seconds. On a shared machine it
 * is steadier than wall time, so both are printed. */
static double
hold_cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Runs one configuration and prints its line. Returns false when the run
 * did not execute the expected number of events. */
static bool
hold_bench(const VnsEventQueueOps *queue, uint64_t pending, uint64_t events,
           uint64_t seed)
{
    g_autoptr(VnsSim) sim = vns_sim_new(queue);
    Hold h = { NULL, events };
    gint64 t0, t1;
    double wall_s, cpu_s;

    vns_sim_set_seed(sim, seed, 0);
    h.rng = vns_sim_rng(sim, "hold");
    for (uint64_t i = 0; i < pending; i++)
        vns_sim_schedule(sim, hold_draw(h.rng), &hold_type, &h, NULL);
    cpu_s = hold_cpu_s();
    t0 = g_get_monotonic_time();
    vns_sim_run(sim);
    t1 = g_get_monotonic_time();
    cpu_s = hold_cpu_s() - cpu_s;
    wall_s = (double) (t1 - t0) / 1e6;
    printf("queue=%s pending=%" PRIu64 " events=%" PRIu64 " wall_s=%.3f "
           "events_per_s=%.0f bytes_per_event=%.1f cpu_s=%.3f "
           "events_per_cpu_s=%.0f\n",
           vns_sim_queue_name(sim), pending, vns_sim_events_executed(sim),
           wall_s, wall_s > 0 ? (double) vns_sim_events_executed(sim) / wall_s : 0.0,
           (double) vns_sim_memory(sim) / (double) pending, cpu_s,
           cpu_s > 0 ? (double) vns_sim_events_executed(sim) / cpu_s : 0.0);
    fflush(stdout);
    return vns_sim_events_executed(sim) == events &&
           vns_sim_pending(sim) == pending;
}

/* The default number of events for a pending-set size: enough for a stable
 * figure (a second or two), little enough that the full default run stays
 * well under a minute. */
static uint64_t
hold_default_events(uint64_t pending)
{
    return pending <= 10000 ? 20000000 : 5000000;
}

/* Parses the options and runs the selected configurations. Exit status: 0
 * when every run executed its events, 1 when one did not, 2 on bad
 * arguments. */
int
main(int argc, char **argv)
{
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *queue_name = NULL;
    gint64 pending = 0, events = 0, seed = 1;
    gboolean list = FALSE;
    const VnsEventQueueOps *const *queues = vns_event_queue_list();
    GOptionEntry entries[] = {
        { "queue", 'q', 0, G_OPTION_ARG_STRING, &queue_name,
          "Pending-event set to measure (default: each in turn)", "Q" },
        { "pending", 'k', 0, G_OPTION_ARG_INT64, &pending,
          "Number of pending events K (default: 1e3, 1e5 and 1e6)", "K" },
        { "events", 'n', 0, G_OPTION_ARG_INT64, &events,
          "Events to execute per run (default: 2e7 for K <= 1e4, else 5e6)", "N" },
        { "seed", 's', 0, G_OPTION_ARG_INT64, &seed,
          "Experiment seed (default 1)", "SEED" },
        { "list-queues", 0, 0, G_OPTION_ARG_NONE, &list,
          "Name the available queues and exit", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    const uint64_t default_pending[] = { 1000, 100000, 1000000 };
    const VnsEventQueueOps *one[2] = { NULL, NULL };
    bool ok = true;

    octx = g_option_context_new("- hold-model benchmark of the event queues");
    g_option_context_set_summary(octx,
        "Keeps K events pending; each executed event schedules one at\n"
        "now + Exp(1 ms). Prints one key=value line per run.");
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &error)) {
        fprintf(stderr, "hold: %s (try --help)\n", error->message);
        return 2;
    }
    if (list) {
        for (size_t i = 0; queues[i] != NULL; i++)
            printf("%s\t%s\n", queues[i]->name, queues[i]->description);
        return 0;
    }
    if (pending < 0 || events < 0 || pending > UINT32_MAX / 2) {
        fprintf(stderr, "hold: expected --pending in 1..%u and --events >= 1\n",
                UINT32_MAX / 2);
        return 2;
    }
    if (queue_name != NULL) {
        one[0] = vns_event_queue_find(queue_name);
        if (one[0] == NULL) {
            g_autoptr(GString) names = g_string_new(NULL);
            for (size_t i = 0; queues[i] != NULL; i++)
                g_string_append_printf(names, "%s%s", i > 0 ? ", " : "",
                                       queues[i]->name);
            fprintf(stderr, "hold: unknown queue '%s'; expected one of: %s\n",
                    queue_name, names->str);
            return 2;
        }
        queues = one;
    }
    for (size_t i = 0; queues[i] != NULL; i++) {
        for (size_t j = 0; j < G_N_ELEMENTS(default_pending); j++) {
            uint64_t k = pending > 0 ? (uint64_t) pending : default_pending[j];
            uint64_t n = events > 0 ? (uint64_t) events : hold_default_events(k);
            ok = hold_bench(queues[i], k, n, (uint64_t) seed) && ok;
            if (pending > 0)
                break;
        }
    }
    if (!ok) {
        fprintf(stderr, "hold: a run did not execute the expected events\n");
        return 1;
    }
    return 0;
}
