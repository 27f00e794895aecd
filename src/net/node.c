/* Node CPUs as k identical cores serving a single FIFO queue (M/G/k).
 *
 * No event is needed while a job waits: with FIFO service, a job's start
 * time is known when it is submitted (the earliest time a core is free),
 * so submission schedules its completion directly. The backlog (jobs
 * submitted but not yet started) is tracked in a ring of start times that
 * is trimmed lazily, so nothing is allocated per job. */
#include <config.h>
#include "net/node.h"

struct VnsNode {
    VnsSim *sim;
    char *name;
    unsigned cores;
    VnsTime *free_at;       /* per core: when it finishes its last job */
    uint32_t limit;         /* most jobs waiting (not started) */
    VnsTime *ring;          /* start times of jobs not yet started */
    uint32_t ring_head, ring_len, ring_cap;
    VnsTime busy_ps;        /* CPU time granted since the last reset */
    VnsTime reset_at;
    uint64_t jobs;
};

/*
 * vns_node_new:
 * A CPU of 'cores' cores whose queue holds at most 'backlog_limit' waiting
 * jobs. 'sim' is borrowed.
 */
VnsNode *
vns_node_new(VnsSim *sim, const char *name, unsigned cores,
             uint32_t backlog_limit)
{
    VnsNode *n = g_new0(VnsNode, 1);

    g_assert(cores > 0);
    n->sim = sim;
    n->name = g_strdup(name);
    n->cores = cores;
    n->free_at = g_new0(VnsTime, cores);
    n->limit = backlog_limit;
    n->ring_cap = backlog_limit + 1;
    n->ring = g_new0(VnsTime, n->ring_cap);
    return n;
}

void
vns_node_free(VnsNode *node)
{
    if (node == NULL)
        return;
    g_free(node->free_at);
    g_free(node->ring);
    g_free(node->name);
    g_free(node);
}

/*
 * vns_node_cpu_backlog:
 * Jobs submitted that no core has started yet.
 */
uint32_t
vns_node_cpu_backlog(VnsNode *node)
{
    VnsTime now = vns_sim_now(node->sim);

    while (node->ring_len > 0 && node->ring[node->ring_head] <= now) {
        node->ring_head = (node->ring_head + 1) % node->ring_cap;
        node->ring_len--;
    }
    return node->ring_len;
}

/*
 * vns_node_cpu_run:
 * Runs 'done' with ctx/arg once 'cost' of CPU time has been spent on this
 * job, after every job submitted before it has started (FIFO over k cores).
 * Returns false, without scheduling anything, when the backlog is full:
 * the caller still owns ctx/arg and drops the packet.
 */
bool
vns_node_cpu_run(VnsNode *node, VnsTime cost, const VnsEventType *done,
                 void *ctx, void *arg)
{
    VnsTime now = vns_sim_now(node->sim);
    unsigned best = 0;
    VnsTime start;

    for (unsigned c = 1; c < node->cores; c++)
        if (node->free_at[c] < node->free_at[best])
            best = c;
    start = MAX(now, node->free_at[best]);
    if (start > now) {
        if (vns_node_cpu_backlog(node) >= node->limit)
            return false;
        node->ring[(node->ring_head + node->ring_len) % node->ring_cap] = start;
        node->ring_len++;
    }
    node->free_at[best] = start + cost;
    node->busy_ps += cost;
    node->jobs++;
    vns_sim_schedule_at(node->sim, start + cost, done, ctx, arg);
    return true;
}

/*
 * vns_node_cpu_utilization:
 * CPU time granted since the last reset over cores x elapsed time (work
 * granted but not yet done counts, so it may exceed 1 briefly at the end).
 */
double
vns_node_cpu_utilization(const VnsNode *node)
{
    VnsTime elapsed = vns_sim_now(node->sim) - node->reset_at;

    if (elapsed <= 0)
        return 0.0;
    return (double) node->busy_ps / ((double) elapsed * node->cores);
}

uint64_t
vns_node_cpu_jobs(const VnsNode *node)
{
    return node->jobs;
}

void
vns_node_reset(VnsNode *node)
{
    node->busy_ps = 0;
    node->jobs = 0;
    node->reset_at = vns_sim_now(node->sim);
}

const char *
vns_node_name(const VnsNode *node)
{
    return node->name;
}

unsigned
vns_node_cores(const VnsNode *node)
{
    return node->cores;
}
