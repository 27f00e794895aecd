/* Benchmark of the longest-prefix-match table (src/net/lpm.c): insertion
 * time, memory and lookup rate for a table the size of the Internet's
 * IPv4 BGP table and for a large IPv6 one.
 *
 * Prefixes are random addresses (IPv6: in 2000::/3, the global unicast
 * space) cut to lengths drawn from approximately the shape of the public
 * BGP tables (bgp.potaroo.net; RIPE Labs, "Visibility of prefix lengths in
 * IPv4 and IPv6", 2019): IPv4 about 62 % /24, 12 % /22, 10 % /23, 14 %
 * /16-/21 and 0.4 % shorter, none longer than /24 (longer ones are filtered
 * in the default-free zone); IPv6 about 47 % /48, 14 % /32, 8 % /44, 7 %
 * /40, the rest spread from /20 to /64, mean length 42.7 (potaroo reports
 * 42.8-42.9 for the IPv6 FIB in 2024-2025). Real tables are clustered in
 * the allocated space, and random placement makes them sparser, so the
 * memory figure is pessimistic. Prefixes are inserted until the table
 * holds the wanted number of distinct ones.
 *
 * Lookups are independent, of addresses taken in turn from an array of
 * 2^20 drawn beforehand: IPv4 addresses uniformly from the whole space
 * (about 64 % match a prefix); IPv6 addresses inside randomly chosen
 * prefixes of the table, with random host bits (uniform addresses in
 * 2000::/3 would almost never match: 0.1 %).
 * Wall time is taken with g_get_monotonic_time() around the insertion and
 * lookup loops only; processor time is printed too, as it is steadier on a
 * shared machine. Seeds are fixed (gsl_rng_mt19937). Each family prints
 * one line of key=value fields. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <glib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "net/lpm.h"

/* Addresses drawn for the lookup loop. */
#define BENCH_ADDRS (1u << 20)

/* Shares in percent of each prefix length (see the top of the file). */
static const double bench_v4_share[33] = {
    [8] = 0.0016, [9] = 0.0013, [10] = 0.004, [11] = 0.012, [12] = 0.03,
    [13] = 0.06, [14] = 0.12, [15] = 0.2, [16] = 1.4, [17] = 0.8, [18] = 1.3,
    [19] = 2.5, [20] = 4.0, [21] = 4.5, [22] = 12.0, [23] = 10.0, [24] = 60.0,
};

static const double bench_v6_share[129] = {
    [20] = 0.05, [24] = 0.3, [28] = 0.8, [29] = 2.5, [30] = 0.3, [31] = 0.3,
    [32] = 14.0, [33] = 1.0, [34] = 1.0, [35] = 0.7, [36] = 3.5, [37] = 0.5,
    [38] = 0.8, [39] = 0.6, [40] = 6.5, [41] = 0.7, [42] = 1.8, [43] = 0.6,
    [44] = 8.0, [45] = 1.8, [46] = 3.5, [47] = 3.2, [48] = 46.0, [56] = 0.1,
    [64] = 0.2,
};

/* Processor time used by this process, in seconds. */
static double
bench_cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* A random IPv6 address in 2000::/3. */
static VnsIp6
bench_ip6(gsl_rng *rng)
{
    VnsIp6 a;

    for (int i = 0; i < 16; i += 4) {
        uint32_t w = (uint32_t) gsl_rng_get(rng);
        a.b[i] = (uint8_t) (w >> 24);
        a.b[i + 1] = (uint8_t) (w >> 16);
        a.b[i + 2] = (uint8_t) (w >> 8);
        a.b[i + 3] = (uint8_t) w;
    }
    a.b[0] = (uint8_t) (0x20 | (a.b[0] & 0x1f));
    return a;
}

