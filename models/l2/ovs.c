/* An Open vSwitch-style OpenFlow switch (element type "ovs").
 *
 * What it models (doc/models/ovs.md has the syntax, defaults and what it
 * leaves out):
 *
 * - Ports with OpenFlow port numbers (<port name ofport>).
 * - OpenFlow 1.3 flow tables 0-254 (<flow table priority match actions
 *   idle-timeout hard-timeout cookie>): in each table the highest-priority
 *   matching entry wins; among equal priorities, which OpenFlow leaves
 *   undefined (ovs-ofctl(8)), the first in document order. Its actions are
 *   applied at once (OpenFlow "apply-actions"); goto_table continues in a
 *   later table; a table miss ends the walk, and a packet that was output
 *   nowhere is dropped (flow_miss), the OpenFlow 1.3 default without a
 *   controller (section 5.4).
 * - Groups (<group id type fields>, <bucket actions weight>): select picks
 *   one bucket by a hash of the chosen fields, spread by weight; all runs
 *   every bucket on its own copy; indirect runs its one bucket.
 * - The "normal" action: MAC learning per VLAN, forwarding to the learned
 *   port, flooding unknown, multicast and broadcast destinations.
 * - Idle and hard timeouts, checked lazily when an entry would match (no
 *   event per packet or per entry): an entry is gone from the instant its
 *   deadline passes; a hit refreshes the idle deadline.
 * - Per-entry packet and byte counters, per-bucket counters.
 * - An exact-match flow cache of the whole flow key (OVS's microflow cache,
 *   the userspace datapath's EMC: two candidate slots per key, like
 *   EM_FLOW_HASH_SEGS 2 in OVS's dpif-netdev.c). A hit costs cost-hit of
 *   the node's CPU, a miss (the table walk, an upcall in OVS) cost-miss and
 *   installs an entry. An entry stays valid while every flow entry it went
 *   through is alive: an expiry invalidates exactly the cached flows that
 *   used the expired entry.
 *
 * The walk runs on a copy of the key, to which header-changing actions are
 * applied, so a later table matches the changed fields (as ovs-vswitchd
 * translates a flow); the packet itself is changed when the actions are
 * executed, after its CPU time. Nothing is allocated per packet: flows,
 * groups, the cache and the MAC table are allocated at load time, clones
 * come from the packet pool, and the CPU stage's ring (src/net/cpu_stage.h)
 * grows by doubling. */
#include <config.h>
#include "models/l2/ovs.h"

#include <math.h>
#include <string.h>
#include "models/l2/ovs_match.h"
#include "net/eth.h"
#include "net/cpu_stage.h"
#include "net/node.h"

/* OpenFlow 1.3 section 7.3.1: tables 0 to OFPTT_MAX = 0xfe. */
#define OVS_N_TABLES 255
/* Longest chain of tables a packet may visit (goto_table hops + 1). */
#define OVS_MAX_PATH 32
/* OpenFlow's OFPG_MAX, the largest group id (section 7.3.4.2). */
#define OVS_GROUP_MAX 0xffffff00u
/* Largest OpenFlow port number accepted (OpenFlow 1.0 OFPP_MAX 0xff00,
 * exclusive: OVS keeps 16-bit port numbers below it). */
#define OVS_OFPORT_MAX 0xfeffu

typedef struct {
    VnsOvsMatch match;
    uint32_t index;             /* in Ovs.flows: document order */
    uint16_t priority;          /* higher wins */
    uint8_t table;
    bool dead;                  /* expired: no longer in the table */
    uint64_t cookie;            /* opaque, reported */
    VnsTime idle_ps;            /* 0 = never */
    VnsTime hard_ps;            /* 0 = never */
    VnsTime installed_ps;
    VnsTime last_used_ps;       /* last hit, for the idle timeout */
    VnsTime removed_ps;         /* when it expired (dead) */
    VnsOvsAction *acts;         /* owned */
    guint n_acts;
    uint64_t packets;           /* since the start or the last reset */
    uint64_t bytes;
    char *match_text;           /* as written, for reports */
    char *actions_text;
} OvsFlow;

typedef struct {
    VnsOvsAction *acts;         /* owned */
    guint n_acts;
    uint32_t weight;
    uint64_t packets;
    uint64_t bytes;
} OvsBucket;

typedef enum {
    OVS_GROUP_SELECT,
    OVS_GROUP_ALL,
    OVS_GROUP_INDIRECT,
} OvsGroupType;

typedef struct {
    uint32_t id;
    OvsGroupType type;
    VnsOvsKey hash_mask;        /* select: the hashed fields */
    OvsBucket *buckets;         /* owned */
    guint n_buckets;
    uint64_t total_weight;
} OvsGroup;

/* The flow entries a packet went through, table by table. */
typedef struct {
    uint8_t n;
    bool miss;                  /* the walk ended in a table miss */
    uint32_t flows[OVS_MAX_PATH];   /* indices into Ovs.flows */
} OvsPath;

typedef struct {
    VnsOvsKey key;
    uint64_t hash;
    bool valid;
    OvsPath path;
} OvsCacheEntry;

typedef struct {
    VnsMac mac;
    uint16_t vlan;              /* VID, or VNS_VLAN_NONE */
    uint16_t port;              /* port index */
    VnsTime seen_ps;
} OvsMacEntry;

typedef struct {
    uint64_t packets;           /* received */
    uint64_t cache_hits;
    uint64_t cache_misses;
    uint64_t cache_invalidations;   /* hits refused: an entry expired */
    uint64_t table_misses;      /* walks that ended in a table miss */
} OvsStats;

