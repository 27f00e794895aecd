/* A Linux bridge: MAC learning with ageing, flooding, hairpin and 802.1Q
 * VLAN filtering (see bridge.h; doc/models/l2.md).
 *
 * Nothing is allocated per packet: the FDB is preallocated, floods clone
 * from the packet pool, and frames waiting for the CPU wait in two CPU
 * stages (src/net/cpu_stage.h). */
#include <config.h>
#include "models/l2/bridge.h"

#include <string.h>
#include "models/l2/wire.h"
#include "net/eth.h"
#include "net/cpu_stage.h"
#include "net/node.h"

#define BRIDGE_N_VIDS 4096
#define BRIDGE_VID_WORDS (BRIDGE_N_VIDS / 64)
/* IEEE 802.1Q clause 9.6: VIDs 0 (priority tag) and 4095 are reserved. */
#define BRIDGE_VID_MAX 4094

/* One port's VLAN configuration. */
typedef struct {
    uint16_t pvid;              /* VLAN of untagged frames; 0 = none */
    bool hairpin;               /* may send a frame back out of this port */
    uint64_t vlans[BRIDGE_VID_WORDS];     /* bitmap: VIDs admitted */
    uint64_t untagged[BRIDGE_VID_WORDS];  /* bitmap: VIDs sent untagged */
} BridgePort;

/* An FDB entry. The key packs VID and MAC: vid << 48 | MAC (first byte
 * most significant); 0 marks an empty slot (an all-zero MAC is never
 * learned). */
typedef struct {
    uint64_t key;
    VnsTime updated;            /* last frame seen from the address, ps */
    uint16_t port;              /* the port it is behind */
} FdbEntry;

typedef struct {
    uint64_t rx;                /* frames received (before any drop) */
    uint64_t forwarded;         /* sent out of the one port the FDB named */
    uint64_t flooded;           /* frames flooded */
    uint64_t flood_copies;      /* copies floods sent */
    uint64_t broadcast;         /* frames to ff:ff:ff:ff:ff:ff */
    uint64_t multicast;         /* to other group addresses */
    uint64_t unknown_unicast;   /* unicast not in the FDB */
    uint64_t learned;           /* new FDB entries */
    uint64_t moved;             /* entries that changed port */
    uint64_t aged;              /* entries removed after 'ageing' */
    uint64_t fdb_full;          /* addresses not learned: table full */
} BridgeStats;

typedef struct {
    VnsElement base;            /* must stay first */
    VnsTime ageing_ps;          /* FDB entry lifetime after last use */
    VnsTime cost_ps;            /* CPU per frame received; 0 = free */
    VnsTime copy_cost_ps;       /* CPU per frame sent; 0 = free */
    bool vlan_filtering;
    BridgePort *ports;          /* [n_ports], port index order */
    uint16_t n_ports;
    FdbEntry *fdb;              /* [fdb_mask + 1] slots */
    uint64_t fdb_mask;
    int fdb_shift;              /* 64 - log2(slots) */
    uint32_t fdb_max;           /* most entries */
    uint32_t fdb_count;         /* entries in the table (some maybe expired) */
    VnsTime sweep_at;           /* no entry expires before this */
    VnsCpuStage rx_cpu;         /* frames in ingress CPU service; tag: in port */
    VnsCpuStage tx_cpu;         /* copies in egress CPU service; tag: out port */
    BridgeStats st;
} Bridge;

/* ------------------------------------------------------------------ */
/* Specs                                                               */

