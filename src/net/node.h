/* A node's CPU: k cores serving work in FIFO order.
 *
 * Elements that cost processing time (a vSwitch, iptables, encapsulation,
 * a host stack) submit work with its cost; it completes when a core has
 * spent that long on it, after the work queued before it. Packet-rate
 * limits and CPU saturation then appear by themselves: when more work is
 * offered than k cores can do, the backlog grows until it is full, and the
 * element drops with VNS_DROP_CPU_BACKLOG.
 *
 * Elements charge packets through a CPU stage (net/cpu_stage.h) rather
 * than calling vns_node_cpu_run() themselves: the stage holds the packets
 * in service (so a stop can drop them), releases them in submission order
 * even when jobs of different cost end out of order on several cores,
 * counts CPU time and jobs, drops with VNS_DROP_CPU_BACKLOG when the node
 * refuses, and hands a packet on at once without a node or at cost 0.
 * doc/kernel.md, "Node CPUs and CPU stages", has the rules. */
#ifndef VNS_NODE_H
#define VNS_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/sim.h"

typedef struct VnsNode VnsNode;

VnsNode *vns_node_new(VnsSim *sim, const char *name, unsigned cores,
                      uint32_t backlog_limit);
void vns_node_free(VnsNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsNode, vns_node_free)

bool vns_node_cpu_run(VnsNode *node, VnsTime cost, const VnsEventType *done,
                      void *ctx, void *arg);
uint32_t vns_node_cpu_backlog(VnsNode *node);
double vns_node_cpu_utilization(const VnsNode *node);
uint64_t vns_node_cpu_jobs(const VnsNode *node);
void vns_node_reset(VnsNode *node);
const char *vns_node_name(const VnsNode *node);
unsigned vns_node_cores(const VnsNode *node);

#endif