typedef struct {
    VnsElement base;            /* must stay first */
    VnsTime cost_hit_ps;
    VnsTime cost_miss_ps;
    uint32_t *ofports;          /* per port index */
    uint16_t n_ports;
    GPtrArray *flows;           /* of OvsFlow*, owned, document order */
    GPtrArray *tables[OVS_N_TABLES];    /* borrowed OvsFlow*, priority
                                         * order; NULL = empty table */
    GPtrArray *groups;          /* of OvsGroup*, owned */
    OvsCacheEntry *cache;       /* cache_size entries; NULL = no cache */
    uint32_t cache_size;        /* a power of two */
    uint64_t seed;              /* of the cache and select hashes */
    OvsMacEntry *macs;          /* mac_max entries, mac_used in use */
    uint32_t mac_max;
    uint32_t mac_used;
    GHashTable *mac_index;      /* OvsMacEntry* -> itself, by (mac, vlan) */
    VnsTime mac_aging_ps;
    VnsCpuStage cpu;            /* packets in CPU service; tag: in port,
                                 * data: their OvsPath */
    OvsStats st;
} Ovs;

/* What executing one packet's actions has done so far. The last output is
 * kept pending: it takes the packet itself, earlier ones take clones. */
typedef struct {
    Ovs *o;
    VnsPacket *pkt;
    uint16_t in_port;
    int pending;                /* port index of the pending output, -1 */
    uint32_t sent;              /* copies sent so far */
} OvsExec;

/* ------------------------------------------------------------------ */
/* Specs                                                               */

static const VnsAttrSpec ovs_port_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The port's name, also the element port that links and wires join "
      "(\"ovs0:name\")." },
    { "ofport", VNS_ATTR_UINT, false, NULL, NULL,
      "OpenFlow port number that matches (in_port) and actions (output:N) "
      "use. Default: the port's position among the <port>s, from 1, as "
      "ovs-vswitchd numbers ports in the order they are added.",
      NULL, 1, OVS_OFPORT_MAX },
    { NULL }
};

static const VnsSpec ovs_port_spec = {
    "port", "A switch port with its OpenFlow port number.",
    ovs_port_attrs, NULL, false,
};

static const VnsAttrSpec ovs_flow_attrs[] = {
    { "table", VNS_ATTR_UINT, false, "0", NULL,
      "Flow table, 0 to 254 (OpenFlow 1.3 OFPTT_MAX); packets start in "
      "table 0.", NULL, 0, OVS_N_TABLES - 1 },
    { "priority", VNS_ATTR_UINT, false, "32768", NULL,
      "Higher wins among matching entries of a table. Default 32768, what "
      "ovs-ofctl(8) gives a flow without one. Equal priorities: the first "
      "in document order wins (OpenFlow leaves it undefined).",
      NULL, 0, 65535 },
    { "match", VNS_ATTR_STRING, false, "", NULL,
      "ovs-ofctl(8) match: comma-separated field=value[/mask] and "
      "shorthands, e.g. 'tcp,nw_dst=10.0.0.0/24,tp_dst=80'; see "
      "doc/models/ovs.md. Default: empty, matches every packet." },
    { "actions", VNS_ATTR_STRING, true, NULL, NULL,
      "ovs-ofctl(8) actions, comma-separated, e.g. "
      "'mod_dl_dst:02:00:00:00:00:02,output:2', 'normal', 'group:1', "
      "'goto_table:1' (last), or 'drop'; see doc/models/ovs.md." },
    { "idle-timeout", VNS_ATTR_TIME, false, "0s", "s",
      "The entry expires after this long without a packet. Default 0: "
      "never (ovs-ofctl's idle_timeout=0)." },
    { "hard-timeout", VNS_ATTR_TIME, false, "0s", "s",
      "The entry expires this long after it was installed (time 0), hit or "
      "not. Default 0: never (ovs-ofctl's hard_timeout=0)." },
    { "cookie", VNS_ATTR_UINT, false, "0", NULL,
      "Opaque 64-bit value reported with the entry's counters." },
    { NULL }
};

static const VnsSpec ovs_flow_spec = {
    "flow", "An OpenFlow flow entry: table, priority, match, actions, "
    "timeouts and cookie, as ovs-ofctl add-flow takes them.",
    ovs_flow_attrs, NULL, false,
};

static const VnsAttrSpec ovs_bucket_attrs[] = {
    { "actions", VNS_ATTR_STRING, true, NULL, NULL,
      "The bucket's actions (ovs-ofctl syntax; no goto_table or group)." },
    { "weight", VNS_ATTR_UINT, false, "1", NULL,
      "Share of a select group's flows, relative to the other buckets; 0 "
      "= never chosen. Default 1 (equal shares).", NULL, 0, 65535 },
    { NULL }
};

static const VnsSpec ovs_bucket_spec = {
    "bucket", "One bucket of a group: actions and, for select, a weight.",
    ovs_bucket_attrs, NULL, false,
};

static const VnsAttrSpec ovs_group_attrs[] = {
    { "id", VNS_ATTR_UINT, true, NULL, NULL,
      "Group id, used by the action group:ID; at most 0xffffff00 (OFPG_MAX).",
      NULL, 0, OVS_GROUP_MAX },
    { "type", VNS_ATTR_ENUM, false, "select", NULL,
      "select: one bucket per flow, by hash and weight; all: every bucket "
      "on its own copy (flooding, mirroring); indirect: its one bucket. "
      "Default select.", "select|all|indirect" },
    { "fields", VNS_ATTR_STRING, false,
      "nw_src,nw_dst,ipv6_src,ipv6_dst,nw_proto,tp_src,tp_dst", NULL,
      "Match fields a select group hashes (as OVS's selection_method=hash "
      "fields(...)). Default: the 5-tuple of IPv4 or IPv6." },
    { NULL }
};

static const VnsSpec *const ovs_group_children[] = { &ovs_bucket_spec, NULL };

static const VnsSpec ovs_group_spec = {
    "group", "An OpenFlow group with its buckets.",
    ovs_group_attrs, ovs_group_children, false,
};