/* A random address inside 'prefix' (IPv6). */
static VnsIp6
bench_ip6_inside(gsl_rng *rng, const VnsIpPrefix *prefix)
{
    VnsIp6 a = bench_ip6(rng);

    for (unsigned i = 0; i < 16; i++) {
        unsigned keep = prefix->len >= 8 * (i + 1) ? 8
                      : prefix->len > 8 * i ? prefix->len - 8 * i : 0;
        uint8_t mask = (uint8_t) (0xFF00u >> keep);
        a.b[i] = (uint8_t) ((prefix->addr.v6.b[i] & mask) | (a.b[i] & ~mask));
    }
    return a;
}

/* Draws 'n' prefixes of 'family' into 'out'. */
static void
bench_draw_prefixes(gsl_rng *rng, gsl_ran_discrete_t *dist, VnsIpFamily family,
                    VnsIpPrefix *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].len = (uint8_t) gsl_ran_discrete(rng, dist);
        if (family == VNS_IP_V4) {
            out[i].addr = vns_ip_addr_v4((uint32_t) gsl_rng_get(rng));
        } else {
            VnsIp6 a = bench_ip6(rng);
            out[i].addr = vns_ip_addr_v6(&a);
        }
    }
}

/* Fills a table of 'family' with 'n_prefixes' distinct prefixes, looks up
 * 'n_lookups' addresses and prints the line. Returns false if the table
 * did not reach the wanted size. */
static bool
bench_run(VnsIpFamily family, size_t n_prefixes, uint64_t n_lookups,
          unsigned long seed)
{
    unsigned bits = family == VNS_IP_V4 ? 32 : 128;
    g_autoptr(VnsLpm) lpm = vns_lpm_new(family);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_ran_discrete_t *dist = gsl_ran_discrete_preproc(
        bits + 1, family == VNS_IP_V4 ? bench_v4_share : bench_v6_share);
    size_t batch = n_prefixes + n_prefixes / 50 + 16;
    VnsIpPrefix *prefixes = g_new(VnsIpPrefix, batch);
    size_t drawn = 0;
    uint32_t *v4 = NULL;
    VnsIp6 *v6 = NULL;
    uint64_t matched = 0, sum = 0;
    double insert_s = 0, lookup_s, lookup_cpu_s;
    VnsLpmStats st;
    gint64 t0;

    gsl_rng_set(rng, seed);
    while (vns_lpm_count(lpm) < n_prefixes) {
        bench_draw_prefixes(rng, dist, family, prefixes, batch);
        t0 = g_get_monotonic_time();
        for (drawn = 0; drawn < batch && vns_lpm_count(lpm) < n_prefixes; drawn++)
            vns_lpm_insert(lpm, &prefixes[drawn], (uint32_t) (drawn & 0xFFFFF));
        insert_s += (double) (g_get_monotonic_time() - t0) / 1e6;
    }

    if (family == VNS_IP_V4) {
        v4 = g_new(uint32_t, BENCH_ADDRS);
        for (size_t i = 0; i < BENCH_ADDRS; i++)
            v4[i] = (uint32_t) gsl_rng_get(rng);
    } else {
        v6 = g_new(VnsIp6, BENCH_ADDRS);
        for (size_t i = 0; i < BENCH_ADDRS; i++)
            v6[i] = bench_ip6_inside(rng, &prefixes[gsl_rng_uniform_int(rng, drawn)]);
    }
    lookup_cpu_s = bench_cpu_s();
    t0 = g_get_monotonic_time();
    if (family == VNS_IP_V4) {
        for (uint64_t i = 0; i < n_lookups; i++) {
            uint32_t v = 0;
            matched += vns_lpm_lookup_v4(lpm, v4[i & (BENCH_ADDRS - 1)], &v);
            sum += v;
        }
    } else {
        for (uint64_t i = 0; i < n_lookups; i++) {
            uint32_t v = 0;
            matched += vns_lpm_lookup_v6(lpm, &v6[i & (BENCH_ADDRS - 1)], &v);
            sum += v;
        }
    }
    lookup_s = (double) (g_get_monotonic_time() - t0) / 1e6;
    lookup_cpu_s = bench_cpu_s() - lookup_cpu_s;

    vns_lpm_stats(lpm, &st);
    printf("bench=lpm family=%s prefixes=%zu lookups=%" PRIu64 " lookups_per_s=%.0f "
           "bytes=%zu insert_s=%.3f bytes_per_prefix=%.1f nodes=%zu leaves=%zu "
           "matched=%.3f lookups_per_cpu_s=%.0f checksum=%" PRIu64 "\n",
           family == VNS_IP_V4 ? "ipv4" : "ipv6", st.prefixes, n_lookups,
           lookup_s > 0 ? (double) n_lookups / lookup_s : 0.0, st.bytes, insert_s,
           (double) st.bytes / (double) st.prefixes, st.nodes, st.leaves,
           n_lookups > 0 ? (double) matched / (double) n_lookups : 0.0,
           lookup_cpu_s > 0 ? (double) n_lookups / lookup_cpu_s : 0.0, sum);
    fflush(stdout);

    g_free(v4);
    g_free(v6);
    g_free(prefixes);
    gsl_ran_discrete_free(dist);
    gsl_rng_free(rng);
    return st.prefixes == n_prefixes;
}

