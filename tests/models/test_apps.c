/* Tests of the traffic applications (models/apps): payload size and period
 * distributions against their closed forms, the UDP source's patterns and
 * random streams on a bare capture element, the <udp-flow> builder's input
 * checks, and end-to-end flows through hosts, routers and links whose
 * latency, loss and goodput have closed forms.
 *
 * Statistical checks use fixed seeds and a tolerance of 5 standard errors
 * from the central limit theorem (a false failure has probability below
 * 6e-7 for a fresh seed), with the standard deviation taken from the
 * distribution's own closed form. */
#include <config.h>
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <gsl/gsl_rng.h>
#include "exp/experiment.h"
#include "models/apps/dist.h"
#include "models/apps/udp_sink.h"
#include "models/apps/udp_source.h"
#include "models/apps/udp_flow.h"
#include "models/models.h"
#include "net/checksum.h"
#include "net/element.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/udp.h"
#include "topo/loader.h"
#include "tests/models/models_test.h"

/* Standard errors allowed by the statistical checks. */
#define APPS_Z 5.0

/* ---- distributions ---- */

typedef struct {
    double mean;
    double var;
    double min;
    double max;
} Sample;

static Sample
apps_sample(const VnsDist *d, size_t n, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double s = 0, s2 = 0;
    Sample out = { 0, 0, INFINITY, -INFINITY };

    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < n; i++) {
        double x = vns_dist_sample(d, rng);
        s += x;
        s2 += x * x;
        out.min = MIN(out.min, x);
        out.max = MAX(out.max, x);
    }
    gsl_rng_free(rng);
    out.mean = s / (double) n;
    out.var = (s2 - s * s / (double) n) / (double) (n - 1);
    return out;
}

/* Checks |sample mean - mean| <= APPS_Z sigma / sqrt(n). */
static void
apps_check_mean(const Sample *s, double mean, double sigma, size_t n,
                const char *what)
{
    double tol = APPS_Z * sigma / sqrt((double) n);
    cr_assert(fabs(s->mean - mean) <= tol,
              "%s: sample mean %.6f, closed form %.6f, tolerance %.6f", what,
              s->mean, mean, tol);
}

Test(apps, uniform_sizes_match_closed_form)
{
    /* Uniform integers on {64..1472}: mean (a+b)/2 = 768, variance
     * ((b-a+1)^2 - 1)/12 (the discrete uniform). */
    g_autoptr(VnsDist) d = vns_dist_new(VNS_DIST_UNIFORM_INT, 64, 1472);
    const size_t n = 200000;
    double n_vals = 1472 - 64 + 1, var = (n_vals * n_vals - 1) / 12;
    Sample s = apps_sample(d, n, 11);

    cr_assert_float_eq(vns_dist_mean(d), 768.0, 1e-12);
    cr_assert_float_eq(vns_dist_variance(d), var, 1e-9);
    apps_check_mean(&s, 768.0, sqrt(var), n, "uniform");
    cr_assert_eq(s.min, 64.0);
    cr_assert_eq(s.max, 1472.0);
}

Test(apps, exponential_sizes_match_truncated_geometric)
{
    /* ceil(Exp(mean mu)) given <= M is geometric with q = exp(-1/mu),
     * truncated to {1..M}: E[K] = 1/(1-q) - M q^M / (1-q^M) (the geometric
     * mean minus the truncated tail). mu = 500, M = 1472: 418.6 bytes. */
    const double mu = 500, m = 1472;
    const size_t n = 200000;
    double q = exp(-1 / mu);
    double mean = 1 / (1 - q) - m * pow(q, m) / (1 - pow(q, m));
    g_autoptr(VnsDist) d = vns_dist_new(VNS_DIST_EXP_INT, mu, m);
    Sample s = apps_sample(d, n, 12);

    cr_assert_float_eq(vns_dist_mean(d), mean, 1e-9 * mean);
    cr_assert(mean > 418 && mean < 419, "closed form %.4f", mean);
    apps_check_mean(&s, mean, sqrt(vns_dist_variance(d)), n, "exponential");
    cr_assert_eq(s.min, 1.0);
    cr_assert(s.max <= m);

    /* Untruncated (M = 65507): the geometric mean 1/(1-q) = 500.4998. */
    g_autoptr(VnsDist) full = vns_dist_new(VNS_DIST_EXP_INT, mu, 65507);
    cr_assert_float_eq(vns_dist_mean(full), 1 / (1 - q), 1e-6);
}

Test(apps, empirical_sizes_match_weights)
{
    /* 64:0.5,576:0.1,1500:0.4: mean 0.5*64 + 0.1*576 + 0.4*1500 = 689.6;
     * E[X^2] = 0.5*4096 + 0.1*331776 + 0.4*2250000 = 935225.6, variance
     * 935225.6 - 689.6^2 = 459677.44. Each value's frequency p has standard
     * error sqrt(p(1-p)/n). Weights are normalized: 5:1:4 is the same. */
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsDist) d = vns_dist_new_empirical("64:5, 576:1,1500:4", 1,
                                                  65507, &error);
    const size_t n = 200000;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    size_t count[3] = { 0 };
    const double p[3] = { 0.5, 0.1, 0.4 };

    cr_assert_not_null(d, "%s", error ? error->message : "");
    cr_assert_float_eq(vns_dist_mean(d), 689.6, 1e-9);
    cr_assert_float_eq(vns_dist_variance(d), 459677.44, 1e-6);
    gsl_rng_set(rng, 13);
    for (size_t i = 0; i < n; i++) {
        double x = vns_dist_sample(d, rng);
        count[x == 64 ? 0 : x == 576 ? 1 : 2]++;
        cr_assert(x == 64 || x == 576 || x == 1500);
    }
    gsl_rng_free(rng);
    for (int i = 0; i < 3; i++) {
        double f = (double) count[i] / (double) n;
        double tol = APPS_Z * sqrt(p[i] * (1 - p[i]) / (double) n);
        cr_assert(fabs(f - p[i]) <= tol, "value %d: frequency %.5f, weight %.2f",
                  i, f, p[i]);
    }
    Sample s = apps_sample(d, n, 14);
    apps_check_mean(&s, 689.6, sqrt(459677.44), n, "empirical");
}

