/* Running a benchmark experiment and measuring it (see measure.h). */
#include <config.h>
#include "bench/measure.h"

#include <string.h>
#include <time.h>

#ifdef HAVE_MALLINFO2
#include <malloc.h>
#endif
#include "net/element.h"

/*
 * bench_measure_heap_bytes:
 * Bytes of heap in use (glibc's mallinfo2), or 0 where unavailable.
 */
size_t
bench_measure_heap_bytes(void)
{
#ifdef HAVE_MALLINFO2
    return mallinfo2().uordblks;
#else
    return 0;
#endif
}

/* This process's CPU time in seconds: unlike wall time, it does not grow
 * when other programs share the machine. */
double
bench_measure_cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/*
 * bench_measure_run:
 * Builds and runs replication 0 of 'exp' by hand (not through
 * vns_experiment_run_once()) to read the heap at 10% of the duration and
 * at the end: in steady state nothing may be allocated per packet. Fills
 * 'out' (its report is owned by the caller: bench_measure_clear()).
 */
bool
bench_measure_run(const VnsExperiment *exp, BenchMeasure *out, GError **error)
{
    VnsSim *sim = vns_sim_new(exp->queue);
    VnsNet *net = vns_net_new(sim);
    VnsTime end = exp->warmup + exp->duration;
    gint64 t0;
    double cpu0;
    size_t heap0;

    memset(out, 0, sizeof *out);
    vns_sim_set_seed(sim, exp->seed, 0);
    if (!vns_experiment_build(exp, net, error) || !vns_net_start(net, error)) {
        vns_sim_free(sim);
        vns_net_free(net);
        return false;
    }
    t0 = g_get_monotonic_time();
    cpu0 = bench_measure_cpu_s();
    vns_sim_run_until(sim, end / 10);
    /* Read, not reset: the counters go on. */
    out->mid_report = vns_report_new();
    vns_net_stats(net, out->mid_report);
    heap0 = bench_measure_heap_bytes();
    vns_sim_run_until(sim, end);
    out->wall_s = (double) (g_get_monotonic_time() - t0) / 1e6;
    out->cpu_s = bench_measure_cpu_s() - cpu0;
    out->heap_growth_bytes = (double) bench_measure_heap_bytes() - (double) heap0;
    vns_net_stop(net);
    out->events = vns_sim_events_executed(sim);
    out->packets_allocated = vns_packet_pool_allocated(vns_net_pool(net));
    out->report = vns_report_new();
    vns_net_stats(net, out->report);
    vns_sim_free(sim);
    vns_net_free(net);
    return true;
}

void
bench_measure_clear(BenchMeasure *m)
{
    vns_report_free(m->report);
    vns_report_free(m->mid_report);
    m->report = NULL;
    m->mid_report = NULL;
}
