/* Test harness shared by the conntrack and NAT tests
 * (tests/models/test_conntrack.c, test_nat.c), on the shared test end and
 * bench of models_test.h: a test application that sends hand-made IP
 * packets into a host's stack and records what it receives, parsed
 * (optionally answering UDP), and packet builders with correct checksums.
 * Static functions only: each test file gets its own copy. */
#ifndef VNS_TEST_STATEFUL_BENCH_H
#define VNS_TEST_STATEFUL_BENCH_H

#include <string.h>
#include <criterion/criterion.h>
#include "models/models.h"
#include "models/stateful/conntrack.h"
#include "net/proto.h"
#include "tests/models/models_test.h"

/* What the application saw of one packet. */
typedef struct {
    VnsTime at;
    VnsIpAddr src, dst;
    uint8_t proto;
    uint16_t sport, dport;      /* ICMP: id in sport */
    uint8_t tcp_flags;
    uint32_t seq, ack;
    bool ip_csum_ok;            /* IPv4 header checksum verifies */
    bool l4_csum_ok;            /* TCP/UDP/ICMP checksum verifies */
} BenchRx;

/* A test end (models_test.h) and what it received, parsed. */
typedef struct {
    TestEnd *end;
    GArray *rx;                 /* of BenchRx */
    bool echo;                  /* answer UDP datagrams, addresses swapped */
} BenchApp;

static G_GNUC_UNUSED void
bench_parse(VnsPacket *pkt, BenchRx *r)
{
    const VnsFlowKey *k = vns_packet_parse_l3(pkt);
    const uint8_t *d = vns_packet_data(pkt);

    r->src = k->src;
    r->dst = k->dst;
    r->proto = k->proto;
    r->sport = k->proto == VNS_IPPROTO_ICMP ? k->icmp_id : k->sport;
    r->dport = k->dport;
    r->tcp_flags = k->tcp_flags;
    r->ip_csum_ok = k->family == VNS_IP_V4 && vns_ipv4_checksum_ok(d, pkt->len);
    if (pkt->l4_off != VNS_OFF_NONE) {
        uint32_t l4 = pkt->l4_off;
        if (k->proto == VNS_IPPROTO_TCP) {
            r->seq = (uint32_t) d[l4 + 4] << 24 | (uint32_t) d[l4 + 5] << 16 |
                     (uint32_t) d[l4 + 6] << 8 | d[l4 + 7];
            r->ack = (uint32_t) d[l4 + 8] << 24 | (uint32_t) d[l4 + 9] << 16 |
                     (uint32_t) d[l4 + 10] << 8 | d[l4 + 11];
        }
        r->l4_csum_ok = vns_csum_l4(d + l4, pkt->len - l4, vns_packet_size(pkt) - l4,
                                    k->proto,
                                    k->proto == VNS_IPPROTO_ICMP ? NULL : &r->src,
                                    k->proto == VNS_IPPROTO_ICMP ? NULL : &r->dst) == 0;
    }
}

static G_GNUC_UNUSED VnsPacket *bench_udp(VnsNet *net, VnsIpAddr s, VnsIpAddr d, uint16_t sport,
                            uint16_t dport, uint32_t payload);

typedef TestBench Bench;

static G_GNUC_UNUSED void
bench_app_hook(TestEnd *end, VnsPacket *pkt, const TestRx *tr, void *data)
{
    BenchApp *app = data;
    BenchRx r = { 0 };

    r.at = tr->at;
    bench_parse(pkt, &r);
    g_array_append_val(app->rx, r);
    if (app->echo && r.proto == VNS_IPPROTO_UDP)
        /* Answer from the address and port it was sent to. */
        vns_port_send(end->port, bench_udp(end->base.net, r.dst, r.src, r.dport,
                                           r.sport, 100));
}

static G_GNUC_UNUSED void
bench_app_free(void *data)
{
    BenchApp *app = data;

    g_array_free(app->rx, TRUE);
    g_free(app);
}

#define bench_open(b, file, set) test_bench_open((b), (file), (set))
#define bench_start(b) test_bench_start(b)
#define bench_finish(b) test_bench_finish(b)

static G_GNUC_UNUSED void
bench_run(Bench *b, VnsTime until)
{
    vns_sim_run_until(b->sim, until);
}

/* A test application on 'host' bound to (proto, port); freed with the
 * network. */