int
main(int argc, char **argv)
{
    g_autoptr(GOptionContext) octx = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *family = NULL;
    gint64 v4_prefixes = 1000000, v6_prefixes = 100000, lookups = 10000000, seed = 1;
    GOptionEntry entries[] = {
        { "family", 'f', 0, G_OPTION_ARG_STRING, &family,
          "Measure only ipv4 or ipv6 (default: both)", "FAMILY" },
        { "ipv4-prefixes", 0, 0, G_OPTION_ARG_INT64, &v4_prefixes,
          "Distinct IPv4 prefixes (default 1000000)", "N" },
        { "ipv6-prefixes", 0, 0, G_OPTION_ARG_INT64, &v6_prefixes,
          "Distinct IPv6 prefixes (default 100000)", "N" },
        { "lookups", 'n', 0, G_OPTION_ARG_INT64, &lookups,
          "Lookups per family (default 10000000)", "N" },
        { "seed", 's', 0, G_OPTION_ARG_INT64, &seed,
          "Seed of the prefixes and addresses (default 1)", "SEED" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    bool ok = true;

    octx = g_option_context_new("- benchmark of the longest-prefix-match table");
    g_option_context_set_summary(octx,
        "Inserts random prefixes with BGP-like lengths (1e6 IPv4, 1e5 IPv6 by\n"
        "default), then looks up random addresses. Prints one key=value line\n"
        "per family: prefixes, lookups, lookups_per_s, bytes, insert_s, ...");
    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &error)) {
        fprintf(stderr, "lpm: %s (try --help)\n", error->message);
        return 2;
    }
    if (family != NULL && strcmp(family, "ipv4") != 0 && strcmp(family, "ipv6") != 0) {
        fprintf(stderr, "lpm: --family must be ipv4 or ipv6, got '%s'\n", family);
        return 2;
    }
    if (v4_prefixes <= 0 || v6_prefixes <= 0 || lookups < 0 ||
        v4_prefixes > 10000000 || v6_prefixes > 10000000) {
        fprintf(stderr, "lpm: prefix counts must be 1 to 1e7 and lookups "
                "not negative\n");
        return 2;
    }
    if (family == NULL || strcmp(family, "ipv4") == 0)
        ok = bench_run(VNS_IP_V4, (size_t) v4_prefixes, (uint64_t) lookups,
                       (unsigned long) seed) && ok;
    if (family == NULL || strcmp(family, "ipv6") == 0)
        ok = bench_run(VNS_IP_V6, (size_t) v6_prefixes, (uint64_t) lookups,
                       (unsigned long) seed) && ok;
    if (!ok) {
        fprintf(stderr, "lpm: a table did not reach the wanted size\n");
        return 1;
    }
    return 0;
}
