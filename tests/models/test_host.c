/* Tests of the IPv4/IPv6 host and router (models/l3/host.c) and its route
 * table (src/net/lpm.c, tested in tests/net/test_lpm.c): ARP and Neighbor Discovery with exact
 * timings, static neighbours, forwarding with TTL / hop-limit decrement,
 * the ICMP and ICMPv6 errors a router sends, delivery to applications,
 * neighbour failure and its queue, the CPU cost, hook points, and the
 * configuration errors with their file and line.
 *
 * Topologies are the ok-host-*.xml files of tests/data, loaded through the
 * real loader; traffic comes from a test-only application element defined
 * here, attached to a host the way traffic builders do ("app:<name>"
 * ports). Every expected number says where it comes from. The links are
 * 1 Gbit/s with 1 ms of delay, so a frame of F bytes (Ethernet header
 * included, no FCS) takes (max(F + 4, 64) + 8 + 12) * 8 ns to send
 * (IEEE 802.3 FCS, minimum frame, preamble + SFD, inter-frame gap; see
 * models/link/p2p.h). */
#include <config.h>
#include <string.h>
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include "models/l3/host.h"
#include "models/models.h"
#include "net/proto.h"
#include "topo/loader.h"

/* Line rate and delay of every link in the ok-host-*.xml topologies. */
#define LINK_DELAY (1 * VNS_MS)
/* Wire time of an ARP frame: 14 + 28 = 42 bytes, padded to 64 with the
 * FCS, + 20 = 84 bytes = 672 bits at 1 Gbit/s. */
#define ARP_TX (672 * VNS_NS)
/* A neighbor solicitation or advertisement with its link-layer address
 * option: 14 + 40 + 24 + 8 = 86 bytes, + 4 + 20 = 110 bytes = 880 ns. */
#define ND_TX (880 * VNS_NS)
/* A UDP/IPv4 packet with 1000 payload bytes: 14 + 20 + 8 + 1000 = 1042,
 * + 24 = 1066 bytes = 8528 ns. */
#define UDP4_TX (8528 * VNS_NS)
/* The same over IPv6: 14 + 40 + 8 + 1000 = 1062, + 24 = 1086 = 8688 ns. */
#define UDP6_TX (8688 * VNS_NS)
/* One ARP or ND round trip over a link: request and reply each take their
 * wire time plus the delay. */
#define ARP_RTT (2 * (ARP_TX + LINK_DELAY))
#define ND_RTT (2 * (ND_TX + LINK_DELAY))

/* ---- A test application ------------------------------------------------- */

/* What the application saw of one packet. */
typedef struct {
    VnsTime at;             /* arrival time */
    VnsTime latency;        /* at - t_created */
    uint32_t size;          /* vns_packet_size() */
    uint32_t len;           /* header bytes stored (copied to hdr) */
    uint8_t hdr[256];       /* the first stored bytes, IP header first */
} TestRx;

typedef struct {
    VnsElement base;
    VnsPort *port;          /* its one port, joined to the host */
    GArray *rx;             /* of TestRx */
} TestApp;

static bool
test_app_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    TestApp *app = (TestApp *) self;

    app->port = vns_element_add_port(self, "ip");
    app->rx = g_array_new(FALSE, TRUE, sizeof(TestRx));
    return true;
}

static void
test_app_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    TestApp *app = (TestApp *) self;
    TestRx r = { 0 };

    r.at = vns_element_now(self);
    r.latency = r.at - pkt->t_created;
    r.size = vns_packet_size(pkt);
    r.len = MIN(pkt->len, (uint32_t) sizeof r.hdr);
    memcpy(r.hdr, vns_packet_data(pkt), r.len);
    g_array_append_val(app->rx, r);
    vns_packet_free(pkt);       /* consumed */
}

static void
test_app_free(VnsElement *self)
{
    TestApp *app = (TestApp *) self;

    if (app->rx != NULL)
        g_array_free(app->rx, TRUE);
}

static const VnsElementOps test_app_ops = {
    .type = "test-app",
    .instance_size = sizeof(TestApp),
    .create = test_app_create,
    .receive = test_app_receive,
    .free = test_app_free,
};

/* Attaches an application named 'name' to host 'host' as a traffic
 * builder would: a port "app:<name>" on the host, joined to the app's,
 * which advertises (proto, port). */
static TestApp *
app_attach(VnsNet *net, const char *host, const char *name, uint8_t proto,
           uint16_t port)
{
    GError *error = NULL;
    VnsElement *h = vns_net_find(net, host);
    TestApp *app = (TestApp *) vns_net_add(net, &test_app_ops, name, NULL, &error);
    g_autofree char *pname = g_strdup_printf("app:%s", name);

    cr_assert_not_null(h);
    cr_assert_not_null(app, "%s", error ? error->message : "");
    cr_assert(vns_port_connect(app->port, vns_element_add_port(h, pname), &error));
    app->port->info.l4_proto = proto;
    app->port->info.l4_port = port;
    return app;
}

