/* Experiments: an experiment file names a topology, parameters, traffic,
 * duration, warm-up, seed and replications. Loading resolves parameters
 * (--set over experiment values over topology defaults) and checks both
 * files completely; running builds a fresh simulation per replication. */
#ifndef VNS_EXPERIMENT_H
#define VNS_EXPERIMENT_H

#include <stdbool.h>
#include <glib.h>
#include <libxml/tree.h>
#include "net/config.h"
#include "out/report.h"
#include "sim/event_queue.h"
#include "topo/registry.h"

typedef struct {
    char *path;
    char *name;
    char *topology_path;        /* resolved relative to the experiment */
    VnsTime duration;           /* measured time after warm-up, ps */
    VnsTime warmup;             /* ps */
    uint64_t seed;
    uint32_t replications;
    const VnsEventQueueOps *queue;
    VnsParams *params;          /* resolved values */
    xmlDoc *doc;                /* the experiment document */
    xmlDoc *topo_doc;
    const VnsRegistry *registry;    /* borrowed */
} VnsExperiment;

extern const VnsSpec vns_experiment_spec;
extern const VnsSpec vns_traffic_spec;
extern const VnsSpec vns_sweep_spec;
extern const VnsSpec vns_plot_spec;

VnsExperiment *vns_experiment_load(const VnsRegistry *reg, const char *path,
                                   const char *const *sets, GError **error);
void vns_experiment_free(VnsExperiment *exp);
/* Applies "--set NAME=VALUE" strings to 'params'. */
bool vns_experiment_apply_sets(VnsParams *params, const char *const *sets,
                               GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsExperiment, vns_experiment_free)

/* Builds topology and traffic into a network without running it. */
bool vns_experiment_build(const VnsExperiment *exp, VnsNet *net,
                          GError **error);

bool vns_experiment_check(const VnsExperiment *exp, GError **error);

typedef void (*VnsProgressFn)(void *data, VnsTime now, VnsTime end,
                              uint64_t events);

/* Runs replication 'rep' and returns its report (owned), or NULL. */
VnsReport *vns_experiment_run_once(const VnsExperiment *exp, uint32_t rep,
                                   VnsProgressFn progress, void *data,
                                   GError **error);
/* The same, with elements writing their files (captures) into 'outdir'. */
VnsReport *vns_experiment_run_into(const VnsExperiment *exp, uint32_t rep,
                                   const char *outdir, VnsProgressFn progress,
                                   void *data, GError **error);
/* The resolved parameters as a JSON object. Owned. */
char *vns_experiment_params_json(const VnsExperiment *exp);

#endif
