/* Tests of the running mean and variance (Welford) and of the merge of two
 * accumulators (Chan, Golub and LeVeque). */
#include <config.h>
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "stats/welford.h"

#define N_SAMPLES 10000

/* True when a and b agree within 'rel' of b. */
static bool
close_rel(double a, double b, double rel)
{
    return fabs(a - b) <= rel * fabs(b);
}

/* Fills 'x' with n normal samples, mean 10 and standard deviation 2. */
static void
fill_normal(double *x, size_t n, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = 10.0 + gsl_ran_gaussian(rng, 2.0);
    gsl_rng_free(rng);
}

Test(welford, matches_textbook_example)
{
    /* The example of Wikipedia's "Standard deviation" article: the eight
     * values 2 4 4 4 5 5 7 9 have mean 5 and population standard deviation
     * 2, so the sum of squared deviations is 8 * 2^2 = 32 and the sample
     * variance 32 / 7. */
    const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
    VnsWelford w;

    vns_welford_init(&w);
    for (size_t i = 0; i < G_N_ELEMENTS(x); i++)
        vns_welford_add(&w, x[i]);
    cr_assert_eq(vns_welford_count(&w), 8);
    cr_assert_float_eq(vns_welford_mean(&w), 5.0, 1e-15);
    cr_assert_float_eq(vns_welford_variance(&w), 32.0 / 7.0, 1e-14);
    cr_assert_float_eq(vns_welford_stddev(&w), sqrt(32.0 / 7.0), 1e-14);
    cr_assert_eq(vns_welford_min(&w), 2.0);
    cr_assert_eq(vns_welford_max(&w), 9.0);
}

Test(welford, matches_two_pass_on_random_data)
{
    g_autofree double *x = g_new(double, N_SAMPLES);
    double sum = 0.0, ss = 0.0, mean, var, lo = INFINITY, hi = -INFINITY;
    VnsWelford w;

    fill_normal(x, N_SAMPLES, 42);
    vns_welford_init(&w);
    for (size_t i = 0; i < N_SAMPLES; i++)
        vns_welford_add(&w, x[i]);

    /* Two-pass reference: mean first, then squared deviations from it. */
    for (size_t i = 0; i < N_SAMPLES; i++) {
        sum += x[i];
        lo = fmin(lo, x[i]);
        hi = fmax(hi, x[i]);
    }
    mean = sum / N_SAMPLES;
    for (size_t i = 0; i < N_SAMPLES; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    var = ss / (N_SAMPLES - 1);

    /* Chan, Golub and LeVeque (1983, "Algorithms for computing the sample
     * variance") bound the relative error of both methods by about
     * n * kappa * u, with kappa = sqrt(1 + mean^2 / var) ~ 5 here and
     * u = 2^-53: 10^4 * 5 * 1.1e-16 = 5.5e-12. Allow 10^-10. */
    cr_assert_eq(vns_welford_count(&w), N_SAMPLES);
    cr_assert(close_rel(vns_welford_mean(&w), mean, 1e-10));
    cr_assert(close_rel(vns_welford_variance(&w), var, 1e-10),
              "welford %.17g two-pass %.17g", vns_welford_variance(&w), var);
    cr_assert_eq(vns_welford_min(&w), lo);
    cr_assert_eq(vns_welford_max(&w), hi);
}

Test(welford, merge_equals_concatenation)
{
    g_autofree double *x = g_new(double, N_SAMPLES);
    const size_t cuts[] = { 1, 3000, N_SAMPLES / 2, N_SAMPLES - 1 };

    fill_normal(x, N_SAMPLES, 7);
    for (size_t c = 0; c < G_N_ELEMENTS(cuts); c++) {
        VnsWelford a, b, all;

        vns_welford_init(&a);
        vns_welford_init(&b);
        vns_welford_init(&all);
        for (size_t i = 0; i < N_SAMPLES; i++) {
            vns_welford_add(i < cuts[c] ? &a : &b, x[i]);
            vns_welford_add(&all, x[i]);
        }
        vns_welford_merge(&a, &b);
        /* The merge formula is algebraically exact; the two results differ
         * only by rounding, bounded as in matches_two_pass_on_random_data. */
        cr_assert_eq(vns_welford_count(&a), N_SAMPLES);
        cr_assert(close_rel(vns_welford_mean(&a), vns_welford_mean(&all),
                            1e-10), "cut %zu", cuts[c]);
        cr_assert(close_rel(vns_welford_variance(&a),
                            vns_welford_variance(&all), 1e-10),
                  "cut %zu", cuts[c]);
        cr_assert_eq(vns_welford_min(&a), vns_welford_min(&all));
        cr_assert_eq(vns_welford_max(&a), vns_welford_max(&all));
    }
}

Test(welford, merge_with_empty_and_with_itself)
{
    const double x[] = { 1, 2, 3, 4 };
    VnsWelford w, empty, copy;

    vns_welford_init(&w);
    vns_welford_init(&empty);
    for (size_t i = 0; i < G_N_ELEMENTS(x); i++)
        vns_welford_add(&w, x[i]);
    copy = w;
    vns_welford_merge(&w, &empty);
    cr_assert_eq(memcmp(&w, &copy, sizeof(w)), 0);
    vns_welford_merge(&empty, &w);
    cr_assert_eq(memcmp(&empty, &w, sizeof(w)), 0);

    /* {1,2,3,4} twice: mean 2.5; squared deviations 2 * (2.25 + 0.25 +
     * 0.25 + 2.25) = 10 over 7 degrees of freedom. */
    vns_welford_merge(&w, &w);
    cr_assert_eq(vns_welford_count(&w), 8);
    cr_assert_float_eq(vns_welford_mean(&w), 2.5, 1e-15);
    cr_assert_float_eq(vns_welford_variance(&w), 10.0 / 7.0, 1e-14);
}

Test(welford, too_few_samples_give_nan)
{
    VnsWelford w;

    vns_welford_init(&w);
    cr_assert(isnan(vns_welford_mean(&w)));
    cr_assert(isnan(vns_welford_variance(&w)));
    cr_assert(isnan(vns_welford_min(&w)));
    cr_assert(isnan(vns_welford_max(&w)));
    vns_welford_add(&w, 3.5);
    cr_assert_eq(vns_welford_mean(&w), 3.5);
    cr_assert(isnan(vns_welford_variance(&w)));
    cr_assert(isnan(vns_welford_stddev(&w)));
}
