/* Connection tracking: the element type "conntrack", a model of Linux
 * netfilter's nf_conntrack on one host or router.
 *
 * <conntrack host="r1"/> hooks the host's IP stack at prerouting and output
 * (priority -200, NF_IP_PRI_CONNTRACK) and confirms new entries at
 * postrouting and input (last, as Linux's __nf_conntrack_confirm). Entries
 * hold an original and a reply tuple, are hashed by both into a fixed
 * table, time out per protocol and TCP state with Linux's default
 * timeouts, and are evicted early when the table is full.
 * doc/models/conntrack.md documents the XML, the defaults and their
 * sources, and what is left out.
 *
 * The small C API below lets other models (NAT, later Kubernetes Services)
 * find the entry of the packet at hand, read its tuples and status, and set
 * up address translation on a new entry. */
#ifndef VNS_CONNTRACK_H
#define VNS_CONNTRACK_H

#include <stdbool.h>
#include <stdint.h>
#include "net/element.h"

extern const VnsElementOps vns_conntrack_ops;

typedef struct VnsConntrack VnsConntrack;
typedef struct VnsCtEntry VnsCtEntry;

/* Directions of a connection (Linux's enum ip_conntrack_dir). */
typedef enum {
    VNS_CT_DIR_ORIGINAL = 0,    /* as the first packet went */
    VNS_CT_DIR_REPLY = 1,       /* the answers */
} VnsCtDir;

/* A connection's identity in one direction, host byte order. TCP, UDP
 * and other port protocols carry their ports; ICMP/ICMPv6 echo carries the
 * identifier in 'sport' and the message type << 8 | code in 'dport' (the
 * reply tuple has the echo reply's type, as Linux's icmp_pkt_to_tuple()
 * and nf_ct_invert_tuple() do); other protocols carry zeros. */
typedef struct {
    VnsIpAddr src;
    VnsIpAddr dst;
    uint16_t sport;
    uint16_t dport;
    uint8_t proto;              /* IP protocol number */
} VnsCtTuple;

/* Status bits of an entry (a subset of Linux's enum ip_conntrack_status). */
enum {
    VNS_CT_SEEN_REPLY = 1u << 1,    /* IPS_SEEN_REPLY: packets both ways */
    VNS_CT_ASSURED = 1u << 2,       /* IPS_ASSURED: never early-dropped */
    VNS_CT_CONFIRMED = 1u << 3,     /* IPS_CONFIRMED: in the table */
    VNS_CT_SRC_NAT = 1u << 4,       /* IPS_SRC_NAT: source translated */
    VNS_CT_DST_NAT = 1u << 5,       /* IPS_DST_NAT: destination translated */
    VNS_CT_SRC_NAT_DONE = 1u << 7,  /* IPS_SRC_NAT_DONE: SNAT decided */
    VNS_CT_DST_NAT_DONE = 1u << 8,  /* IPS_DST_NAT_DONE: DNAT decided */
};

/* Linux's TCP conntrack states (enum tcp_conntrack), in its order. */
typedef enum {
    VNS_CT_TCP_NONE,
    VNS_CT_TCP_SYN_SENT,
    VNS_CT_TCP_SYN_RECV,
    VNS_CT_TCP_ESTABLISHED,
    VNS_CT_TCP_FIN_WAIT,
    VNS_CT_TCP_CLOSE_WAIT,
    VNS_CT_TCP_LAST_ACK,
    VNS_CT_TCP_TIME_WAIT,
    VNS_CT_TCP_CLOSE,
    VNS_CT_TCP_SYN_SENT2,
    VNS_CT_TCP_N_STATES
} VnsCtTcpState;

/* The conntrack element attached to host 'host' (by its 'host' attribute),
 * or NULL. Usable from any element's connect. Borrowed. */
VnsConntrack *vns_conntrack_find(const VnsNet *net, const VnsElement *host);
/* The host it tracks (NULL before its connect ran). */
VnsElement *vns_conntrack_host(const VnsConntrack *ct);

/* The entry the conntrack hook gave 'pkt' at this host (prerouting or
 * output, on this pass), with its direction in 'dir'; NULL when the packet
 * is untracked (not IP, a fragment, an ICMP error, an invalid TCP
 * segment...). 'is_new' (may be NULL) tells whether the entry is still
 * unconfirmed, i.e. this is the connection's first packet. Borrowed. */
VnsCtEntry *vns_conntrack_get(VnsConntrack *ct, const VnsPacket *pkt,
                              VnsCtDir *dir, bool *is_new);
/* Looks up the entry holding 'tuple' in either direction (expired entries
 * are not found). Borrowed; NULL when none. */
VnsCtEntry *vns_conntrack_lookup(VnsConntrack *ct, const VnsCtTuple *tuple,
                                 VnsCtDir *dir);
/* Whether an entry other than 'ignore' holds 'tuple' in either direction
 * (Linux's nf_conntrack_tuple_taken(), used by NAT to keep tuples
 * unique). */
bool vns_conntrack_tuple_taken(VnsConntrack *ct, const VnsCtTuple *tuple,
                               const VnsCtEntry *ignore);
/* Iterates the entries whose original source (address, port, protocol)
 * is that of 't': start with 'prev' = NULL (nf_nat_bysource). */
VnsCtEntry *vns_conntrack_next_same_source(VnsConntrack *ct, const VnsCtTuple *t,
                                           VnsCtEntry *prev);
/* Entries now in the table, confirmed or not (nf_conntrack_count). */
uint32_t vns_conntrack_count(const VnsConntrack *ct);

const VnsCtTuple *vns_ct_entry_tuple(const VnsCtEntry *e, VnsCtDir dir);
uint32_t vns_ct_entry_status(const VnsCtEntry *e);
/* Sets status bits (NAT's VNS_CT_*_NAT and *_NAT_DONE). */
void vns_ct_entry_set_status(VnsCtEntry *e, uint32_t bits);
/* Replaces the reply tuple of an unconfirmed entry (Linux's
 * nf_conntrack_alter_reply(); NAT's translation). */
void vns_ct_entry_alter_reply(VnsCtEntry *e, const VnsCtTuple *reply);
VnsCtTcpState vns_ct_entry_tcp_state(const VnsCtEntry *e);
/* When the entry expires, ps (VNS_TIME_NEVER before confirmation). */
VnsTime vns_ct_entry_expires(const VnsCtEntry *e);
/* The connection mark (ct->mark), free for later models. */
uint32_t *vns_ct_entry_mark(VnsCtEntry *e);

/* 'out' = 't' seen from the other end (nf_ct_invert_tuple()). */
void vns_ct_tuple_invert(VnsCtTuple *out, const VnsCtTuple *t);
bool vns_ct_tuple_equal(const VnsCtTuple *a, const VnsCtTuple *b);
/* Parses the tuple of the IP packet at data[0]. Returns false for packets
 * conntrack does not track (see vns_conntrack_get()). */
bool vns_ct_tuple_from_packet(VnsCtTuple *out, VnsPacket *pkt);

/* Linux's default hash table size and nf_conntrack_max for a machine with
 * 'memory_bytes' of RAM and 4 KiB pages (nf_conntrack_init_start(),
 * net/netfilter/nf_conntrack_core.c, since Linux 5.15): buckets =
 * memory / 16384 / 8 (the size of struct hlist_nulls_head on 64-bit),
 * 262144 above 4 GiB, 65536 above 1 GiB, at least 1024; max = buckets. */
uint32_t vns_conntrack_default_buckets(uint64_t memory_bytes);

#endif
