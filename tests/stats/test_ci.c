/* Tests of Student-t confidence intervals: critical values against closed
 * forms and a published table, a hand-computed interval, edge cases, and
 * the coverage of the interval on normal data. */
#include <config.h>
#include <math.h>
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "stats/ci.h"
#include "stats/stats.h"

/* Table values: NIST/SEMATECH e-Handbook of Statistical Methods, section
 * 1.3.6.7.2, "Critical Values of the Student's t Distribution"
 * (https://www.itl.nist.gov/div898/handbook/eda/section3/eda3672.htm),
 * column 0.975 (two-sided 95 %), given to 3 decimals, so they hold to
 * +-0.0005. */
#define TABLE_TOL 0.0005

Test(ci, t_critical_matches_closed_forms)
{
    /* With 1 degree of freedom t is Cauchy: Q(p) = tan(pi (p - 1/2)). With
     * 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so with a = 2p - 1,
     * Q(p) = a sqrt(2 / (1 - a^2)). For 95 %, p = 0.975. */
    double t1 = vns_ci_t_critical(0.95, 1);
    double t2 = vns_ci_t_critical(0.95, 2);
    double a = 2.0 * 0.975 - 1.0;

    cr_assert(fabs(t1 - tan(M_PI * (0.975 - 0.5))) <= 1e-9 * t1, "t1 %.17g",
              t1);
    cr_assert(fabs(t2 - a * sqrt(2.0 / (1.0 - a * a))) <= 1e-9 * t2,
              "t2 %.17g", t2);
    /* And the NIST table: 12.706 and 4.303. */
    cr_assert(fabs(t1 - 12.706) <= TABLE_TOL);
    cr_assert(fabs(t2 - 4.303) <= TABLE_TOL);
}

Test(ci, t_critical_matches_table)
{
    /* NIST table, column 0.975: nu = 4: 2.776; nu = 10: 2.228; nu = 30:
     * 2.042; nu = infinity (normal): 1.960. Column 0.95 (90 %): nu = 4:
     * 2.132. */
    cr_assert(fabs(vns_ci_t_critical(0.95, 4) - 2.776) <= TABLE_TOL);
    cr_assert(fabs(vns_ci_t_critical(0.95, 10) - 2.228) <= TABLE_TOL);
    cr_assert(fabs(vns_ci_t_critical(0.95, 30) - 2.042) <= TABLE_TOL);
    cr_assert(fabs(vns_ci_t_critical(0.95, 100000000) - 1.960) <= TABLE_TOL);
    cr_assert(fabs(vns_ci_t_critical(0.90, 4) - 2.132) <= TABLE_TOL);
}

Test(ci, hand_computed_interval)
{
    const double x[] = { 1, 2, 3, 4, 5 };
    VnsCi ci;
    double s, hw_table;

    cr_assert(vns_ci_from_values(x, 5, VNS_CI_DEFAULT_LEVEL, &ci, NULL));
    /* Mean 15 / 5 = 3. Squared deviations 4 + 1 + 0 + 1 + 4 = 10 over 4
     * degrees of freedom: s^2 = 2.5, s = 1.5811388. */
    s = sqrt(2.5);
    cr_assert_eq(ci.n, 5);
    cr_assert_eq(ci.level, 0.95);
    cr_assert_float_eq(ci.mean, 3.0, 1e-15);
    cr_assert_float_eq(ci.stddev, s, 1e-15);
    /* Half-width t_{0.975,4} s / sqrt(5) with t_{0.975,4} = 2.776 from the
     * NIST table: 2.776 * 1.5811388 / 2.2360680 = 1.9629; the table's
     * rounding (+-0.0005 on t) allows +-0.0005 * s / sqrt(5) = +-0.00036. */
    hw_table = 2.776 * s / sqrt(5.0);
    cr_assert(fabs(ci.half_width - hw_table) <= TABLE_TOL * s / sqrt(5.0),
              "half-width %.17g", ci.half_width);
    cr_assert(fabs(ci.half_width - 1.963) <= 0.0005);
}

Test(ci, welford_and_values_agree)
{
    const double x[] = { 10.5, 9.8, 11.2, 10.1, 10.9, 9.5 };
    VnsWelford w;
    VnsCi a, b;

    vns_welford_init(&w);
    for (size_t i = 0; i < G_N_ELEMENTS(x); i++)
        vns_welford_add(&w, x[i]);
    cr_assert(vns_ci_from_values(x, G_N_ELEMENTS(x), 0.99, &a, NULL));
    cr_assert(vns_ci_from_welford(&w, 0.99, &b, NULL));
    cr_assert_eq(a.n, b.n);
    cr_assert_eq(a.mean, b.mean);
    cr_assert_eq(a.stddev, b.stddev);
    cr_assert_eq(a.half_width, b.half_width);
}

Test(ci, fewer_than_two_replications_give_nan)
{
    const double one = 42.0;
    VnsCi ci;

    cr_assert(vns_ci_from_values(NULL, 0, 0.95, &ci, NULL));
    cr_assert_eq(ci.n, 0);
    cr_assert(isnan(ci.mean));
    cr_assert(isnan(ci.stddev));
    cr_assert(isnan(ci.half_width));
    cr_assert(vns_ci_from_values(&one, 1, 0.95, &ci, NULL));
    cr_assert_eq(ci.n, 1);
    cr_assert_eq(ci.mean, 42.0);
    cr_assert(isnan(ci.stddev));
    cr_assert(isnan(ci.half_width));
}

Test(ci, rejects_bad_level)
{
    const double x[] = { 1, 2, 3 };
    const double bad[] = { 0.0, 1.0, -0.5, 1.5, NAN };
    VnsCi ci = { 0 };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;

        cr_assert_not(vns_ci_from_values(x, 3, bad[i], &ci, &error));
        cr_assert(g_error_matches(error, VNS_STATS_ERROR,
                                  VNS_STATS_ERROR_RANGE), "level %g", bad[i]);
    }
    cr_assert_eq(ci.n, 0, "out is untouched on error");
}

Test(ci, covers_true_mean_at_stated_rate)
{
    const int trials = 4000, n = 10;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int covered = 0;
    double rate, sd;

    /* Replications drawn from N(5, 3^2): a 95 % interval should contain 5
     * in 95 % of trials. Over 4000 trials the covered fraction is binomial
     * with standard deviation sqrt(0.95 * 0.05 / 4000) = 0.0034; allow 4 of
     * them (fixed seed, so the test is deterministic). */
    gsl_rng_set(rng, 11);
    for (int t = 0; t < trials; t++) {
        double x[10];
        VnsCi ci;

        for (int i = 0; i < n; i++)
            x[i] = 5.0 + gsl_ran_gaussian(rng, 3.0);
        cr_assert(vns_ci_from_values(x, (size_t) n, 0.95, &ci, NULL));
        if (fabs(ci.mean - 5.0) <= ci.half_width)
            covered++;
    }
    gsl_rng_free(rng);
    rate = (double) covered / trials;
    sd = sqrt(0.95 * 0.05 / trials);
    cr_assert(fabs(rate - 0.95) <= 4.0 * sd, "coverage %.4f", rate);
}
