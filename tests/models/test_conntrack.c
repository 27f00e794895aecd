/* Tests of connection tracking (models/stateful/conntrack.c): the default
 * table size Linux derives from memory, the per-protocol timeouts (an
 * entry is there just before its timeout and gone at it), TCP states and
 * ASSURED, the table limit with and without early drop, and the CPU cost.
 *
 * Expected numbers are Linux's defaults: nf_conntrack_init_start() and
 * tcp_timeouts[] / udp_timeouts[] in net/netfilter/, as listed in
 * Documentation/networking/nf_conntrack-sysctl.rst. Packets are hand-made
 * by a test application on h1 or h2 (tests/models/stateful_bench.h) and
 * cross the router r1 of tests/data/ok-conntrack-topo.xml, where a hook
 * placed before conntrack records when r1 saw each packet: entries expire
 * relative to that instant. Linux's nf_ct_is_expired() counts an entry as
 * expired once (timeout - now) <= 0, so an entry lives until exactly
 * T + timeout, excluded. */
#include <config.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "tests/models/stateful_bench.h"

#include "models/l3/host.h"
#include "net/node.h"

/* The instant r1 last saw a packet, before conntrack (priority -300). */
typedef struct {
    VnsTime t;
    uint64_t n;
} Seen;

static VnsHookVerdict
seen_hook(VnsElement *host, VnsPacket *pkt, const VnsHookState *st, void *data)
{
    Seen *s = data;

    (void) pkt;
    (void) st;
    s->t = vns_element_now(host);
    s->n++;
    return VNS_HOOK_ACCEPT;
}

static void
watch_r1(Bench *b, Seen *seen)
{
    vns_host_hook_add(vns_net_find(b->net, "r1"), VNS_HOST_HOOK_PREROUTING, -300,
                      seen_hook, seen);
}

/* Checks that the entry is there just before 'expires' and gone at it. */
static void
expect_expiry(Bench *b, VnsConntrack *ct, uint8_t proto, const char *src,
              uint16_t sport, const char *dst, uint16_t dport, VnsTime expires)
{
    VnsCtEntry *e = bench_entry(ct, proto, src, sport, dst, dport);

    cr_assert_not_null(e, "no entry");
    cr_assert_eq(vns_ct_entry_expires(e), expires,
                 "expires at %" G_GINT64_FORMAT " ps, expected %" G_GINT64_FORMAT,
                 vns_ct_entry_expires(e), expires);
    bench_run(b, expires - 1);
    cr_assert_not_null(bench_entry(ct, proto, src, sport, dst, dport),
                       "gone 1 ps before its timeout");
    bench_run(b, expires);
    cr_assert_null(bench_entry(ct, proto, src, sport, dst, dport),
                   "still there at its timeout");
}

/* ---- table size ---------------------------------------------------------- */

Test(conntrack, default_limits_follow_memory)
{
    const uint64_t mib = 1ull << 20, gib = 1ull << 30;

    /* nf_conntrack_init_start() (Linux >= 5.15) on 64-bit, 4096-byte
     * pages: buckets = pages x 4096 / 16384 / sizeof(struct
     * hlist_nulls_head) = RAM / 16384 / 8; more than 4 GiB of pages ->
     * 262144, more than 1 GiB -> 65536; at least 1024. nf_conntrack_max =
     * buckets (max_factor 1). */
    cr_assert_eq(vns_conntrack_default_buckets(64 * mib), 1024);    /* 512 < 1024 */
    cr_assert_eq(vns_conntrack_default_buckets(512 * mib), 4096);   /* 2^29 / 2^17 */
    cr_assert_eq(vns_conntrack_default_buckets(gib), 8192);         /* not > 1 GiB */
    cr_assert_eq(vns_conntrack_default_buckets(gib + 4096), 65536);
    cr_assert_eq(vns_conntrack_default_buckets(4 * gib), 65536);    /* not > 4 GiB */
    cr_assert_eq(vns_conntrack_default_buckets(4 * gib + 4096), 262144);
    cr_assert_eq(vns_conntrack_default_buckets(16 * gib), 262144);

    /* The element: memory="2GiB" -> 65536 buckets and entries; the
     * default 8GiB -> 262144 (the one-to-one ratio a 15.7 GiB host
     * reports: nf_conntrack_max = nf_conntrack_buckets = 262144). */
    const char *const mems[] = { "2GiB", "8GiB", "512MiB" };
    const int64_t want[] = { 65536, 262144, 4096 };
    for (int i = 0; i < 3; i++) {
        Bench b;
        const char *const set[] = { "memory", mems[i], NULL };
        g_autoptr(VnsReport) report = vns_report_new();
        double max = 0, buckets = 0;
        bench_open(&b, "ok-conntrack-memory.xml", set);
        bench_start(&b);
        vns_net_stats(b.net, report);
        cr_assert(vns_report_get_num(report, "conntrack", "conntrack-r1", "max", &max));
        cr_assert(vns_report_get_num(report, "conntrack", "conntrack-r1", "buckets",
                                     &buckets));
        cr_assert_eq((int64_t) max, want[i], "%s: max %g", mems[i], max);
        cr_assert_eq((int64_t) buckets, want[i], "%s: buckets %g", mems[i], buckets);
        bench_finish(&b);
    }
}