static void
send_run(VnsSim *sim, void *ctx, void *arg)
{
    TestApp *app = ctx;
    VnsPacket *pkt = arg;

    pkt->t_created = vns_sim_now(sim);
    vns_port_send(app->port, pkt);
}

static void
send_destroy(void *ctx, void *arg)
{
    vns_packet_free(arg);
}

static const VnsEventType send_event = { "test-send", send_run, send_destroy };

/* Has 'app' send 'pkt' (taken) at time 'at'. */
static void
app_send_at(TestApp *app, VnsTime at, VnsPacket *pkt)
{
    vns_sim_schedule_at(app->base.sim, at, &send_event, app, pkt);
}

static uint32_t
ip4(const char *text)
{
    uint32_t a = 0;
    cr_assert(vns_ip4_parse(text, &a, NULL), "%s", text);
    return a;
}

static VnsIp6
ip6(const char *text)
{
    VnsIp6 a;
    cr_assert(vns_ip6_parse(text, &a, NULL), "%s", text);
    return a;
}

/* A UDP/IPv4 packet, IP header at data[0], checksums right. */
static VnsPacket *
udp4(VnsNet *net, const char *src, const char *dst, uint16_t sport,
     uint16_t dport, uint32_t payload, uint8_t ttl, bool df)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), payload);
    VnsIpAddr s = vns_ip_addr_v4(ip4(src)), d = vns_ip_addr_v4(ip4(dst));
    VnsUdpHdr u = { .sport = sport, .dport = dport };
    VnsIpv4Hdr ip = { .ttl = ttl, .proto = VNS_IPPROTO_UDP, .df = df,
                      .src = s.v4, .dst = d.v4, .id = 1 };

    vns_udp_push(pkt, &u, &s, &d);
    vns_ipv4_push(pkt, &ip);
    return pkt;
}

static VnsPacket *
udp6(VnsNet *net, const char *src, const char *dst, uint16_t sport,
     uint16_t dport, uint32_t payload, uint8_t hops)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), payload);
    VnsIp6 s6 = ip6(src), d6 = ip6(dst);
    VnsIpAddr s = vns_ip_addr_v6(&s6), d = vns_ip_addr_v6(&d6);
    VnsUdpHdr u = { .sport = sport, .dport = dport };
    VnsIpv6Hdr ip = { .next_header = VNS_IPPROTO_UDP, .hop_limit = hops,
                      .src = s6, .dst = d6 };

    vns_udp_push(pkt, &u, &s, &d);
    vns_ipv6_push(pkt, &ip);
    return pkt;
}

/* An ICMP echo request with identifier 'id'. */
static VnsPacket *
echo4(VnsNet *net, const char *src, const char *dst, uint16_t id)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), 56);
    VnsIcmpHdr e = { .type = VNS_ICMP_ECHO_REQUEST, .id = id, .seq = 1 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_ICMP,
                      .src = ip4(src), .dst = ip4(dst) };

    vns_icmp_push(pkt, &e);
    vns_ipv4_push(pkt, &ip);
    return pkt;
}

/* ---- Topologies --------------------------------------------------------- */

typedef struct {
    VnsSim *sim;
    VnsNet *net;
    VnsRegistry *reg;
} Bench;

/* Loads tests/data/'file' with parameters 'set' ("name", "value", ...,
 * NULL) into a new network. Returns false with 'error' set on failure. */
static bool
bench_load(Bench *b, const char *file, const char *const *set, GError **error)
{
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, file, NULL);
    g_autoptr(VnsParams) params = vns_params_new();
    g_autoptr(xmlDoc) doc = NULL;

    memset(b, 0, sizeof *b);
    b->sim = vns_sim_new(NULL);
    b->net = vns_net_new(b->sim);
    b->reg = vns_registry_new();
    cr_assert(vns_models_register(b->reg, NULL));
    for (size_t i = 0; set != NULL && set[i] != NULL; i += 2)
        vns_params_set(params, set[i], set[i + 1], false);
    doc = vns_topo_read(b->reg, path, error);
    return doc != NULL && vns_topo_params(doc, path, params, error) &&
           vns_topo_build(b->reg, b->net, path, doc, params, error);
}

static void
bench_open(Bench *b, const char *file, const char *const *set)
{
    GError *error = NULL;

    cr_assert(bench_load(b, file, set, &error), "%s: %s", file,
              error ? error->message : "");
}

static void
bench_start(Bench *b)
{
    GError *error = NULL;

    cr_assert(vns_net_start(b->net, &error), "%s", error ? error->message : "");
}

/* Ends the run, frees the simulator and checks that no packet is left out
 * of the pool, then frees the rest. */
static void
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

/* A host's counter from its "hosts" row. */
static int64_t
host_stat(Bench *b, const char *host, const char *key)
{
    g_autoptr(VnsReport) report = vns_report_new();
    const VnsField *f;

    vns_net_stats(b->net, report);
    f = vns_report_find(report, "hosts", host, key);
    cr_assert_not_null(f, "no hosts/%s/%s", host, key);
    cr_assert_eq(f->kind, VNS_FIELD_INT);
    return f->i;
}