static const VnsAttrSpec bridge_port_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The port's name, unique in the bridge: others join it as "
      "'bridge:name'.", NULL, 0, 0 },
    { "pvid", VNS_ATTR_UINT, false, VNS_BRIDGE_DEFAULT_PVID, NULL,
      "With vlan-filtering: the VLAN untagged and priority-tagged frames "
      "arriving here join; 0 = none, such frames are dropped (vlan_filter). "
      "It is added to 'vlans'. Default 1, Linux's default_pvid.",
      NULL, 0, BRIDGE_VID_MAX },
    { "vlans", VNS_ATTR_STRING, false, NULL, NULL,
      "With vlan-filtering: the VLANs the port carries, e.g. '10,20' or "
      "'100-199,300'; tagged frames of other VLANs are dropped on ingress "
      "(vlan_filter) and never sent here. Default: the PVID only, as a new "
      "Linux bridge port has." , NULL, 0, 0 },
    { "untagged", VNS_ATTR_STRING, false, NULL, NULL,
      "With vlan-filtering: the VLANs (among 'vlans') whose frames leave "
      "this port untagged; the others leave tagged; '' for none (a trunk). "
      "Default: the PVID, egress untagged, as Linux sets default_pvid.",
      NULL, 0, 0 },
    { "hairpin", VNS_ATTR_BOOL, false, "false", NULL,
      "Whether a frame may leave by the port it came in on (bridge link "
      "set ... hairpin on; reflective relay for VEPA); floods too. Default "
      "false, Linux's default.", NULL, 0, 0 },
    { NULL }
};

static const VnsSpec bridge_port_spec = {
    .element = "port",
    .doc = "A bridge port (an enslaved device): its name and its VLANs.",
    .attrs = bridge_port_attrs,
    .children = NULL,
    .has_text = false,
};

static const VnsAttrSpec bridge_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The bridge's name, unique in the topology.", NULL, 0, 0 },
    { "node", VNS_ATTR_NAME, false, NULL, NULL,
      "The host, router or hypervisor whose CPU forwards the frames. "
      "Default: none, the bridge costs no CPU.", NULL, 0, 0 },
    { "cost-per-packet", VNS_ATTR_TIME, false, "0ns", "s",
      "CPU time each received frame costs on 'node' (parse, learn, FDB "
      "lookup). Default 0: no published figure holds across CPUs, so the "
      "bridge is free unless told; see doc/models/l2.md.", NULL, 0, 0 },
    { "cost-per-copy", VNS_ATTR_TIME, false, "0ns", "s",
      "CPU time each frame sent costs on 'node' (clone, tag, transmit): a "
      "flood to N ports costs N times it. Default 0.", NULL, 0, 0 },
    { "ageing", VNS_ATTR_TIME, false, VNS_BRIDGE_DEFAULT_AGEING, "s",
      "How long an FDB entry lives after the last frame from its address; "
      "0 keeps nothing (a hub). Default 300 s, Linux's "
      "BR_DEFAULT_AGEING_TIME (bridge(8) ageing_time).", NULL, 0, 0 },
    { "vlan-filtering", VNS_ATTR_BOOL, false, "false", NULL,
      "IEEE 802.1Q VLAN filtering (ip link ... type bridge vlan_filtering "
      "1): ports admit, tag and untag VLANs as their <port> says. Default "
      "false, Linux's default: tags are then ignored and kept.",
      NULL, 0, 0 },
    { "fdb-max", VNS_ATTR_UINT, false, VNS_BRIDGE_DEFAULT_FDB_MAX, "entries",
      "FDB entries, preallocated; when full, new addresses are not learned "
      "(frames to them are flooded), like Linux's fdb_max_learned. Default "
      "4096, our choice: Linux has no limit by default (fdb_max_learned 0), "
      "Open vSwitch's default mac-table-size is 2048.", NULL, 1, 1u << 24 },
    { NULL }
};

static const VnsSpec *const bridge_children[] = { &bridge_port_spec, NULL };

static const VnsSpec bridge_spec = {
    .element = "bridge",
    .doc = "A Linux bridge: MAC learning per VLAN with ageing, flooding of "
           "broadcast, multicast and unknown unicast, hairpin per port, "
           "optional 802.1Q VLAN filtering; one <port> child per port. No "
           "STP.",
    .attrs = bridge_attrs,
    .children = bridge_children,
    .has_text = false,
};

/* ------------------------------------------------------------------ */
/* VLAN sets                                                           */

static inline bool
bridge_vid_test(const uint64_t *set, uint16_t vid)
{
    return (set[vid >> 6] >> (vid & 63)) & 1;
}

static inline void
bridge_vid_set(uint64_t *set, uint16_t vid)
{
    set[vid >> 6] |= UINT64_C(1) << (vid & 63);
}