Test(apps, empirical_rejects_bad_tables)
{
    const char *bad[] = { "", "64", "64:0", "0:1", "65508:1", "x:1", "64:-1",
                          "64:1,,", "64:nan" };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        VnsDist *d = vns_dist_new_empirical(bad[i], 1, 65507, &error);
        cr_assert_null(d, "'%s' accepted", bad[i]);
        cr_assert_eq(error->domain, VNS_CONFIG_ERROR);
        cr_assert_eq(error->code, VNS_CONFIG_ERROR_BAD_VALUE);
    }
}

Test(apps, period_syntax)
{
    struct {
        const char *text;
        VnsDistKind kind;
        double mean;        /* ps */
    } ok[] = {
        { "10ms", VNS_DIST_FIXED, 1e10 },
        { "exp:10ms", VNS_DIST_EXP, 1e10 },
        { "pareto:10ms:1.5", VNS_DIST_PARETO, 1e10 },
        { "uniform:5ms:15ms", VNS_DIST_UNIFORM, 1e10 },
        { "uniform:0s:2ms", VNS_DIST_UNIFORM, 1e9 },
    };
    const char *bad[] = { "", "0s", "exp:0s", "exp", "exp:10", "pareto:10ms",
                          "pareto:10ms:1", "pareto:10ms:x", "uniform:5ms:5ms",
                          "normal:1ms", "exp:10ms:2" };

    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VnsDist) d = vns_dist_parse_period(ok[i].text, &error);
        cr_assert_not_null(d, "%s: %s", ok[i].text, error ? error->message : "");
        cr_assert_eq(vns_dist_kind(d), ok[i].kind, "%s", ok[i].text);
        cr_assert_float_eq(vns_dist_mean(d), ok[i].mean, 1e-3, "%s", ok[i].text);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        VnsDist *d = vns_dist_parse_period(bad[i], &error);
        cr_assert_null(d, "'%s' accepted", bad[i]);
        cr_assert_eq(error->code, VNS_CONFIG_ERROR_BAD_VALUE);
    }
}

Test(apps, pareto_periods_match_closed_form)
{
    /* Pareto with mean m and shape a has scale x_m = m (a-1)/a and
     * variance x_m^2 a / ((a-1)^2 (a-2)); shape 3 keeps the variance finite
     * so the CLT applies: m = 10 ms, x_m = 6.667 ms, sigma = 5.774 ms. */
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsDist) d = vns_dist_parse_period("pareto:10ms:3", &error);
    const size_t n = 400000;
    double xm = 1e10 * 2.0 / 3.0, var = xm * xm * 3 / (4 * 1);
    Sample s = apps_sample(d, n, 15);

    cr_assert_float_eq(vns_dist_variance(d), var, 1e-6 * var);
    apps_check_mean(&s, 1e10, sqrt(var), n, "pareto");
    cr_assert(s.min >= xm, "minimum %.0f below the scale %.0f", s.min, xm);
}

/* ---- the source on a bare capture element ---- */

/* The capture is a test end (models_test.h) that checks every packet. */
typedef TestEnd Capture;
typedef TestRx Captured;

/* Checks the packet is a well-formed IP/UDP datagram with correct
 * checksums, sent at the time it arrives (the test end logs it). */
static void
capture_check(TestEnd *end, VnsPacket *pkt, const TestRx *r, void *data)
{
    const uint8_t *d = vns_packet_data(pkt);
    const VnsFlowKey *key = vns_packet_parse_l3(pkt);
    VnsUdpHdr udp;

    cr_assert(key->family == VNS_IP_V4 || key->family == VNS_IP_V6);
    cr_assert_eq(key->proto, VNS_IPPROTO_UDP);
    if (key->family == VNS_IP_V4) {
        cr_assert(vns_ipv4_checksum_ok(d, pkt->len), "IPv4 header checksum");
        cr_assert_eq(vns_wire_get16(d + 2), vns_packet_size(pkt));
        cr_assert_eq(d[8], 64, "TTL");
    } else {
        cr_assert_eq(vns_wire_get16(d + 4) + VNS_IPV6_HLEN, vns_packet_size(pkt));
        cr_assert_eq(d[7], 64, "hop limit");
    }
    cr_assert(vns_udp_parse(d + pkt->l4_off, pkt->len - pkt->l4_off, &udp));
    cr_assert_eq(udp.length, VNS_UDP_HLEN + pkt->payload_len);
    cr_assert_eq(vns_csum_l4(d + pkt->l4_off, pkt->len - pkt->l4_off, udp.length,
                             VNS_IPPROTO_UDP, &key->src, &key->dst), 0,
                 "UDP checksum");
    cr_assert_eq(pkt->t_created, r->at);
}

typedef struct {
    VnsUdpPattern pattern;
    uint64_t rate_bps;
    VnsTime interval;
    const char *on, *off;   /* periods, for VNS_UDP_PATTERN_ONOFF */
    VnsDistKind size_kind;
    double size_a, size_b;
    VnsTime start, stop;
    bool ipv6;
} SourceSetup;

/* Adds source NAME.src (a flow NAME) joined to capture NAME.cap. */
static Capture *
apps_add_source(VnsNet *net, const char *name, const SourceSetup *ss)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *src_name = g_strdup_printf("%s.src", name);
    g_autofree char *cap_name = g_strdup_printf("%s.cap", name);
    VnsElement *src = vns_net_add(net, &vns_udp_source_ops, src_name, NULL, &error);
    Capture *cap = test_end_new(net, cap_name, "in", NULL);
    VnsUdpSourceConf conf = {
        .pattern = ss->pattern, .rate_bps = ss->rate_bps,
        .interval = ss->interval, .start = ss->start,
        .stop = ss->stop ? ss->stop : VNS_TIME_NEVER,
        .sport = 40000, .dport = 5000, .tos = 0xb8,
        .flow_id = vns_net_flow_register(net, name),
    };
    VnsPort *port;

    cr_assert_not_null(src);
    cap->hook = capture_check;
    conf.size = vns_dist_new(ss->size_kind, ss->size_a, ss->size_b);
    if (ss->pattern == VNS_UDP_PATTERN_ONOFF) {
        conf.on = vns_dist_parse_period(ss->on, NULL);
        conf.off = vns_dist_parse_period(ss->off, NULL);
    }
    if (ss->ipv6) {
        VnsIp6 a, b;
        cr_assert(vns_ip6_parse("2001:db8::1", &a, NULL));
        cr_assert(vns_ip6_parse("2001:db8:1::2", &b, NULL));
        conf.src = vns_ip_addr_v6(&a);
        conf.dst = vns_ip_addr_v6(&b);
    } else {
        conf.src = vns_ip_addr_v4(0x0a000001);
        conf.dst = vns_ip_addr_v4(0x0a010002);
    }
    port = vns_udp_source_setup(src, &conf);
    cr_assert_eq(port->info.l4_proto, 17);
    cr_assert_eq(port->info.l4_port, 40000);
    cr_assert(vns_port_connect(port, cap->port, &error));
    return cap;
}