static uint64_t
drops(Bench *b, const char *element, VnsDropCause cause)
{
    VnsElement *e = vns_net_find(b->net, element);
    cr_assert_not_null(e);
    return e->drops[cause];
}

static const TestRx *
rx(const TestApp *app, guint i)
{
    cr_assert(i < app->rx->len, "only %u packets received", app->rx->len);
    return &g_array_index(app->rx, TestRx, i);
}

/* ---- ARP and static neighbours ------------------------------------------ */

Test(host, first_packet_waits_one_arp_round_trip)
{
    Bench b;
    TestApp *a1, *a2;

    bench_open(&b, "ok-host-pair.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    app_send_at(a1, 10 * VNS_MS,
                udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    /* h2 learnt h1 from its request (RFC 826 "merge"): no ARP back. */
    app_send_at(a2, 20 * VNS_MS,
                udp4(b.net, "10.0.1.2", "10.0.1.1", 6000, 5000, 1000, 64, true));
    vns_sim_run(b.sim);

    cr_assert_eq(a2->rx->len, 2);
    /* The first packet waits for the request and the reply, then takes
     * its own wire time and the delay. */
    cr_assert_eq(rx(a2, 0)->latency, ARP_RTT + UDP4_TX + LINK_DELAY);
    cr_assert_eq(rx(a2, 1)->latency, UDP4_TX + LINK_DELAY);
    cr_assert_eq(rx(a2, 0)->latency - rx(a2, 1)->latency, ARP_RTT);
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->latency, UDP4_TX + LINK_DELAY);
    /* Delivered with the IP header first, unchanged: TTL 64, valid
     * checksum, 20 + 8 + 1000 bytes. */
    cr_assert_eq(rx(a2, 0)->hdr[0] >> 4, 4);
    cr_assert_eq(rx(a2, 0)->hdr[8], 64);
    cr_assert(vns_ipv4_checksum_ok(rx(a2, 0)->hdr, rx(a2, 0)->len));
    cr_assert_eq(rx(a2, 0)->size, 1028);
    cr_assert_eq(host_stat(&b, "h1", "arp_requests_sent"), 1);
    cr_assert_eq(host_stat(&b, "h2", "arp_replies_sent"), 1);
    cr_assert_eq(host_stat(&b, "h1", "arp_replies_received"), 1);
    cr_assert_eq(host_stat(&b, "h2", "arp_requests_sent"), 0);
    cr_assert_eq(host_stat(&b, "h1", "neighbor_entries"), 1);
    cr_assert_eq(host_stat(&b, "h2", "neighbor_entries"), 1);
    cr_assert_eq(host_stat(&b, "h2", "delivered"), 2);
    /* Frames: h1 sent the request and two packets; h2 the reply and one. */
    cr_assert_eq(host_stat(&b, "h1", "tx_packets"), 3);
    cr_assert_eq(host_stat(&b, "h2", "tx_packets"), 2);
    bench_finish(&b);
}

Test(host, entries_expire_after_the_reachable_time)
{
    Bench b;
    TestApp *a1, *a2;

    bench_open(&b, "ok-host-pair.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    /* The entry resolved at 2 ARP_TX + 2 ms lasts 30 s (the default
     * neighbor-reachable-time, Linux's base_reachable_time_ms = 30000):
     * a packet at 29 s uses it, one at 33 s resolves again. */
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    app_send_at(a1, 29 * VNS_SEC,
                udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    app_send_at(a1, 33 * VNS_SEC,
                udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 3);
    cr_assert_eq(rx(a2, 1)->latency, UDP4_TX + LINK_DELAY);
    cr_assert_eq(rx(a2, 2)->latency, ARP_RTT + UDP4_TX + LINK_DELAY);
    cr_assert_eq(host_stat(&b, "h1", "arp_requests_sent"), 2);
    bench_finish(&b);
}

Test(host, static_neighbors_send_no_arp)
{
    Bench b;
    TestApp *a1, *a2;

    bench_open(&b, "ok-host-static.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    app_send_at(a2, 5 * VNS_MS,
                udp4(b.net, "10.0.1.2", "10.0.1.1", 6000, 5000, 1000, 64, true));
    /* Static entries never expire: still no ARP after a minute. */
    app_send_at(a1, 60 * VNS_SEC,
                udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 2);
    cr_assert_eq(rx(a2, 0)->latency, UDP4_TX + LINK_DELAY);
    cr_assert_eq(rx(a2, 1)->latency, UDP4_TX + LINK_DELAY);
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->latency, UDP4_TX + LINK_DELAY);
    cr_assert_eq(host_stat(&b, "h1", "arp_requests_sent"), 0);
    cr_assert_eq(host_stat(&b, "h2", "arp_requests_sent"), 0);
    cr_assert_eq(host_stat(&b, "h1", "tx_packets"), 2);
    bench_finish(&b);
}

/* ---- Neighbour failure -------------------------------------------------- */

Test(host, unanswered_arp_fails_after_three_requests)
{
    Bench b;
    TestApp *a1;

    bench_open(&b, "ok-host-pair.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    /* Nobody has 10.0.1.99. 105 packets: the queue holds 101 (Linux's
     * unres_qlen), so the 4 oldest are dropped at once; requests leave at
     * 0, 1 and 2 s (retrans_time_ms 1000, mcast_solicit 3), and at 3 s the
     * 101 waiting are dropped, each after an ICMP host unreachable to its
     * source (h1 itself), which reaches a1 as its socket error. */
    for (int i = 0; i < 105; i++)
        app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.99", 5000, 6000,
                                100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(host_stat(&b, "h1", "arp_requests_sent"), 3);
    cr_assert_eq(drops(&b, "h1", VNS_DROP_NO_NEIGHBOR), 105);
    cr_assert_eq(a1->rx->len, 101);
    cr_assert_eq(rx(a1, 0)->at, 3 * VNS_SEC);
    cr_assert_eq(rx(a1, 0)->hdr[9], VNS_IPPROTO_ICMP);
    cr_assert_eq(rx(a1, 0)->hdr[20], VNS_ICMP_DEST_UNREACH);
    cr_assert_eq(rx(a1, 0)->hdr[21], VNS_ICMP_HOST_UNREACH);
    bench_finish(&b);
}

Test(host, stop_drops_packets_waiting_for_a_neighbor)
{
    Bench b;
    TestApp *a1;

    bench_open(&b, "ok-host-pair.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.99", 5000, 6000, 100, 64, true));
    vns_sim_run_until(b.sim, 500 * VNS_MS);
    vns_net_stop(b.net);
    cr_assert_eq(drops(&b, "h1", VNS_DROP_END_OF_RUN), 1);
    cr_assert_eq(drops(&b, "h1", VNS_DROP_NO_NEIGHBOR), 0);
    bench_finish(&b);
}

