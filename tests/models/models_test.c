/* Shared helpers of the model tests (see models_test.h). */
#include <config.h>
#include "tests/models/models_test.h"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "models/models.h"
#include "out/pcap.h"
#include "topo/loader.h"

VnsNet *
models_test_build(const char *file, const char *const *sets, uint32_t rep,
                  VnsExperiment **exp_out, VnsRegistry **reg_out)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, file, NULL);
    VnsRegistry *reg = vns_registry_new();
    VnsExperiment *exp;
    VnsSim *sim;
    VnsNet *net;

    cr_assert(vns_models_register(reg, &error));
    exp = vns_experiment_load(reg, path, sets, &error);
    cr_assert_not_null(exp, "%s", error->message);
    sim = vns_sim_new(exp->queue);
    vns_sim_set_seed(sim, exp->seed, rep);
    net = vns_net_new(sim);
    cr_assert(vns_experiment_build(exp, net, &error), "%s", error->message);
    *exp_out = exp;
    *reg_out = reg;
    return net;
}

VnsReport *
models_test_run(const char *file, const char *const *sets, uint32_t rep)
{
    g_autoptr(GError) error = NULL;
    VnsExperiment *exp;
    VnsRegistry *reg;
    VnsNet *net = models_test_build(file, sets, rep, &exp, &reg);
    VnsSim *sim = vns_net_sim(net);
    VnsReport *report = vns_report_new();

    cr_assert(vns_net_start(net, &error), "%s", error->message);
    if (exp->warmup > 0) {
        vns_sim_run_until(sim, exp->warmup);
        vns_net_reset(net);
    }
    vns_sim_run_until(sim, exp->warmup + exp->duration);
    vns_net_stop(net);
    vns_net_stats(net, report);
    /* Pending events release the packets they carry. */
    vns_sim_free(sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(net)), 0,
                 "%" G_GUINT64_FORMAT " packets out of the pool",
                 vns_packet_pool_outstanding(vns_net_pool(net)));
    vns_net_free(net);
    vns_experiment_free(exp);
    vns_registry_free(reg);
    return report;
}

VnsReport *
models_test_run_into(const char *file, const char *dir)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, file, NULL);
    g_autoptr(VnsRegistry) reg = vns_registry_new();
    g_autoptr(VnsExperiment) exp = NULL;
    VnsReport *report;

    cr_assert(vns_models_register(reg, &error));
    exp = vns_experiment_load(reg, path, NULL, &error);
    cr_assert_not_null(exp, "%s", error ? error->message : "");
    report = vns_experiment_run_into(exp, 0, dir, NULL, NULL, &error);
    cr_assert_not_null(report, "%s", error ? error->message : "");
    return report;
}

double
models_test_num(const VnsReport *report, const char *table, const char *row,
                const char *key)
{
    double v = NAN;

    cr_assert(vns_report_get_num(report, table, row, key, &v),
              "no field %s in row %s of table %s", key, row, table);
    return v;
}

char *
models_test_bad_build(const char *file, int line, int code, const char *part)
{
    g_autoptr(VnsRegistry) reg = vns_registry_new();
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, file, NULL);
    g_autofree char *prefix = g_strdup_printf("%s:%d: ", path, line);
    g_autoptr(GError) e = NULL;
    g_autoptr(VnsExperiment) exp = NULL;
    VnsSim *sim;
    VnsNet *net;

    cr_assert(vns_models_register(reg, &e));
    exp = vns_experiment_load(reg, path, NULL, &e);
    cr_assert_not_null(exp, "%s: %s", file, e->message);
    sim = vns_sim_new(NULL);
    net = vns_net_new(sim);
    cr_assert_not(vns_experiment_build(exp, net, &e), "%s built", file);
    cr_assert_eq(e->domain, VNS_CONFIG_ERROR, "%s", file);
    cr_assert_eq(e->code, code, "%s: code %d: %s", file, e->code, e->message);
    cr_assert(g_str_has_prefix(e->message, prefix), "%s: '%s'", file, e->message);
    cr_assert(strstr(e->message, part) != NULL, "%s: '%s'", file, e->message);
    vns_sim_free(sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(net)), 0);
    vns_net_free(net);
    return g_strdup(e->message);
}

/* ---- A raw test element --------------------------------------------------- */

static bool
test_end_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    ((TestEnd *) self)->rx = g_array_new(FALSE, TRUE, sizeof(TestRx));
    return true;
}