static const VnsAttrSpec ovs_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The switch's name, unique in the topology." },
    { "node", VNS_ATTR_NAME, false, NULL, NULL,
      "Host, router or hypervisor whose CPU runs the switch. Default: none, "
      "switching costs nothing and takes no time." },
    { "cost-hit", VNS_ATTR_TIME, false, "330ns", "s",
      "CPU time of a packet whose flow is in the flow cache. Default 330 ns: "
      "Red Hat's OVS-DPDK troubleshooting guide (ch. 6, pmd-stats-show) shows "
      "814 processing cycles per packet with every packet an EMC hit, at an "
      "assumed 2.5 GHz. Needs 'node'." },
    { "cost-miss", VNS_ATTR_TIME, false, "20us", "s",
      "CPU time of a packet that walks the flow tables (an upcall to "
      "ovs-vswitchd in OVS) and installs a cache entry. Default 20 us: an "
      "assumption (tens of microseconds per upcall), no published figure "
      "found. Needs 'node'." },
    { "cache-size", VNS_ATTR_UINT, false, "8192", "entries",
      "Entries of the exact-match flow cache, a power of two, or 0 for no "
      "cache (every packet a miss). Default 8192, EM_FLOW_HASH_ENTRIES of "
      "OVS's lib/dpif-netdev.c.", NULL, 0, 1u << 24 },
    { "mac-table-size", VNS_ATTR_UINT, false, "8192", "entries",
      "MAC addresses the normal action learns; the least recently seen is "
      "replaced when full. Default 8192, MAC_DEFAULT_MAX of OVS's "
      "lib/mac-learning.h (other_config:mac-table-size; older releases "
      "used 2048).", NULL, 1, 1u << 24 },
    { "mac-aging", VNS_ATTR_TIME, false, "300s", "s",
      "A learned MAC address is forgotten this long after its last frame. "
      "Default 300 s, MAC_ENTRY_DEFAULT_IDLE_TIME of OVS's "
      "lib/mac-learning.h (other_config:mac-aging-time)." },
    { NULL }
};

static const VnsSpec *const ovs_children[] = {
    &ovs_port_spec, &ovs_flow_spec, &ovs_group_spec, NULL,
};

static const VnsSpec ovs_spec = {
    "ovs", "An Open vSwitch-style OpenFlow 1.3 switch: ports, flow tables "
    "with priorities, timeouts and counters, groups, the normal (learning "
    "switch) action, and an exact-match flow cache that sets the CPU cost "
    "of a packet.",
    ovs_attrs, ovs_children, false,
};

/* ------------------------------------------------------------------ */
/* Tables and the cache                                                */

/* Whether 'f' has expired by 'now'; if so it leaves its table (marked
 * dead, with the instant its deadline passed). */
static bool
ovs_flow_expire(OvsFlow *f, VnsTime now)
{
    VnsTime deadline = VNS_TIME_MAX;

    if (f->dead)
        return true;
    if (f->hard_ps > 0)
        deadline = f->installed_ps + f->hard_ps;
    if (f->idle_ps > 0)
        deadline = MIN(deadline, f->last_used_ps + f->idle_ps);
    if (now < deadline)
        return false;
    f->dead = true;
    f->removed_ps = deadline;
    return true;
}

/* The highest-priority live entry of 'table' that matches 'key'. */
static OvsFlow *
ovs_table_lookup(Ovs *o, unsigned table, const VnsOvsKey *key, VnsTime now)
{
    GPtrArray *t = o->tables[table];

    if (t == NULL)
        return NULL;
    for (guint i = 0; i < t->len; i++) {
        OvsFlow *f = g_ptr_array_index(t, i);
        if (!f->dead && vns_ovs_match_hit(&f->match, key) &&
            !ovs_flow_expire(f, now))
            return f;
    }
    return NULL;
}

/* Walks the tables from table 0 for 'in', applying header changes to a
 * copy of the key so later tables see them. */
static void
ovs_walk(Ovs *o, const VnsOvsKey *in, VnsTime now, OvsPath *path)
{
    VnsOvsKey key = *in;
    unsigned table = 0;

    path->n = 0;
    path->miss = false;
    for (;;) {
        OvsFlow *f = ovs_table_lookup(o, table, &key, now);
        int next = -1;

        if (f == NULL) {
            path->miss = true;
            return;
        }
        g_assert(path->n < OVS_MAX_PATH);   /* checked at load time */
        path->flows[path->n++] = f->index;
        for (guint i = 0; i < f->n_acts; i++) {
            if (f->acts[i].type == VNS_OVS_ACT_GOTO_TABLE)
                next = (int) f->acts[i].arg;
            else
                vns_ovs_key_apply(&key, &f->acts[i]);
        }
        if (next < 0)
            return;
        table = (unsigned) next;
    }
}

/* Whether every entry a cached path went through is still in its table. */
static bool
ovs_path_alive(Ovs *o, const OvsPath *path, VnsTime now)
{
    for (uint8_t i = 0; i < path->n; i++)
        if (ovs_flow_expire(g_ptr_array_index(o->flows, path->flows[i]), now))
            return false;
    return true;
}

/* The two cache slots a key may occupy. */
static inline void
ovs_cache_slots(const Ovs *o, uint64_t hash, uint32_t *a, uint32_t *b)
{
    *a = (uint32_t) hash & (o->cache_size - 1);
    *b = (uint32_t) (hash >> 32) & (o->cache_size - 1);
}

/* Inserts (key, path): an empty or invalid slot first, else the slot whose
 * hash is lower (OVS's emc_insert() rule). */
