/* Addresses: Ethernet MAC addresses, IPv4 and IPv6 addresses, a tagged IP
 * address of either family, and IP prefixes (CIDR, RFC 4632 section 3.1;
 * RFC 4291 section 2.3).
 *
 * Text input is parsed strictly (RFC 4291 section 2.2 for IPv6, dotted
 * decimal without leading zeros for IPv4) and bad text is a GError in the
 * VNS_NET_ERROR domain. Output is canonical: IPv6 per RFC 5952, MAC in
 * lowercase colon-separated pairs.
 *
 * This module holds several small types, so its functions are named after
 * the type they act on: vns_mac_*, vns_ip4_*, vns_ip6_*, vns_ip_addr_*,
 * vns_ip_prefix_*. */
#ifndef VNS_ADDR_H
#define VNS_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "net/net_error.h"

/* An Ethernet (EUI-48) address, in transmission order. */
typedef struct {
    uint8_t b[6];
} VnsMac;

/* An IPv6 address, network byte order (as on the wire). */
typedef struct {
    uint8_t b[16];
} VnsIp6;

/* IPv4 addresses are plain uint32_t in host byte order: 10.0.0.1 is
 * 0x0A000001. */

typedef enum {
    VNS_IP_NONE = 0,            /* no address (unknown, unparsed) */
    VNS_IP_V4 = 4,              /* the numbers match the IP version field */
    VNS_IP_V6 = 6,
} VnsIpFamily;

/* An IP address of either family. Unused union bytes are zero when built by
 * the functions here, but comparisons never rely on that. */
typedef struct {
    uint8_t family;             /* VnsIpFamily */
    union {
        uint32_t v4;            /* host byte order */
        VnsIp6 v6;              /* network byte order */
    };
} VnsIpAddr;

/* An address prefix: the first 'len' bits of 'addr'. */
typedef struct {
    VnsIpAddr addr;
    uint8_t len;                /* bits: 0-32 (IPv4) or 0-128 (IPv6) */
} VnsIpPrefix;

typedef enum {
    VNS_IP_PREFIX_STRICT = 0,
    /* Accept bits set after the length, as in an interface address
     * "10.0.0.1/24"; the address is kept as written. */
    VNS_IP_PREFIX_ALLOW_HOST_BITS = 1 << 0,
    /* Accept a bare address as a host prefix (/32 or /128). */
    VNS_IP_PREFIX_ALLOW_NO_LENGTH = 1 << 1,
} VnsIpPrefixFlags;

/* Buffer sizes for the format functions, bytes including the NUL. */
#define VNS_MAC_STRLEN 18           /* "02:00:00:00:00:01" */
#define VNS_IP4_STRLEN 16           /* "255.255.255.255" */
#define VNS_IP6_STRLEN 46           /* INET6_ADDRSTRLEN, RFC 5952 forms fit */
#define VNS_IP_STRLEN 46
#define VNS_IP_PREFIX_STRLEN 50     /* address, '/', up to 3 digits */

#define VNS_MAC_BROADCAST ((VnsMac) { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } })

bool vns_mac_parse(const char *text, VnsMac *out, GError **error);
char *vns_mac_format(const VnsMac *mac, char buf[static VNS_MAC_STRLEN]);
bool vns_mac_equal(const VnsMac *a, const VnsMac *b);
bool vns_mac_is_multicast(const VnsMac *mac);

bool vns_ip4_parse(const char *text, uint32_t *out, GError **error);
char *vns_ip4_format(uint32_t addr, char buf[static VNS_IP4_STRLEN]);

bool vns_ip6_parse(const char *text, VnsIp6 *out, GError **error);
char *vns_ip6_format(const VnsIp6 *addr, char buf[static VNS_IP6_STRLEN]);
bool vns_ip6_equal(const VnsIp6 *a, const VnsIp6 *b);

/* A tagged IPv4 address (inline: it is on the per-packet path). */
static inline VnsIpAddr
vns_ip_addr_v4(uint32_t addr)
{
    VnsIpAddr a = { 0 };
    a.family = VNS_IP_V4;
    a.v4 = addr;
    return a;
}
VnsIpAddr vns_ip_addr_v6(const VnsIp6 *addr);
bool vns_ip_addr_parse(const char *text, VnsIpAddr *out, GError **error);
char *vns_ip_addr_format(const VnsIpAddr *addr, char buf[static VNS_IP_STRLEN]);
bool vns_ip_addr_equal(const VnsIpAddr *a, const VnsIpAddr *b);
unsigned vns_ip_addr_bits(const VnsIpAddr *addr);

bool vns_ip_prefix_parse(const char *text, VnsIpPrefixFlags flags,
                         VnsIpPrefix *out, GError **error);
char *vns_ip_prefix_format(const VnsIpPrefix *prefix,
                           char buf[static VNS_IP_PREFIX_STRLEN]);
VnsIpAddr vns_ip_prefix_network(const VnsIpPrefix *prefix);
bool vns_ip_prefix_contains(const VnsIpPrefix *prefix, const VnsIpAddr *addr);
bool vns_ip_prefix_overlap(const VnsIpPrefix *a, const VnsIpPrefix *b);

#endif