/* Runs the source "f" of 'ss' until 'until' with 'seed', after adding a
 * flow "a" of 'other' first when not NULL. Returns f's packets (owned). */
static GArray *
apps_run_source(const SourceSetup *ss, uint64_t seed, VnsTime until,
                const SourceSetup *other)
{
    g_autoptr(GError) error = NULL;
    VnsSim *sim = vns_sim_new(NULL);
    VnsNet *net;
    Capture *cap;
    GArray *out;

    vns_sim_set_seed(sim, seed, 0);
    net = vns_net_new(sim);
    if (other != NULL)
        apps_add_source(net, "a", other);
    cap = apps_add_source(net, "f", ss);
    cr_assert(vns_net_start(net, &error));
    vns_sim_run_until(sim, until);
    vns_net_stop(net);
    out = g_array_copy(cap->rx);
    vns_sim_free(sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(net)), 0);
    vns_net_free(net);
    return out;
}

Test(apps, cbr_sends_rate_times_duration_over_size)
{
    /* 100 Mbit/s of 1000-byte payloads: one packet per 8000 bits / 1e8 bit/s
     * = 80 us; in [0, 1 s) exactly 1e8 * 1 / (8 * 1000) = 12500 packets, the
     * k-th at k * 80 us. */
    SourceSetup ss = { .pattern = VNS_UDP_PATTERN_CBR, .rate_bps = 100000000,
                       .size_kind = VNS_DIST_FIXED, .size_a = 1000,
                       .stop = VNS_SEC };
    g_autoptr(GArray) log = apps_run_source(&ss, 1, 2 * VNS_SEC, NULL);

    cr_assert_eq(log->len, 12500);
    for (guint i = 0; i < log->len; i++) {
        Captured *c = &g_array_index(log, Captured, i);
        cr_assert_eq(c->at, (VnsTime) i * 80 * VNS_US, "packet %u", i);
        cr_assert_eq(c->flow_seq, i);
        cr_assert_eq(c->payload_len, 1000);
        cr_assert_eq(c->flow_id, 1);
    }
}

Test(apps, cbr_does_not_drift_when_the_gap_is_not_whole)
{
    /* 3 Mbit/s of 1000-byte payloads: the gap is 8000/3e6 s = 2.666... ms,
     * not a whole number of ps. Packet k leaves at ceil(k * 8000 bits /
     * 3e6 bit/s) in ps, so in [0, 1 s) there are 3e6 / 8000 = 375 packets
     * and packet 374 leaves at ceil(374 * 8e15 / 3e6) ps. */
    SourceSetup ss = { .pattern = VNS_UDP_PATTERN_CBR, .rate_bps = 3000000,
                       .size_kind = VNS_DIST_FIXED, .size_a = 1000,
                       .stop = VNS_SEC };
    g_autoptr(GArray) log = apps_run_source(&ss, 1, 2 * VNS_SEC, NULL);

    cr_assert_eq(log->len, 375);
    for (guint i = 0; i < log->len; i++) {
        __int128 num = (__int128) i * 8000 * VNS_SEC;
        VnsTime want = (VnsTime) ((num + 3000000 - 1) / 3000000);
        cr_assert_eq(g_array_index(log, Captured, i).at, want, "packet %u", i);
    }
}

Test(apps, cbr_interval_and_start_stop)
{
    /* interval 1 ms from start 5 ms to stop 15 ms: packets at 5, 6, ..., 14
     * ms (no packet at the stop time itself): 10 packets. */
    SourceSetup ss = { .pattern = VNS_UDP_PATTERN_CBR, .interval = VNS_MS,
                       .size_kind = VNS_DIST_FIXED, .size_a = 64,
                       .start = 5 * VNS_MS, .stop = 15 * VNS_MS, .ipv6 = true };
    g_autoptr(GArray) log = apps_run_source(&ss, 1, VNS_SEC, NULL);

    cr_assert_eq(log->len, 10);
    for (guint i = 0; i < log->len; i++)
        cr_assert_eq(g_array_index(log, Captured, i).at, (VnsTime) (5 + i) * VNS_MS);
}

Test(apps, cbr_with_variable_sizes_keeps_the_payload_rate)
{
    /* Uniform sizes 64..1472 at 10 Mbit/s for 10 s: the gap after a packet
     * is its own payload time, so the payload sent before the last packet
     * took exactly its time at the rate: bits(0..n-2) * 1e12 / 1e7 <= t(n-1)
     * rounded up. */
    SourceSetup ss = { .pattern = VNS_UDP_PATTERN_CBR, .rate_bps = 10000000,
                       .size_kind = VNS_DIST_UNIFORM_INT, .size_a = 64,
                       .size_b = 1472, .stop = 10 * VNS_SEC };
    g_autoptr(GArray) log = apps_run_source(&ss, 3, 11 * VNS_SEC, NULL);
    uint64_t bytes = 0;

    for (guint i = 0; i < log->len; i++) {
        Captured *c = &g_array_index(log, Captured, i);
        cr_assert_eq(c->at, vns_time_tx(bytes, 10000000), "packet %u", i);
        bytes += c->payload_len;
    }
    /* Sending stops once the next start would reach 10 s. */
    cr_assert(vns_time_tx(bytes, 10000000) >= 10 * VNS_SEC);
    cr_assert(vns_time_tx(bytes - g_array_index(log, Captured, log->len - 1).payload_len,
                          10000000) < 10 * VNS_SEC);
}