/* Parses one VID of a list; 'what' is the text for messages. */
static bool
bridge_parse_vid(const VnsConfig *cfg, const char *attr, char *text,
                 uint16_t *out, GError **error)
{
    char *end = NULL;
    guint64 v;

    g_strstrip(text);
    if (!g_ascii_isdigit(text[0]) ||
        (v = g_ascii_strtoull(text, &end, 10), *end != '\0') ||
        v < 1 || v > BRIDGE_VID_MAX) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<port> '%s': '%s' is not a VLAN id, expected a "
                         "number from 1 to %d or a range such as '10-20'",
                         attr, text, BRIDGE_VID_MAX);
        return false;
    }
    *out = (uint16_t) v;
    return true;
}

/* Reads a VLAN list "10,20,100-199" ('' = empty) into 'set'. Returns
 * whether the attribute was given in *present. */
static bool
bridge_parse_vlans(const VnsConfig *cfg, const char *attr, uint64_t *set,
                   bool *present, GError **error)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) items = NULL;

    *present = vns_config_has(cfg, attr);
    if (!*present)
        return true;
    if (!vns_config_string(cfg, attr, &text, error))
        return false;
    if (g_strstrip(text)[0] == '\0')
        return true;
    items = g_strsplit(text, ",", -1);
    for (char **it = items; *it != NULL; it++) {
        char *dash = strchr(*it, '-');
        uint16_t lo, hi;

        if (dash != NULL)
            *dash = '\0';
        if (!bridge_parse_vid(cfg, attr, *it, &lo, error))
            return false;
        hi = lo;
        if (dash != NULL && !bridge_parse_vid(cfg, attr, dash + 1, &hi, error))
            return false;
        if (hi < lo) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<port> '%s': range %u-%u is backwards, expected "
                             "the lower VLAN first", attr, lo, hi);
            return false;
        }
        for (uint32_t v = lo; v <= hi; v++)
            bridge_vid_set(set, (uint16_t) v);
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* The forwarding database                                             */

static inline uint64_t
fdb_key(uint16_t vid, const uint8_t *mac)
{
    uint64_t k = vid;

    for (int i = 0; i < 6; i++)
        k = k << 8 | mac[i];
    return k;
}

/* Fibonacci hashing (Knuth, TAOCP vol. 3, 6.4): fixed, so runs are the
 * same on every machine. */
static inline uint64_t
fdb_slot(const Bridge *br, uint64_t key)
{
    return (key * UINT64_C(0x9E3779B97F4A7C15)) >> br->fdb_shift;
}

static inline bool
fdb_expired(const Bridge *br, const FdbEntry *e, VnsTime now)
{
    /* Linux's has_expired(): updated + hold time <= now. */
    return e->updated + br->ageing_ps <= now;
}

/* The slot holding 'key', or -1. */
static int64_t
fdb_find(const Bridge *br, uint64_t key)
{
    for (uint64_t i = fdb_slot(br, key);; i = (i + 1) & br->fdb_mask) {
        if (br->fdb[i].key == key)
            return (int64_t) i;
        if (br->fdb[i].key == 0)
            return -1;
    }
}

/* Empties slot i, moving later entries of its probe run back so that no
 * lookup stops early (linear probing's backward-shift deletion). */
static void
fdb_remove(Bridge *br, uint64_t i)
{
    uint64_t j = i;

    for (;;) {
        uint64_t k;

        j = (j + 1) & br->fdb_mask;
        if (br->fdb[j].key == 0)
            break;
        k = fdb_slot(br, br->fdb[j].key);
        /* The entry at j stays if its home k lies cyclically in (i, j]. */
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        br->fdb[i] = br->fdb[j];
        i = j;
    }
    br->fdb[i].key = 0;
    br->fdb_count--;
}

/* Removes every expired entry and recomputes sweep_at. */
static void
fdb_sweep(Bridge *br, VnsTime now)
{
    VnsTime next = VNS_TIME_MAX;

    for (uint64_t i = 0; i <= br->fdb_mask; i++) {
        FdbEntry *e = &br->fdb[i];

        while (e->key != 0 && fdb_expired(br, e, now)) {
            fdb_remove(br, i);      /* a later entry may move into i */
            br->st.aged++;
        }
        if (e->key != 0 && e->updated + br->ageing_ps < next)
            next = e->updated + br->ageing_ps;
    }
    br->sweep_at = next;
}