/* ---- Forwarding --------------------------------------------------------- */

Test(host, router_forwards_between_subnets_and_decrements_ttl)
{
    Bench b;
    TestApp *a1, *a2;
    const TestRx *r;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1000, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 1);
    r = rx(a2, 0);
    /* h1 resolves r1, r1 resolves h2: one ARP round trip per link, then
     * two hops of wire time and delay. */
    cr_assert_eq(r->latency, 2 * ARP_RTT + 2 * (UDP4_TX + LINK_DELAY));
    cr_assert_eq(r->hdr[8], 63, "TTL %u, expected 64 - 1 (RFC 1812 5.3.1)", r->hdr[8]);
    cr_assert(vns_ipv4_checksum_ok(r->hdr, r->len),
              "header checksum invalid after the TTL decrement (RFC 1624)");
    cr_assert_eq(vns_wire_get32(r->hdr + 12), ip4("10.0.1.2"));
    cr_assert_eq(host_stat(&b, "r1", "forwarded"), 1);
    cr_assert_eq(host_stat(&b, "r1", "arp_requests_sent"), 1);
    cr_assert_eq(a1->rx->len, 0);
    bench_finish(&b);
}

Test(host, ttl_one_gets_time_exceeded_back)
{
    Bench b;
    TestApp *a1, *a2;
    const TestRx *r;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1000, 1, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 0);
    cr_assert_eq(drops(&b, "r1", VNS_DROP_TTL_EXPIRED), 1);
    /* The error reaches the sending application (quoted source port
     * 5000): ICMP type 11 code 0 (RFC 792) from r1's eth0 address. */
    cr_assert_eq(a1->rx->len, 1);
    r = rx(a1, 0);
    cr_assert_eq(r->hdr[9], VNS_IPPROTO_ICMP);
    cr_assert_eq(vns_wire_get32(r->hdr + 12), ip4("10.0.1.1"));
    cr_assert_eq(vns_wire_get32(r->hdr + 16), ip4("10.0.1.2"));
    cr_assert_eq(r->hdr[20], VNS_ICMP_TIME_EXCEEDED);
    cr_assert_eq(r->hdr[21], VNS_ICMP_TTL_EXCEEDED);
    /* It quotes the packet as received (TTL 1) and is 576 bytes, the RFC
     * 1812 section 4.3.2.3 maximum: 20 + 8 + 548 of the 1028 quoted. */
    cr_assert_eq(r->size, 576);
    cr_assert_eq(r->hdr[28 + 8], 1);
    cr_assert_eq(vns_wire_get32(r->hdr + 28 + 16), ip4("10.0.2.2"));
    cr_assert_eq(vns_wire_get16(r->hdr + 28 + 20), 5000);
    cr_assert(vns_ipv4_checksum_ok(r->hdr, r->len));
    cr_assert_eq(vns_csum_l4(r->hdr + 20, r->len - 20, r->size - 20, 0, NULL, NULL),
                 0, "ICMP checksum invalid");
    /* Sent when the packet reaches r1, it takes one hop back: a frame of
     * 14 + 576 = 590 bytes, + 24 = 614 bytes = 4912 ns. r1 learnt h1 from
     * its ARP request, so no resolution. */
    cr_assert_eq(r->at, ARP_RTT + UDP4_TX + LINK_DELAY + 4912 * VNS_NS + LINK_DELAY);
    cr_assert_eq(host_stat(&b, "r1", "icmp_errors_sent"), 1);
    bench_finish(&b);
}