static G_GNUC_UNUSED BenchApp *
bench_attach(Bench *b, const char *host, const char *name, uint8_t proto,
             uint16_t port)
{
    BenchApp *app = g_new0(BenchApp, 1);

    app->end = test_end_attach(b->net, host, name, proto, port);
    app->rx = g_array_new(FALSE, TRUE, sizeof(BenchRx));
    app->end->hook = bench_app_hook;
    app->end->hook_data = app;
    app->end->hook_free = bench_app_free;
    return app;
}

/* Has 'app' send 'pkt' (taken) at 'at'. */
static G_GNUC_UNUSED void
bench_send_at(BenchApp *app, VnsTime at, VnsPacket *pkt)
{
    test_end_send_at(app->end, NULL, at, pkt);
}

static G_GNUC_UNUSED VnsIpAddr
bench_ip(const char *text)
{
    VnsIpAddr a;

    cr_assert(vns_ip_addr_parse(text, &a, NULL), "%s", text);
    return a;
}

static G_GNUC_UNUSED VnsPacket *
bench_udp(VnsNet *net, VnsIpAddr s, VnsIpAddr d, uint16_t sport, uint16_t dport,
          uint32_t payload)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), payload);
    VnsUdpHdr u = { .sport = sport, .dport = dport };

    vns_udp_push(pkt, &u, &s, &d);
    if (s.family == VNS_IP_V6) {
        VnsIpv6Hdr ip6 = { .next_header = VNS_IPPROTO_UDP, .hop_limit = 64,
                           .src = s.v6, .dst = d.v6 };
        vns_ipv6_push(pkt, &ip6);
    } else {
        VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_UDP, .src = s.v4,
                          .dst = d.v4, .id = 1 };
        vns_ipv4_push(pkt, &ip);
    }
    return pkt;
}

static G_GNUC_UNUSED VnsPacket *
bench_udp4(VnsNet *net, const char *src, const char *dst, uint16_t sport,
           uint16_t dport)
{
    return bench_udp(net, bench_ip(src), bench_ip(dst), sport, dport, 100);
}

static G_GNUC_UNUSED VnsPacket *
bench_tcp4(VnsNet *net, const char *src, const char *dst, uint16_t sport,
           uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
           uint32_t payload)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), payload);
    VnsIpAddr s = bench_ip(src), d = bench_ip(dst);
    VnsTcpHdr t = { .sport = sport, .dport = dport, .seq = seq, .ack = ack,
                    .flags = flags, .window = 65535 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_TCP, .src = s.v4,
                      .dst = d.v4, .id = 1, .df = true };

    vns_tcp_push(pkt, &t, &s, &d);
    vns_ipv4_push(pkt, &ip);
    return pkt;
}

static G_GNUC_UNUSED VnsPacket *
bench_echo4(VnsNet *net, const char *src, const char *dst, uint16_t id)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), 56);
    VnsIcmpHdr e = { .type = VNS_ICMP_ECHO_REQUEST, .id = id, .seq = 1 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_ICMP,
                      .src = bench_ip(src).v4, .dst = bench_ip(dst).v4 };

    vns_icmp_push(pkt, &e);
    vns_ipv4_push(pkt, &ip);
    return pkt;
}

static G_GNUC_UNUSED VnsConntrack *
bench_ct(Bench *b, const char *name)
{
    VnsElement *e = vns_net_find(b->net, name);

    cr_assert_not_null(e, "no element %s", name);
    cr_assert(e->ops == &vns_conntrack_ops);
    return (VnsConntrack *) e;
}

/* The entry of the connection (proto, src:sport -> dst:dport), original
 * direction; ICMP echo: sport = id. NULL when none (or expired). */
static G_GNUC_UNUSED VnsCtEntry *
bench_entry(VnsConntrack *ct, uint8_t proto, const char *src, uint16_t sport,
            const char *dst, uint16_t dport)
{
    VnsCtTuple t = { .src = bench_ip(src), .dst = bench_ip(dst),
                     .sport = sport, .dport = dport, .proto = proto };

    if (proto == VNS_IPPROTO_ICMP)
        t.dport = VNS_ICMP_ECHO_REQUEST << 8;
    return vns_conntrack_lookup(ct, &t, NULL);
}

static G_GNUC_UNUSED const BenchRx *
bench_rx(const BenchApp *app, guint i)
{
    cr_assert(i < app->rx->len, "%s: only %u packets received",
              app->end->base.name, app->rx->len);
    return &g_array_index(app->rx, BenchRx, i);
}

#define bench_drops(b, element, cause) test_bench_drops((b), (element), (cause))

#endif