static void
ovs_cache_insert(Ovs *o, const VnsOvsKey *key, uint64_t hash,
                 const OvsPath *path)
{
    uint32_t a, b;
    OvsCacheEntry *e;

    ovs_cache_slots(o, hash, &a, &b);
    if (!o->cache[a].valid)
        e = &o->cache[a];
    else if (!o->cache[b].valid)
        e = &o->cache[b];
    else
        e = o->cache[a].hash <= o->cache[b].hash ? &o->cache[a] : &o->cache[b];
    e->key = *key;
    e->hash = hash;
    e->path = *path;
    e->valid = true;
}

/* Classifies a packet with key 'key' and 'size' bytes: from the cache when
 * its flow is there and still valid, else by the table walk (installing a
 * cache entry). Credits the counters of every entry on the path and
 * refreshes their idle timers. Returns true on a cache hit. */
static bool
ovs_classify(Ovs *o, const VnsOvsKey *key, uint32_t size, VnsTime now,
             OvsPath *path)
{
    bool hit = false;
    uint64_t hash = 0;

    if (o->cache != NULL) {
        uint32_t slot[2];
        hash = vns_ovs_key_hash(key, NULL, o->seed);
        ovs_cache_slots(o, hash, &slot[0], &slot[1]);
        for (int k = 0; k < 2 && !hit; k++) {
            OvsCacheEntry *e = &o->cache[slot[k]];
            if (!e->valid || e->hash != hash || !vns_ovs_key_equal(&e->key, key))
                continue;
            if (ovs_path_alive(o, &e->path, now)) {
                *path = e->path;
                hit = true;
            } else {
                e->valid = false;
                o->st.cache_invalidations++;
            }
        }
    }
    if (hit) {
        o->st.cache_hits++;
    } else {
        o->st.cache_misses++;
        ovs_walk(o, key, now, path);
        if (o->cache != NULL)
            ovs_cache_insert(o, key, hash, path);
    }
    if (path->miss)
        o->st.table_misses++;
    for (uint8_t i = 0; i < path->n; i++) {
        OvsFlow *f = g_ptr_array_index(o->flows, path->flows[i]);
        f->packets++;
        f->bytes += size;
        f->last_used_ps = now;
    }
    return hit;
}

/* ------------------------------------------------------------------ */
/* Executing actions                                                   */

static void ovs_exec_actions(OvsExec *x, const VnsOvsAction *acts, guint n);

/* Sends a clone to the pending output, if any. */
static void
ovs_flush(OvsExec *x)
{
    if (x->pending < 0)
        return;
    vns_port_send(vns_element_port(&x->o->base, (uint16_t) x->pending),
                  vns_packet_clone(x->pkt));
    x->sent++;
    x->pending = -1;
}

static void
ovs_output(OvsExec *x, uint16_t port)
{
    ovs_flush(x);
    x->pending = port;
}

static void
ovs_flood(OvsExec *x)
{
    for (uint16_t p = 0; p < x->o->n_ports; p++)
        if (p != x->in_port)
            ovs_output(x, p);
}

static guint
ovs_mac_hash(gconstpointer p)
{
    const OvsMacEntry *e = p;
    guint h = e->vlan;

    for (int i = 0; i < 6; i++)
        h = h * 31 + e->mac.b[i];
    return h;
}

static gboolean
ovs_mac_equal(gconstpointer a, gconstpointer b)
{
    const OvsMacEntry *x = a, *y = b;

    return x->vlan == y->vlan && vns_mac_equal(&x->mac, &y->mac);
}

/* Learns that (mac, vlan) is behind 'port'. */
static void
ovs_mac_learn(Ovs *o, const VnsMac *mac, uint16_t vlan, uint16_t port,
              VnsTime now)
{
    OvsMacEntry probe = { .mac = *mac, .vlan = vlan };
    OvsMacEntry *e = g_hash_table_lookup(o->mac_index, &probe);

    if (e == NULL) {
        if (o->mac_used < o->mac_max) {
            e = &o->macs[o->mac_used++];
        } else {
            /* Full: replace the least recently seen entry (expired ones
             * are the oldest). */
            e = &o->macs[0];
            for (uint32_t i = 1; i < o->mac_max; i++)
                if (o->macs[i].seen_ps < e->seen_ps)
                    e = &o->macs[i];
            g_hash_table_remove(o->mac_index, e);
        }
        e->mac = *mac;
        e->vlan = vlan;
        g_hash_table_add(o->mac_index, e);
    }
    e->port = port;
    e->seen_ps = now;
}

/* The "normal" action: learn the source, forward to the destination's
 * port, flood when it is unknown, aged out, or multicast. A frame whose
 * destination sits behind its own input port goes nowhere. */
static void
ovs_normal(OvsExec *x)
{
    Ovs *o = x->o;
    VnsTime now = vns_element_now(&o->base);
    const VnsFlowKey *fk = vns_packet_flow_key(x->pkt);
    OvsMacEntry probe = { .mac = fk->eth_dst, .vlan = fk->vlan_id };
    VnsMac src = fk->eth_src;
    const OvsMacEntry *e;

    if (!vns_mac_is_multicast(&src))
        ovs_mac_learn(o, &src, probe.vlan, x->in_port, now);
    if (vns_mac_is_multicast(&probe.mac)) {
        ovs_flood(x);
        return;
    }
    e = g_hash_table_lookup(o->mac_index, &probe);
    if (e == NULL || now - e->seen_ps >= o->mac_aging_ps)
        ovs_flood(x);
    else if (e->port != x->in_port)
        ovs_output(x, e->port);
}

/* Runs a bucket on its own copy of the packet. */
static void
ovs_bucket_run(OvsExec *x, OvsBucket *b)
{
    OvsExec sub = { x->o, NULL, x->in_port, -1, 0 };

    b->packets++;
    b->bytes += vns_packet_size(x->pkt);
    ovs_flush(x);
    sub.pkt = vns_packet_clone(x->pkt);
    ovs_exec_actions(&sub, b->acts, b->n_acts);
    if (sub.pending >= 0) {
        vns_port_send(vns_element_port(&x->o->base, (uint16_t) sub.pending),
                      sub.pkt);
        sub.sent++;
    } else {
        vns_packet_free(sub.pkt);
    }
    x->sent += sub.sent;
}

