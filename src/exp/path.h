/* vnetsim path: the hop-by-hop path between two hosts of a topology, each
 * hop's device, MTU and encapsulation, the path MTU, the largest TCP MSS
 * and UDP payload that fit, and the per-packet overhead at a payload size.
 *
 * It runs no experiment. The topology is built as a run would build it, and
 * one probe datagram is sent from A to B through the real element models
 * (neighbour resolution, routing, bridges, tunnels) in a throw-away
 * simulation of at most a few simulated milliseconds; taps on every port
 * record each crossing, as a traceroute over the simulated datapath would.
 * Sizes at other payloads are arithmetic on the recorded headers.
 * doc/cli.md documents the command. */
#ifndef VNS_PATH_H
#define VNS_PATH_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "net/layers.h"
#include "topo/registry.h"

typedef struct {
    char *element;              /* the sending element */
    char *type;                 /* its XML type */
    char *port;                 /* its port */
    char *peer;                 /* the receiving "element:port" */
    bool ethernet;              /* an Ethernet frame (else a bare IP packet
                                 * between an application and its host) */
    uint32_t size;              /* bytes as sent (no FCS) */
    uint32_t mtu;               /* the port's or link's MTU, 0 = none given */
    uint32_t l3_overhead;       /* bytes between the L2 header and the inner
                                 * IP packet: outer IP/UDP + tunnel + inner
                                 * Ethernet */
    uint32_t l2_header;         /* Ethernet header and tags */
    uint32_t inner_mtu;         /* largest inner IP packet that fits: mtu -
                                 * l3_overhead; 0 = no limit known */
    char *encap;                /* "vxlan", "802.1Q", ... or "" */
    VnsTime t;                  /* when it crossed, ps after the send */
} VnsPathHop;

typedef struct {
    char *from, *to;            /* element names */
    char *src, *dst;            /* addresses */
    bool ipv6;
    GArray *hops;               /* of VnsPathHop */
    bool delivered;
    VnsTime latency_ps;         /* send to delivery, probe size */
    char *dropped_at;           /* element where the probe died, or NULL */
    char *drop_cause;
    uint32_t path_mtu;          /* largest inner IP packet end to end */
    int limiting_hop;           /* index of the hop that sets it, -1 none */
    uint32_t max_udp_payload;
    uint32_t max_tcp_mss;       /* path MTU - IP - 20 (no TCP options) */
    uint32_t payload;           /* the payload size overheads are given at */
    uint32_t probe_payload;     /* the probe's payload */
} VnsPath;

void vns_path_free(VnsPath *path);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsPath, vns_path_free)

/* Traces the path from host 'from' to host 'to' (or an address) in the
 * topology file 'topology' with parameters 'sets' ("name=value", NULL-
 * ended, may be NULL). 'family' is "ipv4", "ipv6" or NULL (IPv4 unless
 * 'to' is an IPv6 address). Returns NULL on bad input (VNS_CONFIG_ERROR). */
VnsPath *vns_path_trace(const VnsRegistry *reg, const char *topology,
                        const char *const *sets, const char *from,
                        const char *to, const char *family, uint32_t payload,
                        GError **error);

/* The frame size and line time (bytes) of hop 'i' carrying 'payload' bytes
 * of UDP payload. */
uint32_t vns_path_hop_size(const VnsPath *path, guint i, uint32_t payload);
/* Writes the path as a table, or as JSON. */
void vns_path_print(const VnsPath *path, GString *out);
void vns_path_json(const VnsPath *path, GString *out);

#endif
