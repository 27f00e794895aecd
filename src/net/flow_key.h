/* Flow keys: the fields of a packet's headers that identify its flow, in
 * host byte order, as parsed from the wire bytes (in the manner of Open
 * vSwitch's flow key and Linux's flow dissector).
 *
 * A field that the headers do not carry, or that a truncated or malformed
 * packet did not let the parser reach, keeps its "unknown" value: MACs zero,
 * vlan_id VNS_VLAN_NONE, ethertype 0, family VNS_IP_NONE (and then every
 * layer-3 field zero), ports, flags and ICMP fields zero, tunnel_id 0. The
 * parse offsets (VnsFlowOffsets) say which layers were reached: a layer-4
 * field is meaningful only when l4 is not VNS_OFF_NONE. */
#ifndef VNS_FLOW_KEY_H
#define VNS_FLOW_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/addr.h"

/* "No such header" for a header offset. */
#define VNS_OFF_NONE UINT16_MAX
/* "Untagged" for a VLAN id (802.1Q VIDs are 12 bits). */
#define VNS_VLAN_NONE 0xFFFF

typedef enum {
    VNS_FLOW_FRAG_NONE = 0,     /* not a fragment */
    VNS_FLOW_FRAG_FIRST = 1,    /* offset 0, more fragments follow */
    VNS_FLOW_FRAG_LATER = 2,    /* non-zero offset: no layer-4 header */
} VnsFlowFrag;

typedef struct {
    /* Layer 2 (not set by a parse that starts at layer 3). */
    VnsMac eth_src;
    VnsMac eth_dst;
    uint16_t vlan_id;           /* outermost 802.1Q/802.1ad VID, or VNS_VLAN_NONE */
    uint16_t ethertype;         /* after any VLAN tags; 0 = unknown */
    /* Layer 3. */
    uint8_t family;             /* VnsIpFamily; VNS_IP_NONE = not IP / unknown */
    uint8_t proto;              /* IP protocol; IPv6: upper layer after extensions */
    uint8_t ttl;                /* IPv4 TTL or IPv6 hop limit */
    uint8_t dscp;               /* 6-bit DSCP, RFC 2474 */
    uint8_t frag;               /* VnsFlowFrag */
    VnsIpAddr src;
    VnsIpAddr dst;
    /* Layer 4 (zero for fragments other than the first, which carry no
     * layer-4 header; hashing ignores them for every fragment). */
    uint16_t sport;             /* TCP/UDP/SCTP/DCCP/UDP-Lite source port */
    uint16_t dport;
    uint8_t tcp_flags;          /* FIN 0x01 ... CWR 0x80, RFC 9293 section 3.1 */
    uint8_t icmp_type;          /* ICMP or ICMPv6 type */
    uint8_t icmp_code;
    uint16_t icmp_id;           /* echo request/reply identifier */
    /* Tunnel. */
    uint32_t tunnel_id;         /* VXLAN/Geneve VNI or GRE key; 0 = none */
} VnsFlowKey;

/* Where the parser found each layer, bytes from the start of the parsed
 * buffer; VNS_OFF_NONE = not reached. */
typedef struct {
    uint16_t l2;
    uint16_t l3;
    uint16_t l4;
} VnsFlowOffsets;

typedef enum {
    VNS_FLOW_HASH_DEFAULT = 0,
    /* Both directions of a flow hash alike (endpoints sorted first). */
    VNS_FLOW_HASH_SYMMETRIC = 1 << 0,
    /* Addresses and protocol only (no ports): Linux's
     * fib_multipath_hash_policy 0. */
    VNS_FLOW_HASH_L3 = 1 << 1,
} VnsFlowHashFlags;

void vns_flow_key_init(VnsFlowKey *key);
bool vns_flow_key_parse_eth(VnsFlowKey *key, VnsFlowOffsets *off,
                            const uint8_t *data, size_t size);
bool vns_flow_key_parse_ip(VnsFlowKey *key, VnsFlowOffsets *off,
                           const uint8_t *data, size_t size);
uint32_t vns_flow_key_hash(const VnsFlowKey *key, uint32_t seed,
                           VnsFlowHashFlags flags);
bool vns_flow_key_equal(const VnsFlowKey *a, const VnsFlowKey *b);
bool vns_flow_key_equal_5tuple(const VnsFlowKey *a, const VnsFlowKey *b);
char *vns_flow_key_format(const VnsFlowKey *key);

#endif
