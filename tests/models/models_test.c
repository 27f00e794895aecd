/* Shared helpers of the model tests (see models_test.h). */
#include <config.h>
#include "tests/models/models_test.h"

#include <math.h>
#include <criterion/criterion.h>
#include "models/models.h"

VnsNet *
models_test_build(const char *file, const char *const *sets, uint32_t rep,
                  VnsExperiment **exp_out, VnsRegistry **reg_out)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, file, NULL);
    VnsRegistry *reg = vns_registry_new();
    VnsExperiment *exp;
    VnsSim *sim;
    VnsNet *net;

    cr_assert(vns_models_register(reg, &error));
    exp = vns_experiment_load(reg, path, sets, &error);
    cr_assert_not_null(exp, "%s", error->message);
    sim = vns_sim_new(exp->queue);
    vns_sim_set_seed(sim, exp->seed, rep);
    net = vns_net_new(sim);
    cr_assert(vns_experiment_build(exp, net, &error), "%s", error->message);
    *exp_out = exp;
    *reg_out = reg;
    return net;
}

VnsReport *
models_test_run(const char *file, const char *const *sets, uint32_t rep)
{
    g_autoptr(GError) error = NULL;
    VnsExperiment *exp;
    VnsRegistry *reg;
    VnsNet *net = models_test_build(file, sets, rep, &exp, &reg);
    VnsSim *sim = vns_net_sim(net);
    VnsReport *report = vns_report_new();

    cr_assert(vns_net_start(net, &error), "%s", error->message);
    if (exp->warmup > 0) {
        vns_sim_run_until(sim, exp->warmup);
        vns_net_reset(net);
    }
    vns_sim_run_until(sim, exp->warmup + exp->duration);
    vns_net_stop(net);
    vns_net_stats(net, report);
    /* Pending events release the packets they carry. */
    vns_sim_free(sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(net)), 0,
                 "%" G_GUINT64_FORMAT " packets out of the pool",
                 vns_packet_pool_outstanding(vns_net_pool(net)));
    vns_net_free(net);
    vns_experiment_free(exp);
    vns_registry_free(reg);
    return report;
}

double
models_test_num(const VnsReport *report, const char *table, const char *row,
                const char *key)
{
    double v = NAN;

    cr_assert(vns_report_get_num(report, table, row, key, &v),
              "no field %s in row %s of table %s", key, row, table);
    return v;
}
