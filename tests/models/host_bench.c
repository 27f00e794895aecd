/* The test application and bench shared by the host and ECMP tests
 * (host_bench.h). */
#include <config.h>
#include "host_bench.h"

#include <string.h>
#include <criterion/criterion.h>
#include "models/models.h"

/* ---- A test application ------------------------------------------------- */

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
TestApp *
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
void
app_send_at(TestApp *app, VnsTime at, VnsPacket *pkt)
{
    vns_sim_schedule_at(app->base.sim, at, &send_event, app, pkt);
}

uint32_t
ip4(const char *text)
{
    uint32_t a = 0;
    cr_assert(vns_ip4_parse(text, &a, NULL), "%s", text);
    return a;
}

VnsIp6
ip6(const char *text)
{
    VnsIp6 a;
    cr_assert(vns_ip6_parse(text, &a, NULL), "%s", text);
    return a;
}

/* A UDP/IPv4 packet, IP header at data[0], checksums right. */
VnsPacket *
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

VnsPacket *
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
VnsPacket *
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

/* Loads tests/data/'file' with parameters 'set' ("name", "value", ...,
 * NULL) into a new network. Returns false with 'error' set on failure. */
bool
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

void
bench_open(Bench *b, const char *file, const char *const *set)
{
    GError *error = NULL;

    cr_assert(bench_load(b, file, set, &error), "%s: %s", file,
              error ? error->message : "");
}

void
bench_start(Bench *b)
{
    GError *error = NULL;

    cr_assert(vns_net_start(b->net, &error), "%s", error ? error->message : "");
}

/* Ends the run, frees the simulator and checks that no packet is left out
 * of the pool, then frees the rest. */
void
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
int64_t
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

uint64_t
drops(Bench *b, const char *element, VnsDropCause cause)
{
    VnsElement *e = vns_net_find(b->net, element);
    cr_assert_not_null(e);
    return e->drops[cause];
}

const TestRx *
rx(const TestApp *app, guint i)
{
    cr_assert(i < app->rx->len, "only %u packets received", app->rx->len);
    return &g_array_index(app->rx, TestRx, i);
}