static void
ovs_group(OvsExec *x, OvsGroup *g)
{
    if (g->n_buckets == 0)
        return;
    switch (g->type) {
    case OVS_GROUP_SELECT: {
        VnsOvsKey key;
        uint64_t w;

        if (g->total_weight == 0)
            return;
        vns_ovs_key_extract(&key, x->pkt, x->o->ofports[x->in_port]);
        w = vns_ovs_key_hash(&key, &g->hash_mask, x->o->seed ^ g->id) %
            g->total_weight;
        for (guint i = 0; i < g->n_buckets; i++) {
            if (w < g->buckets[i].weight) {
                ovs_bucket_run(x, &g->buckets[i]);
                return;
            }
            w -= g->buckets[i].weight;
        }
        return;
    }
    case OVS_GROUP_ALL:
        for (guint i = 0; i < g->n_buckets; i++)
            ovs_bucket_run(x, &g->buckets[i]);
        return;
    case OVS_GROUP_INDIRECT:
        ovs_bucket_run(x, &g->buckets[0]);
        return;
    }
}

static void
ovs_exec_actions(OvsExec *x, const VnsOvsAction *acts, guint n)
{
    for (guint i = 0; i < n; i++) {
        const VnsOvsAction *a = &acts[i];

        switch ((VnsOvsActionType) a->type) {
        case VNS_OVS_ACT_OUTPUT:
            /* OpenFlow: output to the input port needs the in_port
             * action; output:N naming it does nothing. */
            if (a->port != x->in_port)
                ovs_output(x, a->port);
            break;
        case VNS_OVS_ACT_IN_PORT:
            ovs_output(x, x->in_port);
            break;
        case VNS_OVS_ACT_FLOOD:
            ovs_flood(x);
            break;
        case VNS_OVS_ACT_NORMAL:
            ovs_normal(x);
            break;
        case VNS_OVS_ACT_GROUP:
            ovs_group(x, g_ptr_array_index(x->o->groups, a->port));
            break;
        case VNS_OVS_ACT_GOTO_TABLE:
            break;
        case VNS_OVS_ACT_SET_FIELD:
        case VNS_OVS_ACT_PUSH_VLAN:
        case VNS_OVS_ACT_POP_VLAN:
            ovs_flush(x);
            vns_ovs_packet_apply(x->pkt, a);
            break;
        }
    }
}

/* Executes the actions of every entry on 'path' on 'pkt' (taken). */
static void
ovs_execute(Ovs *o, VnsPacket *pkt, uint16_t in_port, const OvsPath *path)
{
    OvsExec x = { o, pkt, in_port, -1, 0 };

    for (uint8_t i = 0; i < path->n; i++) {
        const OvsFlow *f = g_ptr_array_index(o->flows, path->flows[i]);
        ovs_exec_actions(&x, f->acts, f->n_acts);
    }
    if (x.pending >= 0)
        vns_port_send(vns_element_port(&o->base, (uint16_t) x.pending), pkt);
    else if (x.sent > 0)
        vns_packet_free(pkt);       /* its copies went out */
    else
        vns_packet_drop(pkt, &o->base,
                        path->miss ? VNS_DROP_FLOW_MISS : VNS_DROP_FLOW_DROP);
}

/* ------------------------------------------------------------------ */
/* Receiving, with or without the CPU                                  */

/* A packet's CPU time is over: execute its actions. Packets leave as
 * their own jobs end (a hit overtakes a miss on another core). */
static void
ovs_cpu_done(VnsElement *self, VnsPacket *pkt, uint32_t in_port,
             const void *path)
{
    ovs_execute((Ovs *) self, pkt, (uint16_t) in_port, path);
}

static void
ovs_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Ovs *o = (Ovs *) self;
    VnsTime now = vns_element_now(self);
    VnsOvsKey key;
    OvsPath path;
    bool hit;

    o->st.packets++;
    if (pkt->len < VNS_ETH_HLEN) {
        vns_packet_drop(pkt, self, VNS_DROP_MALFORMED);
        return;
    }
    vns_ovs_key_extract(&key, pkt, o->ofports[port]);
    hit = ovs_classify(o, &key, vns_packet_size(pkt), now, &path);
    vns_cpu_stage_submit_data(&o->cpu, pkt, port,
                              hit ? o->cost_hit_ps : o->cost_miss_ps, &path);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

/* Reports 'local' (taken) as an error of attribute 'attr' of 'cfg'. */
static bool
ovs_attr_error(GError **error, const VnsConfig *cfg, const char *attr,
               GError *local)
{
    vns_config_error(error, cfg, local->code, "<%s> '%s': %s",
                     vns_config_element(cfg), attr, local->message);
    g_error_free(local);
    return false;
}

static int
ovs_port_by_ofport(const Ovs *o, uint32_t ofport)
{
    for (uint16_t i = 0; i < o->n_ports; i++)
        if (o->ofports[i] == ofport)
            return i;
    return -1;
}