Test(apps, poisson_gaps_are_exponential)
{
    /* 80 Mbit/s of 1000-byte payloads: lambda = 8e7 / 8000 = 1e4 packets/s,
     * mean gap 1/lambda = 100 us, coefficient of variation 1. Over 20 s
     * (about 2e5 gaps): the mean's standard error is sigma/sqrt(n); the
     * sample standard deviation's is about sigma sqrt((kurtosis - 1) / 4n) =
     * sigma sqrt(2/n) for an exponential (excess kurtosis 6). */
    SourceSetup ss = { .pattern = VNS_UDP_PATTERN_POISSON, .rate_bps = 80000000,
                       .size_kind = VNS_DIST_FIXED, .size_a = 1000,
                       .stop = 20 * VNS_SEC };
    g_autoptr(GArray) log = apps_run_source(&ss, 4, 21 * VNS_SEC, NULL);
    double s = 0, s2 = 0, n, mean, sd, mean_gap = 100e-6;

    cr_assert_gt(log->len, 1000);
    cr_assert_gt(g_array_index(log, Captured, 0).at, 0, "the first point comes "
                 "one gap after start");
    for (guint i = 1; i < log->len; i++) {
        double g = vns_time_to_s(g_array_index(log, Captured, i).at -
                                 g_array_index(log, Captured, i - 1).at);
        s += g;
        s2 += g * g;
    }
    n = log->len - 1;
    mean = s / n;
    sd = sqrt((s2 - s * s / n) / (n - 1));
    cr_assert(fabs(mean - mean_gap) <= APPS_Z * mean_gap / sqrt(n),
              "mean gap %.4g s, expected %.4g s", mean, mean_gap);
    cr_assert(fabs(sd / mean - 1) <= APPS_Z * (sqrt(2 / n) + 1 / sqrt(n)),
              "coefficient of variation %.4f, expected 1", sd / mean);
    /* Packet count over 20 s: Poisson with mean 2e5, sd sqrt(2e5). */
    cr_assert(fabs((double) log->len - 2e5) <= APPS_Z * sqrt(2e5), "%u packets",
              log->len);
}

Test(apps, onoff_fixed_periods)
{
    /* on 10 ms, off 90 ms, 100 Mbit/s of 1000-byte payloads (80 us apart):
     * each on period [100k, 100k + 10) ms holds packets at 0, 80, ..., 9920
     * us: 125; ten periods in 1 s: 1250 packets. */
    SourceSetup ss = { .pattern = VNS_UDP_PATTERN_ONOFF, .rate_bps = 100000000,
                       .on = "10ms", .off = "90ms",
                       .size_kind = VNS_DIST_FIXED, .size_a = 1000,
                       .stop = VNS_SEC };
    g_autoptr(GArray) log = apps_run_source(&ss, 5, 2 * VNS_SEC, NULL);

    cr_assert_eq(log->len, 1250);
    for (guint i = 0; i < log->len; i++)
        cr_assert_eq(g_array_index(log, Captured, i).at,
                     (VnsTime) (i / 125) * 100 * VNS_MS +
                     (VnsTime) (i % 125) * 80 * VNS_US, "packet %u", i);
}

Test(apps, onoff_exponential_periods_match_renewal_reward)
{
    /* on Exp(10 ms), off Exp(90 ms), CBR 80 us gap during on: a cycle lasts
     * X + Y with mean 100 ms and sends R = ceil(X / 80 us) packets, with
     * E[R] = 1 / (1 - exp(-0.08/10)) = 125.50 (a geometric count). Over
     * T = 100 s the renewal-reward theorem gives E[N] ~= T E[R] / E[C] =
     * 125500 with variance ~= (T / E[C]) Var(R - E[R]/E[C] C)
     * ~= 1000 (11245^2 0.01^2 + 1255^2 0.09^2) = 2.54e7 (R ~= 12500 X),
     * sd 5040. */
    SourceSetup ss = { .pattern = VNS_UDP_PATTERN_ONOFF, .rate_bps = 100000000,
                       .on = "exp:10ms", .off = "exp:90ms",
                       .size_kind = VNS_DIST_FIXED, .size_a = 1000,
                       .stop = 100 * VNS_SEC };
    g_autoptr(GArray) log = apps_run_source(&ss, 6, 101 * VNS_SEC, NULL);
    double er = 1 / (1 - exp(-0.008)), expected = 1000 * er;

    cr_assert(fabs((double) log->len - expected) <= APPS_Z * 5040,
              "%u packets, expected %.0f", log->len, expected);
}

Test(apps, same_seed_same_packets_and_other_flows_do_not_interfere)
{
    SourceSetup ss = { .pattern = VNS_UDP_PATTERN_POISSON, .rate_bps = 10000000,
                       .size_kind = VNS_DIST_EXP_INT, .size_a = 500,
                       .size_b = 1472, .stop = VNS_SEC };
    SourceSetup other = { .pattern = VNS_UDP_PATTERN_POISSON,
                          .rate_bps = 50000000, .size_kind = VNS_DIST_UNIFORM_INT,
                          .size_a = 100, .size_b = 200, .stop = VNS_SEC };
    g_autoptr(GArray) a = apps_run_source(&ss, 42, 2 * VNS_SEC, NULL);
    g_autoptr(GArray) b = apps_run_source(&ss, 42, 2 * VNS_SEC, NULL);
    g_autoptr(GArray) c = apps_run_source(&ss, 42, 2 * VNS_SEC, &other);
    g_autoptr(GArray) d = apps_run_source(&ss, 43, 2 * VNS_SEC, NULL);

    cr_assert_gt(a->len, 100);
    cr_assert_eq(a->len, b->len);
    cr_assert_eq(a->len, c->len);
    for (guint i = 0; i < a->len; i++) {
        Captured *x = &g_array_index(a, Captured, i);
        Captured *y = &g_array_index(b, Captured, i);
        Captured *z = &g_array_index(c, Captured, i);
        cr_assert(x->at == y->at && x->payload_len == y->payload_len, "packet %u", i);
        cr_assert(x->at == z->at && x->payload_len == z->payload_len, "packet %u", i);
    }
    /* The flow ids differ (flow "a" registered first), the packets do not. */
    cr_assert_eq(g_array_index(c, Captured, 0).flow_id, 2);
    /* Another seed gives another sequence. */
    cr_assert(d->len != a->len ||
              g_array_index(d, Captured, 0).at != g_array_index(a, Captured, 0).at);
}

