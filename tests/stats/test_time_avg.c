/* Tests of the time-weighted average of a piecewise-constant signal. */
#include <config.h>
#include <math.h>
#include <criterion/criterion.h>
#include "stats/time_avg.h"

Test(time_avg, weights_values_by_duration)
{
    VnsTimeAvg avg;

    /* 0 for 1 s, then 4 for 3 s: (0 * 1 + 4 * 3) / 4 = 3. */
    vns_time_avg_init(&avg, 0, 0.0);
    vns_time_avg_update(&avg, 1 * VNS_SEC, 4.0);
    cr_assert_float_eq(vns_time_avg_mean(&avg, 4 * VNS_SEC), 3.0, 1e-12);
    cr_assert_eq(vns_time_avg_max(&avg), 4.0);
    cr_assert_eq(vns_time_avg_min(&avg), 0.0);
    cr_assert_eq(vns_time_avg_value(&avg), 4.0);
    /* Asked at 1 s, the window holds only the 0: mean 0. */
    cr_assert_float_eq(vns_time_avg_mean(&avg, 1 * VNS_SEC), 0.0, 1e-12);
}

Test(time_avg, reset_at_warm_up_forgets_the_past)
{
    VnsTimeAvg avg;

    /* Warm-up [0, 1 s): a transient at 10. The window restarts at 1 s with
     * the signal still at 10; it holds 10 until 2 s, then 2 until 3 s, then
     * 6 until 4 s: (10 + 2 + 6) / 3 = 6. */
    vns_time_avg_init(&avg, 0, 0.0);
    vns_time_avg_update(&avg, 500 * VNS_MS, 10.0);
    vns_time_avg_reset(&avg, 1 * VNS_SEC);
    cr_assert_eq(vns_time_avg_max(&avg), 10.0);
    cr_assert_eq(vns_time_avg_min(&avg), 10.0);
    vns_time_avg_update(&avg, 2 * VNS_SEC, 2.0);
    vns_time_avg_update(&avg, 3 * VNS_SEC, 6.0);
    cr_assert_float_eq(vns_time_avg_mean(&avg, 4 * VNS_SEC), 6.0, 1e-12);
    cr_assert_eq(vns_time_avg_max(&avg), 10.0);
    cr_assert_eq(vns_time_avg_min(&avg), 2.0);

    /* A reset while the signal is 6: the old maximum 10 is gone. Over
     * [4 s, 6 s] the signal is 6 then 0 for 1 s each: mean 3, max 6. */
    vns_time_avg_reset(&avg, 4 * VNS_SEC);
    vns_time_avg_update(&avg, 5 * VNS_SEC, 0.0);
    cr_assert_float_eq(vns_time_avg_mean(&avg, 6 * VNS_SEC), 3.0, 1e-12);
    cr_assert_eq(vns_time_avg_max(&avg), 6.0);
    cr_assert_eq(vns_time_avg_min(&avg), 0.0);
}

Test(time_avg, empty_window_has_no_mean)
{
    VnsTimeAvg avg;

    vns_time_avg_init(&avg, 7 * VNS_US, 5.0);
    cr_assert(isnan(vns_time_avg_mean(&avg, 7 * VNS_US)));
    vns_time_avg_reset(&avg, 9 * VNS_US);
    cr_assert(isnan(vns_time_avg_mean(&avg, 9 * VNS_US)));
    /* After the reset the signal is still 5: mean 5 over any window. */
    cr_assert_float_eq(vns_time_avg_mean(&avg, 10 * VNS_US), 5.0, 1e-12);
}

Test(time_avg, instant_spikes_count_for_max_not_mean)
{
    VnsTimeAvg avg;

    /* At 1 ns the queue jumps to 100 and drains to 1 at the same instant:
     * 100 is held for no time. Mean over [0, 2 ns]: (0 * 1 + 1 * 1) / 2. */
    vns_time_avg_init(&avg, 0, 0.0);
    vns_time_avg_update(&avg, 1 * VNS_NS, 100.0);
    vns_time_avg_update(&avg, 1 * VNS_NS, 1.0);
    cr_assert_float_eq(vns_time_avg_mean(&avg, 2 * VNS_NS), 0.5, 1e-12);
    cr_assert_eq(vns_time_avg_max(&avg), 100.0);
}

Test(time_avg, long_runs_stay_accurate)
{
    VnsTimeAvg avg;
    VnsTime t = 0;

    /* 10^7 alternations of 0.1 and 0.3 (neither exact in binary), each held
     * 1 ps: half the time at each, so the mean is 0.2. An uncompensated sum
     * of 10^7 terms could drift by up to about 10^7 * 2^-53 relative; the
     * compensated one stays within a few ulps, checked at 10^-13. */
    vns_time_avg_init(&avg, 0, 0.1);
    for (int i = 0; i < 10000000; i++) {
        t++;
        vns_time_avg_update(&avg, t, (i % 2 == 0) ? 0.3 : 0.1);
    }
    cr_assert(fabs(vns_time_avg_mean(&avg, t) - 0.2) <= 0.2 * 1e-13,
              "mean %.17g", vns_time_avg_mean(&avg, t));
}
