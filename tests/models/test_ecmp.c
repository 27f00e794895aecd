/* Tests of equal-cost multipath routing in the router (models/l3/host.c):
 * several <route>s to one prefix with one metric and distinct gateways are
 * one multipath route, and each packet's flow chooses its next hop by a
 * hash of its 5-tuple (Linux's net.ipv4.fib_multipath_hash_policy = 1) and
 * hash-threshold (RFC 2992 section 2.2), through vns_lpm_multipath_select()
 * (src/net/lpm.c, whose hash alone tests/net/test_lpm.c checks).
 *
 * tests/data/ok-ecmp-fan.xml: h1 - r1, and r1 reaches 10.9.0.0/16 through
 * eight gateways n1..n8, one per interface eth1..eth8, declared in that
 * order; static neighbours, so no ARP. A tap on each of r1's egress ports
 * records the flows that leave by it. */
#include <config.h>
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include "models/l3/host.h"
#include "net/lpm.h"
#include "host_bench.h"

#define PATHS 8
/* The multipath-seed ok-ecmp-fan.xml gives r1. */
#define SEED 7

/* Counts the packets leaving r1 by each egress interface, and remembers
 * the interface of each flow (by source port) to catch a flow that moves. */
typedef struct {
    VnsPortTap tap;             /* first: the callback gets this pointer */
    unsigned path;              /* 0-7 for eth1-eth8 */
    struct EcmpCount *count;
} EcmpTap;

typedef struct EcmpCount {
    EcmpTap taps[PATHS];
    uint64_t packets[PATHS];
    GHashTable *flow_path;      /* 5-tuple hash -> path + 1 */
    uint64_t moved;             /* packets of a flow seen on another path */
    VnsLpmMultipathPolicy policy;
    uint64_t unexpected;        /* packets not on the path the hash names */
} EcmpCount;

static void
ecmp_seen(VnsPortTap *tap, const VnsPort *port, const VnsPacket *pkt,
          bool outgoing)
{
    EcmpTap *t = (EcmpTap *) tap;
    EcmpCount *c = t->count;
    VnsFlowKey k;
    VnsFlowOffsets off;
    gpointer key, old;

    if (!outgoing)
        return;
    cr_assert(vns_flow_key_parse_eth(&k, &off, vns_packet_data(pkt), pkt->len));
    if (k.family != VNS_IP_V4)
        return;
    c->packets[t->path]++;
    /* The path the hash and hash-threshold name, independently of r1. */
    if (vns_lpm_multipath_select(&k, SEED, c->policy, PATHS) != t->path)
        c->unexpected++;
    key = GUINT_TO_POINTER(vns_flow_key_hash(&k, 1, VNS_FLOW_HASH_DEFAULT));
    old = g_hash_table_lookup(c->flow_path, key);
    if (old == NULL)
        g_hash_table_insert(c->flow_path, key, GUINT_TO_POINTER(t->path + 1));
    else if (GPOINTER_TO_UINT(old) != t->path + 1)
        c->moved++;
}

static void
ecmp_taps(Bench *b, EcmpCount *c, VnsLpmMultipathPolicy policy)
{
    VnsElement *r1 = vns_net_find(b->net, "r1");

    memset(c, 0, sizeof *c);
    c->policy = policy;
    c->flow_path = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (unsigned p = 0; p < PATHS; p++) {
        g_autofree char *name = g_strdup_printf("eth%u", p + 1);
        c->taps[p].tap.seen = ecmp_seen;
        c->taps[p].path = p;
        c->taps[p].count = c;
        vns_port_add_tap(vns_element_find_port(r1, name), &c->taps[p].tap);
    }
}

/* Sends 'flows' UDP flows of 'per_flow' packets each from h1 to random
 * addresses of 10.9.0.0/16 with random ports (or, with 'fixed_addrs', all
 * to 10.9.0.1 from random ports), one packet every 200 ns: a 142-byte frame
 * takes (142 + 24) x 0.8 = 132.8 ns at 10 Gbit/s, so no queue builds. */
static void
ecmp_send(Bench *b, TestApp *a1, unsigned flows, unsigned per_flow,
          bool fixed_addrs, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    VnsTime t = 0;

    gsl_rng_set(rng, seed);
    for (unsigned i = 0; i < flows; i++) {
        uint32_t dst = fixed_addrs ? ip4("10.9.0.1")
                                   : ip4("10.9.0.0") | (uint32_t) gsl_rng_uniform_int(rng, 65536);
        char dtext[VNS_IP4_STRLEN];
        uint16_t sport = (uint16_t) (1024 + gsl_rng_uniform_int(rng, 64512));
        uint16_t dport = (uint16_t) (1 + gsl_rng_uniform_int(rng, 65535));

        vns_ip4_format(dst, dtext);
        for (unsigned j = 0; j < per_flow; j++) {
            app_send_at(a1, t, udp4(b->net, "10.0.0.2", dtext, sport, dport,
                                    100, 64, true));
            t += 200 * VNS_NS;
        }
    }
    gsl_rng_free(rng);
}