/* ---- the sink's definitions, on scripted arrivals ---- */

/* Sits between a source and a sink and treats packet k as script[k] says:
 * 'p' pass, 'd' drop, '2' pass and a copy, 'c' pass with a corrupted UDP
 * checksum, 'h' hold until the next passed packet has gone, then pass. */
typedef struct {
    VnsElement base;
    const char *script;         /* borrowed, static */
    VnsPacket *held;            /* owned */
} Mangler;

static bool
mangler_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    vns_element_add_port(self, "in");
    vns_element_add_port(self, "out");
    return true;
}

static void
mangler_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Mangler *m = (Mangler *) self;
    VnsPort *out = vns_element_port(self, 1);
    char action = m->script[pkt->flow_seq];

    switch (action) {
    case 'd':
        vns_packet_drop(pkt, self, VNS_DROP_POLICY_DENY);
        return;
    case 'h':
        cr_assert_null(m->held);
        m->held = pkt;
        return;
    case '2':
        vns_port_send(out, vns_packet_clone(pkt));
        break;
    case 'c':
        /* The UDP checksum is bytes 6-7 after the IPv4 header. */
        vns_packet_data(pkt)[VNS_IPV4_HLEN + 6] ^= 0x55;
        vns_packet_invalidate(pkt);
        break;
    default:
        cr_assert_eq(action, 'p');
    }
    vns_port_send(out, pkt);
    if (m->held != NULL) {
        VnsPacket *h = m->held;
        m->held = NULL;
        vns_port_send(out, h);
    }
}

static void
mangler_stop(VnsElement *self)
{
    Mangler *m = (Mangler *) self;

    if (m->held != NULL)
        vns_packet_drop(g_steal_pointer(&m->held), self, VNS_DROP_END_OF_RUN);
}

static const VnsElementOps mangler_ops = {
    .type = "mangler",
    .instance_size = sizeof(Mangler),
    .create = mangler_create,
    .receive = mangler_receive,
    .stop = mangler_stop,
};

/* Runs 10 CBR packets 1 ms apart (seq k sent at k ms) through the script
 * "p h p d 2 c p h p p" into a sink, with a reset at 'reset' (0: none), to
 * 20 ms. */
static VnsReport *
apps_run_mangled(VnsTime reset, uint64_t *malformed)
{
    g_autoptr(GError) error = NULL;
    VnsSim *sim = vns_sim_new(NULL);
    VnsNet *net = vns_net_new(sim);
    VnsElement *src = vns_net_add(net, &vns_udp_source_ops, "m.src", NULL, &error);
    VnsElement *mid = vns_net_add(net, &mangler_ops, "m.mangler", NULL, &error);
    VnsElement *sink = vns_net_add(net, &vns_udp_sink_ops, "m.sink", NULL, &error);
    VnsUdpSourceConf conf = {
        .pattern = VNS_UDP_PATTERN_CBR, .interval = VNS_MS,
        .size = vns_dist_new(VNS_DIST_FIXED, 100, 0),
        .stop = 10 * VNS_MS, .src = vns_ip_addr_v4(0x0a000001),
        .dst = vns_ip_addr_v4(0x0a000002), .sport = 40000, .dport = 5000,
        .flow_id = vns_net_flow_register(net, "m"),
    };
    VnsReport *report = vns_report_new();

    ((Mangler *) mid)->script = "phpd2cphpp";
    cr_assert(vns_port_connect(vns_udp_source_setup(src, &conf),
                               vns_element_port(mid, 0), &error));
    cr_assert(vns_port_connect(vns_element_port(mid, 1),
                               vns_udp_sink_setup(sink, "m", conf.flow_id, 5000,
                                                  src, 5 * VNS_MS), &error));
    cr_assert(vns_net_start(net, &error));
    if (reset > 0) {
        vns_sim_run_until(sim, reset);
        vns_net_reset(net);
    }
    vns_sim_run_until(sim, 20 * VNS_MS);
    vns_net_stop(net);
    vns_net_stats(net, report);
    *malformed = sink->drops[VNS_DROP_MALFORMED];
    vns_sim_free(sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(net)), 0);
    vns_net_free(net);
    return report;
}

static double
apps_num(const VnsReport *report, const char *flow, const char *key)
{
    return models_test_num(report, "flows", flow, key);
}

/* J of RFC 3550 section 6.4.1 after the |D| values 'd' (ms). */
static double
apps_rfc3550(const double *d, size_t n)
{
    double j = 0;

    for (size_t i = 0; i < n; i++)
        j += (d[i] - j) / 16;
    return j;
}

