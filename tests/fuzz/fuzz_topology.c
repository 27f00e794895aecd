/* libFuzzer target: topology files. Each input is written to a file and
 * loaded the way `vnetsim validate` does: read (XML, spec checks, RelaxNG
 * schema), parameters, build through the model registry and start the
 * elements; nothing is run. Any input must end in success or a GError whose
 * message starts with the file's path, and leave nothing allocated. */
#include <config.h>

#include <stdlib.h>
#include <glib.h>
#include <libxml/tree.h>
#include "fuzz.h"
#include "models/models.h"
#include "net/element.h"
#include "sim/sim.h"
#include "topo/loader.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where inputs are written. Static because libFuzzer's entry point takes
 * no context: the directory is made once per process, not per input, and
 * removed at exit. */
static char *fuzz_topology_dir;
static char *fuzz_topology_path;

static void
fuzz_topology_cleanup(void)
{
    fuzz_dir_remove(fuzz_topology_dir);
    g_clear_pointer(&fuzz_topology_dir, g_free);
    g_clear_pointer(&fuzz_topology_path, g_free);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    fuzz_topology_dir = fuzz_dir_new();
    fuzz_topology_path = g_build_filename(fuzz_topology_dir, "input.xml", NULL);
    atexit(fuzz_topology_cleanup);
    return 0;
}

/* Reads, checks and builds the topology at 'path' into a throw-away
 * simulation, as `vnetsim validate` does. */
static bool
fuzz_topology_load(const VnsRegistry *reg, const char *path, GError **error)
{
    g_autoptr(xmlDoc) doc = vns_topo_read(reg, path, error);
    g_autoptr(VnsParams) params = vns_params_new();
    VnsSim *sim;
    VnsNet *net;
    bool ok;

    if (doc == NULL || !vns_topo_params(doc, path, params, error))
        return false;
    sim = vns_sim_new(NULL);
    net = vns_net_new(sim);
    ok = vns_topo_build(reg, net, path, doc, params, error) &&
         vns_net_start(net, error);
    /* The simulator goes first: pending events may hold the net's packets. */
    vns_sim_free(sim);
    vns_net_free(net);
    return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(VnsRegistry) reg = vns_registry_new();
    g_autoptr(GError) error = NULL;

    FUZZ_CHECK(vns_models_register(reg, NULL));
    fuzz_write_file(fuzz_topology_path, data, size);
    if (!fuzz_topology_load(reg, fuzz_topology_path, &error)) {
        /* STYLE.md: messages about input files start with "path:". */
        FUZZ_CHECK(error != NULL && error->message != NULL);
        FUZZ_CHECK(g_str_has_prefix(error->message, fuzz_topology_path));
    } else {
        FUZZ_CHECK(error == NULL);
    }
    return 0;
}
