/* Parsing and arithmetic of simulated time and rates. Parsing is exact:
 * decimal strings are read as integers with a decimal exponent, never through
 * floating point, so "1.1ms" is exactly 1 100 000 000 ps. */
#include <config.h>
#include "sim/time.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK(vns-sim-error-quark, vns_sim_error)

/* A decimal number: value = mant * 10^exp10. */
typedef struct {
    uint64_t mant;
    int exp10;
    bool overflow;      /* more significant digits than 64 bits hold */
} Decimal;

typedef struct {
    const char *name;
    uint64_t scale;     /* picoseconds or bits per second per unit */
} Unit;

static const Unit time_units[] = {
    { "ps", 1 }, { "ns", 1000 }, { "us", 1000000 }, { "µs", 1000000 },
    { "ms", 1000000000ULL }, { "s", 1000000000000ULL },
    { "min", 60000000000000ULL }, { "h", 3600000000000000ULL },
};

static const Unit rate_units[] = {
    { "bps", 1 }, { "bit/s", 1 },
    { "kbps", 1000 }, { "kbit/s", 1000 }, { "Kbps", 1000 },
    { "Mbps", 1000000 }, { "Mbit/s", 1000000 },
    { "Gbps", 1000000000ULL }, { "Gbit/s", 1000000000ULL },
    { "Tbps", 1000000000000ULL }, { "Tbit/s", 1000000000000ULL },
};

/* Reads [digits][.digits][e[+-]digits] from 'text'; returns the rest, or NULL
 * on a syntax error. More significant digits than 64 bits hold set
 * 'overflow' (reported as out of range). */
static const char *
time_parse_decimal(const char *text, Decimal *d)
{
    const char *p = text;
    bool any = false;

    d->mant = 0;
    d->exp10 = 0;
    d->overflow = false;
    while (g_ascii_isdigit(*p)) {
        if (d->mant > (UINT64_MAX - 9) / 10)
            d->overflow = true;
        else
            d->mant = d->mant * 10 + (uint64_t) (*p - '0');
        p++;
        any = true;
    }
    if (*p == '.') {
        p++;
        while (g_ascii_isdigit(*p)) {
            if (d->mant > (UINT64_MAX - 9) / 10)
                d->overflow = true;
            else
                d->mant = d->mant * 10 + (uint64_t) (*p - '0');
            d->exp10--;
            p++;
            any = true;
        }
    }
    if (!any)
        return NULL;
    if ((*p == 'e' || *p == 'E') && (g_ascii_isdigit(p[1]) ||
        ((p[1] == '-' || p[1] == '+') && g_ascii_isdigit(p[2])))) {
        int sign = 1, e = 0;
        p++;
        if (*p == '-' || *p == '+')
            sign = (*p++ == '-') ? -1 : 1;
        while (g_ascii_isdigit(*p)) {
            if (e > 1000)
                return NULL;
            e = e * 10 + (*p++ - '0');
        }
        d->exp10 += sign * e;
    }
    return p;
}

/* Computes d * scale as an integer; false when it overflows 'limit' or is
 * not a whole number of base units. */
static bool
time_scale_exact(const Decimal *d, uint64_t scale, uint64_t limit,
                 uint64_t *out)
{
    unsigned __int128 v = (unsigned __int128) d->mant * scale;
    int e = d->exp10;

    for (; e > 0; e--) {
        v *= 10;
        if (v > limit)
            return false;
    }
    for (; e < 0; e++) {
        if (v % 10 != 0)
            return false;
        v /= 10;
    }
    if (v > limit)
        return false;
    *out = (uint64_t) v;
    return true;
}