Test(conntrack, explicit_buckets_give_eight_times_max)
{
    /* A hash size given as the module parameter keeps max_factor = 8
     * (nf_conntrack_init_start()). ok-conntrack-topo.xml passes 'max'
     * itself, so the memory topology is used with buckets set through a
     * copy of the element: buckets="1000" -> max 8000. */
    Bench b;
    g_autoptr(VnsReport) report = vns_report_new();
    double max = 0;
    const char *xml =
        "<?xml version=\"1.0\"?>\n<topology name=\"t\">\n"
        "  <router name=\"r1\"><interface name=\"eth0\" address=\"10.0.1.1/24\"/></router>\n"
        "  <conntrack host=\"r1\" buckets=\"1000\"/>\n</topology>\n";
    g_autofree char *path = test_tmp_file("ct-buckets-XXXXXX.xml", xml);

    bench_open(&b, path, NULL);
    g_unlink(path);
    bench_start(&b);
    vns_net_stats(b.net, report);
    cr_assert(vns_report_get_num(report, "conntrack", "conntrack-r1", "max", &max));
    cr_assert_eq((int64_t) max, 8000);
    bench_finish(&b);
}

/* ---- timeouts ------------------------------------------------------------- */

Test(conntrack, udp_unreplied_expires_at_30s)
{
    /* nf_conntrack_udp_timeout = 30 s for a flow never answered. */
    Bench b;
    Seen seen = { 0 };
    BenchApp *a1, *a2;
    VnsConntrack *ct;
    VnsCtEntry *e;

    bench_open(&b, "ok-conntrack-topo.xml", NULL);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 40000);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    ct = bench_ct(&b, "conntrack-r1");
    watch_r1(&b, &seen);
    bench_start(&b);
    bench_send_at(a1, 10 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5000));
    bench_run(&b, VNS_SEC);
    cr_assert_eq(a2->rx->len, 1);
    cr_assert_eq(seen.n, 1);
    e = bench_entry(ct, VNS_IPPROTO_UDP, "10.0.1.2", 40000, "203.0.113.2", 5000);
    cr_assert_not_null(e);
    cr_assert_eq(vns_ct_entry_status(e) & (VNS_CT_SEEN_REPLY | VNS_CT_ASSURED), 0);
    cr_assert(vns_ct_entry_status(e) & VNS_CT_CONFIRMED);
    expect_expiry(&b, ct, VNS_IPPROTO_UDP, "10.0.1.2", 40000, "203.0.113.2", 5000,
                  seen.t + 30 * VNS_SEC);
    /* The reply direction finds nothing either, and the next sweep (every
     * second) leaves the table empty. */
    cr_assert_null(bench_entry(ct, VNS_IPPROTO_UDP, "203.0.113.2", 5000, "10.0.1.2", 40000));
    bench_run(&b, seen.t + 32 * VNS_SEC);
    cr_assert_eq(vns_conntrack_count(ct), 0);
    bench_finish(&b);
}

