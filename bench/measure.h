/* Shared by the benchmarks: run an experiment by hand and measure wall
 * time and heap growth in steady state (between 10% and 100% of the
 * simulated duration), the approach of bench/chain.c, factored so that
 * every benchmark measures the same way. */
#ifndef VNS_BENCH_MEASURE_H
#define VNS_BENCH_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include "exp/experiment.h"
#include "out/report.h"

typedef struct {
    double wall_s;              /* wall time of the whole run */
    double cpu_s;               /* this process's CPU time over the run */
    double heap_growth_bytes;   /* heap in use at the end - at 10% */
    uint64_t events;            /* events executed */
    uint64_t packets_allocated; /* the packet pool's high-water mark */
    VnsReport *report;          /* every element's results, owned */
    VnsReport *mid_report;      /* the same read at 10% of the run (not
                                 * reset), owned */
} BenchMeasure;

size_t bench_measure_heap_bytes(void);
/* This process's CPU time, seconds. */
double bench_measure_cpu_s(void);
bool bench_measure_run(const VnsExperiment *exp, BenchMeasure *out,
                       GError **error);
void bench_measure_clear(BenchMeasure *m);

#endif
