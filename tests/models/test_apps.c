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
#include "models/apps/sink.h"
#include "models/apps/source.h"
#include "models/apps/udp_flow.h"
#include "models/models.h"
#include "net/checksum.h"
#include "net/element.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/udp.h"
#include "topo/loader.h"

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

typedef struct {
    VnsTime t;              /* arrival (= send) time, ps */
    uint32_t payload;       /* UDP payload bytes */
    uint64_t seq;
    uint32_t flow_id;
} Captured;

typedef struct {
    VnsElement base;
    GArray *log;            /* of Captured */
} Capture;

static bool
capture_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Capture *c = (Capture *) self;

    c->log = g_array_new(FALSE, FALSE, sizeof(Captured));
    vns_element_add_port(self, "in");
    return true;
}

/* Checks the packet is a well-formed IP/UDP datagram with correct
 * checksums, then logs it. */
static void
capture_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Capture *c = (Capture *) self;
    const uint8_t *d = vns_packet_data(pkt);
    const VnsFlowKey *key = vns_packet_parse_l3(pkt);
    VnsUdpHdr udp;
    Captured rec;

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
    rec.t = vns_element_now(self);
    cr_assert_eq(pkt->t_created, rec.t);
    rec.payload = pkt->payload_len;
    rec.seq = pkt->flow_seq;
    rec.flow_id = pkt->flow_id;
    g_array_append_val(c->log, rec);
    vns_packet_free(pkt);
}

static void
capture_free(VnsElement *self)
{
    g_array_free(((Capture *) self)->log, TRUE);
}

static const VnsElementOps capture_ops = {
    .type = "capture",
    .instance_size = sizeof(Capture),
    .create = capture_create,
    .receive = capture_receive,
    .free = capture_free,
};

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
    VnsElement *cap = vns_net_add(net, &capture_ops, cap_name, NULL, &error);
    VnsUdpSourceConf conf = {
        .pattern = ss->pattern, .rate_bps = ss->rate_bps,
        .interval = ss->interval, .start = ss->start,
        .stop = ss->stop ? ss->stop : VNS_TIME_NEVER,
        .sport = 40000, .dport = 5000, .tos = 0xb8,
        .flow_id = vns_net_flow_register(net, name),
    };
    VnsPort *port;

    cr_assert_not_null(src);
    cr_assert_not_null(cap);
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
    cr_assert(vns_port_connect(port, vns_element_port(cap, 0), &error));
    return (Capture *) cap;
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
    out = g_array_copy(cap->log);
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
        cr_assert_eq(c->t, (VnsTime) i * 80 * VNS_US, "packet %u", i);
        cr_assert_eq(c->seq, i);
        cr_assert_eq(c->payload, 1000);
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
        cr_assert_eq(g_array_index(log, Captured, i).t, want, "packet %u", i);
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
        cr_assert_eq(g_array_index(log, Captured, i).t, (VnsTime) (5 + i) * VNS_MS);
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
        cr_assert_eq(c->t, vns_time_tx(bytes, 10000000), "packet %u", i);
        bytes += c->payload;
    }
    /* Sending stops once the next start would reach 10 s. */
    cr_assert(vns_time_tx(bytes, 10000000) >= 10 * VNS_SEC);
    cr_assert(vns_time_tx(bytes - g_array_index(log, Captured, log->len - 1).payload,
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
    cr_assert_gt(g_array_index(log, Captured, 0).t, 0, "the first point comes "
                 "one gap after start");
    for (guint i = 1; i < log->len; i++) {
        double g = vns_time_to_s(g_array_index(log, Captured, i).t -
                                 g_array_index(log, Captured, i - 1).t);
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
        cr_assert_eq(g_array_index(log, Captured, i).t,
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
        cr_assert(x->t == y->t && x->payload == y->payload, "packet %u", i);
        cr_assert(x->t == z->t && x->payload == z->payload, "packet %u", i);
    }
    /* The flow ids differ (flow "a" registered first), the packets do not. */
    cr_assert_eq(g_array_index(c, Captured, 0).flow_id, 2);
    /* Another seed gives another sequence. */
    cr_assert(d->len != a->len ||
              g_array_index(d, Captured, 0).t != g_array_index(a, Captured, 0).t);
}