Test(conntrack, udp_stream_gets_120s_and_assured_after_2s)
{
    /* nf_conntrack_udp_packet() (ASSURED only in stream state since Linux
     * 5.16, commit b7b1d02fc439):
     * once a reply was seen, a packet more than 2 s after the first one
     * refreshes to nf_conntrack_udp_timeout_stream = 120 s and sets
     * ASSURED; before that the timeout stays 30 s. SEEN_REPLY is set
     * after the protocol handler, so the first reply itself refreshes to
     * 30 s. */
    Bench b;
    Seen seen = { 0 };
    BenchApp *a1, *a2;
    VnsConntrack *ct;
    VnsCtEntry *e;
    VnsTime t0;

    bench_open(&b, "ok-conntrack-topo.xml", NULL);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 40000);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    ct = bench_ct(&b, "conntrack-r1");
    watch_r1(&b, &seen);
    bench_start(&b);
    bench_send_at(a1, 10 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5000));
    bench_run(&b, 50 * VNS_MS);
    t0 = seen.t;
    bench_send_at(a2, 100 * VNS_MS, bench_udp4(b.net, "203.0.113.2", "10.0.1.2", 5000, 40000));
    bench_run(&b, 500 * VNS_MS);
    cr_assert_eq(a1->rx->len, 1);
    e = bench_entry(ct, VNS_IPPROTO_UDP, "10.0.1.2", 40000, "203.0.113.2", 5000);
    cr_assert_not_null(e);
    cr_assert(vns_ct_entry_status(e) & VNS_CT_SEEN_REPLY);
    cr_assert(!(vns_ct_entry_status(e) & VNS_CT_ASSURED));
    cr_assert_eq(vns_ct_entry_expires(e), seen.t + 30 * VNS_SEC);
    /* A second reply 1 s in: replied, but younger than 2 s: 30 s. */
    bench_send_at(a2, VNS_SEC, bench_udp4(b.net, "203.0.113.2", "10.0.1.2", 5000, 40000));
    bench_run(&b, 1500 * VNS_MS);
    cr_assert(seen.t < t0 + 2 * VNS_SEC);
    cr_assert_eq(vns_ct_entry_expires(e), seen.t + 30 * VNS_SEC);
    cr_assert(!(vns_ct_entry_status(e) & VNS_CT_ASSURED));
    /* 3 s in: a stream: 120 s, ASSURED. */
    bench_send_at(a1, 3 * VNS_SEC, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5000));
    bench_run(&b, 3500 * VNS_MS);
    cr_assert(seen.t > t0 + 2 * VNS_SEC);
    cr_assert(vns_ct_entry_status(e) & VNS_CT_ASSURED);
    expect_expiry(&b, ct, VNS_IPPROTO_UDP, "10.0.1.2", 40000, "203.0.113.2", 5000,
                  seen.t + 120 * VNS_SEC);
    cr_assert_eq(a2->rx->len, 2);
    bench_finish(&b);
}

Test(conntrack, icmp_echo_expires_at_30s)
{
    /* nf_conntrack_icmp_timeout = 30 s, refreshed by the echo reply (h2
     * answers the request itself). */
    Bench b;
    Seen seen = { 0 };
    BenchApp *a1;
    VnsConntrack *ct;

    bench_open(&b, "ok-conntrack-topo.xml", NULL);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_ICMP, 7);
    ct = bench_ct(&b, "conntrack-r1");
    watch_r1(&b, &seen);
    bench_start(&b);
    bench_send_at(a1, 10 * VNS_MS, bench_echo4(b.net, "10.0.1.2", "203.0.113.2", 7));
    bench_run(&b, VNS_SEC);
    cr_assert_eq(a1->rx->len, 1, "no echo reply");
    cr_assert_eq(seen.n, 2);
    cr_assert(vns_ct_entry_status(bench_entry(ct, VNS_IPPROTO_ICMP, "10.0.1.2", 7,
                                              "203.0.113.2", 0)) & VNS_CT_SEEN_REPLY);
    expect_expiry(&b, ct, VNS_IPPROTO_ICMP, "10.0.1.2", 7, "203.0.113.2", 0,
                  seen.t + 30 * VNS_SEC);
    bench_finish(&b);
}

/* A TCP client 10.0.1.2:sport and server 203.0.113.2:80: initial
 * sequence numbers 1000 and 5000. */
typedef struct {
    Bench *b;
    BenchApp *c, *s;
    uint16_t sport;
} Conn;