static void
test_end_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    TestEnd *e = (TestEnd *) self;
    TestRx r = { 0 };

    r.at = vns_element_now(self);
    r.latency = r.at - pkt->t_created;
    r.port = port;
    r.size = vns_packet_size(pkt);
    r.payload_len = pkt->payload_len;
    r.len = MIN(pkt->len, (uint32_t) sizeof r.hdr);
    r.tun_id = pkt->tun_id;
    r.tun_valid = pkt->tun_valid;
    r.flow_id = pkt->flow_id;
    r.flow_seq = pkt->flow_seq;
    memcpy(r.hdr, vns_packet_data(pkt), r.len);
    g_array_append_val(e->rx, r);
    if (e->hook != NULL)
        e->hook(e, pkt, &g_array_index(e->rx, TestRx, e->rx->len - 1), e->hook_data);
    vns_packet_free(pkt);       /* consumed */
}

static void
test_end_free(VnsElement *self)
{
    TestEnd *e = (TestEnd *) self;

    if (e->rx != NULL)
        g_array_free(e->rx, TRUE);
    if (e->hook_free != NULL)
        e->hook_free(e->hook_data);
}

static const VnsElementOps test_end_ops = {
    .type = "test-end",
    .instance_size = sizeof(TestEnd),
    .create = test_end_create,
    .receive = test_end_receive,
    .free = test_end_free,
};

VnsPort *
test_end_add_port(TestEnd *e, const char *port, VnsPort *peer)
{
    GError *error = NULL;
    VnsPort *p = vns_element_add_port(&e->base, port);

    if (e->port == NULL)
        e->port = p;
    if (peer != NULL)
        cr_assert(vns_port_connect(p, peer, &error), "%s",
                  error ? error->message : "");
    return p;
}

TestEnd *
test_end_new(VnsNet *net, const char *name, const char *port, VnsPort *peer)
{
    GError *error = NULL;
    TestEnd *e = (TestEnd *) vns_net_add(net, &test_end_ops, name, NULL, &error);

    cr_assert_not_null(e, "%s", error ? error->message : "");
    if (port != NULL)
        test_end_add_port(e, port, peer);
    return e;
}

TestEnd *
test_end_attach(VnsNet *net, const char *host, const char *name, uint8_t proto,
                uint16_t l4port)
{
    VnsElement *h = vns_net_find(net, host);
    g_autofree char *pname = g_strdup_printf("app:%s", name);
    TestEnd *e;

    cr_assert_not_null(h, "no host %s", host);
    e = test_end_new(net, name, "ip", vns_element_add_port(h, pname));
    e->port->info.l4_proto = proto;
    e->port->info.l4_port = l4port;
    return e;
}

static void
test_end_send_run(VnsSim *sim, void *ctx, void *arg)
{
    VnsPacket *pkt = arg;

    pkt->t_created = vns_sim_now(sim);
    vns_port_send(ctx, pkt);
}

static void
test_end_send_destroy(void *ctx, void *arg)
{
    vns_packet_free(arg);
}

static const VnsEventType test_end_send_event = {
    "test-send", test_end_send_run, test_end_send_destroy
};

void
test_end_send_at(TestEnd *e, VnsPort *port, VnsTime at, VnsPacket *pkt)
{
    if (port == NULL)
        port = e->port;
    cr_assert_not_null(port, "%s has no port", e->base.name);
    vns_sim_schedule_at(e->base.sim, at, &test_end_send_event, port, pkt);
}

const TestRx *
test_end_rx(const TestEnd *e, guint i)
{
    cr_assert(i < e->rx->len, "%s received only %u packets", e->base.name,
              e->rx->len);
    return &g_array_index(e->rx, TestRx, i);
}

void
test_end_write_pcap(const TestEnd *e, const char *path)
{
    g_autoptr(GError) error = NULL;
    VnsPcap *w = vns_pcap_open(path, VNS_PCAP_MAX_SNAPLEN, &error);

    cr_assert_not_null(w, "%s", error ? error->message : "");
    for (guint i = 0; i < e->rx->len; i++) {
        const TestRx *r = &g_array_index(e->rx, TestRx, i);
        cr_assert(vns_pcap_write(w, r->at, r->hdr, r->len, r->payload_len));
    }
    cr_assert(vns_pcap_close(w, &error), "%s", error ? error->message : "");
}

guint
test_end_count_on(const TestEnd *e, uint16_t port)
{
    guint n = 0;

    for (guint i = 0; i < e->rx->len; i++)
        if (g_array_index(e->rx, TestRx, i).port == port)
            n++;
    return n;
}

