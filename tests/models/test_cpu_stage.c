/* Tests of the CPU stage (src/net/cpu_stage.h) on a node of k FIFO cores
 * (src/net/node.h), driven by a bare test element. Expected times follow
 * from FIFO service on k cores: a job starts when the earliest core is
 * free and ends 'cost' later; with in-order release it leaves at the
 * latest end time of itself and every job submitted before it. */
#include <config.h>
#include <criterion/criterion.h>
#include "net/cpu_stage.h"
#include "net/element.h"
#include "net/node.h"

#define CS_MAX 64

typedef struct {
    VnsElement base;            /* must stay first */
    VnsCpuStage cpu;
    uint64_t ids[CS_MAX];       /* packets released, in release order */
    uint32_t tags[CS_MAX];
    uint32_t datas[CS_MAX];
    VnsTime at[CS_MAX];
    unsigned n;
} CsElem;

static void
cs_done(VnsElement *self, VnsPacket *pkt, uint32_t tag, const void *data)
{
    CsElem *e = (CsElem *) self;

    cr_assert_lt(e->n, CS_MAX);
    e->ids[e->n] = pkt->id;
    e->tags[e->n] = tag;
    e->datas[e->n] = data != NULL ? *(const uint32_t *) data : 0;
    e->at[e->n] = vns_element_now(self);
    e->n++;
    while (pkt != NULL) {       /* a chain: free it all */
        VnsPacket *p = pkt;
        pkt = p->next;
        p->next = NULL;
        vns_packet_free(p);
    }
}

static bool
cs_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    (void) cfg;
    (void) error;
    vns_cpu_stage_init(&((CsElem *) self)->cpu, self, "test-cpu", cs_done);
    return true;
}

static void
cs_free(VnsElement *self)
{
    vns_cpu_stage_clear(&((CsElem *) self)->cpu);
}

static const VnsElementOps cs_ops = {
    .type = "cs-test",
    .instance_size = sizeof(CsElem),
    .create = cs_create,
    .free = cs_free,
};

typedef struct {
    VnsSim *sim;
    VnsNet *net;
    CsElem *e;
} CsBench;

/* A bench whose element is charged to a node of 'cores' cores holding at
 * most 'backlog' waiting jobs; cores == 0: no node. */
static void
cs_setup(CsBench *b, unsigned cores, uint32_t backlog)
{
    GError *error = NULL;

    b->sim = vns_sim_new(NULL);
    b->net = vns_net_new(b->sim);
    b->e = (CsElem *) vns_net_add(b->net, &cs_ops, "e", NULL, &error);
    cr_assert_not_null(b->e, "%s", error ? error->message : "");
    if (cores > 0) {
        VnsNode *node = vns_node_new(b->sim, "n", cores, backlog);
        vns_net_add_node(b->net, node);
        b->e->base.node = node;
    }
}

static void
cs_teardown(CsBench *b)
{
    vns_net_free(b->net);
    vns_sim_free(b->sim);
}

static VnsPacket *
cs_pkt(CsBench *b)
{
    return vns_packet_new(vns_net_pool(b->net), 100);
}

Test(cpu_stage, no_node_and_zero_cost_release_at_once)
{
    CsBench b;

    cs_setup(&b, 0, 10);
    cr_assert(vns_cpu_stage_submit(&b.e->cpu, cs_pkt(&b), 7, 5 * VNS_US));
    cr_assert_eq(b.e->n, 1, "released synchronously without a node");
    cr_assert_eq(b.e->tags[0], 7);
    cr_assert_eq(b.e->cpu.jobs_run, 0);
    cr_assert_eq(b.e->cpu.busy_ps, 0);
    cs_teardown(&b);

    cs_setup(&b, 2, 10);
    cr_assert(vns_cpu_stage_submit(&b.e->cpu, cs_pkt(&b), 3, 0));
    cr_assert_eq(b.e->n, 1, "a cost of 0 is free and synchronous");
    cr_assert_eq(vns_node_cpu_jobs(b.e->base.node), 0);
    cs_teardown(&b);
}

/* Two cores; costs 10, 2, 3 us submitted at 0: job 1 ends at 10 (core 0),
 * job 2 at 2 (core 1), job 3 starts at 2 on core 1 and ends at 5. In
 * order: all three leave at 10. As done: 2, 5, 10. */
Test(cpu_stage, in_order_release_across_cores)
{
    static const VnsTime cost_us[] = { 10, 2, 3 };
    CsBench b;

    cs_setup(&b, 2, 10);
    for (unsigned i = 0; i < 3; i++)
        cr_assert(vns_cpu_stage_submit(&b.e->cpu, cs_pkt(&b), i,
                                       cost_us[i] * VNS_US));
    cr_assert_eq(vns_cpu_stage_in_service(&b.e->cpu), 3);
    vns_sim_run(b.sim);
    cr_assert_eq(b.e->n, 3);
    for (unsigned i = 0; i < 3; i++) {
        cr_assert_eq(b.e->tags[i], i, "released in submission order");
        cr_assert_eq(b.e->at[i], 10 * VNS_US);
    }
    cr_assert_eq(b.e->cpu.jobs_run, 3);
    cr_assert_eq(b.e->cpu.busy_ps, 15 * VNS_US);
    cr_assert_eq(vns_cpu_stage_in_service(&b.e->cpu), 0);
    cs_teardown(&b);
}