static void
conn_send(Conn *c, bool from_client, uint8_t flags, uint32_t seq, uint32_t ack,
          VnsTime at)
{
    if (from_client)
        bench_send_at(c->c, at, bench_tcp4(c->b->net, "10.0.1.2", "203.0.113.2",
                                           c->sport, 80, flags, seq, ack, 0));
    else
        bench_send_at(c->s, at, bench_tcp4(c->b->net, "203.0.113.2", "10.0.1.2", 80,
                                           c->sport, flags, seq, ack, 0));
    bench_run(c->b, at + 10 * VNS_MS);
}

static void
conn_handshake(Conn *c, VnsTime at)
{
    conn_send(c, true, VNS_TCP_SYN, 1000, 0, at);
    conn_send(c, false, VNS_TCP_SYN | VNS_TCP_ACK, 5000, 1001, at + 20 * VNS_MS);
    conn_send(c, true, VNS_TCP_ACK, 1001, 5001, at + 40 * VNS_MS);
}

static VnsCtEntry *
conn_entry(Conn *c, VnsConntrack *ct)
{
    return bench_entry(ct, VNS_IPPROTO_TCP, "10.0.1.2", c->sport, "203.0.113.2", 80);
}

/* Opens ok-conntrack-topo.xml with 'set', attaches the client (port
 * c->sport) and the server, watches r1 and starts; returns r1's table. */
static VnsConntrack *
conn_open(Bench *b, Conn *c, Seen *seen, const char *const *set)
{
    VnsConntrack *ct;

    c->b = b;
    bench_open(b, "ok-conntrack-topo.xml", set);
    c->c = bench_attach(b, "h1", "a1", VNS_IPPROTO_TCP, c->sport);
    c->s = bench_attach(b, "h2", "a2", VNS_IPPROTO_TCP, 80);
    ct = bench_ct(b, "conntrack-r1");
    watch_r1(b, seen);
    bench_start(b);
    return ct;
}

Test(conntrack, tcp_handshake_then_established_lives_5_days)
{
    /* tcp_timeouts[]: SYN_SENT 120 s, SYN_RECV 60 s, ESTABLISHED 5 days
     * (432000 s); ASSURED with the handshake's last ACK. */
    Bench b;
    Seen seen = { 0 };
    const char *const set[] = { "gc", "3600s", NULL };
    VnsConntrack *ct;
    VnsCtEntry *e;
    Conn c = { .b = &b, .sport = 40000 };
    g_autoptr(VnsReport) report = vns_report_new();
    double est = 0, assured = 0;

    ct = conn_open(&b, &c, &seen, set);
    conn_send(&c, true, VNS_TCP_SYN, 1000, 0, 10 * VNS_MS);
    e = conn_entry(&c, ct);
    cr_assert_not_null(e);
    cr_assert_eq(vns_ct_entry_tcp_state(e), VNS_CT_TCP_SYN_SENT);
    cr_assert_eq(vns_ct_entry_expires(e), seen.t + 120 * VNS_SEC);
    conn_send(&c, false, VNS_TCP_SYN | VNS_TCP_ACK, 5000, 1001, 30 * VNS_MS);
    cr_assert_eq(vns_ct_entry_tcp_state(e), VNS_CT_TCP_SYN_RECV);
    cr_assert_eq(vns_ct_entry_expires(e), seen.t + 60 * VNS_SEC);
    cr_assert(!(vns_ct_entry_status(e) & VNS_CT_ASSURED));
    conn_send(&c, true, VNS_TCP_ACK, 1001, 5001, 50 * VNS_MS);
    cr_assert_eq(vns_ct_entry_tcp_state(e), VNS_CT_TCP_ESTABLISHED);
    cr_assert(vns_ct_entry_status(e) & VNS_CT_ASSURED);
    vns_net_stats(b.net, report);
    cr_assert(vns_report_get_num(report, "conntrack", "conntrack-r1", "tcp_established", &est));
    cr_assert(vns_report_get_num(report, "conntrack", "conntrack-r1", "assured", &assured));
    cr_assert_eq(est, 1);
    cr_assert_eq(assured, 1);
    expect_expiry(&b, ct, VNS_IPPROTO_TCP, "10.0.1.2", 40000, "203.0.113.2", 80,
                  seen.t + 432000 * VNS_SEC);
    bench_finish(&b);
}