Test(host, no_route_gets_net_unreachable_and_a_no_route_drop)
{
    Bench b;
    TestApp *a1;
    g_autoptr(VnsReport) report = vns_report_new();
    const VnsField *f;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    /* r1 has only its two connected subnets. */
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.9.0.1", 5000, 6000, 100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->hdr[20], VNS_ICMP_DEST_UNREACH);
    cr_assert_eq(rx(a1, 0)->hdr[21], VNS_ICMP_NET_UNREACH);
    vns_net_stats(b.net, report);
    f = vns_report_find(report, "drops", "r1/no_route", "packets");
    cr_assert_not_null(f, "no drops row r1/no_route");
    cr_assert_eq(f->i, 1);
    f = vns_report_find(report, "drops", "r1/no_route", "cause");
    cr_assert_str_eq(f->s, "no_route");
    bench_finish(&b);
}

Test(host, ipv6_forwards_with_neighbor_discovery)
{
    Bench b;
    TestApp *a1, *a2;
    const TestRx *r;
    VnsIp6 src, want;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2", 5000, 6000,
                            1000, 64));
    app_send_at(a2, 50 * VNS_MS, udp6(b.net, "2001:db8:2::2", "2001:db8:1::2",
                                      6000, 5000, 1000, 64));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 1);
    r = rx(a2, 0);
    /* One NS/NA round trip per link (RFC 4861 section 7.2), then two hops. */
    cr_assert_eq(r->latency, 2 * ND_RTT + 2 * (UDP6_TX + LINK_DELAY));
    cr_assert_eq(r->hdr[0] >> 4, 6);
    cr_assert_eq(r->hdr[7], 63, "hop limit %u, expected 64 - 1 (RFC 8200 3)", r->hdr[7]);
    memcpy(src.b, r->hdr + 8, 16);
    want = ip6("2001:db8:1::2");
    cr_assert(vns_ip6_equal(&src, &want));
    /* The way back needs no ND: each solicitation taught its target the
     * solicitor's address (RFC 4861 section 7.2.3). */
    cr_assert_eq(a1->rx->len, 1);
    cr_assert_eq(rx(a1, 0)->latency, 2 * (UDP6_TX + LINK_DELAY));
    cr_assert_eq(host_stat(&b, "h1", "ns_sent"), 1);
    cr_assert_eq(host_stat(&b, "r1", "ns_sent"), 1);
    cr_assert_eq(host_stat(&b, "r1", "na_sent"), 1);
    cr_assert_eq(host_stat(&b, "h2", "na_sent"), 1);
    cr_assert_eq(host_stat(&b, "h2", "ns_sent"), 0);
    cr_assert_eq(host_stat(&b, "r1", "forwarded"), 2);
    bench_finish(&b);
}

Test(host, ipv6_hop_limit_one_gets_time_exceeded)
{
    Bench b;
    TestApp *a1;
    const TestRx *r;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    app_send_at(a1, 0, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2", 5000, 6000,
                            1000, 1));
    vns_sim_run(b.sim);
    cr_assert_eq(drops(&b, "r1", VNS_DROP_TTL_EXPIRED), 1);
    cr_assert_eq(a1->rx->len, 1);
    r = rx(a1, 0);
    /* ICMPv6 time exceeded, code 0 (RFC 4443 section 3.3), quoting as much
     * as fits in 1280 bytes (section 2.4 (c)): 40 + 8 + 1048 (all of it). */
    cr_assert_eq(r->hdr[6], VNS_IPPROTO_ICMPV6);
    cr_assert_eq(r->hdr[40], VNS_ICMP6_TIME_EXCEEDED);
    cr_assert_eq(r->hdr[41], 0);
    cr_assert_eq(r->size, 40 + 8 + 1048);
    {
        VnsIp6 s, d;
        VnsIpAddr sa, da;
        memcpy(s.b, r->hdr + 8, 16);
        memcpy(d.b, r->hdr + 24, 16);
        sa = vns_ip_addr_v6(&s);
        da = vns_ip_addr_v6(&d);
        cr_assert_eq(vns_csum_l4(r->hdr + 40, r->len - 40, r->size - 40,
                                 VNS_IPPROTO_ICMPV6, &sa, &da), 0);
        VnsIp6 r1_eth0 = ip6("2001:db8:1::1");
        /* From r1's address on the interface back to h1. */
        cr_assert(vns_ip6_equal(&s, &r1_eth0));
    }
    bench_finish(&b);
}

