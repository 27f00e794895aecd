/* Tests of duration and rate parsing and serialization delay. */
#include <config.h>
#include <criterion/criterion.h>
#include "sim/time.h"

static VnsTime
parse_ok(const char *s)
{
    VnsTime t = -1;
    GError *err = NULL;
    cr_assert(vns_time_parse(s, &t, &err), "'%s': %s", s, err ? err->message : "");
    return t;
}

Test(time, parses_each_unit_exactly)
{
    cr_assert_eq(parse_ok("250ns"), 250 * VNS_NS);
    cr_assert_eq(parse_ok("10us"), 10 * VNS_US);
    cr_assert_eq(parse_ok("1.5ms"), 1500 * VNS_US);
    cr_assert_eq(parse_ok("2s"), 2 * VNS_SEC);
    cr_assert_eq(parse_ok("1h"), 3600 * VNS_SEC);
    cr_assert_eq(parse_ok("2min"), 120 * VNS_SEC);
    cr_assert_eq(parse_ok("7ps"), 7);
    /* 1.1 is not exact in binary floating point; the parser must be. */
    cr_assert_eq(parse_ok("1.1ms"), 1100000000);
    cr_assert_eq(parse_ok("1e-3s"), VNS_MS);
    cr_assert_eq(parse_ok("0.000001us"), 1);
    /* The largest representable time, 2^63 - 1 ps. */
    cr_assert_eq(parse_ok("9223372036854775807ps"), INT64_MAX);
}

static void
parse_bad(const char *s, int code)
{
    VnsTime t;
    GError *err = NULL;
    cr_assert_not(vns_time_parse(s, &t, &err), "'%s' accepted", s);
    cr_assert_not_null(err);
    cr_assert_eq(err->domain, VNS_SIM_ERROR);
    cr_assert_eq(err->code, code, "'%s': code %d: %s", s, err->code, err->message);
    cr_assert(strstr(err->message, "expected") != NULL, "%s", err->message);
    g_error_free(err);
}

Test(time, refuses_bad_durations)
{
    parse_bad("", VNS_SIM_ERROR_SYNTAX);
    parse_bad("ms", VNS_SIM_ERROR_SYNTAX);
    parse_bad("10", VNS_SIM_ERROR_UNIT);
    parse_bad("10 parsecs", VNS_SIM_ERROR_UNIT);
    parse_bad("1.5xs", VNS_SIM_ERROR_UNIT);
    parse_bad("-1s", VNS_SIM_ERROR_RANGE);
    parse_bad("0.5ps", VNS_SIM_ERROR_RANGE);
    /* 2^63 - 1 ps = 9223372036854775807 ps = 2562.047 h: 2563 h is out. */
    parse_bad("2563h", VNS_SIM_ERROR_RANGE);
    parse_bad("9223372036854775808ps", VNS_SIM_ERROR_RANGE);
    parse_bad("99999999999999999999999s", VNS_SIM_ERROR_RANGE);
    parse_bad("1e400s", VNS_SIM_ERROR_RANGE);
}

Test(rate, parses_units)
{
    uint64_t r = 0;
    cr_assert(vns_rate_parse("10Gbps", &r, NULL));
    cr_assert_eq(r, 10000000000ULL);
    cr_assert(vns_rate_parse("400Mbps", &r, NULL));
    cr_assert_eq(r, 400000000ULL);
    cr_assert(vns_rate_parse("1.5Gbit/s", &r, NULL));
    cr_assert_eq(r, 1500000000ULL);
    cr_assert(vns_rate_parse("100kbps", &r, NULL));
    cr_assert_eq(r, 100000ULL);
    cr_assert(vns_rate_parse("1Tbps", &r, NULL));
    cr_assert_eq(r, 1000000000000ULL);
}

Test(rate, refuses_bad_rates)
{
    uint64_t r;
    GError *err = NULL;
    const char *bad[] = { "10", "10GB", "fast", "-1Gbps", "0.5bps",
                          "99999999999Tbps" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        cr_assert_not(vns_rate_parse(bad[i], &r, &err), "'%s' accepted", bad[i]);
        cr_assert_eq(err->domain, VNS_SIM_ERROR);
        g_clear_error(&err);
    }
}

Test(time, serialization_is_exact_and_rounds_up)
{
    /* 64 bytes at 400 Gbit/s: 512 bits / 4e11 bit/s = 1.28 ns (DESIGN.md). */
    cr_assert_eq(vns_time_tx(64, 400000000000ULL), 1280);
    /* 1538 wire bytes at 1 Gbit/s: 12304 ns exactly. */
    cr_assert_eq(vns_time_tx(1538, 1000000000ULL), 12304 * VNS_NS);
    /* 1 byte at 3 bit/s = 8/3 s = 2.666...e12 ps, rounded up. */
    cr_assert_eq(vns_time_tx(1, 3), 2666666666667);
    cr_assert_eq(vns_time_tx(0, 1000), 0);
}

Test(time, formats_readably)
{
    g_autofree char *a = vns_time_format(1500 * VNS_US);
    g_autofree char *b = vns_time_format(2 * VNS_SEC);
    g_autofree char *c = vns_time_format(7);
    cr_assert_str_eq(a, "1.500ms");
    cr_assert_str_eq(b, "2s");
    cr_assert_str_eq(c, "7ps");
    /* Past 2^53 ps a double would lose the last digits (found by the
     * fuzzer: 9726408244072128 ps printed as ...072.129ns). */
    g_autofree char *d = vns_time_format(9726408244072128);
    g_autofree char *e = vns_time_format(INT64_MAX);
    cr_assert_str_eq(d, "9726408244072.128ns");
    cr_assert_str_eq(e, "9223372036854775.807ns");
}
