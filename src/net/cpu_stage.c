/* CPU stages: see cpu_stage.h.
 *
 * Jobs are numbered in submission order; job 'seq' lives in ring slot
 * seq & (cap - 1), and its completion event carries seq. The jobs in
 * service are head_seq .. next_seq - 1. A purge moves head_seq up to
 * next_seq, so the events still pending carry numbers outside the window
 * and do nothing; numbers are never reused (they wrap after 2^64 jobs on
 * a 64-bit machine). */
#include <config.h>
#include "net/cpu_stage.h"

#include <string.h>
#include "net/drop.h"
#include "net/node.h"

#define CPU_STAGE_MIN_CAP 16u

static void cpu_stage_event(VnsSim *sim, void *ctx, void *arg);

void
vns_cpu_stage_init(VnsCpuStage *stage, VnsElement *owner,
                   const char *event_name, VnsCpuStageDone done)
{
    g_return_if_fail(stage != NULL && owner != NULL && done != NULL);
    memset(stage, 0, sizeof *stage);
    stage->owner = owner;
    stage->done = done;
    stage->event.name = event_name;
    stage->event.run = cpu_stage_event;
    stage->event.destroy = NULL;    /* the stage owns the packets */
    stage->order = VNS_CPU_STAGE_IN_ORDER;
}

void
vns_cpu_stage_configure(VnsCpuStage *stage, VnsCpuStageOrder order,
                        size_t data_size)
{
    g_return_if_fail(stage->cap == 0);      /* before the first job */
    stage->order = order;
    stage->data_size = data_size;
}

static inline VnsCpuJob *
cpu_stage_job(const VnsCpuStage *s, uintptr_t seq)
{
    return &s->jobs[seq & (s->cap - 1)];
}

static inline uint8_t *
cpu_stage_data(const VnsCpuStage *s, uintptr_t seq)
{
    return s->data + (seq & (s->cap - 1)) * s->data_size;
}

uint32_t
vns_cpu_stage_in_service(const VnsCpuStage *stage)
{
    return (uint32_t) (stage->next_seq - stage->head_seq);
}

/* Doubles the ring, keeping each job in service at its number's slot. */
static void
cpu_stage_grow(VnsCpuStage *s)
{
    uint32_t cap = s->cap == 0 ? CPU_STAGE_MIN_CAP : 2 * s->cap;
    VnsCpuJob *jobs = g_new0(VnsCpuJob, cap);
    uint8_t *data = s->data_size > 0 ? g_malloc0(cap * s->data_size) : NULL;

    g_assert(cap > s->cap);
    for (uintptr_t seq = s->head_seq; seq != s->next_seq; seq++) {
        jobs[seq & (cap - 1)] = *cpu_stage_job(s, seq);
        if (data != NULL)
            memcpy(data + (seq & (cap - 1)) * s->data_size,
                   cpu_stage_data(s, seq), s->data_size);
    }
    g_free(s->jobs);
    g_free(s->data);
    s->jobs = jobs;
    s->data = data;
    s->cap = cap;
    if (s->data_size > 0 && s->scratch == NULL)
        s->scratch = g_malloc0(s->data_size);
}

/* Adds a job (taken) at the tail of the ring; returns its number. */
static uintptr_t
cpu_stage_push(VnsCpuStage *s, VnsPacket *pkt, uint32_t tag, bool done,
               const void *data)
{
    uintptr_t seq = s->next_seq;
    VnsCpuJob *job;

    if (vns_cpu_stage_in_service(s) == s->cap)
        cpu_stage_grow(s);
    job = cpu_stage_job(s, seq);
    job->pkt = pkt;
    job->tag = tag;
    job->done = done;
    if (s->data_size > 0)
        memcpy(cpu_stage_data(s, seq), data, s->data_size);
    s->next_seq++;
    return seq;
}

/* Drops every packet of the chain 'pkt' as 'cause'; frees them when
 * 'cause' is VNS_DROP_N_CAUSES. */
static void
cpu_stage_drop_chain(VnsCpuStage *s, VnsPacket *pkt, VnsDropCause cause)
{
    while (pkt != NULL) {
        VnsPacket *p = pkt;
        pkt = p->next;
        p->next = NULL;
        if (cause == VNS_DROP_N_CAUSES)
            vns_packet_free(p);
        else
            vns_packet_drop(p, s->owner, cause);
    }
}

