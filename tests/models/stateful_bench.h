/* Test harness shared by the conntrack and NAT tests
 * (tests/models/test_conntrack.c, test_nat.c): loading a topology of
 * tests/data, a test application that sends hand-made IP packets into a
 * host's stack and records what it receives (optionally answering UDP),
 * and packet builders with correct checksums. Static functions only: each
 * test file gets its own copy. */
#ifndef VNS_TEST_STATEFUL_BENCH_H
#define VNS_TEST_STATEFUL_BENCH_H

#include <string.h>
#include <criterion/criterion.h>
#include "models/models.h"
#include "models/stateful/conntrack.h"
#include "net/proto.h"
#include "topo/loader.h"

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

typedef struct {
    VnsElement base;
    VnsPort *port;
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

static G_GNUC_UNUSED void
bench_app_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    BenchApp *app = (BenchApp *) self;
    BenchRx r = { 0 };

    (void) port;
    r.at = vns_element_now(self);
    bench_parse(pkt, &r);
    g_array_append_val(app->rx, r);
    vns_packet_free(pkt);
    if (app->echo && r.proto == VNS_IPPROTO_UDP)
        /* Answer from the address and port it was sent to. */
        vns_port_send(app->port, bench_udp(self->net, r.dst, r.src, r.dport,
                                           r.sport, 100));
}

static G_GNUC_UNUSED bool
bench_app_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    BenchApp *app = (BenchApp *) self;

    (void) cfg;
    (void) error;
    app->port = vns_element_add_port(self, "ip");
    app->rx = g_array_new(FALSE, TRUE, sizeof(BenchRx));
    return true;
}

static G_GNUC_UNUSED void
bench_app_free(VnsElement *self)
{
    BenchApp *app = (BenchApp *) self;

    if (app->rx != NULL)
        g_array_free(app->rx, TRUE);
}

static const VnsElementOps bench_app_ops = {
    .type = "bench-app",
    .instance_size = sizeof(BenchApp),
    .create = bench_app_create,
    .receive = bench_app_receive,
    .free = bench_app_free,
};

typedef struct {
    VnsSim *sim;
    VnsNet *net;
    VnsRegistry *reg;
} Bench;

static G_GNUC_UNUSED bool
bench_load(Bench *b, const char *file, const char *const *set, GError **error)
{
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, file, NULL);
    g_autoptr(VnsParams) params = vns_params_new();
    g_autoptr(xmlDoc) doc = NULL;

    memset(b, 0, sizeof *b);
    b->sim = vns_sim_new(NULL);
    vns_sim_set_seed(b->sim, 1, 0);
    b->net = vns_net_new(b->sim);
    b->reg = vns_registry_new();
    cr_assert(vns_models_register(b->reg, NULL));
    for (size_t i = 0; set != NULL && set[i] != NULL; i += 2)
        vns_params_set(params, set[i], set[i + 1], false);
    doc = vns_topo_read(b->reg, path, error);
    return doc != NULL && vns_topo_params(doc, path, params, error) &&
           vns_topo_build(b->reg, b->net, path, doc, params, error);
}

static G_GNUC_UNUSED void
bench_open(Bench *b, const char *file, const char *const *set)
{
    GError *error = NULL;

    cr_assert(bench_load(b, file, set, &error), "%s: %s", file,
              error ? error->message : "");
}

static G_GNUC_UNUSED void
bench_start(Bench *b)
{
    GError *error = NULL;

    cr_assert(vns_net_start(b->net, &error), "%s", error ? error->message : "");
}

/* Ends the run and checks that no packet is left out of the pool. */
static G_GNUC_UNUSED void
bench_finish(Bench *b)
{
    vns_net_stop(b->net);
    vns_sim_free(b->sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(b->net)), 0,
                 "%" G_GUINT64_FORMAT " packets still out",
                 vns_packet_pool_outstanding(vns_net_pool(b->net)));
    vns_net_free(b->net);
    vns_registry_free(b->reg);
}

static G_GNUC_UNUSED void
bench_run(Bench *b, VnsTime until)
{
    vns_sim_run_until(b->sim, until);
}

static G_GNUC_UNUSED BenchApp *
bench_attach(Bench *b, const char *host, const char *name, uint8_t proto,
             uint16_t port)
{
    GError *error = NULL;
    VnsElement *h = vns_net_find(b->net, host);
    BenchApp *app = (BenchApp *) vns_net_add(b->net, &bench_app_ops, name, NULL, &error);
    g_autofree char *pname = g_strdup_printf("app:%s", name);

    cr_assert_not_null(h);
    cr_assert_not_null(app, "%s", error ? error->message : "");
    cr_assert(vns_port_connect(app->port, vns_element_add_port(h, pname), &error));
    app->port->info.l4_proto = proto;
    app->port->info.l4_port = port;
    return app;
}

static G_GNUC_UNUSED void
bench_send_run(VnsSim *sim, void *ctx, void *arg)
{
    BenchApp *app = ctx;
    VnsPacket *pkt = arg;

    pkt->t_created = vns_sim_now(sim);
    vns_port_send(app->port, pkt);
}

static G_GNUC_UNUSED void
bench_send_destroy(void *ctx, void *arg)
{
    (void) ctx;
    vns_packet_free(arg);
}

static const VnsEventType bench_send_event = {
    "bench-send", bench_send_run, bench_send_destroy
};

/* Has 'app' send 'pkt' (taken) at 'at'. */
static G_GNUC_UNUSED void
bench_send_at(BenchApp *app, VnsTime at, VnsPacket *pkt)
{
    vns_sim_schedule_at(app->base.sim, at, &bench_send_event, app, pkt);
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
    cr_assert(i < app->rx->len, "%s: only %u packets received", app->base.name,
              app->rx->len);
    return &g_array_index(app->rx, BenchRx, i);
}

static G_GNUC_UNUSED uint64_t
bench_drops(Bench *b, const char *element, VnsDropCause cause)
{
    VnsElement *e = vns_net_find(b->net, element);

    cr_assert_not_null(e, "no element %s", element);
    return e->drops[cause];
}

#endif
