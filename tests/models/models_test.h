/* Shared helpers of the model tests: load an experiment of tests/data,
 * build it, run it the way the runner does (warm-up, reset, run, stop,
 * stats) and read numbers from its report. New model tests use these
 * instead of their own copies. */
#ifndef VNS_MODELS_TEST_H
#define VNS_MODELS_TEST_H

#include "exp/experiment.h"
#include "net/element.h"
#include "out/report.h"
#include "topo/registry.h"

/* Loads tests/data/'file' with the "--set" strings 'sets' (NULL-ended, or
 * NULL) and builds it into a new network seeded for replication 'rep'.
 * The caller frees the experiment and registry after the network. */
VnsNet *models_test_build(const char *file, const char *const *sets,
                          uint32_t rep, VnsExperiment **exp_out,
                          VnsRegistry **reg_out);
/* Builds and runs tests/data/'file' to its end and returns the report
 * (owned). Checks that every packet went back to the pool. */
VnsReport *models_test_run(const char *file, const char *const *sets,
                           uint32_t rep);
/* The number 'key' of row 'row' in table 'table'; fails the test when
 * there is none. */
double models_test_num(const VnsReport *report, const char *table,
                       const char *row, const char *key);

#endif
