/* Connection tracking on a host or router: the element type "conntrack",
 * a model of Linux netfilter's nf_conntrack (net/netfilter/
 * nf_conntrack_core.c and nf_conntrack_proto_{tcp,udp,icmp}.c).
 *
 * What it models (doc/models/conntrack.md has the details, the sources of
 * every default and what is left out):
 *
 * - A hook at prerouting and output (priority -200, NF_IP_PRI_CONNTRACK)
 *   that finds the packet's entry by its tuple in a hash table of fixed
 *   size, each entry hashed twice (original and reply tuple), or allocates
 *   a new, unconfirmed entry; a hook at postrouting and input (last) that
 *   confirms new entries into the table, as __nf_conntrack_confirm().
 * - A table limit (nf_conntrack_max). A new connection over the limit
 *   first tries early_drop(): the new tuple's bucket and the 7 after it
 *   (NF_CT_EVICTION_RANGE = 8) are searched, expired entries on the way
 *   are reaped, and every non-assured entry of the first bucket holding
 *   any is deleted; when none is found the packet is dropped
 *   (conntrack_full). Assured entries are never evicted by packets.
 * - Per-protocol state and timeouts: TCP with Linux's state table
 *   (tcp_conntracks[][][]) and per-state timeouts, the unacknowledged-data,
 *   retransmission and RST rules, ASSURED after the handshake's last ACK;
 *   UDP with 30 s unreplied and 120 s once a reply was seen and the flow
 *   is older than 2 s (then ASSURED); ICMP echo 30 s; other protocols
 *   600 s.
 * - Expiry without an event per entry: lazy on lookup (an expired entry
 *   met in a chain is reaped, as ____nf_conntrack_find()), plus a periodic
 *   sweep of the whole table like the gc worker, which also evicts
 *   non-assured and closing TCP entries when the table ran full and is
 *   above 95% (gc_worker's nf_conntrack_max95).
 * - Entries come from a pool grown in chunks and recycled through a free
 *   list; nothing is allocated per packet.
 * - Optional CPU cost per lookup on the host's node.
 *
 * The entry a hook gave a packet is remembered in a few slots keyed by the
 * packet's id, the way Linux keeps it in skb->_nfct: the stack handles a
 * packet from prerouting to postrouting without giving up control, so the
 * slots only need to cover nesting (an ICMP error sent while a packet is
 * forwarded). An unconfirmed entry whose packet died on the way is freed
 * when its slot is reused, as Linux frees it with the skb. */
#include <config.h>
#include "models/stateful/conntrack.h"

#include <math.h>
#include <string.h>
#include "models/l3/host.h"
#include "net/node.h"
#include "net/proto.h"
#include "stats/time_avg.h"

/* Linux's NF_IP_PRI_CONNTRACK (include/uapi/linux/netfilter_ipv4.h). */
#define CT_PRI_CONNTRACK (-200)
/* Confirmation runs after everything else (NF_IP_PRI_CONNTRACK_CONFIRM =
 * INT_MAX). */
#define CT_PRI_CONFIRM G_MAXINT
/* NF_CT_EVICTION_RANGE (nf_conntrack_core.c): buckets early_drop()
 * searches. */
#define CT_EVICTION_RANGE 8
/* Packets whose entry is remembered at once (see the file comment). */
#define CT_SLOTS 8
/* Entries allocated at once when the pool is empty. */
#define CT_CHUNK 1024

/* Linux's default timeouts. TCP: tcp_timeouts[] of
 * nf_conntrack_proto_tcp.c and nf_conntrack_tcp_timeout_* in
 * Documentation/networking/nf_conntrack-sysctl.rst. */
static const VnsTime ct_tcp_timeouts[VNS_CT_TCP_N_STATES] = {
    [VNS_CT_TCP_NONE] = 0,
    [VNS_CT_TCP_SYN_SENT] = 120 * VNS_SEC,      /* 2 MINS */
    [VNS_CT_TCP_SYN_RECV] = 60 * VNS_SEC,
    [VNS_CT_TCP_ESTABLISHED] = 432000 * VNS_SEC, /* 5 DAYS */
    [VNS_CT_TCP_FIN_WAIT] = 120 * VNS_SEC,
    [VNS_CT_TCP_CLOSE_WAIT] = 60 * VNS_SEC,
    [VNS_CT_TCP_LAST_ACK] = 30 * VNS_SEC,
    [VNS_CT_TCP_TIME_WAIT] = 120 * VNS_SEC,
    [VNS_CT_TCP_CLOSE] = 10 * VNS_SEC,
    [VNS_CT_TCP_SYN_SENT2] = 120 * VNS_SEC,
};
/* nf_conntrack_tcp_timeout_max_retrans and _unacknowledged: 300 s. */
#define CT_TCP_TIMEOUT_RETRANS (300 * VNS_SEC)
#define CT_TCP_TIMEOUT_UNACK (300 * VNS_SEC)
/* nf_conntrack_tcp_max_retrans: 3. */
#define CT_TCP_MAX_RETRANS 3
/* nf_conntrack_udp_timeout 30 s, nf_conntrack_udp_timeout_stream 120 s
 * (120 since Linux 5.0, commit 294304e4c522), and the 2 s a UDP flow must
 * live before it counts as a stream (stream_ts, Linux 5.0, commit
 * d535c8a69c19). */
#define CT_UDP_TIMEOUT (30 * VNS_SEC)
#define CT_UDP_TIMEOUT_STREAM (120 * VNS_SEC)
#define CT_UDP_STREAM_AGE (2 * VNS_SEC)
/* nf_conntrack_icmp_timeout and nf_conntrack_icmpv6_timeout: 30 s. */
#define CT_ICMP_TIMEOUT (30 * VNS_SEC)
/* nf_conntrack_generic_timeout: 600 s. */
#define CT_GENERIC_TIMEOUT (600 * VNS_SEC)

/* TCP per-direction flags (IP_CT_TCP_FLAG_*). */
enum {
    CT_TCPF_CLOSE_INIT = 1 << 0,        /* this side sent the first FIN */
    CT_TCPF_DATA_UNACK = 1 << 1,        /* it has unacknowledged data */
    CT_TCPF_SEEN = 1 << 2,              /* td_end is initialised */
};
/* Connection-wide TCP flags. */
enum {
    CT_TCP_SIMULTANEOUS_OPEN = 1 << 0,
};

/* What a TCP segment's flags are for the state table
 * (get_conntrack_index()). */
typedef enum {
    CT_TCP_SYN_SET,
    CT_TCP_SYNACK_SET,
    CT_TCP_FIN_SET,
    CT_TCP_ACK_SET,
    CT_TCP_RST_SET,
    CT_TCP_NONE_SET,
} CtTcpIndex;

#define sNO VNS_CT_TCP_NONE
#define sSS VNS_CT_TCP_SYN_SENT
#define sSR VNS_CT_TCP_SYN_RECV
#define sES VNS_CT_TCP_ESTABLISHED
#define sFW VNS_CT_TCP_FIN_WAIT
#define sCW VNS_CT_TCP_CLOSE_WAIT
#define sLA VNS_CT_TCP_LAST_ACK
#define sTW VNS_CT_TCP_TIME_WAIT
#define sCL VNS_CT_TCP_CLOSE
#define sS2 VNS_CT_TCP_SYN_SENT2
#define sIV VNS_CT_TCP_N_STATES         /* invalid */
#define sIG (VNS_CT_TCP_N_STATES + 1)   /* ignore */

/* Linux's TCP state transitions, tcp_conntracks[direction][flag set][old
 * state] in nf_conntrack_proto_tcp.c (current since Linux 4.x), whose
 * comments explain each cell. Columns: sNO sSS sSR sES sFW sCW sLA sTW sCL
 * sS2. */