Test(conntrack, tcp_close_ends_in_time_wait_120s)
{
    /* Through the close: FIN -> FIN_WAIT (120 s), its ACK -> CLOSE_WAIT
     * (60 s), the other FIN -> LAST_ACK (30 s), the last ACK -> TIME_WAIT
     * (120 s); tcp_conntracks[][][] and tcp_timeouts[]. */
    Bench b;
    Seen seen = { 0 };
    VnsConntrack *ct;
    VnsCtEntry *e;
    Conn c = { .b = &b, .sport = 40001 };

    ct = conn_open(&b, &c, &seen, NULL);
    conn_handshake(&c, 10 * VNS_MS);
    e = conn_entry(&c, ct);
    cr_assert_not_null(e);
    conn_send(&c, true, VNS_TCP_FIN | VNS_TCP_ACK, 1001, 5001, 200 * VNS_MS);
    cr_assert_eq(vns_ct_entry_tcp_state(e), VNS_CT_TCP_FIN_WAIT);
    cr_assert_eq(vns_ct_entry_expires(e), seen.t + 120 * VNS_SEC);
    conn_send(&c, false, VNS_TCP_ACK, 5001, 1002, 220 * VNS_MS);
    cr_assert_eq(vns_ct_entry_tcp_state(e), VNS_CT_TCP_CLOSE_WAIT);
    cr_assert_eq(vns_ct_entry_expires(e), seen.t + 60 * VNS_SEC);
    conn_send(&c, false, VNS_TCP_FIN | VNS_TCP_ACK, 5001, 1002, 240 * VNS_MS);
    cr_assert_eq(vns_ct_entry_tcp_state(e), VNS_CT_TCP_LAST_ACK);
    cr_assert_eq(vns_ct_entry_expires(e), seen.t + 30 * VNS_SEC);
    conn_send(&c, true, VNS_TCP_ACK, 1002, 5002, 260 * VNS_MS);
    cr_assert_eq(vns_ct_entry_tcp_state(e), VNS_CT_TCP_TIME_WAIT);
    expect_expiry(&b, ct, VNS_IPPROTO_TCP, "10.0.1.2", 40001, "203.0.113.2", 80,
                  seen.t + 120 * VNS_SEC);
    bench_finish(&b);
}

Test(conntrack, tcp_unacknowledged_data_caps_at_300s)
{
    /* Data in flight caps ESTABLISHED's timeout at
     * nf_conntrack_tcp_timeout_unacknowledged = 300 s until it is
     * acknowledged; then 5 days again. */
    Bench b;
    Seen seen = { 0 };
    VnsConntrack *ct;
    VnsCtEntry *e;
    Conn c = { .b = &b, .sport = 40002 };

    ct = conn_open(&b, &c, &seen, NULL);
    conn_handshake(&c, 10 * VNS_MS);
    e = conn_entry(&c, ct);
    bench_send_at(c.c, 200 * VNS_MS, bench_tcp4(b.net, "10.0.1.2", "203.0.113.2", 40002, 80,
                                               VNS_TCP_ACK | VNS_TCP_PSH, 1001, 5001, 1000));
    bench_run(&b, 250 * VNS_MS);
    cr_assert_eq(vns_ct_entry_expires(e), seen.t + 300 * VNS_SEC);
    conn_send(&c, false, VNS_TCP_ACK, 5001, 2001, 300 * VNS_MS);
    cr_assert_eq(vns_ct_entry_expires(e), seen.t + 432000 * VNS_SEC);
    bench_finish(&b);
}

/* ---- the limit ------------------------------------------------------------ */