static bool
ovs_read_ports(Ovs *o, const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) list = vns_config_children(cfg, "port");

    if (list->len > G_MAXUINT16) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<ovs> has %u ports, expected at most %u", list->len,
                         G_MAXUINT16);
        return false;
    }
    o->ofports = g_new0(uint32_t, MAX(list->len, 1u));
    for (guint i = 0; i < list->len; i++) {
        const VnsConfig *pc = list->pdata[i];
        g_autofree char *name = NULL;
        uint64_t ofport = i + 1;
        int other;

        if (!vns_config_string(pc, "name", &name, error))
            return false;
        if (vns_config_has(pc, "ofport") &&
            !vns_config_uint(pc, "ofport", &ofport, error))
            return false;
        if (vns_element_find_port(&o->base, name) != NULL) {
            vns_config_error(error, pc, VNS_CONFIG_ERROR_DUPLICATE,
                             "<port> name '%s' is already a port of '%s', "
                             "expected a new name", name, o->base.name);
            return false;
        }
        other = ovs_port_by_ofport(o, (uint32_t) ofport);
        if (other >= 0) {
            vns_config_error(error, pc, VNS_CONFIG_ERROR_DUPLICATE,
                             "<port> ofport %" G_GUINT64_FORMAT " is already "
                             "port '%s', expected a unique OpenFlow port "
                             "number", ofport,
                             vns_element_port(&o->base, (uint16_t) other)->name);
            return false;
        }
        vns_element_add_port(&o->base, name);
        o->ofports[o->n_ports++] = (uint32_t) ofport;
    }
    return true;
}

/* Parses attribute 'attr' of 'cfg' as actions, resolving OpenFlow ports
 * and groups. 'table' is the flow's table, or -1 for a group bucket (no
 * goto_table or group there). Sets *out to an owned array of *n_out
 * actions (NULL when there are none, 'drop'). */
static bool
ovs_read_actions(Ovs *o, const VnsConfig *cfg, int table, VnsOvsAction **out,
                 guint *n_out, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GArray) acts = g_array_new(FALSE, TRUE, sizeof(VnsOvsAction));
    GError *local = NULL;

    if (!vns_config_string(cfg, "actions", &text, error))
        return false;
    if (!vns_ovs_actions_parse(text != NULL ? text : "", acts, &local))
        return ovs_attr_error(error, cfg, "actions", local);
    for (guint i = 0; i < acts->len; i++) {
        VnsOvsAction *a = &g_array_index(acts, VnsOvsAction, i);

        if (a->type == VNS_OVS_ACT_OUTPUT) {
            int p = ovs_port_by_ofport(o, a->arg);
            if (p < 0) {
                GString *list = g_string_new(NULL);
                for (uint16_t k = 0; k < o->n_ports; k++)
                    g_string_append_printf(list, "%s%u", k ? ", " : "",
                                           o->ofports[k]);
                vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                                 "<%s> 'actions': output:%u names no <port>, "
                                 "expected one of the ofports %s",
                                 vns_config_element(cfg), a->arg,
                                 list->len ? list->str : "(none)");
                g_string_free(list, TRUE);
                return false;
            }
            a->port = (uint16_t) p;
        } else if (a->type == VNS_OVS_ACT_GROUP || a->type == VNS_OVS_ACT_GOTO_TABLE) {
            if (table < 0) {
                vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                                 "<bucket> 'actions': '%s' in a group bucket, "
                                 "expected output and header actions only "
                                 "(group chaining is not modelled)",
                                 a->type == VNS_OVS_ACT_GROUP ? "group" : "goto_table");
                return false;
            }
            if (a->type == VNS_OVS_ACT_GOTO_TABLE &&
                (a->arg <= (uint32_t) table || a->arg >= OVS_N_TABLES)) {
                vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                                 "<flow> 'actions': goto_table:%u in table %d, "
                                 "expected a later table, at most %d "
                                 "(OpenFlow 1.3 section 5.1)", a->arg, table,
                                 OVS_N_TABLES - 1);
                return false;
            }
            if (a->type == VNS_OVS_ACT_GROUP) {
                guint k;
                for (k = 0; k < o->groups->len; k++)
                    if (((OvsGroup *) o->groups->pdata[k])->id == a->arg)
                        break;
                if (k == o->groups->len) {
                    vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                                     "<flow> 'actions': group:%u names no "
                                     "<group>, expected the id of a <group> "
                                     "of this switch", a->arg);
                    return false;
                }
                a->port = (uint16_t) k;
            }
        }
    }
    *n_out = acts->len;
    *out = acts->len > 0 ? g_memdup2(acts->data, acts->len * sizeof(VnsOvsAction))
                         : NULL;
    return true;
}

static void
ovs_group_free(gpointer p)
{
    OvsGroup *g = p;

    for (guint i = 0; i < g->n_buckets; i++)
        g_free(g->buckets[i].acts);
    g_free(g->buckets);
    g_free(g);
}

static void
ovs_flow_free(gpointer p)
{
    OvsFlow *f = p;

    g_free(f->acts);
    g_free(f->match_text);
    g_free(f->actions_text);
    g_free(f);
}

static bool
ovs_read_groups(Ovs *o, const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) list = vns_config_children(cfg, "group");

    if (list->len > G_MAXUINT16) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<ovs> has %u groups, expected at most %u", list->len,
                         G_MAXUINT16);
        return false;
    }
    for (guint i = 0; i < list->len; i++) {
        const VnsConfig *gc = list->pdata[i];
        g_autoptr(GPtrArray) buckets = vns_config_children(gc, "bucket");
        g_autofree char *fields = NULL;
        OvsGroup *g = g_new0(OvsGroup, 1);
        GError *local = NULL;
        uint64_t id;
        int type;

        g_ptr_array_add(o->groups, g);
        if (!vns_config_uint(gc, "id", &id, error) ||
            !vns_config_enum(gc, "type", &type, error) ||
            !vns_config_string(gc, "fields", &fields, error))
            return false;
        for (guint k = 0; k + 1 < o->groups->len; k++)
            if (((OvsGroup *) o->groups->pdata[k])->id == id) {
                vns_config_error(error, gc, VNS_CONFIG_ERROR_DUPLICATE,
                                 "<group> id %" G_GUINT64_FORMAT " is already "
                                 "used, expected a unique id", id);
                return false;
            }
        g->id = (uint32_t) id;
        g->type = (OvsGroupType) type;
        if (!vns_ovs_hash_fields_parse(fields != NULL ? fields : "",
                                       &g->hash_mask, &local))
            return ovs_attr_error(error, gc, "fields", local);
        if (g->type == OVS_GROUP_INDIRECT && buckets->len != 1) {
            vns_config_error(error, gc, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<group> of type indirect has %u buckets, "
                             "expected exactly one", buckets->len);
            return false;
        }
        g->buckets = g_new0(OvsBucket, MAX(buckets->len, 1u));
        for (guint k = 0; k < buckets->len; k++) {
            const VnsConfig *bc = buckets->pdata[k];
            OvsBucket *b = &g->buckets[k];
            uint64_t weight;

            if (!vns_config_uint(bc, "weight", &weight, error))
                return false;
            b->weight = (uint32_t) weight;
            if (!ovs_read_actions(o, bc, -1, &b->acts, &b->n_acts, error))
                return false;
            g->n_buckets++;
            g->total_weight += b->weight;
        }
    }
    return true;
}