Test(apps, sink_counts_duplicates_reordering_loss_and_jitter)
{
    /* Script "phpd2cphpp" on seq 0..9 sent at 0..9 ms: arrivals 0@0, 2@2,
     * 1@2 (held 1 ms), 4@4 and its copy, 5@5 with a bad checksum (dropped
     * as malformed), 6@6, 8@8, 7@8 (held), 9@9; 3 never arrives.
     * Unique arrivals 8 (800 bytes); duplicates 1; reordered 2 (1 after 2,
     * 7 after 8: RFC 4737); loss 1 - 8 / (9 - 0 + 1) = 0.2 (RFC 3550 A.3);
     * latencies in arrival order 0 0 1 0 0 0 1 0 ms, so |D| = 0 1 1 0 0 1 1
     * and jitter_s = 4/7 ms; goodput 800 x 8 bit / 20 ms = 320 kbit/s. */
    const double d[] = { 0, 1, 1, 0, 0, 1, 1 };
    uint64_t malformed = 0;
    g_autoptr(VnsReport) r = apps_run_mangled(0, &malformed);
    GString *gp;

    cr_assert_eq(malformed, 1);
    cr_assert_eq(apps_num(r, "m", "sent_packets"), 10);
    cr_assert_eq(apps_num(r, "m", "sent_bytes"), 1000);
    cr_assert_eq(apps_num(r, "m", "received_packets"), 8);
    cr_assert_eq(apps_num(r, "m", "received_bytes"), 800);
    cr_assert_eq(apps_num(r, "m", "duplicates"), 1);
    cr_assert_eq(apps_num(r, "m", "reordered"), 2);
    cr_assert_float_eq(apps_num(r, "m", "loss"), 0.2, 1e-12);
    cr_assert_float_eq(apps_num(r, "m", "goodput_bps"), 320000, 1e-6);
    cr_assert_float_eq(apps_num(r, "m", "jitter_s"), 4e-3 / 7, 1e-15);
    cr_assert_float_eq(apps_num(r, "m", "jitter_rfc3550_s"),
                       apps_rfc3550(d, G_N_ELEMENTS(d)) * 1e-3, 1e-15);
    /* Latency: mean 2/8 ms exactly; min 0, max 1 ms exactly; the lower
     * median of six zeros and two 1 ms is 0; p90 is the 8th of 8: 1 ms. */
    cr_assert_float_eq(apps_num(r, "m", "latency_mean_s"), 0.25e-3, 1e-15);
    cr_assert_eq(apps_num(r, "m", "latency_min_s"), 0);
    cr_assert_eq(apps_num(r, "m", "latency_max_s"), 1e-3);
    cr_assert_eq(apps_num(r, "m", "latency_p50_s"), 0);
    cr_assert_eq(apps_num(r, "m", "latency_p90_s"), 1e-3);
    /* 5 ms bins over [0, 20 ms): 400 bytes in each of the first two. */
    gp = g_hash_table_lookup(vns_report_files(r), "goodput-m.dat");
    cr_assert_not_null(gp);
    cr_assert_str_eq(gp->str, "# flow m: goodput (UDP payload) per 0.005 s bin\n"
                              "# time_s goodput_bps\n"
                              "0 640000\n0.005 640000\n0.01 0\n0.015 0\n");
    cr_assert_not_null(g_hash_table_lookup(vns_report_files(r), "latency-m.dat"));
}

Test(apps, sink_measures_from_the_end_of_warmup)
{
    /* The same arrivals with a reset at 4.5 ms: the source has sent seq 0-4,
     * so the window's packets are 5-9 (sent 5, base 5). Arrivals in the
     * window: 5 malformed, 6, 8, 7, 9: received 4, reordered 1, duplicates
     * 0 (4's copy came at 4 ms); loss 1 - 4 / (9 - 5 + 1) = 0.2; |D| =
     * 0 1 1: jitter 2/3 ms; goodput 400 x 8 bit / 15.5 ms. */
    uint64_t malformed = 0;
    g_autoptr(VnsReport) r = apps_run_mangled(4500 * VNS_US, &malformed);

    cr_assert_eq(malformed, 1);
    cr_assert_eq(apps_num(r, "m", "sent_packets"), 5);
    cr_assert_eq(apps_num(r, "m", "received_packets"), 4);
    cr_assert_eq(apps_num(r, "m", "duplicates"), 0);
    cr_assert_eq(apps_num(r, "m", "reordered"), 1);
    cr_assert_float_eq(apps_num(r, "m", "loss"), 0.2, 1e-12);
    cr_assert_float_eq(apps_num(r, "m", "jitter_s"), 2e-3 / 3, 1e-15);
    cr_assert_float_eq(apps_num(r, "m", "goodput_bps"), 3200 / 15.5e-3, 1e-6);
}

/* ---- experiments through hosts, routers and links ---- */

/* Bytes of line time of a frame carrying an IP packet of 'ip_size' bytes:
 * + 14 Ethernet header + 4 FCS (IEEE 802.3 clause 3.1.1), at least 64,
 * + 8 preamble and SFD + 12 inter-frame gap (clause 4.4.2). */
static uint64_t
apps_wire(uint64_t ip_size)
{
    return MAX(ip_size + 14 + 4, 64) + 8 + 12;
}

static void
apps_check_exact(const char *family, uint64_t ip_hdr)
{
    /* ok-apps-exact.xml: 1000-byte payloads at 10 Mbit/s (one per 800 us)
     * from 0 to 900 ms: 1125 packets. The packet is 1000 + 8 (UDP, RFC 768)
     * + 20 (IPv4, RFC 791) or 40 (IPv6, RFC 8200) bytes; each hop takes
     * vns_time_tx(wire bytes, rate) + delay, with the chain's defaults
     * 1 Gbit/s 10 us, 100 Mbit/s 1 ms, 1 Gbit/s 20 us. The largest queue a
     * packet can meet is empty (the bottleneck needs 85.28 us of the 800). */
    g_autofree char *set = g_strdup_printf("family=%s", family);
    const char *sets[] = { set, NULL };
    g_autoptr(VnsReport) r = models_test_run("ok-apps-exact.xml", sets, 0);
    uint64_t wire = apps_wire(1000 + 8 + ip_hdr);
    VnsTime lat = vns_time_tx(wire, 1000000000) + 10 * VNS_US +
                  vns_time_tx(wire, 100000000) + VNS_MS +
                  vns_time_tx(wire, 1000000000) + 20 * VNS_US;

    cr_assert_eq(apps_num(r, "f1", "sent_packets"), 1125);
    cr_assert_eq(apps_num(r, "f1", "received_packets"), 1125);
    cr_assert_eq(apps_num(r, "f1", "received_bytes"), 1125000);
    cr_assert_eq(apps_num(r, "f1", "loss"), 0);
    cr_assert_eq(apps_num(r, "f1", "reordered"), 0);
    cr_assert_eq(apps_num(r, "f1", "duplicates"), 0);
    /* min == max == closed form, to the picosecond. */
    cr_assert_eq(apps_num(r, "f1", "latency_min_s"), vns_time_to_s(lat),
                 "%s: min %.12g s, closed form %.12g s", family,
                 apps_num(r, "f1", "latency_min_s"), vns_time_to_s(lat));
    cr_assert_eq(apps_num(r, "f1", "latency_max_s"), vns_time_to_s(lat));
    cr_assert_eq(apps_num(r, "f1", "jitter_s"), 0);
    /* 1125 x 8000 bit over the 1 s window. */
    cr_assert_float_eq(apps_num(r, "f1", "goodput_bps"), 9e6, 1e-6);
}

