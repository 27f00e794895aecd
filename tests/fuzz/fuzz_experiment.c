/* libFuzzer target: experiment files. Each input is written to a file and
 * loaded the way `vnetsim run` prepares a run, without running it: load
 * (XML, checks, schema, parameters, the topology it names), check (build
 * and start in a throw-away simulation), the sweep's points, and for the
 * first and last point the load and check again with the point's values.
 *
 * The input's 'topology' attribute is resolved relative to the input file,
 * so the shipped topologies are copied next to it once per process, in the
 * layout the seed experiments expect: "../topologies/NAME.xml" (the
 * repository's topologies/) and "NAME-topo.xml" beside the input (those of
 * tests/data/ and tests/bad-input/). */
#include <config.h>

#include <stdlib.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "fuzz.h"
#include "exp/experiment.h"
#include "exp/sweep.h"
#include "models/models.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The sweep points whose overrides are formed and checked; of them, only
 * the first and last are loaded again (a sweep may have millions). */
#define FUZZ_EXPERIMENT_MAX_POINTS_LISTED 4096

/* Where inputs are written. Static because libFuzzer's entry point takes
 * no context: the directory tree is made once per process, not per input,
 * and removed at exit. */
static char *fuzz_experiment_dir;
static char *fuzz_experiment_path;

static void
fuzz_experiment_cleanup(void)
{
    fuzz_dir_remove(fuzz_experiment_dir);
    g_clear_pointer(&fuzz_experiment_dir, g_free);
    g_clear_pointer(&fuzz_experiment_path, g_free);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    g_autofree char *topologies = NULL, *exp_dir = NULL;
    g_autofree char *src_topologies =
        g_build_filename(VNS_TOP_SRCDIR, "topologies", NULL);
    g_autofree char *src_data =
        g_build_filename(VNS_TOP_SRCDIR, "tests", "data", NULL);
    g_autofree char *src_bad =
        g_build_filename(VNS_TOP_SRCDIR, "tests", "bad-input", NULL);

    fuzz_init();
    fuzz_experiment_dir = fuzz_dir_new();
    topologies = g_build_filename(fuzz_experiment_dir, "topologies", NULL);
    exp_dir = g_build_filename(fuzz_experiment_dir, "exp", NULL);
    FUZZ_CHECK(g_mkdir(topologies, 0755) == 0 && g_mkdir(exp_dir, 0755) == 0);
    fuzz_copy_files(src_topologies, "*.xml", topologies);
    fuzz_copy_files(src_data, "*-topo.xml", exp_dir);
    fuzz_copy_files(src_bad, "good-topo.xml", exp_dir);
    fuzz_experiment_path = g_build_filename(exp_dir, "input.xml", NULL);
    atexit(fuzz_experiment_cleanup);
    return 0;
}

/* Loads and checks the experiment at 'path' with the "name=value"
 * overrides 'sets' (may be NULL). Returns the experiment or NULL with
 * 'error' set. */
static VnsExperiment *
fuzz_experiment_load(const VnsRegistry *reg, const char *path,
                     const char *const *sets, GError **error)
{
    g_autoptr(VnsExperiment) exp = vns_experiment_load(reg, path, sets, error);

    if (exp == NULL || !vns_experiment_check(exp, error))
        return NULL;
    return g_steal_pointer(&exp);
}

/* Checks that a failure came with a GError. */
static void
fuzz_experiment_failed(const GError *error)
{
    FUZZ_CHECK(error != NULL && error->message != NULL &&
               error->message[0] != '\0');
}

/* Loads and checks point 'i' of 'sweep' as the runner does before it runs
 * the point. */
static void
fuzz_experiment_point(const VnsRegistry *reg, const VnsSweep *sweep, guint i)
{
    g_auto(GStrv) sets = vns_sweep_point_sets(sweep, i, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsExperiment) exp =
        fuzz_experiment_load(reg, fuzz_experiment_path,
                             (const char *const *) sets, &error);

    if (exp == NULL)
        fuzz_experiment_failed(error);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(VnsRegistry) reg = vns_registry_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsExperiment) exp = NULL;
    g_autoptr(VnsSweep) sweep = NULL;
    g_autofree char *params = NULL;

    FUZZ_CHECK(vns_models_register(reg, NULL));
    fuzz_write_file(fuzz_experiment_path, data, size);
    exp = fuzz_experiment_load(reg, fuzz_experiment_path, NULL, &error);
    if (exp == NULL) {
        fuzz_experiment_failed(error);
        return 0;
    }
    params = vns_experiment_params_json(exp);
    sweep = vns_sweep_load(exp, &error);
    if (sweep == NULL) {
        fuzz_experiment_failed(error);
        return 0;
    }
    FUZZ_CHECK(sweep->points->len > 0);
    for (guint i = 0;
         i < MIN(sweep->points->len, FUZZ_EXPERIMENT_MAX_POINTS_LISTED); i++) {
        g_auto(GStrv) sets = vns_sweep_point_sets(sweep, i, NULL);
        FUZZ_CHECK(g_strv_length(sets) == sweep->names->len);
    }
    fuzz_experiment_point(reg, sweep, 0);
    if (sweep->points->len > 1)
        fuzz_experiment_point(reg, sweep, sweep->points->len - 1);
    return 0;
}
