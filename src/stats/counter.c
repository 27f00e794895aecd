/* Packet and byte counters: rates over a measurement interval. The counting
 * itself is inline in counter.h. */
#include <config.h>
#include "stats/counter.h"

#include <math.h>

/*
 * vns_counter_rate_bps:
 * Returns the bit rate of the counted bytes over 'interval_ps' picoseconds,
 * in bits per second: bytes * 8 / interval. 'interval_ps' must not be
 * negative; an empty interval (0) gives NaN.
 */
double
vns_counter_rate_bps(const VnsCounter *counter, VnsTime interval_ps)
{
    g_return_val_if_fail(counter != NULL, NAN);
    g_return_val_if_fail(interval_ps >= 0, NAN);
    if (interval_ps == 0)
        return NAN;
    return (double) counter->bytes * 8.0 / vns_time_to_s(interval_ps);
}

/*
 * vns_counter_rate_pps:
 * Returns the packet rate over 'interval_ps' picoseconds, in packets per
 * second. 'interval_ps' must not be negative; an empty interval (0) gives
 * NaN.
 */
double
vns_counter_rate_pps(const VnsCounter *counter, VnsTime interval_ps)
{
    g_return_val_if_fail(counter != NULL, NAN);
    g_return_val_if_fail(interval_ps >= 0, NAN);
    if (interval_ps == 0)
        return NAN;
    return (double) counter->packets / vns_time_to_s(interval_ps);
}
