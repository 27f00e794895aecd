/* Running experiments: one run into a results directory, or a sweep of
 * points x replications on local worker threads (and MPI ranks), with
 * resumable per-point results and a sweep table of means and confidence
 * intervals. */
#ifndef VNS_RUNNER_H
#define VNS_RUNNER_H

#include <stdbool.h>
#include <glib.h>
#include "exp/experiment.h"
#include "topo/registry.h"

typedef struct {
    const VnsRegistry *registry;
    const char *experiment_path;
    const char *const *sets;        /* NAME=VALUE, NULL-terminated; may be NULL */
    bool seed_set;                  /* override the file's seed */
    uint64_t seed;
    const char *outdir;             /* NULL: results/NAME */
    unsigned jobs;                  /* worker threads, >= 1 */
    bool force;                     /* redo finished points */
    bool quiet;
    bool tty;                       /* progress on a terminal */
    int mpi_rank, mpi_size;         /* 0, 1 without MPI */
} VnsRunOptions;

/* Writes params.json, summary.json, summary.csv and the report's extra
 * files into the existing directory 'dir'. */
bool vns_run_write_report(const char *dir, const VnsExperiment *exp,
                          const VnsReport *report, GError **error);

/* Runs the experiment as 'opt' says; returns the results directory
 * (owned) or NULL. Input errors are VNS_CONFIG_ERROR. */
char *vns_runner_run(const VnsRunOptions *opt, GError **error);

/* Computes sweep.csv and sweep.json for the finished points in 'dir'. */
bool vns_runner_aggregate(const char *dir, GError **error);

#endif