Test(host, a_host_does_not_forward)
{
    Bench b;
    TestApp *a2;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    /* r1 routes 10.0.9.0/24 to h1, whose forward defaults to false (as
     * Linux's net.ipv4.ip_forward): dropped as not_for_us, no ICMP. */
    app_send_at(a2, 0, udp4(b.net, "10.0.2.2", "10.0.9.1", 6000, 5000, 100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(host_stat(&b, "r1", "forwarded"), 1);
    cr_assert_eq(drops(&b, "h1", VNS_DROP_NOT_FOR_US), 1);
    cr_assert_eq(host_stat(&b, "h1", "forwarded"), 0);
    cr_assert_eq(host_stat(&b, "h1", "icmp_errors_sent"), 0);
    cr_assert_eq(a2->rx->len, 0);
    bench_finish(&b);
}

/* ---- MTU ---------------------------------------------------------------- */

Test(host, df_packet_over_the_egress_mtu_gets_fragmentation_needed)
{
    Bench b;
    TestApp *a1, *a2;
    const TestRx *r;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    /* r1's eth1 learnt MTU 1400 from its link. 1372 + 28 = 1400 passes;
     * 1373 + 28 = 1401 does not: with DF an ICMP 3/4 comes back carrying
     * 1400 in bytes 6-7 (RFC 1191 section 4); without DF it is dropped
     * silently here (fragmentation is not modelled yet). */
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1372, 64, true));
    app_send_at(a1, 10 * VNS_MS,
                udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1373, 64, true));
    app_send_at(a1, 20 * VNS_MS,
                udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 1373, 64, false));
    app_send_at(a1, 30 * VNS_MS, udp6(b.net, "2001:db8:1::2", "2001:db8:2::2",
                                      5000, 6000, 1353, 64));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 1);
    cr_assert_eq(rx(a2, 0)->size, 1400);
    cr_assert_eq(drops(&b, "r1", VNS_DROP_MTU_EXCEEDED), 3);
    cr_assert_eq(a1->rx->len, 2);
    r = rx(a1, 0);
    cr_assert_eq(r->hdr[20], VNS_ICMP_DEST_UNREACH);
    cr_assert_eq(r->hdr[21], VNS_ICMP_FRAG_NEEDED);
    cr_assert_eq(vns_wire_get16(r->hdr + 26), 1400);
    /* IPv6: 40 + 8 + 1353 = 1401 > 1400: packet too big with the MTU in
     * bytes 4-7 (RFC 4443 section 3.2). */
    r = rx(a1, 1);
    cr_assert_eq(r->hdr[40], VNS_ICMP6_PACKET_TOO_BIG);
    cr_assert_eq(vns_wire_get32(r->hdr + 44), 1400);
    bench_finish(&b);
}

/* ---- Local delivery ----------------------------------------------------- */

Test(host, no_bound_application_drops_no_socket)
{
    Bench b;
    TestApp *a1;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 7777, 100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(drops(&b, "h2", VNS_DROP_NO_SOCKET), 1);
    /* No ICMP port unreachable comes back (see doc/models/host.md). */
    cr_assert_eq(a1->rx->len, 0);
    cr_assert_eq(host_stat(&b, "h2", "icmp_errors_sent"), 0);
    bench_finish(&b);
}

Test(host, echo_request_gets_a_reply)
{
    Bench b;
    TestApp *p1;
    const TestRx *r;

    bench_open(&b, "ok-host-routed.xml", NULL);
    /* A ping application bound to echo identifier 77. */
    p1 = app_attach(b.net, "h1", "p1", VNS_IPPROTO_ICMP, 77);
    bench_start(&b);
    app_send_at(p1, 0, echo4(b.net, "10.0.1.2", "10.0.2.2", 77));
    vns_sim_run(b.sim);
    cr_assert_eq(p1->rx->len, 1);
    r = rx(p1, 0);
    cr_assert_eq(r->hdr[20], VNS_ICMP_ECHO_REPLY);
    cr_assert_eq(vns_wire_get16(r->hdr + 24), 77);
    cr_assert_eq(vns_wire_get32(r->hdr + 12), ip4("10.0.2.2"));
    /* Sent with TTL 64 (Linux's ip_default_ttl), one router on the way. */
    cr_assert_eq(r->hdr[8], 63);
    cr_assert(vns_ipv4_checksum_ok(r->hdr, r->len));
    cr_assert_eq(vns_csum_l4(r->hdr + 20, r->len - 20, r->size - 20, 0, NULL, NULL), 0);
    cr_assert_eq(r->size, 20 + 8 + 56);
    cr_assert_eq(host_stat(&b, "h2", "echo_replies_sent"), 1);
    bench_finish(&b);
}

/* ---- CPU ---------------------------------------------------------------- */

Test(host, cpu_cost_delays_and_queues_packets)
{
    Bench b;
    TestApp *a1, *a2;
    static const char *const set[] = { "h2_cost", "10us", NULL };

    bench_open(&b, "ok-host-static.xml", set);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 2);
    /* The first arrives at UDP4_TX + delay and takes 10 us of h2's one
     * core; the second arrives UDP4_TX later, while the core is busy, and
     * finishes 10 us after the first (FIFO, one core). */
    cr_assert_eq(rx(a2, 0)->latency, UDP4_TX + LINK_DELAY + 10 * VNS_US);
    cr_assert_eq(rx(a2, 1)->latency, UDP4_TX + LINK_DELAY + 20 * VNS_US);
    (void) a1;
    bench_finish(&b);
}