static gint
ovs_flow_order(gconstpointer a, gconstpointer b)
{
    const OvsFlow *x = *(const OvsFlow *const *) a;
    const OvsFlow *y = *(const OvsFlow *const *) b;

    if (x->priority != y->priority)
        return x->priority > y->priority ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The longest chain of tables a packet can visit, from table 0. */
static unsigned
ovs_max_path(const Ovs *o)
{
    unsigned depth[OVS_N_TABLES + 1] = { 0 };

    for (int t = OVS_N_TABLES - 1; t >= 0; t--) {
        GPtrArray *tab = o->tables[t];
        unsigned d = 0;

        if (tab == NULL)
            continue;
        for (guint i = 0; i < tab->len; i++) {
            const OvsFlow *f = g_ptr_array_index(tab, i);
            for (guint k = 0; k < f->n_acts; k++)
                if (f->acts[k].type == VNS_OVS_ACT_GOTO_TABLE)
                    d = MAX(d, depth[f->acts[k].arg]);
        }
        depth[t] = d + 1;
    }
    return depth[0];
}

static bool
ovs_read_flows(Ovs *o, const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) list = vns_config_children(cfg, "flow");
    VnsTime now = vns_element_now(&o->base);
    unsigned depth;

    for (guint i = 0; i < list->len; i++) {
        const VnsConfig *fc = list->pdata[i];
        OvsFlow *f = g_new0(OvsFlow, 1);
        GError *local = NULL;
        uint64_t table, priority;

        f->index = o->flows->len;
        g_ptr_array_add(o->flows, f);
        if (!vns_config_uint(fc, "table", &table, error) ||
            !vns_config_uint(fc, "priority", &priority, error) ||
            !vns_config_uint(fc, "cookie", &f->cookie, error) ||
            !vns_config_time(fc, "idle-timeout", &f->idle_ps, error) ||
            !vns_config_time(fc, "hard-timeout", &f->hard_ps, error) ||
            !vns_config_string(fc, "match", &f->match_text, error) ||
            !vns_config_string(fc, "actions", &f->actions_text, error))
            return false;
        if (f->match_text == NULL)
            f->match_text = g_strdup("");
        f->table = (uint8_t) table;
        f->priority = (uint16_t) priority;
        f->installed_ps = f->last_used_ps = now;
        if (!vns_ovs_match_parse(f->match_text, &f->match, &local))
            return ovs_attr_error(error, fc, "match", local);
        if (!ovs_read_actions(o, fc, (int) table, &f->acts, &f->n_acts, error))
            return false;
        if (!vns_ovs_actions_check(f->acts, f->n_acts, &f->match, &local))
            return ovs_attr_error(error, fc, "actions", local);
        if (o->tables[table] == NULL)
            o->tables[table] = g_ptr_array_new();
        g_ptr_array_add(o->tables[table], f);
    }
    for (int t = 0; t < OVS_N_TABLES; t++)
        if (o->tables[t] != NULL)
            g_ptr_array_sort(o->tables[t], ovs_flow_order);
    depth = ovs_max_path(o);
    if (depth > OVS_MAX_PATH) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<ovs> '%s': goto_table chains visit up to %u tables, "
                         "expected at most %d", o->base.name, depth,
                         OVS_MAX_PATH);
        return false;
    }
    return true;
}

static bool
ovs_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Ovs *o = (Ovs *) self;
    uint64_t cache_size, mac_max;
    gsl_rng *rng;

    vns_cpu_stage_init(&o->cpu, self, "ovs-cpu", ovs_cpu_done);
    vns_cpu_stage_configure(&o->cpu, VNS_CPU_STAGE_AS_DONE, sizeof(OvsPath));
    o->flows = g_ptr_array_new_with_free_func(ovs_flow_free);
    o->groups = g_ptr_array_new_with_free_func(ovs_group_free);
    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "ovs '%s' has no configuration, expected an <ovs> element",
                    self->name);
        return false;
    }
    if (!vns_config_time(cfg, "cost-hit", &o->cost_hit_ps, error) ||
        !vns_config_time(cfg, "cost-miss", &o->cost_miss_ps, error) ||
        !vns_config_uint(cfg, "cache-size", &cache_size, error) ||
        !vns_config_uint(cfg, "mac-table-size", &mac_max, error) ||
        !vns_config_time(cfg, "mac-aging", &o->mac_aging_ps, error))
        return false;
    if (cache_size != 0 && (cache_size & (cache_size - 1)) != 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<ovs> 'cache-size' is %" G_GUINT64_FORMAT ", "
                         "expected a power of two (or 0 for no cache)",
                         cache_size);
        return false;
    }
    rng = vns_element_rng(self);
    o->seed = (uint64_t) gsl_rng_get(rng) << 32 ^ gsl_rng_get(rng);
    if (!ovs_read_ports(o, cfg, error) || !ovs_read_groups(o, cfg, error) ||
        !ovs_read_flows(o, cfg, error))
        return false;
    o->cache_size = (uint32_t) cache_size;
    if (cache_size > 0)
        o->cache = g_new0(OvsCacheEntry, cache_size);
    o->mac_max = (uint32_t) mac_max;
    o->macs = g_new0(OvsMacEntry, mac_max);
    o->mac_index = g_hash_table_new(ovs_mac_hash, ovs_mac_equal);
    return true;
}