Test(cpu_stage, as_done_release_follows_each_jobs_end)
{
    static const VnsTime cost_us[] = { 10, 2, 3 };
    static const VnsTime end_us[] = { 2, 5, 10 };
    static const uint32_t tag[] = { 1, 2, 0 };
    CsBench b;

    cs_setup(&b, 2, 10);
    vns_cpu_stage_configure(&b.e->cpu, VNS_CPU_STAGE_AS_DONE, sizeof(uint32_t));
    for (uint32_t i = 0; i < 3; i++) {
        uint32_t data = 100 + i;
        cr_assert(vns_cpu_stage_submit_data(&b.e->cpu, cs_pkt(&b), i,
                                            cost_us[i] * VNS_US, &data));
    }
    vns_sim_run(b.sim);
    cr_assert_eq(b.e->n, 3);
    for (unsigned i = 0; i < 3; i++) {
        cr_assert_eq(b.e->tags[i], tag[i]);
        cr_assert_eq(b.e->datas[i], 100 + tag[i], "each job keeps its data");
        cr_assert_eq(b.e->at[i], end_us[i] * VNS_US);
    }
    cs_teardown(&b);
}

/* A 0-cost job behind a job in service waits for it (order) but charges
 * nothing to the node. */
Test(cpu_stage, zero_cost_behind_a_job_keeps_the_order)
{
    CsBench b;

    cs_setup(&b, 1, 10);
    cr_assert(vns_cpu_stage_submit(&b.e->cpu, cs_pkt(&b), 0, 4 * VNS_US));
    cr_assert(vns_cpu_stage_submit(&b.e->cpu, cs_pkt(&b), 1, 0));
    cr_assert_eq(b.e->n, 0);
    vns_sim_run(b.sim);
    cr_assert_eq(b.e->n, 2);
    cr_assert_eq(b.e->tags[1], 1);
    cr_assert_eq(b.e->at[1], 4 * VNS_US);
    cr_assert_eq(vns_node_cpu_jobs(b.e->base.node), 1);
    cs_teardown(&b);
}

/* One core, backlog 2: job 1 starts at once, jobs 2 and 3 wait, job 4
 * finds the backlog full and is dropped as cpu_backlog. */
Test(cpu_stage, full_backlog_drops_as_cpu_backlog)
{
    CsBench b;

    cs_setup(&b, 1, 2);
    for (unsigned i = 0; i < 3; i++)
        cr_assert(vns_cpu_stage_submit(&b.e->cpu, cs_pkt(&b), i, VNS_US));
    cr_assert_not(vns_cpu_stage_submit(&b.e->cpu, cs_pkt(&b), 3, VNS_US));
    cr_assert_eq(b.e->base.drops[VNS_DROP_CPU_BACKLOG], 1);
    vns_sim_run(b.sim);
    cr_assert_eq(b.e->n, 3);
    cr_assert_eq(b.e->at[2], 3 * VNS_US);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(b.net)), 0);
    cs_teardown(&b);
}

/* More jobs than the ring's first size (16) grow it; a purge then drops
 * every one, chains whole, and the pending events find nothing. */
Test(cpu_stage, purge_drops_all_and_late_events_do_nothing)
{
    CsBench b;

    cs_setup(&b, 1, 100);
    for (unsigned i = 0; i < 40; i++) {
        VnsPacket *p = cs_pkt(&b);
        p->next = cs_pkt(&b);   /* a chain of two */
        cr_assert(vns_cpu_stage_submit(&b.e->cpu, p, i, VNS_US));
    }
    vns_sim_run_until(b.sim, 10 * VNS_US + VNS_US / 2);
    cr_assert_eq(b.e->n, 10);
    for (unsigned i = 0; i < 10; i++)
        cr_assert_eq(b.e->tags[i], i);
    vns_cpu_stage_purge(&b.e->cpu);
    cr_assert_eq(b.e->base.drops[VNS_DROP_END_OF_RUN], 60);
    cr_assert_eq(vns_cpu_stage_in_service(&b.e->cpu), 0);
    vns_sim_run(b.sim);
    cr_assert_eq(b.e->n, 10, "events after a purge release nothing");
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(b.net)), 0);
    /* The stage works again after a purge. */
    cr_assert(vns_cpu_stage_submit(&b.e->cpu, cs_pkt(&b), 99, VNS_US));
    vns_sim_run(b.sim);
    cr_assert_eq(b.e->n, 11);
    cr_assert_eq(b.e->tags[10], 99);
    vns_cpu_stage_reset(&b.e->cpu);
    cr_assert_eq(b.e->cpu.busy_ps, 0);
    cr_assert_eq(b.e->cpu.jobs_run, 0);
    cs_teardown(&b);
}
