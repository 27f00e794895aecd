/* Tests of packet and byte counters: counting, merging, resetting, rates. */
#include <config.h>
#include <math.h>
#include <criterion/criterion.h>
#include "stats/counter.h"

Test(counter, counts_packets_and_bytes)
{
    VnsCounter c;

    vns_counter_init(&c);
    vns_counter_add(&c, 1500);
    vns_counter_add(&c, 64);
    vns_counter_add_n(&c, 10, 10 * 100);
    /* 1 + 1 + 10 packets; 1500 + 64 + 1000 bytes. */
    cr_assert_eq(c.packets, 12);
    cr_assert_eq(c.bytes, 2564);
}

Test(counter, merge_adds_and_reset_clears)
{
    VnsCounter a, b;

    vns_counter_init(&a);
    vns_counter_init(&b);
    vns_counter_add(&a, 100);
    vns_counter_add(&b, 200);
    vns_counter_add(&b, 300);
    vns_counter_merge(&a, &b);
    cr_assert_eq(a.packets, 3);
    cr_assert_eq(a.bytes, 600);
    vns_counter_reset(&a);
    cr_assert_eq(a.packets, 0);
    cr_assert_eq(a.bytes, 0);
}

Test(counter, rate_over_interval)
{
    VnsCounter c;
    double bps, pps;

    vns_counter_init(&c);
    vns_counter_add_n(&c, 1000, 1000 * 1250);
    /* 1 250 000 bytes = 10^7 bits in 1 ms: 10^10 bit/s; 1000 packets in
     * 1 ms: 10^6 packets/s. The tolerance allows the rounding of 10^-3 s. */
    bps = vns_counter_rate_bps(&c, VNS_MS);
    pps = vns_counter_rate_pps(&c, VNS_MS);
    cr_assert(fabs(bps - 1e10) <= 1e10 * 1e-12, "bps %.17g", bps);
    cr_assert(fabs(pps - 1e6) <= 1e6 * 1e-12, "pps %.17g", pps);
}

Test(counter, rate_over_empty_interval_is_nan)
{
    VnsCounter c;

    vns_counter_init(&c);
    vns_counter_add(&c, 100);
    cr_assert(isnan(vns_counter_rate_bps(&c, 0)));
    cr_assert(isnan(vns_counter_rate_pps(&c, 0)));
}