Test(conntrack, full_table_of_assured_drops_the_new_flow)
{
    /* max 4, 4 buckets: early_drop() scans 8 buckets (all of them) but
     * finds only ASSURED entries, so the new connection's first packet
     * is dropped ("nf_conntrack: table full, dropping packet"). */
    Bench b;
    const char *const set[] = { "buckets", "4", "max", "4", NULL };
    VnsConntrack *ct;
    Conn c[5];
    g_autoptr(VnsReport) report = vns_report_new();
    double drop = -1, early = -1;

    bench_open(&b, "ok-conntrack-topo.xml", set);
    ct = bench_ct(&b, "conntrack-r1");
    for (int i = 0; i < 5; i++) {
        g_autofree char *cn = g_strdup_printf("c%d", i);
        g_autofree char *sn = g_strdup_printf("s%d", i);
        c[i] = (Conn) { .b = &b, .sport = (uint16_t) (41000 + i) };
        c[i].c = bench_attach(&b, "h1", cn, VNS_IPPROTO_TCP, c[i].sport);
    }
    for (int i = 0; i < 5; i++)
        c[i].s = i == 0 ? bench_attach(&b, "h2", "s", VNS_IPPROTO_TCP, 80) : c[0].s;
    bench_start(&b);
    for (int i = 0; i < 4; i++)
        conn_handshake(&c[i], (VnsTime) (i + 1) * 100 * VNS_MS);
    cr_assert_eq(vns_conntrack_count(ct), 4);
    for (int i = 0; i < 4; i++)
        cr_assert(vns_ct_entry_status(conn_entry(&c[i], ct)) & VNS_CT_ASSURED);
    cr_assert_eq(c[0].s->rx->len, 8);
    conn_send(&c[4], true, VNS_TCP_SYN, 1000, 0, VNS_SEC);
    cr_assert_eq(c[0].s->rx->len, 8, "the fifth SYN got through");
    cr_assert_eq(bench_drops(&b, "conntrack-r1", VNS_DROP_CONNTRACK_FULL), 1);
    cr_assert_eq(vns_conntrack_count(ct), 4);
    cr_assert_null(conn_entry(&c[4], ct));
    for (int i = 0; i < 4; i++)
        cr_assert_not_null(conn_entry(&c[i], ct));
    vns_net_stats(b.net, report);
    cr_assert(vns_report_get_num(report, "conntrack", "conntrack-r1", "drop", &drop));
    cr_assert(vns_report_get_num(report, "conntrack", "conntrack-r1", "early_drop", &early));
    cr_assert_eq(drop, 1);
    cr_assert_eq(early, 0);
    bench_finish(&b);
}

Test(conntrack, full_table_early_drops_an_unassured_entry)
{
    /* Three ASSURED TCP connections and one unanswered UDP flow fill the
     * table (max 4); a new flow evicts the UDP entry (early_drop_list()
     * deletes non-assured entries only) and gets in; the TCP entries
     * survive. */
    Bench b;
    const char *const set[] = { "buckets", "4", "max", "4", NULL };
    VnsConntrack *ct;
    Conn c[3];
    BenchApp *u1, *u2;
    g_autoptr(VnsReport) report = vns_report_new();
    double drop = -1, early = -1;

    bench_open(&b, "ok-conntrack-topo.xml", set);
    ct = bench_ct(&b, "conntrack-r1");
    for (int i = 0; i < 3; i++) {
        g_autofree char *cn = g_strdup_printf("c%d", i);
        c[i] = (Conn) { .b = &b, .sport = (uint16_t) (41000 + i) };
        c[i].c = bench_attach(&b, "h1", cn, VNS_IPPROTO_TCP, c[i].sport);
    }
    c[0].s = c[1].s = c[2].s = bench_attach(&b, "h2", "s", VNS_IPPROTO_TCP, 80);
    u1 = bench_attach(&b, "h1", "u1", VNS_IPPROTO_UDP, 40000);
    u2 = bench_attach(&b, "h2", "u2", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    for (int i = 0; i < 3; i++)
        conn_handshake(&c[i], (VnsTime) (i + 1) * 100 * VNS_MS);
    bench_send_at(u1, 500 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5000));
    bench_run(&b, 600 * VNS_MS);
    cr_assert_eq(vns_conntrack_count(ct), 4);
    bench_send_at(u1, 700 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5001));
    bench_run(&b, 800 * VNS_MS);
    cr_assert_eq(u2->rx->len, 1);       /* 5001 has no socket on h2 */
    cr_assert_eq(bench_drops(&b, "h2", VNS_DROP_NO_SOCKET), 1, "the new flow was not forwarded");
    cr_assert_eq(bench_drops(&b, "conntrack-r1", VNS_DROP_CONNTRACK_FULL), 0);
    cr_assert_null(bench_entry(ct, VNS_IPPROTO_UDP, "10.0.1.2", 40000, "203.0.113.2", 5000));
    cr_assert_not_null(bench_entry(ct, VNS_IPPROTO_UDP, "10.0.1.2", 40000, "203.0.113.2", 5001));
    for (int i = 0; i < 3; i++)
        cr_assert_not_null(conn_entry(&c[i], ct));
    cr_assert_eq(vns_conntrack_count(ct), 4);
    vns_net_stats(b.net, report);
    cr_assert(vns_report_get_num(report, "conntrack", "conntrack-r1", "drop", &drop));
    cr_assert(vns_report_get_num(report, "conntrack", "conntrack-r1", "early_drop", &early));
    cr_assert_eq(drop, 0);
    cr_assert_eq(early, 1);
    bench_finish(&b);
}