Test(host, stop_drops_packets_in_cpu_service)
{
    Bench b;
    TestApp *a1, *a2;
    static const char *const set[] = { "h2_cost", "10us", NULL };

    bench_open(&b, "ok-host-static.xml", set);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.1", "10.0.1.2", 5000, 6000, 1000, 64, true));
    /* Halfway through its 10 us of service at h2. */
    vns_sim_run_until(b.sim, UDP4_TX + LINK_DELAY + 5 * VNS_US);
    vns_net_stop(b.net);
    cr_assert_eq(drops(&b, "h2", VNS_DROP_END_OF_RUN), 1);
    cr_assert_eq(a2->rx->len, 0);
    /* The pending service event finds nothing to do. */
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 0);
    bench_finish(&b);
}

/* ---- Hooks -------------------------------------------------------------- */

typedef struct {
    GString *log;           /* "element:hook:in:out " per call */
    int steal_at;           /* hook that steals (drops), or -1 */
} HookLog;

static VnsHookVerdict
hook_record(VnsElement *host, VnsPacket *pkt, const VnsHookState *st, void *data)
{
    static const char *const names[] = { "pre", "in", "fwd", "out", "post" };
    HookLog *log = data;

    g_string_append_printf(log->log, "%s:%s:%d:%d ", host->name, names[st->hook],
                           st->in_iface, st->out_iface);
    cr_assert_eq(vns_packet_data(pkt)[0] >> 4, 4, "IP header at data[0]");
    if ((int) st->hook == log->steal_at) {
        vns_packet_drop(pkt, host, VNS_DROP_POLICY_DENY);
        return VNS_HOOK_STOLEN;
    }
    return VNS_HOOK_ACCEPT;
}

static VnsHookVerdict
hook_order(VnsElement *host, VnsPacket *pkt, const VnsHookState *st, void *data)
{
    g_string_append_printf(data, "%s ", host->name);
    return VNS_HOOK_ACCEPT;
}

static void
hook_all(VnsNet *net, const char *name, HookLog *log)
{
    VnsElement *e = vns_net_find(net, name);

    cr_assert(vns_host_is_host(e));
    for (int k = 0; k < VNS_HOST_N_HOOKS; k++)
        vns_host_hook_add(e, (VnsHostHook) k, 0, hook_record, log);
}

Test(host, hooks_run_at_the_linux_points)
{
    Bench b;
    TestApp *a1, *a2;
    HookLog log = { g_string_new(NULL), -1 };

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    hook_all(b.net, "h1", &log);
    hook_all(b.net, "r1", &log);
    hook_all(b.net, "h2", &log);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 1);
    /* Linux's paths: local out (OUTPUT, POSTROUTING), forward
     * (PREROUTING, FORWARD, POSTROUTING), local in (PREROUTING, INPUT);
     * interfaces by index, -1 for none. ARP passes no IP hook. */
    cr_assert_str_eq(log.log->str,
                     "h1:out:-1:-1 h1:post:-1:0 "
                     "r1:pre:0:-1 r1:fwd:0:1 r1:post:0:1 "
                     "h2:pre:0:-1 h2:in:0:-1 ");
    g_string_free(log.log, TRUE);
    bench_finish(&b);
}

Test(host, a_stealing_hook_takes_the_packet)
{
    Bench b;
    TestApp *a1, *a2;
    HookLog log = { g_string_new(NULL), VNS_HOST_HOOK_FORWARD };
    GString *order = g_string_new(NULL);
    VnsElement *r1;

    bench_open(&b, "ok-host-routed.xml", NULL);
    a1 = app_attach(b.net, "h1", "a1", VNS_IPPROTO_UDP, 5000);
    a2 = app_attach(b.net, "h2", "a2", VNS_IPPROTO_UDP, 6000);
    r1 = vns_net_find(b.net, "r1");
    /* Priority order: -100 runs before 0, which steals; 50 never runs. */
    vns_host_hook_add(r1, VNS_HOST_HOOK_FORWARD, 50, hook_order, order);
    vns_host_hook_add(r1, VNS_HOST_HOOK_FORWARD, 0, hook_record, &log);
    vns_host_hook_add(r1, VNS_HOST_HOOK_FORWARD, -100, hook_order, order);
    bench_start(&b);
    app_send_at(a1, 0, udp4(b.net, "10.0.1.2", "10.0.2.2", 5000, 6000, 100, 64, true));
    vns_sim_run(b.sim);
    cr_assert_eq(a2->rx->len, 0);
    cr_assert_str_eq(order->str, "r1 ");
    cr_assert_str_eq(log.log->str, "r1:fwd:0:1 ");
    cr_assert_eq(drops(&b, "r1", VNS_DROP_POLICY_DENY), 1);
    cr_assert_eq(host_stat(&b, "r1", "forwarded"), 0);
    g_string_free(log.log, TRUE);
    g_string_free(order, TRUE);
    bench_finish(&b);
}