/* 1e5 flows over 8 equal paths: each path's share is within 2 percentage
 * points of 1/8. A share of n = 1e5 independent flows has the binomial
 * standard deviation sqrt(p (1 - p) / n) = sqrt(0.125 x 0.875 / 1e5) =
 * 0.105 points, so 2 points is 19 standard deviations: the bound catches a
 * broken spread (a path with twice or half its share) and never fails by
 * chance. The chi-square statistic of the eight counts (7 degrees of
 * freedom) is the sharp check: its p-value must exceed 1e-4. */
Test(ecmp, flows_spread_evenly_over_eight_paths)
{
    enum { FLOWS = 100000 };
    Bench b;
    TestApp *a1;
    EcmpCount c;
    double chi2 = 0;

    bench_open(&b, "ok-ecmp-fan.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    ecmp_taps(&b, &c, VNS_LPM_MULTIPATH_L4);
    bench_start(&b);
    ecmp_send(&b, a1, FLOWS, 1, false, 11);
    vns_sim_run(b.sim);
    cr_assert_eq(host_stat(&b, "r1", "forwarded"), FLOWS);
    for (unsigned p = 0; p < PATHS; p++) {
        double share = (double) c.packets[p] / FLOWS;
        double expected = (double) FLOWS / PATHS;
        cr_log_info("path %u: %" G_GUINT64_FORMAT " flows, share %.4f", p,
                    c.packets[p], share);
        cr_assert_lt(fabs(share - 1.0 / PATHS), 0.02, "path %u: share %.4f", p, share);
        chi2 += (c.packets[p] - expected) * (c.packets[p] - expected) / expected;
    }
    cr_log_info("chi2 %.2f, p-value %.3f", chi2, gsl_cdf_chisq_Q(chi2, PATHS - 1));
    cr_assert_gt(gsl_cdf_chisq_Q(chi2, PATHS - 1), 1e-4, "chi2 %.1f", chi2);
    /* Every packet left by the path hash-threshold names for its 5-tuple
     * under r1's seed, and the k-th path is the k-th <route>. */
    cr_assert_eq(c.unexpected, 0, "%" G_GUINT64_FORMAT " packets off their path",
                 c.unexpected);
    g_hash_table_destroy(c.flow_path);
    bench_finish(&b);
}

/* Every packet of a flow takes one path (no reordering within a flow). */
Test(ecmp, a_flow_stays_on_one_path)
{
    Bench b;
    TestApp *a1;
    EcmpCount c;
    unsigned used = 0;

    bench_open(&b, "ok-ecmp-fan.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    ecmp_taps(&b, &c, VNS_LPM_MULTIPATH_L4);
    bench_start(&b);
    ecmp_send(&b, a1, 200, 10, false, 12);
    vns_sim_run(b.sim);
    cr_assert_eq(c.moved, 0);
    cr_assert_eq(g_hash_table_size(c.flow_path), 200);
    for (unsigned p = 0; p < PATHS; p++)
        used += c.packets[p] > 0;
    /* 200 flows leave a given path unused with probability (7/8)^200 =
     * 2.5e-12. */
    cr_assert_eq(used, PATHS);
    g_hash_table_destroy(c.flow_path);
    bench_finish(&b);
}

/* Under multipath-hash="l3" (policy 0) ports do not count: flows between
 * one pair of addresses all take one path; under "l4" they spread. */
Test(ecmp, l3_policy_ignores_ports)
{
    static const char *const l3[] = { "hash", "l3", NULL };
    Bench b;
    TestApp *a1;
    EcmpCount c;
    unsigned used = 0;

    bench_open(&b, "ok-ecmp-fan.xml", l3);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    ecmp_taps(&b, &c, VNS_LPM_MULTIPATH_L3);
    bench_start(&b);
    ecmp_send(&b, a1, 500, 1, true, 13);
    vns_sim_run(b.sim);
    for (unsigned p = 0; p < PATHS; p++)
        used += c.packets[p] > 0;
    cr_assert_eq(used, 1);
    cr_assert_eq(c.unexpected, 0);
    g_hash_table_destroy(c.flow_path);
    bench_finish(&b);

    bench_open(&b, "ok-ecmp-fan.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    ecmp_taps(&b, &c, VNS_LPM_MULTIPATH_L4);
    bench_start(&b);
    ecmp_send(&b, a1, 500, 1, true, 13);
    vns_sim_run(b.sim);
    used = 0;
    for (unsigned p = 0; p < PATHS; p++)
        used += c.packets[p] > 0;
    cr_assert_eq(used, PATHS);
    g_hash_table_destroy(c.flow_path);
    bench_finish(&b);
}

/* Configuration: the same gateway twice, or a multipath route with an
 * on-link member, is refused at its line. */
Test(ecmp, duplicate_next_hop_is_refused)
{
    Bench b;
    GError *error = NULL;

    cr_assert_not(bench_load(&b, "bad-ecmp-dup-nexthop.xml", NULL, &error));
    cr_assert_not_null(error);
    cr_assert_eq(error->code, VNS_CONFIG_ERROR_DUPLICATE, "%s", error->message);
    cr_assert_not_null(strstr(error->message, "bad-ecmp-dup-nexthop.xml:9: "),
                       "%s", error->message);
    cr_assert_not_null(strstr(error->message, "via 10.0.1.2 with metric 0 is given twice"),
                       "%s", error->message);
    g_error_free(error);
    bench_finish(&b);
}