Test(conntrack, dropped_first_packet_leaves_no_entry)
{
    /* A new connection whose first packet dies between prerouting and
     * postrouting (no route) is never confirmed; its entry goes with the
     * packet (Linux frees the unconfirmed conntrack with the skb). Here
     * that happens when the next packets reuse its slot. */
    Bench b;
    BenchApp *a1;
    VnsConntrack *ct;

    bench_open(&b, "ok-conntrack-topo.xml", NULL);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 40000);
    bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    ct = bench_ct(&b, "conntrack-r1");
    bench_start(&b);
    bench_send_at(a1, 10 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "192.0.2.1", 40000, 5000));
    bench_run(&b, 50 * VNS_MS);
    cr_assert_eq(bench_drops(&b, "r1", VNS_DROP_NO_ROUTE), 1);
    cr_assert_null(bench_entry(ct, VNS_IPPROTO_UDP, "10.0.1.2", 40000, "192.0.2.1", 5000));
    for (int i = 0; i < 10; i++)
        bench_send_at(a1, (VnsTime) (100 + i) * VNS_MS,
                      bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5000));
    bench_run(&b, 200 * VNS_MS);
    cr_assert_eq(vns_conntrack_count(ct), 1);
    bench_finish(&b);
}

Test(conntrack, lookups_cost_cpu_on_the_router)
{
    /* cost-per-lookup charges one job per packet looked up to r1's node:
     * 10 datagrams and their 10 replies = 20 jobs of 2 us. */
    Bench b;
    const char *const set[] = { "cost", "2us", NULL };
    BenchApp *a1, *a2;
    VnsElement *r1;

    bench_open(&b, "ok-conntrack-topo.xml", set);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 40000);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    a2->echo = true;
    r1 = vns_net_find(b.net, "r1");
    bench_start(&b);
    for (int i = 0; i < 10; i++)
        bench_send_at(a1, (VnsTime) (10 + i) * VNS_MS,
                      bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5000));
    bench_run(&b, 100 * VNS_MS);
    cr_assert_eq(a1->rx->len, 10);
    cr_assert_eq(vns_node_cpu_jobs(r1->node), 20);
    bench_finish(&b);
}

Test(conntrack, ipv6_udp_is_tracked_like_ipv4)
{
    /* The same UDP rules over IPv6 (nf_conntrack_proto_udp.c serves both
     * families): answered within 2 s, 30 s from the reply. */
    Bench b;
    Seen seen = { 0 };
    BenchApp *a1, *a2;
    VnsConntrack *ct;
    VnsCtEntry *e;

    bench_open(&b, "ok-conntrack-topo.xml", NULL);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 40000);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    a2->echo = true;
    ct = bench_ct(&b, "conntrack-r1");
    watch_r1(&b, &seen);
    bench_start(&b);
    bench_send_at(a1, 10 * VNS_MS, bench_udp(b.net, bench_ip("2001:db8:1::2"),
                                             bench_ip("2001:db8:2::2"), 40000, 5000, 100));
    bench_run(&b, VNS_SEC);
    cr_assert_eq(a1->rx->len, 1, "no reply over IPv6");
    cr_assert_eq(seen.n, 2);
    e = bench_entry(ct, VNS_IPPROTO_UDP, "2001:db8:1::2", 40000, "2001:db8:2::2", 5000);
    cr_assert_not_null(e);
    cr_assert(vns_ct_entry_status(e) & VNS_CT_SEEN_REPLY);
    cr_assert_null(bench_entry(ct, VNS_IPPROTO_UDP, "10.0.1.2", 40000, "203.0.113.2", 5000));
    expect_expiry(&b, ct, VNS_IPPROTO_UDP, "2001:db8:1::2", 40000, "2001:db8:2::2", 5000,
                  seen.t + 30 * VNS_SEC);
    bench_finish(&b);
}
