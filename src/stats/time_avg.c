/* The time-weighted average of a piecewise-constant signal (see time_avg.h).
 *
 * The integral is a sum of value x duration terms, one per update. A long run
 * adds billions of them, so the sum is compensated (Neumaier's variant of
 * Kahan summation): the rounding error of each addition is kept apart and
 * added back when the mean is read. */
#include <config.h>
#include "stats/time_avg.h"

#include <math.h>

/* Adds the area of the value held over [last_ps, now_ps] to the integral. */
static void
time_avg_accumulate(VnsTimeAvg *avg, VnsTime now_ps)
{
    double term = avg->value * (double) (now_ps - avg->last_ps);
    double sum = avg->area + term;

    if (fabs(avg->area) >= fabs(term))
        avg->area_comp += (avg->area - sum) + term;
    else
        avg->area_comp += (term - sum) + avg->area;
    avg->area = sum;
    avg->last_ps = now_ps;
}

/*
 * vns_time_avg_init:
 * Starts a window at 'now_ps' with the signal at 'value'.
 */
void
vns_time_avg_init(VnsTimeAvg *avg, VnsTime now_ps, double value)
{
    g_return_if_fail(avg != NULL);
    avg->start_ps = now_ps;
    avg->last_ps = now_ps;
    avg->value = value;
    avg->area = 0.0;
    avg->area_comp = 0.0;
    avg->min = value;
    avg->max = value;
}

/*
 * vns_time_avg_update:
 * Records that the signal changes to 'value' at 'now_ps'. Time must not go
 * backwards. Several updates at one instant are allowed: the values between
 * them are held for no time and add nothing to the mean, but do count for
 * the minimum and maximum (a queue that filled and drained at one instant
 * did reach that length).
 */
void
vns_time_avg_update(VnsTimeAvg *avg, VnsTime now_ps, double value)
{
    g_return_if_fail(avg != NULL);
    g_return_if_fail(now_ps >= avg->last_ps);
    time_avg_accumulate(avg, now_ps);
    avg->value = value;
    if (value < avg->min)
        avg->min = value;
    if (value > avg->max)
        avg->max = value;
}

/*
 * vns_time_avg_reset:
 * Starts a new window at 'now_ps', forgetting the past but keeping the
 * current value (which becomes the window's minimum and maximum). Call it at
 * the end of warm-up. Time must not go backwards.
 */
void
vns_time_avg_reset(VnsTimeAvg *avg, VnsTime now_ps)
{
    g_return_if_fail(avg != NULL);
    g_return_if_fail(now_ps >= avg->last_ps);
    vns_time_avg_init(avg, now_ps, avg->value);
}

/*
 * vns_time_avg_mean:
 * Returns the time-weighted mean of the signal over [start, 'now_ps'], where
 * start is the last init or reset: the integral of the signal divided by
 * (now_ps - start). 'now_ps' must not precede the last update. A window of
 * length zero has no mean: the result is then NaN.
 */
double
vns_time_avg_mean(const VnsTimeAvg *avg, VnsTime now_ps)
{
    double area;

    g_return_val_if_fail(avg != NULL, NAN);
    g_return_val_if_fail(now_ps >= avg->last_ps, NAN);
    if (now_ps == avg->start_ps)
        return NAN;
    area = avg->area + avg->value * (double) (now_ps - avg->last_ps);
    return (area + avg->area_comp) / (double) (now_ps - avg->start_ps);
}

/*
 * vns_time_avg_value:
 * Returns the current value of the signal (handy for +1/-1 updates).
 */
double
vns_time_avg_value(const VnsTimeAvg *avg)
{
    g_return_val_if_fail(avg != NULL, NAN);
    return avg->value;
}

/*
 * vns_time_avg_min:
 * Returns the smallest value the signal took within the window, including
 * the value it had when the window started.
 */
double
vns_time_avg_min(const VnsTimeAvg *avg)
{
    g_return_val_if_fail(avg != NULL, NAN);
    return avg->min;
}

/*
 * vns_time_avg_max:
 * Returns the largest value the signal took within the window, including
 * the value it had when the window started.
 */
double
vns_time_avg_max(const VnsTimeAvg *avg)
{
    g_return_val_if_fail(avg != NULL, NAN);
    return avg->max;
}
