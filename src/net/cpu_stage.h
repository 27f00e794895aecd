/* A CPU stage: the packets an element holds while its node's CPU works on
 * them (src/net/node.h), released to the element when their jobs end.
 *
 * Many elements charge per-packet work to their node (a host's stack, a
 * TAP, a veth, a bridge, a vNIC, a switch, a tunnel device). They all need
 * the same bookkeeping, which this does once:
 *
 *   - submit: charge 'cost' on the owner's node. Without a node, or with a
 *     cost of 0 and nothing of the stage in service, the packet is handed
 *     to 'done' at once, synchronously (no event, no CPU time counted);
 *     a 0-cost job behind jobs in service waits for them but charges no
 *     CPU. When the node's backlog is full the packet is dropped with
 *     VNS_DROP_CPU_BACKLOG and submit returns false.
 *   - release: when a job's CPU time is spent the stage calls
 *     'done(owner, pkt, tag, data)'. By default (VNS_CPU_STAGE_IN_ORDER)
 *     jobs are released in submission order, as one queue or virtqueue
 *     hands packets on: jobs of different cost may end out of order on
 *     several cores, and a finished job then waits for every job submitted
 *     before it. With equal costs nothing waits (the node starts jobs in
 *     FIFO order, so they end in submission order). VNS_CPU_STAGE_AS_DONE
 *     releases each job as soon as its own time is spent.
 *   - the stage, not the event, owns the packets: purge() at ops->stop
 *     drops them with VNS_DROP_END_OF_RUN, and the events still pending
 *     then find nothing; clear() at ops->free frees them and the ring.
 *   - counters: 'busy_ps' and 'jobs' (CPU time and jobs charged to the
 *     node since init or the last reset()), read them directly.
 *
 * A job is one packet or a chain of packets linked through 'next' (a
 * segmented packet, a GRO batch): it is dropped or freed whole, and 'done'
 * gets the chain. 'tag' is the element's own 32 bits per job (the port the
 * packet came in on, or flags); an element that needs more per job sets a
 * data size with vns_cpu_stage_configure() and passes the bytes to
 * vns_cpu_stage_submit_data(): 'done' gets a copy (valid during the call).
 *
 * Nothing is allocated per packet: the jobs in service live in a ring
 * that doubles when full, so it grows to the high-water mark and stays. */
#ifndef VNS_CPU_STAGE_H
#define VNS_CPU_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/sim.h"
#include "net/element.h"
#include "net/packet.h"

typedef enum {
    VNS_CPU_STAGE_IN_ORDER,     /* release in submission order (default) */
    VNS_CPU_STAGE_AS_DONE,      /* release each job when its time is spent */
} VnsCpuStageOrder;

/* Called with the job's packet (a chain through 'next' if one was
 * submitted), which it takes; 'data' is NULL without a data size. */
typedef void (*VnsCpuStageDone)(VnsElement *owner, VnsPacket *pkt,
                                uint32_t tag, const void *data);

/* One job in service; private to cpu_stage.c. */
typedef struct {
    VnsPacket *pkt;             /* owned; NULL once released */
    uint32_t tag;
    bool done;                  /* its CPU time is spent */
} VnsCpuJob;

/* Embed one per stage in the element (a bridge has two: ingress and
 * egress). Fields are private but for the counters. */
typedef struct {
    VnsElement *owner;          /* borrowed; its 'node' is read at submit */
    VnsCpuStageDone done;
    VnsEventType event;         /* named after the element's stage */
    VnsCpuStageOrder order;
    size_t data_size;           /* bytes of element data per job */
    VnsCpuJob *jobs;            /* ring of 'cap' (a power of two) jobs */
    uint8_t *data;              /* ring of cap * data_size bytes */
    uint8_t *scratch;           /* data_size bytes handed to 'done' */
    uint32_t cap;
    uintptr_t head_seq;         /* oldest job in service */
    uintptr_t next_seq;         /* the next job's number */

    /* Counters since init or the last reset(); read-only for elements. */
    VnsTime busy_ps;            /* CPU time charged to the node */
    uint64_t jobs_run;          /* jobs charged to the node */
} VnsCpuStage;

/* From ops->create (the owner's node may be set later, in connect).
 * 'event_name' names the stage's events in traces ("tap-cpu"). */
void vns_cpu_stage_init(VnsCpuStage *stage, VnsElement *owner,
                        const char *event_name, VnsCpuStageDone done);
/* Optional, before the first submit: release order and data bytes per job. */
void vns_cpu_stage_configure(VnsCpuStage *stage, VnsCpuStageOrder order,
                             size_t data_size);
bool vns_cpu_stage_submit(VnsCpuStage *stage, VnsPacket *pkt, uint32_t tag,
                          VnsTime cost);
bool vns_cpu_stage_submit_data(VnsCpuStage *stage, VnsPacket *pkt,
                               uint32_t tag, VnsTime cost, const void *data);
/* Jobs submitted and not yet released. */
uint32_t vns_cpu_stage_in_service(const VnsCpuStage *stage);
/* From ops->stop: drops every packet in service as VNS_DROP_END_OF_RUN. */
void vns_cpu_stage_purge(VnsCpuStage *stage);
/* From ops->reset: zeroes busy_ps and jobs_run. */
void vns_cpu_stage_reset(VnsCpuStage *stage);
/* From ops->free: frees the packets in service (not counted as drops) and
 * the ring. */
void vns_cpu_stage_clear(VnsCpuStage *stage);

#endif