/*
 * vns_cpu_stage_submit_data:
 * Charges 'cost' for the job 'pkt' (taken: a packet or a chain) on the
 * owner's node and hands it to 'done' with 'tag' and a copy of the
 * stage's data_size bytes at 'data' when it is released (see
 * cpu_stage.h). Returns false when the node's backlog was full: the job
 * was dropped with VNS_DROP_CPU_BACKLOG.
 */
bool
vns_cpu_stage_submit_data(VnsCpuStage *stage, VnsPacket *pkt, uint32_t tag,
                          VnsTime cost, const void *data)
{
    VnsNode *node = stage->owner->node;
    uintptr_t seq;

    g_return_val_if_fail(pkt != NULL, false);
    g_return_val_if_fail(stage->data_size == 0 || data != NULL, false);
    if (node == NULL || cost == 0) {
        if (node == NULL || stage->order == VNS_CPU_STAGE_AS_DONE ||
            vns_cpu_stage_in_service(stage) == 0) {
            stage->done(stage->owner, pkt, tag, stage->data_size ? data : NULL);
            return true;
        }
        /* In order behind jobs in service: it waits for them, but its
         * own CPU time is nil. */
        cpu_stage_push(stage, pkt, tag, true, data);
        return true;
    }
    if (!vns_node_cpu_run(node, cost, &stage->event, stage,
                          (void *) stage->next_seq)) {
        cpu_stage_drop_chain(stage, pkt, VNS_DROP_CPU_BACKLOG);
        return false;
    }
    seq = cpu_stage_push(stage, pkt, tag, false, data);
    g_assert(seq + 1 == stage->next_seq);
    stage->busy_ps += cost;
    stage->jobs_run++;
    return true;
}

bool
vns_cpu_stage_submit(VnsCpuStage *stage, VnsPacket *pkt, uint32_t tag,
                     VnsTime cost)
{
    g_return_val_if_fail(stage->data_size == 0, false);
    return vns_cpu_stage_submit_data(stage, pkt, tag, cost, NULL);
}

/* Takes job 'seq' out of the ring and hands it to 'done'. The ring may
 * grow while 'done' runs (it may submit), so nothing of it is kept. */
static void
cpu_stage_release(VnsCpuStage *s, uintptr_t seq)
{
    VnsCpuJob *job = cpu_stage_job(s, seq);
    VnsPacket *pkt = job->pkt;
    uint32_t tag = job->tag;

    job->pkt = NULL;
    if (s->data_size > 0)
        memcpy(s->scratch, cpu_stage_data(s, seq), s->data_size);
    while (s->head_seq != s->next_seq && cpu_stage_job(s, s->head_seq)->pkt == NULL)
        s->head_seq++;
    s->done(s->owner, pkt, tag, s->data_size > 0 ? s->scratch : NULL);
}

/* A job's CPU time is spent. */
static void
cpu_stage_event(VnsSim *sim, void *ctx, void *arg)
{
    VnsCpuStage *s = ctx;
    uintptr_t seq = (uintptr_t) arg;
    VnsCpuJob *job;

    (void) sim;
    if (seq - s->head_seq >= s->next_seq - s->head_seq)
        return;                 /* dropped by a purge */
    job = cpu_stage_job(s, seq);
    if (job->pkt == NULL)
        return;
    job->done = true;
    if (s->order == VNS_CPU_STAGE_AS_DONE) {
        cpu_stage_release(s, seq);
        return;
    }
    while (s->head_seq != s->next_seq && cpu_stage_job(s, s->head_seq)->done)
        cpu_stage_release(s, s->head_seq);
}

static void
cpu_stage_empty(VnsCpuStage *s, VnsDropCause cause)
{
    /* Advance head_seq first: dropping may re-enter the owner. */
    while (s->head_seq != s->next_seq) {
        VnsCpuJob *job = cpu_stage_job(s, s->head_seq++);
        VnsPacket *pkt = job->pkt;

        job->pkt = NULL;
        cpu_stage_drop_chain(s, pkt, cause);
    }
}

void
vns_cpu_stage_purge(VnsCpuStage *stage)
{
    cpu_stage_empty(stage, VNS_DROP_END_OF_RUN);
}

void
vns_cpu_stage_reset(VnsCpuStage *stage)
{
    stage->busy_ps = 0;
    stage->jobs_run = 0;
}

void
vns_cpu_stage_clear(VnsCpuStage *stage)
{
    if (stage->owner == NULL)
        return;                 /* never initialised (create failed early) */
    cpu_stage_empty(stage, VNS_DROP_N_CAUSES);
    g_clear_pointer(&stage->jobs, g_free);
    g_clear_pointer(&stage->data, g_free);
    g_clear_pointer(&stage->scratch, g_free);
    stage->cap = 0;
}