const TestRx *
test_end_rx_on(const TestEnd *e, uint16_t port, guint k)
{
    for (guint i = 0; i < e->rx->len; i++) {
        const TestRx *r = &g_array_index(e->rx, TestRx, i);
        if (r->port == port && k-- == 0)
            return r;
    }
    cr_assert_fail("%s port %u received fewer packets", e->base.name, port);
    return NULL;
}

char *
test_tmp_file(const char *tmpl, const char *text)
{
    g_autoptr(GError) error = NULL;
    char *path = g_build_filename(g_get_tmp_dir(), tmpl, NULL);
    int fd = g_mkstemp(path);

    cr_assert(fd >= 0, "%s", path);
    close(fd);
    cr_assert(g_file_set_contents(path, text, -1, &error), "%s",
              error ? error->message : "");
    return path;
}

/* ---- A topology of tests/data, built by hand ------------------------------ */

bool
test_bench_load(TestBench *b, const char *file, const char *const *set,
                GError **error)
{
    g_autofree char *path = g_path_is_absolute(file) ? g_strdup(file) :
                            g_build_filename(VNS_TEST_DATADIR, file, NULL);
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

void
test_bench_open(TestBench *b, const char *file, const char *const *set)
{
    GError *error = NULL;

    cr_assert(test_bench_load(b, file, set, &error), "%s: %s", file,
              error ? error->message : "");
}

void
test_bench_start(TestBench *b)
{
    GError *error = NULL;

    cr_assert(vns_net_start(b->net, &error), "%s", error ? error->message : "");
}

void
test_bench_finish(TestBench *b)
{
    vns_net_stop(b->net);
    vns_sim_free(b->sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(b->net)), 0,
                 "%" G_GUINT64_FORMAT " packets still out",
                 vns_packet_pool_outstanding(vns_net_pool(b->net)));
    vns_net_free(b->net);
    vns_registry_free(b->reg);
}

VnsElement *
test_bench_find(TestBench *b, const char *name)
{
    VnsElement *e = vns_net_find(b->net, name);

    cr_assert_not_null(e, "no element %s", name);
    return e;
}

VnsField
test_bench_field(TestBench *b, const char *table, const char *row, const char *key)
{
    g_autoptr(VnsReport) report = vns_report_new();
    const VnsField *f;

    vns_net_stats(b->net, report);
    f = vns_report_find(report, table, row, key);
    cr_assert_not_null(f, "no %s/%s/%s", table, row, key);
    cr_assert_neq(f->kind, VNS_FIELD_STR, "%s/%s/%s is a string", table, row, key);
    return *f;
}

int64_t
test_bench_int(TestBench *b, const char *table, const char *row, const char *key)
{
    VnsField f = test_bench_field(b, table, row, key);

    cr_assert_eq(f.kind, VNS_FIELD_INT, "%s/%s/%s is not an integer", table, row, key);
    return f.i;
}

double
test_bench_num(TestBench *b, const char *table, const char *row, const char *key)
{
    VnsField f = test_bench_field(b, table, row, key);

    return f.kind == VNS_FIELD_INT ? (double) f.i : f.d;
}

uint64_t
test_bench_drops(TestBench *b, const char *element, VnsDropCause cause)
{
    return test_bench_find(b, element)->drops[cause];
}

void
test_bench_check_bad(const char *file, int line, int code, const char *part)
{
    test_bench_check_bad_set(file, NULL, line, code, part);
}

void
test_bench_check_bad_set(const char *file, const char *const *set, int line,
                         int code, const char *part)
{
    TestBench b;
    GError *error = NULL;
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, file, NULL);
    g_autofree char *prefix = g_strdup_printf("%s:%d: ", path, line);
    bool ok = test_bench_load(&b, file, set, &error);

    if (ok)
        ok = vns_net_start(b.net, &error);
    cr_assert_not(ok, "%s was accepted", file);
    cr_assert_not_null(error);
    cr_assert_eq(error->domain, VNS_CONFIG_ERROR, "%s", error->message);
    if (code >= 0)
        cr_assert_eq(error->code, code, "code %d: %s", error->code,
                     error->message);
    cr_assert(g_str_has_prefix(error->message, prefix), "expected '%s...', got '%s'",
              prefix, error->message);
    cr_assert_not_null(strstr(error->message, part), "no '%s' in '%s'", part,
                       error->message);
    g_error_free(error);
    test_bench_finish(&b);
}
