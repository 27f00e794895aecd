/* OpenFlow matches and actions for the Open vSwitch model (models/l2/ovs.c):
 * the flow key, masked matches parsed from ovs-ofctl(8) text, actions
 * parsed from the same syntax, and applying actions to a key (the table
 * walk) or to a packet (the datapath).
 *
 * Field names and value syntax follow ovs-fields(7) and ovs-ofctl(8): MACs
 * "aa:bb:cc:dd:ee:ff[/mask]", IPv4 "10.0.0.0/24" or "10.0.0.0/255.255.255.0",
 * IPv6 "2001:db8::/64", integers in decimal or 0x hex with an optional
 * "/mask". doc/models/ovs.md lists every field and action. */
#ifndef VNS_OVS_MATCH_H
#define VNS_OVS_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include "net/packet.h"

/* The vlan_tci bit that marks "an 802.1Q header is present" (ovs-fields(7),
 * vlan_tci: OVS reuses the CFI/DEI bit position for it). */
#define VNS_OVS_VLAN_PRESENT 0x1000
#define VNS_OVS_VLAN_VID_MASK 0x0FFF

/* The fields a flow can match, host byte order (IPv6 addresses and MACs in
 * network order). Fields a packet does not carry are zero, like OVS's
 * struct flow. The size is a multiple of 8 bytes and padding is always
 * zero, so matching and hashing go word by word. */
typedef struct {
    uint64_t tun_id;            /* tunnel id (VNI); 0 = none */
    uint32_t in_port;           /* OpenFlow port number it arrived on */
    uint32_t nw_src;            /* IPv4 source (ARP: sender address) */
    uint32_t nw_dst;            /* IPv4 destination (ARP: target address) */
    uint16_t dl_type;           /* EtherType after any VLAN tag */
    uint16_t vlan_tci;          /* outer tag's TCI | VNS_OVS_VLAN_PRESENT;
                                 * 0 = untagged */
    uint16_t tp_src;            /* TCP/UDP/SCTP ports */
    uint16_t tp_dst;
    uint8_t dl_src[6];
    uint8_t dl_dst[6];
    uint8_t ipv6_src[16];
    uint8_t ipv6_dst[16];
    uint8_t nw_proto;           /* IP protocol (ARP: low byte of the opcode) */
    uint8_t icmp_type;          /* ICMP / ICMPv6 */
    uint8_t icmp_code;
    uint8_t pad[5];             /* always zero */
} VnsOvsKey;

#define VNS_OVS_KEY_WORDS (sizeof(VnsOvsKey) / sizeof(uint64_t))

/* A masked match: a key matches when (key & mask) == value. 'value' has no
 * bits outside 'mask'. */
typedef struct {
    VnsOvsKey value;
    VnsOvsKey mask;
} VnsOvsMatch;

typedef enum {
    VNS_OVS_ACT_OUTPUT,         /* arg = OpenFlow port; port = port index */
    VNS_OVS_ACT_IN_PORT,        /* output to the input port */
    VNS_OVS_ACT_FLOOD,          /* every port but the input port */
    VNS_OVS_ACT_NORMAL,         /* the learning L2 switch */
    VNS_OVS_ACT_GROUP,          /* arg = group id; port = group index */
    VNS_OVS_ACT_GOTO_TABLE,     /* arg = table */
    VNS_OVS_ACT_SET_FIELD,      /* field = VnsOvsSetField, value in u64/bytes */
    VNS_OVS_ACT_PUSH_VLAN,      /* arg = TPID */
    VNS_OVS_ACT_POP_VLAN,
} VnsOvsActionType;

typedef enum {
    VNS_OVS_SET_ETH_SRC,
    VNS_OVS_SET_ETH_DST,
    VNS_OVS_SET_IP4_SRC,
    VNS_OVS_SET_IP4_DST,
    VNS_OVS_SET_IP6_SRC,
    VNS_OVS_SET_IP6_DST,
    VNS_OVS_SET_TP_SRC,
    VNS_OVS_SET_TP_DST,
    VNS_OVS_SET_VLAN_VID,       /* adds a tag when there is none */
    VNS_OVS_SET_VLAN_PCP,
    VNS_OVS_SET_TUN_ID,
} VnsOvsSetField;

typedef struct {
    uint8_t type;               /* VnsOvsActionType */
    uint8_t field;              /* SET_FIELD: VnsOvsSetField */
    uint16_t port;              /* OUTPUT: port index; GROUP: group index */
    uint32_t arg;               /* OUTPUT: ofport; GROUP: id; GOTO: table;
                                 * PUSH_VLAN: TPID */
    uint64_t u64;               /* SET_FIELD: integer value (IPv4 host order) */
    uint8_t bytes[16];          /* SET_FIELD: MAC or IPv6 address */
} VnsOvsAction;

bool vns_ovs_match_parse(const char *text, VnsOvsMatch *out, GError **error);
bool vns_ovs_actions_parse(const char *text, GArray *out, GError **error);
bool vns_ovs_actions_check(const VnsOvsAction *acts, guint n,
                           const VnsOvsMatch *match, GError **error);
bool vns_ovs_hash_fields_parse(const char *text, VnsOvsKey *mask,
                               GError **error);

void vns_ovs_key_extract(VnsOvsKey *key, VnsPacket *pkt, uint32_t ofport);
void vns_ovs_key_apply(VnsOvsKey *key, const VnsOvsAction *act);
void vns_ovs_packet_apply(VnsPacket *pkt, const VnsOvsAction *act);
uint64_t vns_ovs_key_hash(const VnsOvsKey *key, const VnsOvsKey *mask,
                          uint64_t seed);

/* Word 'i' of a key (memcpy keeps it clear of strict aliasing; compilers
 * turn it into one load). */
static inline uint64_t
vns_ovs_key_word(const VnsOvsKey *key, size_t i)
{
    uint64_t w;

    memcpy(&w, (const uint8_t *) key + i * sizeof w, sizeof w);
    return w;
}

/* Whether 'key' matches 'm' (inline: the table walk's inner loop). */
static inline bool
vns_ovs_match_hit(const VnsOvsMatch *m, const VnsOvsKey *key)
{
    for (size_t i = 0; i < VNS_OVS_KEY_WORDS; i++)
        if ((vns_ovs_key_word(key, i) & vns_ovs_key_word(&m->mask, i)) !=
            vns_ovs_key_word(&m->value, i))
            return false;
    return true;
}

static inline bool
vns_ovs_key_equal(const VnsOvsKey *a, const VnsOvsKey *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

#endif
