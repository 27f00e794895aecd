/* Running mean and variance (see welford.h).
 *
 * Welford (1962): after the n-th sample x,
 *     delta = x - mean;  mean += delta / n;  m2 += delta * (x - mean);
 * so m2 is the sum of squared deviations from the current mean, without the
 * cancellation of the textbook sum-of-squares formula.
 *
 * Chan, Golub and LeVeque (1979, "Updating formulae and a pairwise algorithm
 * for computing sample variances"): two accumulators (na, mean_a, m2_a) and
 * (nb, mean_b, m2_b) combine as
 *     n = na + nb,  delta = mean_b - mean_a,
 *     mean = mean_a + delta * nb / n,
 *     m2 = m2_a + m2_b + delta^2 * na * nb / n. */
#include <config.h>
#include "stats/welford.h"

#include <math.h>

/*
 * vns_welford_init:
 * Empties 'w'. Also used to reset it at the end of warm-up.
 */
void
vns_welford_init(VnsWelford *w)
{
    g_return_if_fail(w != NULL);
    w->n = 0;
    w->mean = 0.0;
    w->m2 = 0.0;
    w->min = INFINITY;
    w->max = -INFINITY;
}

/*
 * vns_welford_add:
 * Adds the sample 'x'.
 */
void
vns_welford_add(VnsWelford *w, double x)
{
    double delta;

    g_return_if_fail(w != NULL);
    w->n++;
    delta = x - w->mean;
    w->mean += delta / (double) w->n;
    w->m2 += delta * (x - w->mean);
    if (x < w->min)
        w->min = x;
    if (x > w->max)
        w->max = x;
}

/*
 * vns_welford_merge:
 * Adds all samples of 'src' to 'dst', as if they had been added to 'dst' one
 * by one (equal up to rounding). 'src' may be 'dst'.
 */
void
vns_welford_merge(VnsWelford *dst, const VnsWelford *src)
{
    VnsWelford b;
    double n, delta;

    g_return_if_fail(dst != NULL);
    g_return_if_fail(src != NULL);
    b = *src;
    if (b.n == 0)
        return;
    if (dst->n == 0) {
        *dst = b;
        return;
    }
    n = (double) dst->n + (double) b.n;
    delta = b.mean - dst->mean;
    dst->mean += delta * ((double) b.n / n);
    dst->m2 += b.m2 + delta * delta * ((double) dst->n * (double) b.n / n);
    dst->n += b.n;
    if (b.min < dst->min)
        dst->min = b.min;
    if (b.max > dst->max)
        dst->max = b.max;
}

/*
 * vns_welford_count:
 * Returns the number of samples added.
 */
uint64_t
vns_welford_count(const VnsWelford *w)
{
    g_return_val_if_fail(w != NULL, 0);
    return w->n;
}

/*
 * vns_welford_mean:
 * Returns the mean of the samples, or NaN when there are none.
 */
double
vns_welford_mean(const VnsWelford *w)
{
    g_return_val_if_fail(w != NULL, NAN);
    return w->n > 0 ? w->mean : NAN;
}

/*
 * vns_welford_variance:
 * Returns the sample variance, m2 / (n - 1) (Bessel's correction: unbiased
 * for independent samples), or NaN when there are fewer than two samples.
 */
double
vns_welford_variance(const VnsWelford *w)
{
    g_return_val_if_fail(w != NULL, NAN);
    return w->n > 1 ? w->m2 / (double) (w->n - 1) : NAN;
}

/*
 * vns_welford_stddev:
 * Returns the sample standard deviation, the square root of
 * vns_welford_variance(); NaN when there are fewer than two samples.
 */
double
vns_welford_stddev(const VnsWelford *w)
{
    return sqrt(vns_welford_variance(w));
}

/*
 * vns_welford_min:
 * Returns the smallest sample, or NaN when there are none.
 */
double
vns_welford_min(const VnsWelford *w)
{
    g_return_val_if_fail(w != NULL, NAN);
    return w->n > 0 ? w->min : NAN;
}

/*
 * vns_welford_max:
 * Returns the largest sample, or NaN when there are none.
 */
double
vns_welford_max(const VnsWelford *w)
{
    g_return_val_if_fail(w != NULL, NAN);
    return w->n > 0 ? w->max : NAN;
}