Test(apps, cbr_latency_is_the_sum_of_hop_delays_ipv4)
{
    apps_check_exact("ipv4", 20);
}

Test(apps, cbr_latency_is_the_sum_of_hop_delays_ipv6)
{
    apps_check_exact("ipv6", 40);
}

Test(apps, overload_of_120_percent_loses_one_packet_in_six)
{
    /* ok-apps-overload.xml: 1002-byte payloads (1068 wire bytes) every
     * 71.2 us into a 100 Mbit/s bottleneck that serves one per
     * 1068 x 8 / 1e8 = 85.44 us: offered / capacity = 85.44 / 71.2 = 1.2, so
     * once the queue is full a fraction 1 - 1/1.2 = 1/6 of the packets is
     * dropped. Checked to within 1% of 1/6, relative. The goodput is the
     * line rate's share of payload, 1002 / 1068 x 1e8 bit/s, to within one
     * packet (1002 x 8 bit) over the 2 s window. */
    g_autoptr(VnsReport) r = models_test_run("ok-apps-overload.xml", NULL, 0);
    double loss = apps_num(r, "over", "loss");
    double goodput = apps_num(r, "over", "goodput_bps");
    double drops = 0;

    cr_assert(fabs(loss - 1.0 / 6) <= 0.01 / 6, "loss %.6f, expected 1/6", loss);
    cr_assert(fabs(goodput - 1002.0 / 1068 * 1e8) <= 1002 * 8 / 2.0,
              "goodput %.1f bit/s, expected %.1f", goodput, 1002.0 / 1068 * 1e8);
    /* The drops happen at the bottleneck's queue: about a sixth of what
     * was sent in the window (2 s / 71.2 us = 28090 packets). */
    cr_assert(vns_report_get_num(r, "drops", "r1-r2/queue_full", "packets", &drops));
    cr_assert(fabs(drops - 28090.0 / 6) <= 0.01 * 28090 / 6, "%.0f drops", drops);
    cr_assert_eq(apps_num(r, "over", "sent_packets"), 28090);
}

static void
apps_check_line_rate(const char *family, unsigned payload, unsigned overhead)
{
    /* ok-apps-linerate.xml: 150 Mbit/s of payload into a 100 Mbit/s
     * bottleneck, which then sends frames back to back: goodput =
     * payload / (payload + overhead) x 1e8, overhead = 8 UDP + 20 IPv4 (40
     * IPv6) + 14 Ethernet + 4 FCS + 8 preamble/SFD + 12 gap. Tolerance: one
     * packet over the 1 s window, payload x 8 bit/s. */
    g_autofree char *f = g_strdup_printf("family=%s", family);
    g_autofree char *s = g_strdup_printf("size=%u", payload);
    const char *sets[] = { f, s, NULL };
    g_autoptr(VnsReport) r = models_test_run("ok-apps-linerate.xml", sets, 0);
    double want = (double) payload / (payload + overhead) * 1e8;
    double goodput = apps_num(r, "sat", "goodput_bps");

    cr_assert(fabs(goodput - want) <= payload * 8.0,
              "%s: goodput %.1f bit/s, expected %.1f +- %u", family, goodput,
              want, payload * 8);
}

Test(apps, saturated_link_gives_line_rate_goodput)
{
    /* 1472 / 1538 x 100 Mbit/s = 95.71 Mbit/s, the classic UDP figure for a
     * 1500-byte MTU; over IPv6 the largest payload is 1452. */
    apps_check_line_rate("ipv4", 1472, 8 + 20 + 14 + 4 + 8 + 12);
    apps_check_line_rate("ipv6", 1452, 8 + 40 + 14 + 4 + 8 + 12);
}

Test(apps, poisson_queue_matches_m_d_1)
{
    /* ok-apps-mdone.xml: Poisson arrivals at 80% of h1's 100 Mbit/s link,
     * fixed 1066-byte frames: an M/D/1 queue with service S = 85.28 us and
     * mean wait W = rho S / (2 (1 - rho)) = 170.56 us (Pollaczek-Khinchine).
     * Mean latency = W + S + 10 us + 2 x 852.8 ns (10 Gbit/s hops) + 1 ms +
     * 20 us. The ten replications' means (5 s each, about 47000 packets)
     * are independent: the closed form must lie in their 99.9% confidence
     * interval (t with 9 degrees of freedom: 4.781). */
    const double s = 1066 * 8 / 1e8, rho = 0.8;
    const double want = rho * s / (2 * (1 - rho)) + s + 10e-6 + 2 * 852.8e-9 +
                        1e-3 + 20e-6;
    double sum = 0, sum2 = 0, mean, sd;
    const int n = 10;

    for (int rep = 0; rep < n; rep++) {
        g_autoptr(VnsReport) r = models_test_run("ok-apps-mdone.xml", NULL, (uint32_t) rep);
        double m = apps_num(r, "mdone", "latency_mean_s");
        sum += m;
        sum2 += m * m;
        cr_assert_eq(apps_num(r, "mdone", "loss"), 0);
    }
    mean = sum / n;
    sd = sqrt((sum2 - sum * sum / n) / (n - 1));
    cr_assert(fabs(mean - want) <= 4.781 * sd / sqrt(n),
              "mean latency %.4f us, M/D/1 %.4f us, half-width %.4f us",
              mean * 1e6, want * 1e6, 4.781 * sd / sqrt(n) * 1e6);
}

Test(apps, every_pattern_and_size_runs)
{
    /* ok-apps-mixed.xml on a lightly loaded 1 Gbit/s link: nothing is lost,
     * and the payload sizes stay inside their distributions' ranges. */
    g_autoptr(VnsReport) r = models_test_run("ok-apps-mixed.xml", NULL, 0);
    const char *flows[] = { "lit", "back", "short" };

    for (size_t i = 0; i < G_N_ELEMENTS(flows); i++) {
        double rx = apps_num(r, flows[i], "received_packets");
        double bytes = apps_num(r, flows[i], "received_bytes");
        cr_assert_gt(rx, 100, "%s", flows[i]);
        cr_assert_eq(apps_num(r, flows[i], "loss"), 0, "%s", flows[i]);
        cr_assert(bytes >= rx * 1 && bytes <= rx * 1472, "%s", flows[i]);
    }
    /* "short" sends every 1 ms from 100 to 800 ms; the window starts at
     * 200 ms, just after the send at 200 ms: 599 sent in the window (201 to
     * 799 ms), and the 200 ms packet arrives in it. */
    cr_assert_eq(apps_num(r, "short", "sent_packets"), 599);
    cr_assert_eq(apps_num(r, "short", "received_packets"), 600);
}

