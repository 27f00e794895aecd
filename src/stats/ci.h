/* Student-t confidence intervals for the mean of a metric over independent
 * replications of an experiment:
 *
 *     mean +- t_{1-alpha/2, n-1} * s / sqrt(n)
 *
 * with n replications, sample standard deviation s (n - 1 in the
 * denominator) and confidence level 1 - alpha (0.95 by default). The
 * interval assumes the replication results are independent and roughly
 * normal (means of long runs usually are). */
#ifndef VNS_CI_H
#define VNS_CI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "stats/welford.h"

#define VNS_CI_DEFAULT_LEVEL 0.95

typedef struct {
    uint64_t n;         /* replications */
    double level;       /* confidence level 1 - alpha, e.g. 0.95 */
    double mean;        /* sample mean; NaN when n == 0 */
    double stddev;      /* sample standard deviation; NaN when n < 2 */
    double half_width;  /* t_{1-alpha/2,n-1} stddev / sqrt(n); NaN if n < 2 */
} VnsCi;

double vns_ci_t_critical(double level, uint64_t dof);
bool vns_ci_from_welford(const VnsWelford *w, double level, VnsCi *out,
                         GError **error);
bool vns_ci_from_values(const double *values, size_t n, double level,
                        VnsCi *out, GError **error);

#endif
