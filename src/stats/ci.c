/* Student-t confidence intervals over replications (see ci.h). The t
 * quantile comes from GSL (gsl_cdf_tdist_Pinv). */
#include <config.h>
#include "stats/ci.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

#include "stats/stats.h"

/* Refuses a confidence level outside (0, 1) (NaN included). */
static bool
ci_check_level(double level, GError **error)
{
    if (!(level > 0.0 && level < 1.0)) {
        g_set_error(error, VNS_STATS_ERROR, VNS_STATS_ERROR_RANGE,
                    "confidence level must be above 0 and below 1, got %g",
                    level);
        return false;
    }
    return true;
}

/*
 * vns_ci_t_critical:
 * Returns t_{1-alpha/2, dof}, the two-sided critical value of Student's t
 * distribution with 'dof' degrees of freedom for confidence 'level' =
 * 1 - alpha: the point with probability (1 + level) / 2 below it. 'level'
 * must be in (0, 1) and 'dof' at least 1 (checked by the callers that take
 * input; here a violation is a bug and gives NaN).
 */
double
vns_ci_t_critical(double level, uint64_t dof)
{
    g_return_val_if_fail(level > 0.0 && level < 1.0, NAN);
    g_return_val_if_fail(dof >= 1, NAN);
    return gsl_cdf_tdist_Pinv((1.0 + level) / 2.0, (double) dof);
}

/*
 * vns_ci_from_welford:
 * Fills 'out' with the confidence interval of the mean of the samples in
 * 'w' at confidence 'level' (VNS_CI_DEFAULT_LEVEL is 0.95). With n = 0 the
 * mean is NaN; with n < 2 the standard deviation and half-width are NaN (one
 * replication says nothing about spread). Returns false with 'error' set
 * (VNS_STATS_ERROR_RANGE) when 'level' is not strictly between 0 and 1;
 * 'out' is then untouched.
 */
bool
vns_ci_from_welford(const VnsWelford *w, double level, VnsCi *out,
                    GError **error)
{
    g_return_val_if_fail(w != NULL, false);
    g_return_val_if_fail(out != NULL, false);
    if (!ci_check_level(level, error))
        return false;
    out->n = vns_welford_count(w);
    out->level = level;
    out->mean = vns_welford_mean(w);
    out->stddev = vns_welford_stddev(w);
    if (out->n < 2) {
        out->half_width = NAN;
        return true;
    }
    out->half_width = vns_ci_t_critical(level, out->n - 1) * out->stddev /
                      sqrt((double) out->n);
    return true;
}

/*
 * vns_ci_from_values:
 * Same as vns_ci_from_welford() over the 'n' values in 'values' (borrowed;
 * may be NULL when n is 0).
 */
bool
vns_ci_from_values(const double *values, size_t n, double level, VnsCi *out,
                   GError **error)
{
    VnsWelford w;

    g_return_val_if_fail(values != NULL || n == 0, false);
    vns_welford_init(&w);
    for (size_t i = 0; i < n; i++)
        vns_welford_add(&w, values[i]);
    return vns_ci_from_welford(&w, level, out, error);
}