/* ---- Configuration ------------------------------------------------------ */

Test(host, interfaces_advertise_addresses_and_learn_the_link_mtu)
{
    Bench b;
    VnsElement *h1, *r1;
    VnsPort *p;
    VnsIpAddr want;
    char buf[VNS_MAC_STRLEN];

    bench_open(&b, "ok-host-routed.xml", NULL);
    h1 = vns_net_find(b.net, "h1");
    r1 = vns_net_find(b.net, "r1");
    cr_assert_str_eq(h1->ops->type, "host");
    cr_assert_str_eq(r1->ops->type, "router");
    p = vns_element_find_port(h1, "eth0");
    cr_assert_not_null(p);
    want = vns_ip_addr_v4(ip4("10.0.1.2"));
    cr_assert(vns_ip_addr_equal(&p->info.addr4, &want));
    cr_assert_eq(p->info.prefix4, 24);
    cr_assert_eq(p->info.addr6.family, VNS_IP_V6);
    cr_assert_eq(p->info.prefix6, 64);
    /* Derived MACs: locally administered (0x02 bit), unicast (0x01 bit
     * clear), distinct per interface, and the same on every run. */
    cr_assert_eq(p->info.mac.b[0], 0x02, "%s", vns_mac_format(&p->info.mac, buf));
    cr_assert_not(vns_mac_equal(&vns_element_find_port(r1, "eth0")->info.mac,
                                &vns_element_find_port(r1, "eth1")->info.mac));
    bench_start(&b);
    /* MTU: eth1 from its link's mtu="1400"; eth0 from its link's default,
     * 1500. */
    cr_assert_eq(vns_element_find_port(r1, "eth1")->info.mtu, 1400);
    cr_assert_eq(vns_element_find_port(r1, "eth0")->info.mtu, 1500);
    /* Two connected routes and 10.0.9.0/24. */
    cr_assert_eq(host_stat(&b, "r1", "routes4"), 3);
    cr_assert_eq(host_stat(&b, "h1", "routes6"), 2);
    {
        Bench b2;
        VnsMac again;
        bench_open(&b2, "ok-host-routed.xml", NULL);
        again = vns_element_find_port(vns_net_find(b2.net, "h1"), "eth0")->info.mac;
        cr_assert(vns_mac_equal(&again, &p->info.mac));
        bench_finish(&b2);
    }
    bench_finish(&b);
}

/* Loading tests/data/'file' fails with 'code' and a message that starts
 * with "<path>:<line>: " and contains 'part'. */
static void
check_bad(const char *file, int line, int code, const char *part)
{
    Bench b;
    GError *error = NULL;
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, file, NULL);
    g_autofree char *prefix = g_strdup_printf("%s:%d: ", path, line);
    bool ok = bench_load(&b, file, NULL, &error);

    if (ok) {
        ok = vns_net_start(b.net, &error);
        cr_assert_not(ok, "%s was accepted", file);
    }
    cr_assert_not_null(error);
    cr_assert_eq(error->domain, VNS_CONFIG_ERROR, "%s", error->message);
    cr_assert_eq(error->code, code, "code %d: %s", error->code, error->message);
    cr_assert(g_str_has_prefix(error->message, prefix), "expected '%s...', got '%s'",
              prefix, error->message);
    cr_assert_not_null(strstr(error->message, part), "no '%s' in '%s'", part,
                       error->message);
    g_error_free(error);
    bench_finish(&b);
}

Test(host, bad_files_name_the_file_and_line)
{
    check_bad("bad-host-address.xml", 6, VNS_CONFIG_ERROR_BAD_VALUE,
              "'address': bad prefix '10.0.2.300/24'");
    check_bad("bad-host-dup-interface.xml", 7, VNS_CONFIG_ERROR_DUPLICATE,
              "name 'eth0' is already used at line 5");
    check_bad("bad-host-gateway.xml", 8, VNS_CONFIG_ERROR_REFERENCE,
              "gateway 10.0.3.1 is on no connected subnet of 'h1', expected an "
              "address inside one of: 10.0.1.0/24 (eth0), 10.0.2.0/24 (eth1)");
    check_bad("bad-host-route-dev.xml", 6, VNS_CONFIG_ERROR_REFERENCE,
              "'dev' is 'eth1', which names no <interface>");
    check_bad("bad-host-neighbor.xml", 6, VNS_CONFIG_ERROR_REFERENCE,
              "10.0.9.1 is on no interface's subnet");
    check_bad("bad-host-same-address.xml", 7, VNS_CONFIG_ERROR_DUPLICATE,
              "address 2001:db8:1::2 is already on interface 'eth0' (line 5)");
    check_bad("bad-host-mac.xml", 5, VNS_CONFIG_ERROR_BAD_VALUE,
              "expected a unicast MAC");
    check_bad("bad-host-overlap.xml", 6, VNS_CONFIG_ERROR_CONFLICT,
              "'h2:eth0' across link 'h1-h2' also has");
}

/* ---- Route table -------------------------------------------------------- */