static bool
ovs_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    const char *cost = vns_config_has(cfg, "cost-hit") ? "cost-hit"
                       : vns_config_has(cfg, "cost-miss") ? "cost-miss" : NULL;

    if (cost != NULL && !vns_config_has(cfg, "node")) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                         "<ovs> '%s' is given without 'node', expected "
                         "node=\"NAME\" naming the host or hypervisor whose "
                         "CPU runs the switch", cost);
        return false;
    }
    return vns_element_use_node(self, cfg, "node", error);
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

static void
ovs_reset(VnsElement *self)
{
    Ovs *o = (Ovs *) self;

    memset(&o->st, 0, sizeof o->st);
    for (guint i = 0; i < o->flows->len; i++) {
        OvsFlow *f = g_ptr_array_index(o->flows, i);
        f->packets = f->bytes = 0;
    }
    for (guint i = 0; i < o->groups->len; i++) {
        OvsGroup *g = g_ptr_array_index(o->groups, i);
        for (guint k = 0; k < g->n_buckets; k++)
            g->buckets[k].packets = g->buckets[k].bytes = 0;
    }
}

/* The run ends: packets waiting for the CPU are dropped as end_of_run. */
static void
ovs_stop(VnsElement *self)
{
    vns_cpu_stage_purge(&((Ovs *) self)->cpu);
}

static void
ovs_stats(VnsElement *self, VnsReport *report)
{
    Ovs *o = (Ovs *) self;
    VnsTime now = vns_element_now(self);
    uint64_t expired = 0, lookups = o->st.cache_hits + o->st.cache_misses;

    for (guint i = 0; i < o->flows->len; i++) {
        OvsFlow *f = g_ptr_array_index(o->flows, i);
        g_autofree char *row = g_strdup_printf("%s:flow%u", self->name, i);
        bool dead = ovs_flow_expire(f, now);

        expired += dead;
        vns_report_row(report, "ovs_flows", row);
        vns_report_str(report, "ovs", self->name);
        vns_report_int(report, "table", f->table);
        vns_report_int(report, "priority", f->priority);
        vns_report_int(report, "cookie", (int64_t) f->cookie);
        vns_report_str(report, "match", f->match_text);
        vns_report_str(report, "actions", f->actions_text);
        vns_report_int(report, "packets", (int64_t) f->packets);
        vns_report_int(report, "bytes", (int64_t) f->bytes);
        vns_report_int(report, "expired", dead);
        vns_report_num(report, "expired_at_s",
                       dead ? vns_time_to_s(f->removed_ps) : NAN);
    }
    for (guint i = 0; i < o->groups->len; i++) {
        OvsGroup *g = g_ptr_array_index(o->groups, i);
        for (guint k = 0; k < g->n_buckets; k++) {
            g_autofree char *row = g_strdup_printf("%s:group%u:bucket%u",
                                                   self->name, g->id, k);
            vns_report_row(report, "ovs_groups", row);
            vns_report_str(report, "ovs", self->name);
            vns_report_int(report, "group", g->id);
            vns_report_int(report, "bucket", k);
            vns_report_int(report, "weight", g->buckets[k].weight);
            vns_report_int(report, "packets", (int64_t) g->buckets[k].packets);
            vns_report_int(report, "bytes", (int64_t) g->buckets[k].bytes);
        }
    }
    vns_report_row(report, "ovs", self->name);
    vns_report_int(report, "packets", (int64_t) o->st.packets);
    vns_report_int(report, "cache_hits", (int64_t) o->st.cache_hits);
    vns_report_int(report, "cache_misses", (int64_t) o->st.cache_misses);
    vns_report_int(report, "cache_invalidations",
                   (int64_t) o->st.cache_invalidations);
    vns_report_num(report, "cache_hit_ratio",
                   lookups > 0 ? (double) o->st.cache_hits / (double) lookups
                               : NAN);
    vns_report_int(report, "table_misses", (int64_t) o->st.table_misses);
    vns_report_int(report, "flows", o->flows->len);
    vns_report_int(report, "flows_expired", (int64_t) expired);
    vns_report_int(report, "mac_entries", o->mac_used);
}

static void
ovs_free(VnsElement *self)
{
    Ovs *o = (Ovs *) self;

    vns_cpu_stage_clear(&o->cpu);
    for (int t = 0; t < OVS_N_TABLES; t++)
        if (o->tables[t] != NULL)
            g_ptr_array_free(o->tables[t], TRUE);
    if (o->flows != NULL)
        g_ptr_array_free(o->flows, TRUE);
    if (o->groups != NULL)
        g_ptr_array_free(o->groups, TRUE);
    if (o->mac_index != NULL)
        g_hash_table_destroy(o->mac_index);
    g_free(o->macs);
    g_free(o->cache);
    g_free(o->ofports);
}

const VnsElementOps vns_ovs_ops = {
    .type = "ovs",
    .spec = &ovs_spec,
    .instance_size = sizeof(Ovs),
    .default_name = NULL,
    .create = ovs_create,
    .connect = ovs_connect,
    .start = NULL,
    .receive = ovs_receive,
    .reset = ovs_reset,
    .stop = ovs_stop,
    .stats = ovs_stats,
    .free = ovs_free,
};