/* The port behind (vid, mac), or -1 when unknown or expired. */
static int
fdb_lookup(Bridge *br, uint16_t vid, const uint8_t *mac, VnsTime now)
{
    int64_t i = fdb_find(br, fdb_key(vid, mac));

    if (i < 0)
        return -1;
    if (fdb_expired(br, &br->fdb[i], now)) {
        fdb_remove(br, (uint64_t) i);
        br->st.aged++;
        return -1;
    }
    return br->fdb[i].port;
}

/* Learns that (vid, mac) is behind 'port' (br_fdb_update()). */
static void
fdb_learn(Bridge *br, uint16_t vid, const uint8_t *mac, uint16_t port,
          VnsTime now)
{
    uint64_t key = fdb_key(vid, mac);
    int64_t i = fdb_find(br, key);
    FdbEntry *e;

    if (i >= 0) {
        e = &br->fdb[i];
        if (fdb_expired(br, e, now)) {
            br->st.aged++;          /* gone, and learned afresh */
            br->st.learned++;
        } else if (e->port != port) {
            br->st.moved++;
        }
        e->port = port;
        e->updated = now;
        return;
    }
    if (br->fdb_count >= br->fdb_max) {
        if (now >= br->sweep_at)
            fdb_sweep(br, now);
        if (br->fdb_count >= br->fdb_max) {
            br->st.fdb_full++;
            return;
        }
    }
    for (i = (int64_t) fdb_slot(br, key); br->fdb[i].key != 0;
         i = (int64_t) (((uint64_t) i + 1) & br->fdb_mask))
        ;
    e = &br->fdb[i];
    e->key = key;
    e->port = port;
    e->updated = now;
    br->fdb_count++;
    br->st.learned++;
    if (now + br->ageing_ps < br->sweep_at)
        br->sweep_at = now + br->ageing_ps;
}

/* ------------------------------------------------------------------ */
/* Forwarding                                                          */

/* The last step of a copy, after its egress CPU time if any (the tx
 * stage's release callback): the egress MTU check, then the port. */