static bool
time_parse_quantity(const char *text, const Unit *units, size_t n_units,
                    uint64_t limit, const char *what, const char *examples,
                    uint64_t *out, GError **error)
{
    Decimal d;
    const char *rest;

    g_return_val_if_fail(text != NULL, false);
    while (g_ascii_isspace(*text))
        text++;
    if (*text == '-') {
        g_set_error(error, VNS_SIM_ERROR, VNS_SIM_ERROR_RANGE,
                    "%s '%s' is negative, expected a positive %s such as %s",
                    what, text, what, examples);
        return false;
    }
    rest = time_parse_decimal(text, &d);
    if (rest == NULL) {
        g_set_error(error, VNS_SIM_ERROR, VNS_SIM_ERROR_SYNTAX,
                    "bad %s '%s': expected a number and a unit, such as %s",
                    what, text, examples);
        return false;
    }
    while (g_ascii_isspace(*rest))
        rest++;
    for (size_t i = 0; i < n_units; i++) {
        if (strcmp(rest, units[i].name) != 0)
            continue;
        if (d.overflow || !time_scale_exact(&d, units[i].scale, limit, out)) {
            Decimal whole = d;
            uint64_t probe;

            whole.exp10 = MAX(d.exp10, 0);
            if (d.overflow || !time_scale_exact(&whole, units[i].scale, limit, &probe))
                g_set_error(error, VNS_SIM_ERROR, VNS_SIM_ERROR_RANGE,
                            "%s '%s' is out of range, expected at most %"
                            G_GUINT64_FORMAT " %s", what, text, limit,
                            units[0].name);
            else
                g_set_error(error, VNS_SIM_ERROR, VNS_SIM_ERROR_RANGE,
                            "%s '%s' is finer than 1 %s, expected a whole "
                            "number of %s", what, text, units[0].name,
                            units[0].name);
            return false;
        }
        return true;
    }
    g_set_error(error, VNS_SIM_ERROR, VNS_SIM_ERROR_UNIT,
                *rest ? "%s '%s' has unknown unit '%s', expected one such as %s"
                      : "%s '%s' has no unit%s, expected one such as %s",
                what, text, rest, examples);
    return false;
}

/*
 * vns_time_parse:
 * Reads a duration such as "250ns", "10us", "1.5ms", "2s", "1h" (units ps,
 * ns, us, ms, s, min, h; an exponent as in "1e-3s" is allowed). The result is
 * exact; a duration finer than 1 ps, negative, or beyond VNS_TIME_MAX is a
 * VNS_SIM_ERROR. Zero is accepted: callers that need a positive duration
 * check it themselves.
 */
bool
vns_time_parse(const char *text, VnsTime *out, GError **error)
{
    uint64_t v;

    if (!time_parse_quantity(text, time_units, G_N_ELEMENTS(time_units),
                             (uint64_t) VNS_TIME_MAX, "duration",
                             "'250ns', '10us', '1.5ms' or '2s'", &v, error))
        return false;
    *out = (VnsTime) v;
    return true;
}

/*
 * vns_rate_parse:
 * Reads a rate in bits per second such as "10Gbps", "400Mbps", "1.5Gbit/s"
 * or "100kbps" (decimal prefixes: k = 1e3, M = 1e6, G = 1e9, T = 1e12). The
 * result is a whole number of bit/s; a fraction of 1 bit/s is an error.
 */
bool
vns_rate_parse(const char *text, uint64_t *out_bps, GError **error)
{
    return time_parse_quantity(text, rate_units, G_N_ELEMENTS(rate_units),
                               UINT64_MAX, "rate",
                               "'10Gbps', '400Mbps' or '1.5Gbit/s'", out_bps,
                               error);
}

/*
 * vns_time_tx:
 * Serialization time of 'bytes' at 'rate_bps', rounded up to the next whole
 * picosecond: a frame has left only once its last bit has, and rounding up
 * keeps a link from ever exceeding its rate. Exact for every 64-bit input
 * that fits the time range (128-bit intermediate).
 */
VnsTime
vns_time_tx(uint64_t bytes, uint64_t rate_bps)
{
    g_assert(rate_bps > 0);
    unsigned __int128 bits_ps = (unsigned __int128) bytes * 8u * (uint64_t) VNS_SEC;
    unsigned __int128 t = (bits_ps + rate_bps - 1) / rate_bps;
    g_assert(t <= (unsigned __int128) VNS_TIME_MAX);
    return (VnsTime) t;
}

double
vns_time_to_s(VnsTime t)
{
    return (double) t / (double) VNS_SEC;
}

VnsTime
vns_time_from_s(double s)
{
    return (VnsTime) llround(s * (double) VNS_SEC);
}

/*
 * vns_time_format:
 * Formats 't' with the largest unit that keeps it exact ("1.5ms", "250ns").
 * Returns a newly allocated string.
 */
char *
vns_time_format(VnsTime t)
{
    static const struct { const char *name; VnsTime scale; } u[] = {
        { "s", VNS_SEC }, { "ms", VNS_MS }, { "us", VNS_US }, { "ns", VNS_NS },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(u); i++) {
        if (t % u[i].scale == 0)
            return g_strdup_printf("%" G_GINT64_FORMAT "%s", t / u[i].scale,
                                   u[i].name);
        /* Integer arithmetic: a double loses the last digits past
         * 2^53 ps (about 2.5 hours). */
        if (t % (u[i].scale / 1000) == 0 && t >= u[i].scale)
            return g_strdup_printf("%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT "%s",
                                   t / u[i].scale,
                                   t % u[i].scale / (u[i].scale / 1000),
                                   u[i].name);
    }
    return g_strdup_printf("%" G_GINT64_FORMAT "ps", t);
}
