/* Running mean, variance, minimum and maximum of a stream of samples, in one
 * pass and constant space (Welford's algorithm), with the merge of two
 * accumulators (the pairwise formula of Chan, Golub and LeVeque).
 *
 * VnsWelford is a plain struct that callers embed; read it through the
 * functions below, not its members. */
#ifndef VNS_WELFORD_H
#define VNS_WELFORD_H

#include <stdint.h>
#include <glib.h>

typedef struct {
    uint64_t n;     /* samples added */
    double mean;    /* mean of the samples; 0 when n == 0 */
    double m2;      /* sum of squared deviations from 'mean' */
    double min;     /* smallest sample; +inf when n == 0 */
    double max;     /* largest sample; -inf when n == 0 */
} VnsWelford;

void vns_welford_init(VnsWelford *w);
void vns_welford_add(VnsWelford *w, double x);
void vns_welford_merge(VnsWelford *dst, const VnsWelford *src);
uint64_t vns_welford_count(const VnsWelford *w);
double vns_welford_mean(const VnsWelford *w);
double vns_welford_variance(const VnsWelford *w);
double vns_welford_stddev(const VnsWelford *w);
double vns_welford_min(const VnsWelford *w);
double vns_welford_max(const VnsWelford *w);

#endif