static void
bridge_xmit(VnsElement *self, VnsPacket *pkt, uint32_t out, const void *data)
{
    VnsPort *port = vns_element_port(self, (uint16_t) out);
    uint32_t mtu = port->peer != NULL ? port->peer->info.mtu : 0;

    (void) data;
    /* is_skb_forwardable(): len <= mtu + hard_header_len + VLAN_HLEN. */
    if (G_UNLIKELY(mtu != 0 &&
                   vns_packet_size(pkt) > mtu + VNS_ETH_HLEN + VNS_VLAN_HLEN)) {
        vns_packet_drop(pkt, self, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    vns_port_send(port, pkt);
}

/* Sends one copy (taken) out of port 'out': sets its tag as the port
 * wants, then charges the copy's CPU cost if any. 'tagged' says whether
 * the copy carries an 802.1Q tag now. */
static void
bridge_output(Bridge *br, VnsPacket *pkt, uint16_t out, uint16_t vid,
              bool tagged)
{
    if (br->vlan_filtering) {
        bool want = !bridge_vid_test(br->ports[out].untagged, vid);

        if (want && !tagged) {
            VnsVlanHdr tag = { .pcp = 0, .dei = false, .vid = vid };
            vns_vlan_insert(pkt, VNS_ETHERTYPE_VLAN, &tag);
        } else if (!want && tagged) {
            vns_vlan_strip(pkt, NULL);
        }
    }
    vns_cpu_stage_submit(&br->tx_cpu, pkt, out, br->copy_cost_ps);
}

/* Whether a frame of VLAN 'vid' that came in on 'in' may leave by 'out'
 * (should_deliver(): hairpin or another port; br_allowed_egress()). */
static inline bool
bridge_may_send(const Bridge *br, uint16_t in, uint16_t out, uint16_t vid)
{
    if (out == in && !br->ports[out].hairpin)
        return false;
    return !br->vlan_filtering || bridge_vid_test(br->ports[out].vlans, vid);
}

/* Floods 'pkt' (taken) to every port that may send it: clones to all but
 * the last, which gets the original (br_flood()). */
static void
bridge_flood(Bridge *br, VnsPacket *pkt, uint16_t in, uint16_t vid,
             bool tagged)
{
    int last = -1;
    uint32_t n = 0;

    for (uint16_t p = 0; p < br->n_ports; p++)
        if (bridge_may_send(br, in, p, vid)) {
            last = p;
            n++;
        }
    if (last < 0) {
        vns_packet_drop(pkt, &br->base, VNS_DROP_NO_EGRESS);
        return;
    }
    br->st.flooded++;
    br->st.flood_copies += n;
    for (uint16_t p = 0; p < (uint16_t) last; p++)
        if (bridge_may_send(br, in, p, vid))
            bridge_output(br, vns_packet_clone(pkt), p, vid, tagged);
    bridge_output(br, pkt, (uint16_t) last, vid, tagged);
}

/* A received frame, after its ingress CPU cost. */
static void
bridge_input(Bridge *br, VnsPacket *pkt, uint16_t in)
{
    const BridgePort *bp = &br->ports[in];
    uint8_t *data = vns_packet_data(pkt);
    VnsTime now = vns_element_now(&br->base);
    uint16_t vid = 0;
    bool tagged = false;
    int out;

    if (pkt->len < VNS_ETH_HLEN) {
        vns_packet_drop(pkt, &br->base, VNS_DROP_MALFORMED);
        return;
    }
    /* br_handle_frame(): a multicast or all-zero source is invalid. */
    if ((data[6] & 1) || !(data[6] | data[7] | data[8] | data[9] | data[10] |
                           data[11])) {
        vns_packet_drop(pkt, &br->base, VNS_DROP_MALFORMED);
        return;
    }
    if (br->vlan_filtering) {
        /* An 802.1Q bridge (vlan_protocol 802.1Q, Linux's default) sees
         * only 0x8100 tags; 802.1ad frames count as untagged. */
        if (vns_wire_get16(data + 12) == VNS_ETHERTYPE_VLAN) {
            uint16_t tci;

            if (pkt->len < VNS_ETH_HLEN + VNS_VLAN_HLEN) {
                vns_packet_drop(pkt, &br->base, VNS_DROP_MALFORMED);
                return;
            }
            tci = vns_wire_get16(data + VNS_ETH_HLEN);
            vid = tci & 0x0fff;
            tagged = true;
            if (vid == 0 && bp->pvid != 0) {
                /* Priority-tagged: the frame joins the PVID and keeps
                 * its priority (br_allowed_ingress()). */
                vid = bp->pvid;
                vns_wire_put16(data + VNS_ETH_HLEN, (uint16_t) ((tci & 0xf000) | vid));
                vns_packet_invalidate(pkt);
            }
        } else {
            vid = bp->pvid;
        }
        if (vid == 0 || !bridge_vid_test(bp->vlans, vid)) {
            vns_packet_drop(pkt, &br->base, VNS_DROP_VLAN_FILTER);
            return;
        }
    }
    fdb_learn(br, vid, data + 6, in, now);
    if (data[0] & 1) {
        if ((data[0] & data[1] & data[2] & data[3] & data[4] & data[5]) == 0xff)
            br->st.broadcast++;
        else
            br->st.multicast++;
        bridge_flood(br, pkt, in, vid, tagged);
        return;
    }
    out = fdb_lookup(br, vid, data, now);
    if (out < 0) {
        br->st.unknown_unicast++;
        bridge_flood(br, pkt, in, vid, tagged);
        return;
    }
    if (!bridge_may_send(br, in, (uint16_t) out, vid)) {
        vns_packet_drop(pkt, &br->base, VNS_DROP_NO_EGRESS);
        return;
    }
    br->st.forwarded++;
    bridge_output(br, pkt, (uint16_t) out, vid, tagged);
}

/* A received frame's CPU service ended. */
static void
bridge_rx_done(VnsElement *self, VnsPacket *pkt, uint32_t in, const void *data)
{
    (void) data;
    bridge_input((Bridge *) self, pkt, (uint16_t) in);
}

static void
bridge_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Bridge *br = (Bridge *) self;

    br->st.rx++;
    vns_cpu_stage_submit(&br->rx_cpu, pkt, port, br->cost_ps);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

static bool
bridge_port_create(Bridge *br, const VnsConfig *pc, BridgePort *bp,
                   GError **error)
{
    g_autofree char *name = NULL;
    uint64_t pvid;
    bool has_vlans, has_untagged;

    if (!vns_config_check(pc, error) ||
        !vns_config_string(pc, "name", &name, error) ||
        !vns_config_uint(pc, "pvid", &pvid, error) ||
        !vns_config_bool(pc, "hairpin", &bp->hairpin, error) ||
        !bridge_parse_vlans(pc, "vlans", bp->vlans, &has_vlans, error) ||
        !bridge_parse_vlans(pc, "untagged", bp->untagged, &has_untagged,
                            error))
        return false;
    if (vns_element_find_port(&br->base, name) != NULL) {
        vns_config_error(error, pc, VNS_CONFIG_ERROR_DUPLICATE,
                         "<bridge> '%s' has two ports named '%s', expected "
                         "port names unique in the bridge", br->base.name, name);
        return false;
    }
    bp->pvid = (uint16_t) pvid;
    if (bp->pvid != 0) {
        /* 'bridge vlan add vid P pvid' makes P a member too. */
        bridge_vid_set(bp->vlans, bp->pvid);
        if (!has_untagged)
            bridge_vid_set(bp->untagged, bp->pvid);
    }
    for (int w = 0; w < BRIDGE_VID_WORDS; w++)
        if (bp->untagged[w] & ~bp->vlans[w]) {
            vns_config_error(error, pc, VNS_CONFIG_ERROR_CONFLICT,
                             "<port> '%s': 'untagged' names VLAN %d, which "
                             "is not among the port's 'vlans' or its 'pvid', "
                             "expected a subset of them", name,
                             w * 64 + __builtin_ctzll(bp->untagged[w] & ~bp->vlans[w]));
            return false;
        }
    vns_element_add_port(&br->base, name);
    return true;
}

static bool
bridge_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Bridge *br = (Bridge *) self;
    g_autoptr(GPtrArray) ports = NULL;
    uint64_t fdb_max, slots = 2;

    vns_cpu_stage_init(&br->rx_cpu, self, "bridge-rx", bridge_rx_done);
    vns_cpu_stage_init(&br->tx_cpu, self, "bridge-tx", bridge_xmit);
    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "bridge '%s' has no configuration, expected a <bridge> "
                    "element", self->name);
        return false;
    }
    if (!vns_config_time(cfg, "cost-per-packet", &br->cost_ps, error) ||
        !vns_config_time(cfg, "cost-per-copy", &br->copy_cost_ps, error) ||
        !vns_config_time(cfg, "ageing", &br->ageing_ps, error) ||
        !vns_config_bool(cfg, "vlan-filtering", &br->vlan_filtering, error) ||
        !vns_config_uint(cfg, "fdb-max", &fdb_max, error))
        return false;
    if (br->cost_ps < 0 || br->copy_cost_ps < 0 || br->ageing_ps < 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<bridge> has a negative duration, expected "
                         "'cost-per-packet', 'cost-per-copy' and 'ageing' "
                         "of 0 or more");
        return false;
    }
    ports = vns_config_children(cfg, "port");
    if (ports->len == 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                         "<bridge> '%s' has no <port>, expected one <port "
                         "name=\"...\"/> child per port", self->name);
        return false;
    }
    if (ports->len >= UINT16_MAX) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<bridge> has %u ports, expected fewer than %u",
                         ports->len, UINT16_MAX);
        return false;
    }
    br->ports = g_new0(BridgePort, ports->len);
    for (guint i = 0; i < ports->len; i++) {
        if (!bridge_port_create(br, ports->pdata[i], &br->ports[i], error))
            return false;
        br->n_ports++;
    }
    /* At most half full: probe runs stay short. */
    br->fdb_max = (uint32_t) fdb_max;
    while (slots < 2 * fdb_max)
        slots <<= 1;
    br->fdb = g_new0(FdbEntry, slots);
    br->fdb_mask = slots - 1;
    br->fdb_shift = 64 - __builtin_ctzll(slots);
    br->sweep_at = VNS_TIME_MAX;
    return true;
}