Test(apps, ports_are_bound_as_advertised)
{
    /* Source ports: 40000 as given; "auto" in Linux's 32768-60999 and the
     * same when built again with the same seed. Sinks advertise their
     * dport. */
    VnsExperiment *exp;
    VnsRegistry *reg;
    VnsNet *net = models_test_build("ok-apps-mixed.xml", NULL, 0, &exp, &reg);
    VnsElement *h1 = vns_net_find(net, "h1"), *h2 = vns_net_find(net, "h2");
    VnsPort *lit = vns_element_find_port(h1, "app:lit.src");
    VnsPort *back = vns_element_find_port(h2, "app:back.src");
    VnsPort *sink = vns_element_find_port(h2, "app:lit.sink");
    uint16_t back_port;

    cr_assert_not_null(lit);
    cr_assert_not_null(back);
    cr_assert_not_null(sink);
    cr_assert_eq(lit->peer->info.l4_port, 40000);
    cr_assert_eq(lit->peer->info.l4_proto, 17);
    cr_assert_eq(sink->peer->info.l4_port, 5000);
    back_port = back->peer->info.l4_port;
    cr_assert(back_port >= 32768 && back_port <= 60999, "port %u", back_port);
    cr_assert_not_null(vns_net_find(net, "short.sink"));
    vns_sim_free(vns_net_sim(net));
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(net)), 0);
    vns_net_free(net);
    vns_experiment_free(exp);
    vns_registry_free(reg);

    net = models_test_build("ok-apps-mixed.xml", NULL, 0, &exp, &reg);
    back = vns_element_find_port(vns_net_find(net, "h2"), "app:back.src");
    cr_assert_eq(back->peer->info.l4_port, back_port);
    vns_sim_free(vns_net_sim(net));
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(net)), 0);
    vns_net_free(net);
    vns_experiment_free(exp);
    vns_registry_free(reg);
}

/* ---- input errors ---- */

Test(apps, bad_flows_are_refused_with_file_and_line)
{
    static const struct {
        const char *file;
        int code;
        int line;
        const char *says;       /* part of the message */
    } bad[] = {
        { "bad-apps-unknown-host.xml", VNS_CONFIG_ERROR_REFERENCE, 5, "names no element 'h9'" },
        { "bad-apps-family.xml", VNS_CONFIG_ERROR_REFERENCE, 5, "no IPv6 address" },
        { "bad-apps-no-pattern.xml", VNS_CONFIG_ERROR_MISSING, 5, "no traffic pattern" },
        { "bad-apps-two-patterns.xml", VNS_CONFIG_ERROR_CONFLICT, 7, "second pattern" },
        { "bad-apps-period.xml", VNS_CONFIG_ERROR_BAD_VALUE, 6, "not a period" },
        { "bad-apps-start-stop.xml", VNS_CONFIG_ERROR_BAD_VALUE, 5, "not before 'stop'" },
        { "bad-apps-rate-zero.xml", VNS_CONFIG_ERROR_BAD_VALUE, 6, "zero" },
        { "bad-apps-rate-interval.xml", VNS_CONFIG_ERROR_CONFLICT, 6, "both" },
        { "bad-apps-size-zero.xml", VNS_CONFIG_ERROR_BAD_VALUE, 7, "expected 1 to 65507" },
        { "bad-apps-size-large.xml", VNS_CONFIG_ERROR_BAD_VALUE, 7, "expected 1 to 65507" },
        { "bad-apps-uniform-order.xml", VNS_CONFIG_ERROR_BAD_VALUE, 7, "exceeds 'max'" },
        { "bad-apps-size-attr.xml", VNS_CONFIG_ERROR_CONFLICT, 7, "does not apply" },
        { "bad-apps-empirical.xml", VNS_CONFIG_ERROR_BAD_VALUE, 7, "lacks ':'" },
        { "bad-apps-dport-bound.xml", VNS_CONFIG_ERROR_CONFLICT, 8, "already bound on 'h2'" },
        { "bad-apps-duplicate-name.xml", VNS_CONFIG_ERROR_DUPLICATE, 8, "already used" },
        { "bad-apps-to-address.xml", VNS_CONFIG_ERROR_REFERENCE, 5, "no host interface" },
        { "bad-apps-sport.xml", VNS_CONFIG_ERROR_BAD_VALUE, 5, "'sport'" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_free(models_test_bad_build(bad[i].file, bad[i].line, bad[i].code,
                                     bad[i].says));
}

Test(apps, datagrams_over_the_path_mtu_are_fragmented_at_the_source)
{
    /* Linux's UDP default is IP_PMTUDISC_WANT (ip(7)): a datagram larger
     * than the path MTU leaves without DF, fragmented by the sending host
     * (__ip_make_skb()). 3000 bytes of payload + 8 UDP = 3008 bytes of IP
     * data; over a 1500-byte MTU each fragment carries 1480 (RFC 791), so
     * 3 fragments per datagram, and every datagram is reassembled at h2. */
    const char *sets[] = { "size=3000", NULL };
    g_autoptr(VnsReport) r = models_test_run("ok-apps-exact.xml", sets, 0);
    double sent = models_test_num(r, "flows", "f1", "sent_packets");

    cr_assert_gt(sent, 0);
    cr_assert_eq(models_test_num(r, "flows", "f1", "received_packets"), sent);
    cr_assert_eq(models_test_num(r, "hosts", "h1", "frag_datagrams"), sent);
    cr_assert_eq(models_test_num(r, "hosts", "h1", "frag_created"), 3 * sent);
    cr_assert_eq(models_test_num(r, "hosts", "h2", "reassembled"), sent);
}