static const uint8_t ct_tcp_table[2][6][VNS_CT_TCP_N_STATES] = {
    {   /* original */
        /* syn */    { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
        /* synack */ { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
        /* fin */    { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
        /* ack */    { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
        /* rst */    { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
        /* none */   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
    },
    {   /* reply */
        /* syn */    { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2 },
        /* synack */ { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
        /* fin */    { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
        /* ack */    { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
        /* rst */    { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
        /* none */   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
    },
};

static const char *const ct_tcp_state_names[VNS_CT_TCP_N_STATES] = {
    "none", "syn_sent", "syn_recv", "established", "fin_wait", "close_wait",
    "last_ack", "time_wait", "close", "syn_sent2",
};

/* One direction of an entry in its hash chain (nf_conntrack_tuple_hash). */
typedef struct CtNode CtNode;
struct CtNode {
    VnsCtTuple tuple;
    CtNode *next;               /* next in the bucket's chain */
    uint32_t bucket;
    uint8_t dir;                /* VnsCtDir: entry = node - dir */
};

struct VnsCtEntry {
    CtNode node[2];             /* must stay first: original, reply */
    VnsTime expires;            /* confirmed: absolute, ps */
    VnsTime timeout;            /* unconfirmed: relative timeout, ps */
    VnsTime stream_ts;          /* UDP: a stream after this time */
    uint32_t status;            /* VNS_CT_* */
    uint32_t mark;
    uint8_t proto;
    uint8_t tcp_state;          /* VnsCtTcpState */
    uint8_t tcp_flags[2];       /* CT_TCPF_*, per direction */
    uint8_t tcp_conn_flags;     /* CT_TCP_SIMULTANEOUS_OPEN */
    uint8_t last_dir, last_index;
    uint8_t retrans;
    uint16_t last_win;
    uint32_t td_end[2];         /* highest seq + len sent, per direction */
    uint32_t last_seq, last_ack, last_end;
    VnsCtEntry *src_next;       /* chain of entries by original source */
    uint32_t src_bucket;
    VnsCtEntry *free_next;      /* free list link */
};

typedef struct {
    const VnsPacket *pkt;       /* borrowed, only compared */
    uint64_t pkt_id;
    VnsCtEntry *e;              /* NULL: untracked */
    uint8_t dir;
    bool used;
} CtSlot;

typedef struct {
    uint64_t lookups;           /* packets looked up */
    uint64_t found;             /* of which matched an entry */
    uint64_t created;           /* entries allocated (nf_conntrack "new") */
    uint64_t inserted;          /* confirmed into the table */
    uint64_t insert_failed;     /* tuple taken at confirmation */
    uint64_t invalid;           /* packets not tracked */
    uint64_t drops;             /* table full: packet dropped */
    uint64_t early_drops;       /* entries evicted by early_drop() */
    uint64_t gc_early_drops;    /* entries evicted by the 95% sweep */
    uint64_t expired;           /* entries that timed out */
    uint64_t killed;            /* entries deleted by TCP (RST, reopen) */
    uint64_t cpu_drops;         /* packets dropped for the CPU backlog */
} CtStats;

struct VnsConntrack {
    VnsElement base;            /* must stay first */
    char *host_name;
    VnsElement *host;           /* borrowed */
    uint32_t max;               /* nf_conntrack_max */
    uint32_t n_buckets;         /* nf_conntrack_buckets */
    VnsTime cost_ps;            /* CPU time per lookup */
    VnsTime gc_interval;
    VnsTime series_interval;    /* 0 = no time series */
    uint32_t seed;              /* hash seed */
    CtNode **buckets;
    VnsCtEntry **by_src;        /* confirmed entries by original source
                                 * (nf_nat_bysource), n_buckets chains */
    uint32_t count;             /* entries allocated (nf_conntrack_count) */
    uint32_t peak;
    GPtrArray *chunks;          /* of VnsCtEntry[CT_CHUNK] */
    VnsCtEntry *free_list;
    bool gc_early_drop;         /* the table ran full since the last sweep */
    CtSlot slots[CT_SLOTS];
    unsigned slot_next;
    VnsEventId gc_ev, series_ev;
    VnsTimeAvg occupancy;
    CtStats st;
    CtStats series_base;        /* counters at the last series line */
    GString *series;
};

/* ------------------------------------------------------------------ */
/* Spec                                                                */

static const VnsAttrSpec conntrack_attrs[] = {
    { "name", VNS_ATTR_NAME, false, NULL, NULL,
      "The element's name, also its row in the 'conntrack' table and its "
      "time-series file NAME.dat. Default: conntrack-HOST." },
    { "host", VNS_ATTR_REF, true, NULL, NULL,
      "The host, router or hypervisor whose IP stack is tracked; at most "
      "one conntrack per host." },
    { "memory", VNS_ATTR_STRING, false, "8GiB", "bytes",
      "The machine's RAM, from which Linux derives nf_conntrack_buckets "
      "(RAM / 16384 / 8 on 64-bit, 262144 above 4 GiB, 65536 above 1 GiB, "
      "at least 1024; nf_conntrack_init_start(), Linux >= 5.15, and "
      "Documentation/networking/nf_conntrack-sysctl.rst) and "
      "nf_conntrack_max (= buckets). Units B, KiB, MiB, GiB, TiB or kB, "
      "MB, GB, TB. Default 8GiB, a common general-purpose VM size: 262144 "
      "buckets and entries." },
    { "buckets", VNS_ATTR_UINT, false, NULL, NULL,
      "Hash table size (nf_conntrack_buckets, the 'hashsize' module "
      "parameter), fixed for the run. Default: from 'memory'. Given "
      "explicitly, 'max' defaults to 8 x buckets as in Linux.",
      NULL, 1, 1u << 26 },
    { "max", VNS_ATTR_UINT, false, NULL, "entries",
      "Most entries (nf_conntrack_max). Default: the bucket count derived "
      "from 'memory', or 8 x 'buckets' when those are given.",
      NULL, 1, UINT32_MAX },
    { "cost-per-lookup", VNS_ATTR_TIME, false, "0s", NULL,
      "CPU time charged to the host's node for each packet looked up. "
      "Default 0: free, no CPU events." },
    { "gc-interval", VNS_ATTR_TIME, false, "1s", NULL,
      "Time between sweeps of the whole table that reap expired entries. "
      "Default 1 s: Linux's gc worker first runs after HZ (next_gc_run = "
      "HZ, nf_conntrack_core.c), then adapts; lookups reap the expired "
      "entries they meet in between." },
    { "series-interval", VNS_ATTR_TIME, false, "100ms", NULL,
      "Time between lines of the NAME.dat time series (entries, insert, "
      "drop and early-drop rates); 0 = no time series." },
    { NULL }
};

static const VnsSpec conntrack_spec = {
    "conntrack", "Linux netfilter connection tracking (nf_conntrack) on a "
    "host or router: a fixed hash table of connections with per-protocol "
    "timeouts and TCP states, early drop when full, and an optional CPU "
    "cost per lookup.",
    conntrack_attrs, NULL, false,
};

/* ------------------------------------------------------------------ */
/* Tuples                                                              */

static inline uint32_t
ct_mix(uint32_t h, uint32_t k)
{
    k *= 0xcc9e2d51u;
    k = (k << 15) | (k >> 17);
    k *= 0x1b873593u;
    h ^= k;
    h = (h << 13) | (h >> 19);
    return h * 5 + 0xe6546b64u;
}

static inline uint32_t
ct_mix_addr(uint32_t h, const VnsIpAddr *a)
{
    if (a->family == VNS_IP_V4)
        return ct_mix(h, a->v4);
    for (int i = 0; i < 16; i += 4)
        h = ct_mix(h, (uint32_t) a->v6.b[i] << 24 | (uint32_t) a->v6.b[i + 1] << 16 |
                      (uint32_t) a->v6.b[i + 2] << 8 | a->v6.b[i + 3]);
    return h;
}

/* A 32-bit hash of the tuple (MurmurHash3's mixing), seeded per element. */
static uint32_t
ct_tuple_hash(const VnsConntrack *ct, const VnsCtTuple *t)
{
    uint32_t h = ct->seed;

    h = ct_mix_addr(h, &t->src);
    h = ct_mix_addr(h, &t->dst);
    h = ct_mix(h, (uint32_t) t->sport << 16 | t->dport);
    h = ct_mix(h, (uint32_t) t->proto << 8 | t->src.family);
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

/* The hash of a tuple's source: address, port, protocol (hash_by_src()). */
static uint32_t
ct_src_hash(const VnsConntrack *ct, const VnsCtTuple *t)
{
    uint32_t h = ct_mix_addr(ct->seed ^ 0x9e3779b9u, &t->src);

    h = ct_mix(h, (uint32_t) t->sport << 8 | t->proto);
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h ^ (h >> 16);
}

/* reciprocal_scale(): the bucket of a hash, as Linux maps hashes. */
static inline uint32_t
ct_bucket(const VnsConntrack *ct, uint32_t hash)
{
    return (uint32_t) (((uint64_t) hash * ct->n_buckets) >> 32);
}

/*
 * vns_ct_tuple_equal:
 * Whether two tuples name the same direction of the same connection.
 */
bool
vns_ct_tuple_equal(const VnsCtTuple *a, const VnsCtTuple *b)
{
    return a->proto == b->proto && a->sport == b->sport &&
           a->dport == b->dport && vns_ip_addr_equal(&a->src, &b->src) &&
           vns_ip_addr_equal(&a->dst, &b->dst);
}

/* The echo reply type of an echo request type (ICMP 8 -> 0, ICMPv6
 * 128 -> 129) and back. */
static uint8_t
ct_icmp_invert_type(uint8_t proto, uint8_t type)
{
    if (proto == VNS_IPPROTO_ICMP)
        return type == VNS_ICMP_ECHO_REQUEST ? VNS_ICMP_ECHO_REPLY
                                             : VNS_ICMP_ECHO_REQUEST;
    return type == VNS_ICMP6_ECHO_REQUEST ? VNS_ICMP6_ECHO_REPLY
                                          : VNS_ICMP6_ECHO_REQUEST;
}

/*
 * vns_ct_tuple_invert:
 * Sets 'out' to 't' as seen from the other end: addresses and ports
 * swapped; for ICMP echo the identifier stays and the type flips between
 * request and reply (nf_ct_invert_tuple()). 'out' may be 't'.
 */
void
vns_ct_tuple_invert(VnsCtTuple *out, const VnsCtTuple *t)
{
    VnsCtTuple r = *t;

    r.src = t->dst;
    r.dst = t->src;
    if (t->proto == VNS_IPPROTO_ICMP || t->proto == VNS_IPPROTO_ICMPV6) {
        r.sport = t->sport;
        r.dport = (uint16_t) (ct_icmp_invert_type(t->proto,
                                                  (uint8_t) (t->dport >> 8)) << 8 |
                              (t->dport & 0xff));
    } else {
        r.sport = t->dport;
        r.dport = t->sport;
    }
    *out = r;
}

static bool
ct_is_icmp_echo(uint8_t proto, uint8_t type)
{
    if (proto == VNS_IPPROTO_ICMP)
        return type == VNS_ICMP_ECHO_REQUEST || type == VNS_ICMP_ECHO_REPLY;
    return type == VNS_ICMP6_ECHO_REQUEST || type == VNS_ICMP6_ECHO_REPLY;
}

/*
 * vns_ct_tuple_from_packet:
 * Parses the tuple of the IP packet at data[0] of 'pkt' into 'out'.
 * Returns false for what is not tracked: not IP, non-first or first
 * fragments (no reassembly), ICMP other than echo request/reply (errors
 * would be RELATED in Linux; not modelled), truncated layer-4 headers.
 */
bool
vns_ct_tuple_from_packet(VnsCtTuple *out, VnsPacket *pkt)
{
    const VnsFlowKey *k = vns_packet_parse_l3(pkt);

    if (k->family == VNS_IP_NONE || k->frag != VNS_FLOW_FRAG_NONE)
        return false;
    memset(out, 0, sizeof *out);
    out->src = k->src;
    out->dst = k->dst;
    out->proto = k->proto;
    switch (k->proto) {
    case VNS_IPPROTO_TCP:
    case VNS_IPPROTO_UDP:
        if (pkt->l4_off == VNS_OFF_NONE)
            return false;
        out->sport = k->sport;
        out->dport = k->dport;
        return true;
    case VNS_IPPROTO_ICMP:
    case VNS_IPPROTO_ICMPV6:
        if (pkt->l4_off == VNS_OFF_NONE || !ct_is_icmp_echo(k->proto, k->icmp_type))
            return false;
        out->sport = k->icmp_id;
        out->dport = (uint16_t) (k->icmp_type << 8 | k->icmp_code);
        return true;
    default:
        return true;            /* generic: addresses and protocol */
    }
}

/* ------------------------------------------------------------------ */
/* Entries and the table                                               */

static inline VnsCtEntry *
ct_node_entry(CtNode *n)
{
    return (VnsCtEntry *) (n - n->dir);
}

static inline bool
ct_expired(const VnsConntrack *ct, const VnsCtEntry *e)
{
    return (e->status & VNS_CT_CONFIRMED) && e->expires <= vns_element_now(&ct->base);
}

static void
ct_occupancy(VnsConntrack *ct)
{
    vns_time_avg_update(&ct->occupancy, vns_element_now(&ct->base), ct->count);
}

/* An entry from the pool (the count is the caller's). */
static VnsCtEntry *
ct_entry_alloc(VnsConntrack *ct)
{
    VnsCtEntry *e = ct->free_list;

    if (e == NULL) {
        /* The pool grows by a chunk when a new connection finds it
         * empty; chunks live until the element is freed. */
        VnsCtEntry *chunk = g_new0(VnsCtEntry, CT_CHUNK);
        g_ptr_array_add(ct->chunks, chunk);
        for (int i = CT_CHUNK - 1; i >= 0; i--) {
            chunk[i].free_next = ct->free_list;
            ct->free_list = &chunk[i];
        }
        e = ct->free_list;
    }
    ct->free_list = e->free_next;
    memset(e, 0, sizeof *e);
    e->node[0].dir = VNS_CT_DIR_ORIGINAL;
    e->node[1].dir = VNS_CT_DIR_REPLY;
    e->expires = VNS_TIME_NEVER;
    return e;
}

static void
ct_unlink(VnsConntrack *ct, CtNode *n)
{
    CtNode **pp = &ct->buckets[n->bucket];

    while (*pp != n) {
        g_assert(*pp != NULL);
        pp = &(*pp)->next;
    }
    *pp = n->next;
    n->next = NULL;
}

/* Removes an entry (confirmed or not) and returns it to the pool. */
static void
ct_entry_free(VnsConntrack *ct, VnsCtEntry *e)
{
    if (e->status & VNS_CT_CONFIRMED) {
        VnsCtEntry **pp = &ct->by_src[e->src_bucket];
        ct_unlink(ct, &e->node[0]);
        ct_unlink(ct, &e->node[1]);
        while (*pp != e) {
            g_assert(*pp != NULL);
            pp = &(*pp)->src_next;
        }
        *pp = e->src_next;
        e->src_next = NULL;
    }
    for (int i = 0; i < CT_SLOTS; i++)
        if (ct->slots[i].used && ct->slots[i].e == e)
            ct->slots[i].e = NULL;
    e->status = 0;
    e->free_next = ct->free_list;
    ct->free_list = e;
    g_assert(ct->count > 0);
    ct->count--;
    ct_occupancy(ct);
}

static void
ct_insert(VnsConntrack *ct, VnsCtEntry *e)
{
    for (int d = 0; d < 2; d++) {
        CtNode *n = &e->node[d];
        n->bucket = ct_bucket(ct, ct_tuple_hash(ct, &n->tuple));
        n->next = ct->buckets[n->bucket];
        ct->buckets[n->bucket] = n;
    }
    e->src_bucket = ct_bucket(ct, ct_src_hash(ct, &e->node[0].tuple));
    e->src_next = ct->by_src[e->src_bucket];
    ct->by_src[e->src_bucket] = e;
}

/* Finds 'tuple' in its chain, reaping the expired entries met on the way
 * (____nf_conntrack_find() with nf_ct_gc_expired()). */
static CtNode *
ct_find(VnsConntrack *ct, const VnsCtTuple *tuple, const VnsCtEntry *ignore)
{
    uint32_t b = ct_bucket(ct, ct_tuple_hash(ct, tuple));
    CtNode *n = ct->buckets[b];

    while (n != NULL) {
        CtNode *next = n->next;
        VnsCtEntry *e = ct_node_entry(n);
        if (ct_expired(ct, e)) {
            /* Its other node may be 'next': restart the chain. */
            ct->st.expired++;
            ct_entry_free(ct, e);
            n = ct->buckets[b];
            continue;
        }
        if (e != ignore && vns_ct_tuple_equal(&n->tuple, tuple))
            return n;
        n = next;
    }
    return NULL;
}

/* early_drop(): searches the new tuple's bucket and the next ones for
 * non-assured confirmed entries and deletes all of those in the first
 * bucket that has any. Returns whether anything was evicted. */
static bool
ct_early_drop(VnsConntrack *ct, uint32_t hash)
{
    uint32_t b = ct_bucket(ct, hash);

    for (int i = 0; i < CT_EVICTION_RANGE; i++, b = (b + 1) % ct->n_buckets) {
        unsigned drops = 0;
        CtNode *n = ct->buckets[b];
        while (n != NULL) {
            VnsCtEntry *e = ct_node_entry(n);
            if (ct_expired(ct, e)) {
                ct->st.expired++;
                ct_entry_free(ct, e);
                n = ct->buckets[b];
                continue;
            }
            if (!(e->status & VNS_CT_ASSURED)) {
                drops++;
                ct_entry_free(ct, e);
                n = ct->buckets[b];
                continue;
            }
            n = n->next;
        }
        if (drops > 0) {
            ct->st.early_drops += drops;
            return true;
        }
    }
    return false;
}

/* tcp_can_early_drop(): TCP entries in a closing state may go. */
static bool
ct_can_early_drop(const VnsCtEntry *e)
{
    if (!(e->status & VNS_CT_ASSURED))
        return true;
    if (e->proto != VNS_IPPROTO_TCP)
        return false;
    switch (e->tcp_state) {
    case VNS_CT_TCP_FIN_WAIT:
    case VNS_CT_TCP_LAST_ACK:
    case VNS_CT_TCP_TIME_WAIT:
    case VNS_CT_TCP_CLOSE:
    case VNS_CT_TCP_CLOSE_WAIT:
        return true;
    default:
        return false;
    }
}

/* A sweep of the whole table (gc_worker()): reaps expired entries; after
 * the table ran full, evicts what may be evicted while above 95% of max
 * (nf_conntrack_max95). */
static void
ct_sweep(VnsConntrack *ct)
{
    uint32_t max95 = ct->gc_early_drop ? ct->max / 100u * 95u : 0;

    for (uint32_t b = 0; b < ct->n_buckets; b++) {
        CtNode *n = ct->buckets[b];
        while (n != NULL) {
            VnsCtEntry *e = ct_node_entry(n);
            if (ct_expired(ct, e)) {
                ct->st.expired++;
                ct_entry_free(ct, e);
                n = ct->buckets[b];
                continue;
            }
            if (max95 > 0 && ct->count >= max95 && ct_can_early_drop(e)) {
                ct->st.gc_early_drops++;
                ct_entry_free(ct, e);
                n = ct->buckets[b];
                continue;
            }
            n = n->next;
        }
    }
    ct->gc_early_drop = false;
}

static void
ct_refresh(VnsConntrack *ct, VnsCtEntry *e, VnsTime timeout)
{
    if (e->status & VNS_CT_CONFIRMED)
        e->expires = vns_element_now(&ct->base) + timeout;
    else
        e->timeout = timeout;
}

/* ------------------------------------------------------------------ */
/* Protocols                                                           */

typedef enum {
    CT_VERDICT_ACCEPT,          /* tracked */
    CT_VERDICT_INVALID,         /* accepted, but untracked */
    CT_VERDICT_KILL,            /* accepted; the entry is deleted */
    CT_VERDICT_REPEAT,          /* delete the entry, look up again */
} CtVerdict;

static CtTcpIndex
ct_tcp_index(uint8_t flags)
{
    if (flags & VNS_TCP_RST)
        return CT_TCP_RST_SET;
    if (flags & VNS_TCP_SYN)
        return flags & VNS_TCP_ACK ? CT_TCP_SYNACK_SET : CT_TCP_SYN_SET;
    if (flags & VNS_TCP_FIN)
        return CT_TCP_FIN_SET;
    if (flags & VNS_TCP_ACK)
        return CT_TCP_ACK_SET;
    return CT_TCP_NONE_SET;
}

static inline bool
ct_seq_after(uint32_t a, uint32_t b)
{
    return (int32_t) (b - a) < 0;
}

static inline uint32_t
ct_get32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* nf_conntrack_tcp_packet() and tcp_new() without the window checks of
 * tcp_in_window() (every segment counts as in window, as with
 * nf_conntrack_tcp_be_liberal = 1); the sequence bookkeeping that drives
 * the unacknowledged-data and retransmission timeouts is kept. */
static CtVerdict
ct_tcp_packet(VnsConntrack *ct, VnsCtEntry *e, VnsPacket *pkt, VnsCtDir dir,
              bool is_new)
{
    const uint8_t *d = vns_packet_data(pkt);
    const uint8_t *th = d + pkt->l4_off;
    uint32_t hdr_len, seq, ack, end, data_len;
    uint16_t win;
    uint8_t flags;
    CtTcpIndex index;
    unsigned old_state, new_state;
    VnsTime timeout;

    if ((uint32_t) pkt->l4_off + 20 > pkt->len)
        return CT_VERDICT_INVALID;
    hdr_len = (uint32_t) (th[12] >> 4) * 4;
    flags = th[13];
    seq = ct_get32(th + 4);
    ack = ct_get32(th + 8);
    win = (uint16_t) (th[14] << 8 | th[15]);
    data_len = vns_packet_size(pkt) - pkt->l4_off;
    data_len = data_len > hdr_len ? data_len - hdr_len : 0;
    /* segment_seq_plus_len(): SYN and FIN take a sequence number. */
    end = seq + data_len + ((flags & VNS_TCP_SYN) ? 1 : 0) + ((flags & VNS_TCP_FIN) ? 1 : 0);
    index = ct_tcp_index(flags);

    if (is_new) {
        /* tcp_new(): SYN starts SYN_SENT; with nf_conntrack_tcp_loose = 1
         * (the default) an ACK picks up a connection in the middle. */
        new_state = ct_tcp_table[0][index][VNS_CT_TCP_NONE];
        if (new_state >= VNS_CT_TCP_N_STATES)
            return CT_VERDICT_INVALID;
        e->td_end[0] = end;
        e->tcp_flags[0] = CT_TCPF_SEEN;
        e->last_index = CT_TCP_NONE_SET;
    }
    old_state = e->tcp_state;
    new_state = ct_tcp_table[dir][index][old_state];

    switch (new_state) {
    case VNS_CT_TCP_SYN_SENT:
        if (old_state < VNS_CT_TCP_TIME_WAIT)
            break;
        /* A SYN in TIME_WAIT or CLOSE: reopen (RFC 1122 4.2.2.13) when
         * the old connection was closed or reset: delete and retry. */
        if (((e->tcp_flags[dir] | e->tcp_flags[!dir]) & CT_TCPF_CLOSE_INIT) ||
            (e->last_dir == dir && e->last_index == CT_TCP_RST_SET))
            return CT_VERDICT_REPEAT;
        /* fall through */
    case sIG:
        /* Possibly out of sync: let it pass, change nothing. */
        e->last_index = (uint8_t) index;
        e->last_dir = (uint8_t) dir;
        e->last_seq = seq;
        e->last_end = end;
        e->last_win = win;
        return CT_VERDICT_ACCEPT;
    case sIV:
        return CT_VERDICT_INVALID;
    case VNS_CT_TCP_SYN_SENT2:
        e->tcp_conn_flags |= CT_TCP_SIMULTANEOUS_OPEN;
        break;
    case VNS_CT_TCP_SYN_RECV:
        if (dir == VNS_CT_DIR_REPLY && index == CT_TCP_ACK_SET &&
            (e->tcp_conn_flags & CT_TCP_SIMULTANEOUS_OPEN))
            new_state = VNS_CT_TCP_ESTABLISHED;
        break;
    default:
        break;
    }

    /* tcp_in_window()'s bookkeeping. */
    if (!(e->tcp_flags[dir] & CT_TCPF_SEEN)) {
        e->td_end[dir] = end;
        e->tcp_flags[dir] |= CT_TCPF_SEEN;
    }
    if (!(flags & VNS_TCP_ACK))
        ack = e->td_end[!dir];
    if (ct_seq_after(end, e->td_end[dir])) {
        e->td_end[dir] = end;
        e->tcp_flags[dir] |= CT_TCPF_DATA_UNACK;
    }
    if ((e->tcp_flags[!dir] & CT_TCPF_SEEN) && ack == e->td_end[!dir])
        e->tcp_flags[!dir] &= (uint8_t) ~CT_TCPF_DATA_UNACK;
    if (index == CT_TCP_ACK_SET) {
        if (e->last_dir == dir && e->last_seq == seq && e->last_ack == ack &&
            e->last_end == end && e->last_win == win) {
            if (e->retrans < UINT8_MAX)
                e->retrans++;
        } else {
            e->last_seq = seq;
            e->last_ack = ack;
            e->last_end = end;
            e->last_win = win;
            e->retrans = 0;
        }
    }
    e->last_index = (uint8_t) index;
    e->last_dir = (uint8_t) dir;
    e->tcp_state = (uint8_t) new_state;
    if (old_state != new_state && new_state == VNS_CT_TCP_FIN_WAIT)
        e->tcp_flags[dir] |= CT_TCPF_CLOSE_INIT;

    if (e->retrans >= CT_TCP_MAX_RETRANS &&
        ct_tcp_timeouts[new_state] > CT_TCP_TIMEOUT_RETRANS)
        timeout = CT_TCP_TIMEOUT_RETRANS;
    else if (index == CT_TCP_RST_SET)
        timeout = ct_tcp_timeouts[VNS_CT_TCP_CLOSE];
    else if (((e->tcp_flags[0] | e->tcp_flags[1]) & CT_TCPF_DATA_UNACK) &&
             ct_tcp_timeouts[new_state] > CT_TCP_TIMEOUT_UNACK)
        timeout = CT_TCP_TIMEOUT_UNACK;
    else if (e->last_win == 0 && index == CT_TCP_ACK_SET &&
             ct_tcp_timeouts[new_state] > CT_TCP_TIMEOUT_RETRANS)
        timeout = CT_TCP_TIMEOUT_RETRANS;
    else
        timeout = ct_tcp_timeouts[new_state];

    if (!(e->status & VNS_CT_SEEN_REPLY)) {
        /* Only a RST came back: no connection, delete at once. */
        if (flags & VNS_TCP_RST)
            return CT_VERDICT_KILL;
        /* ESTABLISHED picked up mid-stream: not the long timeout. */
        if (new_state == VNS_CT_TCP_ESTABLISHED && timeout > CT_TCP_TIMEOUT_UNACK)
            timeout = CT_TCP_TIMEOUT_UNACK;
    } else if (!(e->status & VNS_CT_ASSURED) &&
               (old_state == VNS_CT_TCP_SYN_RECV ||
                old_state == VNS_CT_TCP_ESTABLISHED) &&
               new_state == VNS_CT_TCP_ESTABLISHED) {
        /* The handshake's last ACK (or an answer to a picked-up
         * connection). */
        e->status |= VNS_CT_ASSURED;
    }
    ct_refresh(ct, e, timeout);
    return CT_VERDICT_ACCEPT;
}

/* nf_conntrack_udp_packet(): ASSURED only once in the stream state (Linux
 * >= 5.16, commit b7b1d02fc439). SEEN_REPLY is set after this runs, so the
 * first reply still gets the unreplied timeout. */
static CtVerdict
ct_udp_packet(VnsConntrack *ct, VnsCtEntry *e, bool is_new)
{
    VnsTime now = vns_element_now(&ct->base);

    if (is_new)
        e->stream_ts = now + CT_UDP_STREAM_AGE;
    if (e->status & VNS_CT_SEEN_REPLY) {
        VnsTime extra = CT_UDP_TIMEOUT;
        bool stream = false;
        if (now > e->stream_ts) {
            extra = CT_UDP_TIMEOUT_STREAM;
            stream = !(e->status & VNS_CT_ASSURED);
        }
        ct_refresh(ct, e, extra);
        if (stream)
            e->status |= VNS_CT_ASSURED;
    } else {
        ct_refresh(ct, e, CT_UDP_TIMEOUT);
    }
    return CT_VERDICT_ACCEPT;
}

static CtVerdict
ct_proto_packet(VnsConntrack *ct, VnsCtEntry *e, VnsPacket *pkt, VnsCtDir dir,
                bool is_new)
{
    switch (e->proto) {
    case VNS_IPPROTO_TCP:
        return ct_tcp_packet(ct, e, pkt, dir, is_new);
    case VNS_IPPROTO_UDP:
        return ct_udp_packet(ct, e, is_new);
    case VNS_IPPROTO_ICMP:
    case VNS_IPPROTO_ICMPV6:
        /* icmp_new(): only a request starts a connection. */
        if (is_new) {
            uint8_t type = (uint8_t) (e->node[0].tuple.dport >> 8);
            if (type != (e->proto == VNS_IPPROTO_ICMP ? VNS_ICMP_ECHO_REQUEST
                                                      : VNS_ICMP6_ECHO_REQUEST))
                return CT_VERDICT_INVALID;
        }
        ct_refresh(ct, e, CT_ICMP_TIMEOUT);
        return CT_VERDICT_ACCEPT;
    default:
        ct_refresh(ct, e, CT_GENERIC_TIMEOUT);
        return CT_VERDICT_ACCEPT;
    }
}

/* ------------------------------------------------------------------ */
/* Hooks                                                               */

static CtSlot *
ct_slot_find(VnsConntrack *ct, const VnsPacket *pkt)
{
    for (int i = 0; i < CT_SLOTS; i++) {
        CtSlot *s = &ct->slots[i];
        if (s->used && s->pkt == pkt && s->pkt_id == pkt->id)
            return s;
    }
    return NULL;
}

/* Releases a slot: an entry still unconfirmed belonged to a packet that
 * died before confirmation and goes with it. */
static void
ct_slot_release(VnsConntrack *ct, CtSlot *s)
{
    if (s->used && s->e != NULL && !(s->e->status & VNS_CT_CONFIRMED))
        ct_entry_free(ct, s->e);
    s->used = false;
    s->e = NULL;
}

static void
ct_slot_set(VnsConntrack *ct, const VnsPacket *pkt, VnsCtEntry *e, VnsCtDir dir)
{
    CtSlot *s = &ct->slots[ct->slot_next];

    ct->slot_next = (ct->slot_next + 1) % CT_SLOTS;
    ct_slot_release(ct, s);
    s->used = true;
    s->pkt = pkt;
    s->pkt_id = pkt->id;
    s->e = e;
    s->dir = (uint8_t) dir;
}

static void
ct_cpu_done(VnsSim *sim, void *ctx, void *arg)
{
    (void) sim;
    (void) ctx;
    (void) arg;
}

/* The CPU job of a lookup: it occupies a core of the host's node, which
 * delays the work queued behind it; the packet itself goes on. */
static const VnsEventType ct_cpu_event = { "conntrack-cpu", ct_cpu_done, NULL };

/* A new entry for 'tuple', or NULL when the table is full and nothing
 * could be evicted (__nf_conntrack_alloc()). */
static VnsCtEntry *
ct_new_entry(VnsConntrack *ct, const VnsCtTuple *tuple)
{
    VnsCtEntry *e;

    if (ct->count >= ct->max &&
        !ct_early_drop(ct, ct_tuple_hash(ct, tuple))) {
        ct->gc_early_drop = true;
        return NULL;
    }
    e = ct_entry_alloc(ct);
    e->node[0].tuple = *tuple;
    vns_ct_tuple_invert(&e->node[1].tuple, tuple);
    e->proto = tuple->proto;
    ct->count++;
    ct->st.created++;
    if (ct->count > ct->peak)
        ct->peak = ct->count;
    ct_occupancy(ct);
    return e;
}

/* nf_conntrack_in(): at prerouting and output. */
static VnsHookVerdict
ct_hook_in(VnsElement *host, VnsPacket *pkt, const VnsHookState *st, void *data)
{
    VnsConntrack *ct = data;
    VnsCtTuple tuple;
    CtNode *n;
    VnsCtEntry *e;
    VnsCtDir dir;
    bool is_new;

    (void) host;
    (void) st;
    if (ct_slot_find(ct, pkt) != NULL)
        return VNS_HOOK_ACCEPT;     /* seen on this pass (loopback) */
    if (ct->cost_ps > 0 && ct->host->node != NULL &&
        !vns_node_cpu_run(ct->host->node, ct->cost_ps, &ct_cpu_event, NULL, NULL)) {
        ct->st.cpu_drops++;
        vns_packet_drop(pkt, &ct->base, VNS_DROP_CPU_BACKLOG);
        return VNS_HOOK_STOLEN;
    }
    if (!vns_ct_tuple_from_packet(&tuple, pkt)) {
        ct->st.invalid++;
        ct_slot_set(ct, pkt, NULL, VNS_CT_DIR_ORIGINAL);
        return VNS_HOOK_ACCEPT;
    }
    ct->st.lookups++;
repeat:
    n = ct_find(ct, &tuple, NULL);
    if (n != NULL) {
        ct->st.found++;
        e = ct_node_entry(n);
        dir = n->dir;
        is_new = false;
    } else {
        e = ct_new_entry(ct, &tuple);
        if (e == NULL) {
            /* "nf_conntrack: table full, dropping packet" */
            ct->st.drops++;
            vns_packet_drop(pkt, &ct->base, VNS_DROP_CONNTRACK_FULL);
            return VNS_HOOK_STOLEN;
        }
        dir = VNS_CT_DIR_ORIGINAL;
        is_new = true;
    }
    switch (ct_proto_packet(ct, e, pkt, dir, is_new)) {
    case CT_VERDICT_ACCEPT:
        break;
    case CT_VERDICT_INVALID:
        if (is_new) {
            ct_entry_free(ct, e);
        }
        ct->st.invalid++;
        ct_slot_set(ct, pkt, NULL, VNS_CT_DIR_ORIGINAL);
        return VNS_HOOK_ACCEPT;
    case CT_VERDICT_KILL:
        ct->st.killed++;
        ct_entry_free(ct, e);
        ct_slot_set(ct, pkt, NULL, VNS_CT_DIR_ORIGINAL);
        return VNS_HOOK_ACCEPT;
    case CT_VERDICT_REPEAT:
        ct->st.killed++;
        ct_entry_free(ct, e);
        goto repeat;
    }
    if (dir == VNS_CT_DIR_REPLY)
        e->status |= VNS_CT_SEEN_REPLY;
    ct_slot_set(ct, pkt, e, dir);
    return VNS_HOOK_ACCEPT;
}

/* __nf_conntrack_confirm(): at postrouting and input, last. */
static VnsHookVerdict
ct_hook_confirm(VnsElement *host, VnsPacket *pkt, const VnsHookState *st,
                void *data)
{
    VnsConntrack *ct = data;
    CtSlot *s = ct_slot_find(ct, pkt);
    VnsCtEntry *e;

    (void) host;
    (void) st;
    if (s == NULL)
        return VNS_HOOK_ACCEPT;
    e = s->e;
    s->used = false;
    s->e = NULL;
    if (e == NULL || (e->status & VNS_CT_CONFIRMED))
        return VNS_HOOK_ACCEPT;
    /* A tuple taken meanwhile (NAT chose a reply tuple that clashes):
     * Linux counts insert_failed and drops the packet. */
    if (ct_find(ct, &e->node[0].tuple, e) != NULL ||
        ct_find(ct, &e->node[1].tuple, e) != NULL) {
        ct->st.insert_failed++;
        ct_entry_free(ct, e);
        vns_packet_drop(pkt, &ct->base, VNS_DROP_CONNTRACK_FULL);
        return VNS_HOOK_STOLEN;
    }
    e->status |= VNS_CT_CONFIRMED;
    e->expires = vns_element_now(&ct->base) + e->timeout;
    ct_insert(ct, e);
    ct->st.inserted++;
    return VNS_HOOK_ACCEPT;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/*
 * vns_conntrack_find:
 * The conntrack element whose 'host' attribute names 'host', or NULL.
 * Usable from any connect (it reads what create stored). Borrowed.
 */
VnsConntrack *
vns_conntrack_find(const VnsNet *net, const VnsElement *host)
{
    for (guint i = 0; i < vns_net_n_elements(net); i++) {
        VnsElement *e = vns_net_element(net, i);
        if (e->ops == &vns_conntrack_ops &&
            strcmp(((VnsConntrack *) e)->host_name, host->name) == 0)
            return (VnsConntrack *) e;
    }
    return NULL;
}

/*
 * vns_conntrack_host:
 * The tracked host (NULL before the element's connect). Borrowed.
 */
VnsElement *
vns_conntrack_host(const VnsConntrack *ct)
{
    return ct->host;
}

/*
 * vns_conntrack_get:
 * The entry the conntrack hook gave 'pkt' on its current pass through the
 * host, with its direction and whether it is still unconfirmed; NULL when
 * the packet is untracked. Borrowed.
 */
VnsCtEntry *
vns_conntrack_get(VnsConntrack *ct, const VnsPacket *pkt, VnsCtDir *dir,
                  bool *is_new)
{
    CtSlot *s = ct_slot_find(ct, pkt);

    if (s == NULL || s->e == NULL)
        return NULL;
    if (dir != NULL)
        *dir = s->dir;
    if (is_new != NULL)
        *is_new = !(s->e->status & VNS_CT_CONFIRMED);
    return s->e;
}

/*
 * vns_conntrack_lookup:
 * The confirmed entry holding 'tuple' in either direction (reaping expired
 * entries on the way), with the direction in 'dir' (may be NULL). Borrowed.
 */
VnsCtEntry *
vns_conntrack_lookup(VnsConntrack *ct, const VnsCtTuple *tuple, VnsCtDir *dir)
{
    CtNode *n = ct_find(ct, tuple, NULL);

    if (n == NULL)
        return NULL;
    if (dir != NULL)
        *dir = n->dir;
    return ct_node_entry(n);
}

/*
 * vns_conntrack_tuple_taken:
 * Whether an entry other than 'ignore' holds 'tuple' (nf_conntrack_tuple_taken()).
 */
bool
vns_conntrack_tuple_taken(VnsConntrack *ct, const VnsCtTuple *tuple,
                          const VnsCtEntry *ignore)
{
    return ct_find(ct, tuple, ignore) != NULL;
}

/*
 * vns_conntrack_next_same_source:
 * Iterates the confirmed, unexpired entries whose original tuple has the
 * source address, source port and protocol of 't' (Linux's nf_nat_bysource
 * table, which NAT uses to give a source the mapping it already has).
 * Start with 'prev' = NULL; returns NULL after the last. Borrowed.
 */
VnsCtEntry *
vns_conntrack_next_same_source(VnsConntrack *ct, const VnsCtTuple *t,
                               VnsCtEntry *prev)
{
    VnsCtEntry *e = prev != NULL ? prev->src_next
                                 : ct->by_src[ct_bucket(ct, ct_src_hash(ct, t))];

    for (; e != NULL; e = e->src_next) {
        const VnsCtTuple *o = &e->node[0].tuple;
        if (!ct_expired(ct, e) && o->proto == t->proto && o->sport == t->sport &&
            vns_ip_addr_equal(&o->src, &t->src))
            return e;
    }
    return NULL;
}

/*
 * vns_conntrack_count:
 * Entries allocated, confirmed or not, expired or not yet reaped
 * (nf_conntrack_count).
 */
uint32_t
vns_conntrack_count(const VnsConntrack *ct)
{
    return ct->count;
}

/*
 * vns_ct_entry_tuple:
 * The entry's tuple in direction 'dir'. Borrowed.
 */
const VnsCtTuple *
vns_ct_entry_tuple(const VnsCtEntry *e, VnsCtDir dir)
{
    return &e->node[dir].tuple;
}

/*
 * vns_ct_entry_status:
 * The entry's VNS_CT_* status bits.
 */
uint32_t
vns_ct_entry_status(const VnsCtEntry *e)
{
    return e->status;
}

/*
 * vns_ct_entry_set_status:
 * Sets status bits (NAT's translation bits).
 */
void
vns_ct_entry_set_status(VnsCtEntry *e, uint32_t bits)
{
    e->status |= bits;
}

/*
 * vns_ct_entry_alter_reply:
 * Replaces the reply tuple of an unconfirmed entry
 * (nf_conntrack_alter_reply()).
 */
void
vns_ct_entry_alter_reply(VnsCtEntry *e, const VnsCtTuple *reply)
{
    g_return_if_fail(!(e->status & VNS_CT_CONFIRMED));
    e->node[1].tuple = *reply;
}

/*
 * vns_ct_entry_tcp_state:
 * The TCP conntrack state (NONE for other protocols).
 */
VnsCtTcpState
vns_ct_entry_tcp_state(const VnsCtEntry *e)
{
    return (VnsCtTcpState) e->tcp_state;
}

/*
 * vns_ct_entry_expires:
 * When a confirmed entry expires, ps; VNS_TIME_NEVER before confirmation.
 */
VnsTime
vns_ct_entry_expires(const VnsCtEntry *e)
{
    return (e->status & VNS_CT_CONFIRMED) ? e->expires : VNS_TIME_NEVER;
}

/*
 * vns_ct_entry_mark:
 * The entry's connection mark, for other models to set and read.
 */
uint32_t *
vns_ct_entry_mark(VnsCtEntry *e)
{
    return &e->mark;
}

/*
 * vns_conntrack_default_buckets:
 * nf_conntrack_buckets for 'memory_bytes' of RAM on a 64-bit kernel with
 * 4096-byte pages (nf_conntrack_init_start() since Linux 5.15):
 * (pages x 4096) / 16384 / sizeof(struct hlist_nulls_head) = RAM / 131072;
 * 262144 when there are more than 4 GiB of pages, 65536 when more than
 * 1 GiB; at least 1024. nf_conntrack_max is the same number (max_factor 1).
 */
uint32_t
vns_conntrack_default_buckets(uint64_t memory_bytes)
{
    const uint64_t page = 4096, gib = 1024ull * 1024 * 1024;
    uint64_t pages = memory_bytes / page;
    uint64_t b = (pages * page / 16384) / 8;

    if (pages > 4 * (gib / page))
        b = 262144;
    else if (pages > gib / page)
        b = 65536;
    if (b < 1024)
        b = 1024;
    return (uint32_t) b;
}

/* ------------------------------------------------------------------ */
/* Element                                                             */

static char *
conntrack_default_name(const VnsConfig *cfg)
{
    g_autofree char *host = NULL;

    if (!vns_config_string(cfg, "host", &host, NULL) || host == NULL)
        return g_strdup("conntrack");
    return g_strdup_printf("conntrack-%s", host);
}

/* Parses "8GiB", "512MiB", "16GB", "1048576" into bytes. */
static bool
conntrack_parse_size(const char *text, uint64_t *out)
{
    static const struct {
        const char *unit;
        uint64_t mult;
    } units[] = {
        { "", 1 }, { "B", 1 },
        { "KiB", 1ull << 10 }, { "MiB", 1ull << 20 }, { "GiB", 1ull << 30 },
        { "TiB", 1ull << 40 },
        { "kB", 1000ull }, { "KB", 1000ull }, { "MB", 1000000ull },
        { "GB", 1000000000ull }, { "TB", 1000000000000ull },
    };
    char *end = NULL;
    double v;

    if (text == NULL || !g_ascii_isdigit(text[0]))
        return false;
    v = g_ascii_strtod(text, &end);
    if (end == text || !isfinite(v) || v <= 0)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        if (strcmp(end, units[i].unit) == 0) {
            double b = v * (double) units[i].mult;
            if (b >= 1.8e19)
                return false;
            *out = (uint64_t) b;
            return true;
        }
    }
    return false;
}

static bool
conntrack_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    VnsConntrack *ct = (VnsConntrack *) self;
    g_autofree char *memory = NULL;
    uint64_t mem = 0, buckets = 0, max = 0;
    bool has_buckets = vns_config_has(cfg, "buckets");

    if (!vns_config_string(cfg, "host", &ct->host_name, error) ||
        !vns_config_string(cfg, "memory", &memory, error) ||
        !vns_config_time(cfg, "cost-per-lookup", &ct->cost_ps, error) ||
        !vns_config_time(cfg, "gc-interval", &ct->gc_interval, error) ||
        !vns_config_time(cfg, "series-interval", &ct->series_interval, error))
        return false;
    if (!conntrack_parse_size(memory, &mem)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<conntrack> 'memory' is '%s', expected a size such "
                         "as 8GiB or 512MiB", memory);
        return false;
    }
    if (has_buckets && !vns_config_uint(cfg, "buckets", &buckets, error))
        return false;
    if (vns_config_has(cfg, "max") && !vns_config_uint(cfg, "max", &max, error))
        return false;
    if (ct->gc_interval <= 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<conntrack> 'gc-interval' is zero, expected a "
                         "positive duration");
        return false;
    }
    if (ct->cost_ps < 0 || ct->series_interval < 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<conntrack> negative duration, expected >= 0");
        return false;
    }
    if (has_buckets) {
        ct->n_buckets = (uint32_t) buckets;
        /* Linux: a table size given as a module parameter keeps the old
         * factor of 8 (nf_conntrack_init_start()). */
        ct->max = max > 0 ? (uint32_t) max : (uint32_t) MIN(8 * buckets, UINT32_MAX);
    } else {
        ct->n_buckets = vns_conntrack_default_buckets(mem);
        ct->max = max > 0 ? (uint32_t) max : ct->n_buckets;
    }
    ct->buckets = g_new0(CtNode *, ct->n_buckets);
    ct->by_src = g_new0(VnsCtEntry *, ct->n_buckets);
    ct->chunks = g_ptr_array_new_with_free_func(g_free);
    ct->seed = (uint32_t) gsl_rng_get(vns_element_rng(self));
    ct->gc_ev = VNS_EVENT_NONE;
    ct->series_ev = VNS_EVENT_NONE;
    vns_time_avg_init(&ct->occupancy, 0, 0);
    return true;
}

static bool
conntrack_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    VnsConntrack *ct = (VnsConntrack *) self;
    VnsElement *host = vns_net_find(self->net, ct->host_name);

    if (host == NULL || !vns_host_is_host(host)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<conntrack> 'host' is '%s', %s", ct->host_name,
                         host == NULL ? "no such element, expected a host, "
                                        "router or hypervisor"
                                      : "not a host, expected a host, router "
                                        "or hypervisor");
        return false;
    }
    for (guint i = 0; i < vns_net_n_elements(self->net); i++) {
        VnsElement *o = vns_net_element(self->net, i);
        if (o != self && o->ops == &vns_conntrack_ops &&
            strcmp(((VnsConntrack *) o)->host_name, ct->host_name) == 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                             "<conntrack> host '%s' already has conntrack "
                             "'%s', expected one per host", ct->host_name,
                             o->name);
            return false;
        }
    }
    ct->host = host;
    vns_host_hook_add(host, VNS_HOST_HOOK_PREROUTING, CT_PRI_CONNTRACK, ct_hook_in, ct);
    vns_host_hook_add(host, VNS_HOST_HOOK_OUTPUT, CT_PRI_CONNTRACK, ct_hook_in, ct);
    vns_host_hook_add(host, VNS_HOST_HOOK_POSTROUTING, CT_PRI_CONFIRM, ct_hook_confirm, ct);
    vns_host_hook_add(host, VNS_HOST_HOOK_INPUT, CT_PRI_CONFIRM, ct_hook_confirm, ct);
    return true;
}

static void ct_gc_run(VnsSim *sim, void *ctx, void *arg);
static void ct_series_run(VnsSim *sim, void *ctx, void *arg);
static const VnsEventType ct_gc_event = { "conntrack-gc", ct_gc_run, NULL };
static const VnsEventType ct_series_event = { "conntrack-series", ct_series_run, NULL };

static void
ct_gc_run(VnsSim *sim, void *ctx, void *arg)
{
    VnsConntrack *ct = ctx;

    (void) arg;
    ct_sweep(ct);
    ct->gc_ev = vns_sim_schedule(sim, ct->gc_interval, &ct_gc_event, ct, NULL);
}

static void
ct_series_line(VnsConntrack *ct)
{
    double dt = vns_time_to_s(ct->series_interval);
    const CtStats *b = &ct->series_base;

    g_string_append_printf(ct->series, "%.6f %u %.6g %.6g %.6g\n",
                           vns_time_to_s(vns_element_now(&ct->base)), ct->count,
                           (double) (ct->st.inserted - b->inserted) / dt,
                           (double) (ct->st.drops - b->drops) / dt,
                           (double) (ct->st.early_drops + ct->st.gc_early_drops -
                                     b->early_drops - b->gc_early_drops) / dt);
    ct->series_base = ct->st;
}

static void
ct_series_run(VnsSim *sim, void *ctx, void *arg)
{
    VnsConntrack *ct = ctx;

    (void) arg;
    ct_series_line(ct);
    ct->series_ev = vns_sim_schedule(sim, ct->series_interval, &ct_series_event,
                                     ct, NULL);
}

static bool
conntrack_start(VnsElement *self, GError **error)
{
    VnsConntrack *ct = (VnsConntrack *) self;

    (void) error;
    ct->gc_ev = vns_sim_schedule(self->sim, ct->gc_interval, &ct_gc_event, ct, NULL);
    if (ct->series_interval > 0) {
        ct->series = g_string_new(NULL);
        ct->series_ev = vns_sim_schedule(self->sim, ct->series_interval,
                                         &ct_series_event, ct, NULL);
    }
    return true;
}

static void
conntrack_reset(VnsElement *self)
{
    VnsConntrack *ct = (VnsConntrack *) self;

    memset(&ct->st, 0, sizeof ct->st);
    ct->series_base = ct->st;
    ct->peak = ct->count;
    vns_time_avg_reset(&ct->occupancy, vns_element_now(self));
}

static void
conntrack_stop(VnsElement *self)
{
    VnsConntrack *ct = (VnsConntrack *) self;

    vns_sim_cancel(self->sim, ct->gc_ev);
    vns_sim_cancel(self->sim, ct->series_ev);
    ct->gc_ev = VNS_EVENT_NONE;
    ct->series_ev = VNS_EVENT_NONE;
}

static void
conntrack_stats(VnsElement *self, VnsReport *report)
{
    VnsConntrack *ct = (VnsConntrack *) self;
    VnsTime now = vns_element_now(self);
    uint64_t tcp[VNS_CT_TCP_N_STATES] = { 0 };
    uint64_t udp_unreplied = 0, udp_replied = 0, icmp = 0, other = 0;
    uint64_t assured = 0, expired = 0;

    for (uint32_t b = 0; b < ct->n_buckets; b++) {
        for (CtNode *n = ct->buckets[b]; n != NULL; n = n->next) {
            const VnsCtEntry *e = ct_node_entry(n);
            if (n->dir != VNS_CT_DIR_ORIGINAL)
                continue;
            if (e->expires <= now) {
                expired++;
                continue;
            }
            if (e->status & VNS_CT_ASSURED)
                assured++;
            if (e->proto == VNS_IPPROTO_TCP)
                tcp[e->tcp_state]++;
            else if (e->proto == VNS_IPPROTO_UDP)
                (e->status & VNS_CT_SEEN_REPLY) ? udp_replied++ : udp_unreplied++;
            else if (e->proto == VNS_IPPROTO_ICMP || e->proto == VNS_IPPROTO_ICMPV6)
                icmp++;
            else
                other++;
        }
    }
    vns_report_row(report, "conntrack", self->name);
    vns_report_str(report, "host", ct->host_name);
    vns_report_int(report, "max", ct->max);
    vns_report_int(report, "buckets", ct->n_buckets);
    vns_report_int(report, "entries", ct->count);
    vns_report_int(report, "peak_entries", ct->peak);
    vns_report_num(report, "mean_entries", vns_time_avg_mean(&ct->occupancy, now));
    vns_report_int(report, "lookups", (int64_t) ct->st.lookups);
    vns_report_int(report, "found", (int64_t) ct->st.found);
    vns_report_int(report, "new", (int64_t) ct->st.created);
    vns_report_int(report, "inserted", (int64_t) ct->st.inserted);
    vns_report_int(report, "insert_failed", (int64_t) ct->st.insert_failed);
    vns_report_int(report, "invalid", (int64_t) ct->st.invalid);
    vns_report_int(report, "drop", (int64_t) ct->st.drops);
    vns_report_int(report, "early_drop", (int64_t) ct->st.early_drops);
    vns_report_int(report, "gc_early_drop", (int64_t) ct->st.gc_early_drops);
    vns_report_int(report, "expired", (int64_t) ct->st.expired);
    vns_report_int(report, "killed", (int64_t) ct->st.killed);
    vns_report_int(report, "cpu_drops", (int64_t) ct->st.cpu_drops);
    vns_report_int(report, "assured", (int64_t) assured);
    vns_report_int(report, "expired_unreaped", (int64_t) expired);
    for (int s = 1; s < VNS_CT_TCP_N_STATES; s++) {
        g_autofree char *key = g_strdup_printf("tcp_%s", ct_tcp_state_names[s]);
        vns_report_int(report, key, (int64_t) tcp[s]);
    }
    vns_report_int(report, "udp_unreplied", (int64_t) udp_unreplied);
    vns_report_int(report, "udp_replied", (int64_t) udp_replied);
    vns_report_int(report, "icmp", (int64_t) icmp);
    vns_report_int(report, "other", (int64_t) other);
    if (ct->series != NULL) {
        g_autofree char *fname = g_strdup_printf("%s.dat", self->name);
        GString *out = g_string_new(NULL);
        g_string_append_printf(out, "# conntrack %s on %s (max %u, %u buckets)\n"
                               "# time_s entries inserts_per_s drops_per_s "
                               "early_drops_per_s\n", self->name, ct->host_name,
                               ct->max, ct->n_buckets);
        g_string_append_len(out, ct->series->str, (gssize) ct->series->len);
        vns_report_file(report, fname, out);
    }
}

static void
conntrack_free(VnsElement *self)
{
    VnsConntrack *ct = (VnsConntrack *) self;

    g_free(ct->host_name);
    g_free(ct->buckets);
    g_free(ct->by_src);
    if (ct->chunks != NULL)
        g_ptr_array_free(ct->chunks, TRUE);
    if (ct->series != NULL)
        g_string_free(ct->series, TRUE);
}

const VnsElementOps vns_conntrack_ops = {
    .type = "conntrack",
    .spec = &conntrack_spec,
    .instance_size = sizeof(VnsConntrack),
    .default_name = conntrack_default_name,
    .create = conntrack_create,
    .connect = conntrack_connect,
    .start = conntrack_start,
    .reset = conntrack_reset,
    .stop = conntrack_stop,
    .stats = conntrack_stats,
    .free = conntrack_free,
};