static bool
bridge_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Bridge *br = (Bridge *) self;

    if (!vns_element_use_node(self, cfg, "node", error))
        return false;
    if ((br->cost_ps > 0 || br->copy_cost_ps > 0) && self->node == NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                         "<bridge> '%s' has a CPU cost but no 'node', "
                         "expected the host or hypervisor whose CPU pays it",
                         self->name);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Run control and results                                             */

static void
bridge_stop(VnsElement *self)
{
    Bridge *br = (Bridge *) self;

    vns_cpu_stage_purge(&br->rx_cpu);
    vns_cpu_stage_purge(&br->tx_cpu);
}

static void
bridge_reset(VnsElement *self)
{
    Bridge *br = (Bridge *) self;

    /* Counters restart; the FDB keeps what it learned in warm-up. */
    memset(&br->st, 0, sizeof br->st);
}

static void
bridge_stats(VnsElement *self, VnsReport *report)
{
    Bridge *br = (Bridge *) self;

    /* Expired entries leave now, so 'fdb_entries' counts live ones. */
    fdb_sweep(br, vns_element_now(self));
    vns_report_row(report, "bridges", self->name);
    vns_report_int(report, "rx_frames", (int64_t) br->st.rx);
    vns_report_int(report, "forwarded", (int64_t) br->st.forwarded);
    vns_report_int(report, "flooded", (int64_t) br->st.flooded);
    vns_report_int(report, "flood_copies", (int64_t) br->st.flood_copies);
    vns_report_int(report, "broadcast", (int64_t) br->st.broadcast);
    vns_report_int(report, "multicast", (int64_t) br->st.multicast);
    vns_report_int(report, "unknown_unicast", (int64_t) br->st.unknown_unicast);
    vns_report_int(report, "fdb_entries", (int64_t) br->fdb_count);
    vns_report_int(report, "fdb_max", (int64_t) br->fdb_max);
    vns_report_int(report, "learned", (int64_t) br->st.learned);
    vns_report_int(report, "moved", (int64_t) br->st.moved);
    vns_report_int(report, "aged", (int64_t) br->st.aged);
    vns_report_int(report, "fdb_full", (int64_t) br->st.fdb_full);
    vns_report_int(report, "drops_vlan_filter",
                   (int64_t) self->drops[VNS_DROP_VLAN_FILTER]);
    vns_report_int(report, "drops_no_egress",
                   (int64_t) self->drops[VNS_DROP_NO_EGRESS]);
    if (self->node != NULL && (br->cost_ps > 0 || br->copy_cost_ps > 0))
        vns_report_num(report, "node_cpu_utilization",
                       vns_node_cpu_utilization(self->node));
    for (uint16_t i = 0; i < br->n_ports; i++) {
        const VnsPort *p = vns_element_port(self, i);
        g_autofree char *row = g_strdup_printf("%s:%s", self->name, p->name);

        vns_report_row(report, "bridge_ports", row);
        vns_report_str(report, "bridge", self->name);
        vns_report_str(report, "port", p->name);
        vns_report_int(report, "pvid", br->ports[i].pvid);
        vns_report_int(report, "rx_packets", (int64_t) p->rx_packets);
        vns_report_int(report, "rx_bytes", (int64_t) p->rx_bytes);
        vns_report_int(report, "tx_packets", (int64_t) p->tx_packets);
        vns_report_int(report, "tx_bytes", (int64_t) p->tx_bytes);
    }
}

static void
bridge_free(VnsElement *self)
{
    Bridge *br = (Bridge *) self;

    vns_cpu_stage_clear(&br->rx_cpu);
    vns_cpu_stage_clear(&br->tx_cpu);
    g_free(br->ports);
    g_free(br->fdb);
}

const VnsElementOps vns_bridge_ops = {
    .type = "bridge",
    .spec = &bridge_spec,
    .instance_size = sizeof(Bridge),
    .create = bridge_create,
    .connect = bridge_connect,
    .receive = bridge_receive,
    .reset = bridge_reset,
    .stop = bridge_stop,
    .stats = bridge_stats,
    .free = bridge_free,
};
