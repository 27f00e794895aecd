/* Packet and byte counters: how many packets (and how many bytes) passed a
 * point, were dropped, or were delivered. A plain event count needs no type
 * of its own: it is a uint64_t member.
 *
 * VnsCounter is a plain struct that callers embed; the hot functions are
 * inline. Reset a counter at the end of warm-up with vns_counter_reset(). */
#ifndef VNS_COUNTER_H
#define VNS_COUNTER_H

#include <stdint.h>
#include <glib.h>
#include "sim/time.h"

typedef struct {
    uint64_t packets;   /* packets counted */
    uint64_t bytes;     /* bytes counted, summed over those packets */
} VnsCounter;

/*
 * vns_counter_init:
 * Sets 'counter' to zero packets and zero bytes.
 */
static inline void
vns_counter_init(VnsCounter *counter)
{
    counter->packets = 0;
    counter->bytes = 0;
}

/*
 * vns_counter_reset:
 * Forgets everything counted so far, e.g. at the end of warm-up. Same as
 * vns_counter_init(); the name says why it is called.
 */
static inline void
vns_counter_reset(VnsCounter *counter)
{
    vns_counter_init(counter);
}

/*
 * vns_counter_add:
 * Counts one packet of 'size' bytes.
 */
static inline void
vns_counter_add(VnsCounter *counter, uint64_t size)
{
    counter->packets++;
    counter->bytes += size;
}

/*
 * vns_counter_add_n:
 * Counts 'packets' packets totalling 'size' bytes.
 */
static inline void
vns_counter_add_n(VnsCounter *counter, uint64_t packets, uint64_t size)
{
    counter->packets += packets;
    counter->bytes += size;
}

/*
 * vns_counter_merge:
 * Adds the counts of 'src' to 'dst' (e.g. to total the ports of a node).
 */
static inline void
vns_counter_merge(VnsCounter *dst, const VnsCounter *src)
{
    dst->packets += src->packets;
    dst->bytes += src->bytes;
}

double vns_counter_rate_bps(const VnsCounter *counter, VnsTime interval_ps);
double vns_counter_rate_pps(const VnsCounter *counter, VnsTime interval_ps);

#endif
