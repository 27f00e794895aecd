/* Addresses: strict parsers and canonical formatters for MAC, IPv4 and IPv6
 * addresses and IP prefixes (see addr.h).
 *
 * The parsers are written out rather than left to inet_pton(3) so that a
 * refusal can say what was found (inet_pton only says no), and so that the
 * rules are the same on every C library: IPv4 is exactly four decimal
 * numbers 0-255 without leading zeros (a leading zero means octal to
 * inet_aton(3), so "010" is ambiguous); IPv6 follows RFC 4291 section 2.2
 * (the tests check agreement with inet_pton on valid and invalid inputs). */
#include <config.h>
#include "net/addr.h"

#include <stdio.h>
#include <string.h>

/* Says what character 'c' is, printable or not, for an error message. */
static const char *
addr_describe_char(char c, char buf[static 8])
{
    if (g_ascii_isprint(c))
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "\\x%02x", (unsigned) (unsigned char) c);
    return buf;
}

static int
addr_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads an IPv4 address from the n bytes at s. On failure returns false
 * and writes what was wrong into 'why'. */
static bool
addr_scan_ip4(const char *s, size_t n, uint32_t *out, char *why, size_t why_size)
{
    uint32_t addr = 0;
    unsigned parts = 0;
    size_t i = 0;
    char cb[8];

    for (;;) {
        size_t start = i;
        unsigned v = 0;

        while (i < n && g_ascii_isdigit(s[i])) {
            v = v > 255 ? v : v * 10 + (unsigned) (s[i] - '0');
            i++;
        }
        if (i == start) {
            if (i < n)
                snprintf(why, why_size, "%s where a number should be",
                         addr_describe_char(s[i], cb));
            else
                snprintf(why, why_size, "%s", parts == 0 ? "nothing" :
                         "a missing number after the last dot");
            return false;
        }
        if (v > 255) {
            snprintf(why, why_size, "%.*s, which is above 255",
                     (int) MIN(i - start, 12), s + start);
            return false;
        }
        if (i - start > 1 && s[start] == '0') {
            snprintf(why, why_size, "%.*s with a leading zero",
                     (int) (i - start), s + start);
            return false;
        }
        addr = addr << 8 | v;
        parts++;
        if (i == n)
            break;
        if (s[i] != '.') {
            snprintf(why, why_size, "%s after a number",
                     addr_describe_char(s[i], cb));
            return false;
        }
        if (parts == 4) {
            snprintf(why, why_size, "more than four numbers");
            return false;
        }
        i++;
    }
    if (parts != 4) {
        snprintf(why, why_size, "%u number%s", parts, parts == 1 ? "" : "s");
        return false;
    }
    *out = addr;
    return true;
}

/* Reads an IPv6 address (RFC 4291 section 2.2: eight groups of 1-4 hex
 * digits, one "::" standing for one or more zero groups, and optionally an
 * IPv4 address in dotted decimal as the last 32 bits) from the n bytes at
 * s. On failure returns false and writes what was wrong into 'why'. */
static bool
addr_scan_ip6(const char *s, size_t n, VnsIp6 *out, char *why, size_t why_size)
{
    uint16_t w[8] = { 0 };
    int count = 0;
    int gap = -1;               /* group index where "::" stands */
    size_t i = 0;
    char cb[8];

    if (n >= 1 && s[0] == ':') {
        if (n < 2 || s[1] != ':') {
            snprintf(why, why_size, "a single ':' at the start");
            return false;
        }
        gap = 0;
        i = 2;
    }
    while (i < n) {
        size_t start = i;
        unsigned v = 0;

        while (i < n && addr_hex_value(s[i]) >= 0 && i - start < 5) {
            v = v << 4 | (unsigned) addr_hex_value(s[i]);
            i++;
        }
        if (i < n && s[i] == '.') {
            uint32_t v4;
            char why4[64];

            if (count > 6) {
                snprintf(why, why_size, "an IPv4 part after seven groups");
                return false;
            }
            if (!addr_scan_ip4(s + start, n - start, &v4, why4, sizeof why4)) {
                snprintf(why, why_size, "an embedded IPv4 address with %s", why4);
                return false;
            }
            w[count++] = (uint16_t) (v4 >> 16);
            w[count++] = (uint16_t) v4;
            i = n;
            break;
        }
        if (i == start) {
            snprintf(why, why_size, "%s where a group should be",
                     addr_describe_char(s[i], cb));
            return false;
        }
        if (i - start > 4) {
            snprintf(why, why_size, "a group with more than four hex digits");
            return false;
        }
        if (count == 8) {
            snprintf(why, why_size, "more than eight groups");
            return false;
        }
        w[count++] = (uint16_t) v;
        if (i == n)
            break;
        if (s[i] != ':') {
            snprintf(why, why_size, "%s after a group",
                     addr_describe_char(s[i], cb));
            return false;
        }
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0) {
                snprintf(why, why_size, "a second '::'");
                return false;
            }
            gap = count;
            i++;
        } else if (i == n) {
            snprintf(why, why_size, "a single ':' at the end");
            return false;
        }
    }
    if (n == 0) {
        snprintf(why, why_size, "nothing");
        return false;
    }
    if (gap >= 0) {
        int fill = 8 - count;

        if (fill < 1) {
            snprintf(why, why_size, "'::' with eight groups besides");
            return false;
        }
        memmove(&w[gap + fill], &w[gap], (size_t) (count - gap) * sizeof w[0]);
        memset(&w[gap], 0, (size_t) fill * sizeof w[0]);
    } else if (count != 8) {
        snprintf(why, why_size, "%d group%s and no '::'", count,
                 count == 1 ? "" : "s");
        return false;
    }
    for (int k = 0; k < 8; k++) {
        out->b[2 * k] = (uint8_t) (w[k] >> 8);
        out->b[2 * k + 1] = (uint8_t) w[k];
    }
    return true;
}

#define ADDR_IP4_EXPECTED "four numbers 0-255 separated by dots"
#define ADDR_IP6_EXPECTED "up to eight groups of 1-4 hex digits separated " \
    "by colons, with at most one '::' (RFC 4291 section 2.2)"

/*
 * vns_mac_parse:
 * Parses a MAC address written as six pairs of hex digits separated by
 * colons ("02:00:00:00:00:01"; either case). Returns true and fills 'out',
 * or false with 'error' set (VNS_NET_ERROR_SYNTAX).
 */
bool
vns_mac_parse(const char *text, VnsMac *out, GError **error)
{
    g_return_val_if_fail(text != NULL && out != NULL, false);
    size_t n = strlen(text);
    VnsMac mac;
    char cb[8];

    for (int k = 0; k < 6; k++) {
        size_t at = (size_t) k * 3;
        int hi, lo;

        if (at + 2 > n || (hi = addr_hex_value(text[at])) < 0 ||
            (lo = addr_hex_value(text[at + 1])) < 0) {
            size_t bad = at;
            if (bad < n && addr_hex_value(text[bad]) >= 0)
                bad++;
            g_set_error(error, VNS_NET_ERROR, VNS_NET_ERROR_SYNTAX,
                        "bad MAC address '%s': expected six pairs of hex digits "
                        "separated by colons, like 02:00:00:00:00:01, found %s "
                        "at position %zu", text,
                        bad < n ? addr_describe_char(text[bad], cb) : "the end",
                        bad + 1);
            return false;
        }
        mac.b[k] = (uint8_t) (hi << 4 | lo);
        if (k < 5 && (at + 2 >= n || text[at + 2] != ':')) {
            g_set_error(error, VNS_NET_ERROR, VNS_NET_ERROR_SYNTAX,
                        "bad MAC address '%s': expected six pairs of hex digits "
                        "separated by colons, like 02:00:00:00:00:01, found %s "
                        "at position %zu", text,
                        at + 2 < n ? addr_describe_char(text[at + 2], cb) : "the end",
                        at + 3);
            return false;
        }
    }
    if (n != 17) {
        g_set_error(error, VNS_NET_ERROR, VNS_NET_ERROR_SYNTAX,
                    "bad MAC address '%s': expected six pairs of hex digits "
                    "separated by colons, like 02:00:00:00:00:01, found text "
                    "after the sixth pair", text);
        return false;
    }
    *out = mac;
    return true;
}

/*
 * vns_mac_format:
 * Writes 'mac' as "02:00:00:00:00:01" (lowercase) into 'buf' and returns
 * 'buf'.
 */
char *
vns_mac_format(const VnsMac *mac, char buf[static VNS_MAC_STRLEN])
{
    snprintf(buf, VNS_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
             mac->b[0], mac->b[1], mac->b[2], mac->b[3], mac->b[4], mac->b[5]);
    return buf;
}

/*
 * vns_mac_equal:
 * Returns whether two MAC addresses are the same.
 */
bool
vns_mac_equal(const VnsMac *a, const VnsMac *b)
{
    return memcmp(a->b, b->b, sizeof a->b) == 0;
}

/*
 * vns_mac_is_multicast:
 * Returns whether 'mac' is a group address (the I/G bit, the least
 * significant bit of the first octet, IEEE Std 802); broadcast is one.
 */
bool
vns_mac_is_multicast(const VnsMac *mac)
{
    return (mac->b[0] & 1) != 0;
}

/*
 * vns_ip4_parse:
 * Parses a dotted-quad IPv4 address ("10.0.0.1": four decimal numbers 0-255,
 * no leading zeros, nothing else). Returns true and fills 'out' (host byte
 * order), or false with 'error' set (VNS_NET_ERROR_SYNTAX).
 */
bool
vns_ip4_parse(const char *text, uint32_t *out, GError **error)
{
    g_return_val_if_fail(text != NULL && out != NULL, false);
    char why[64];

    if (!addr_scan_ip4(text, strlen(text), out, why, sizeof why)) {
        g_set_error(error, VNS_NET_ERROR, VNS_NET_ERROR_SYNTAX,
                    "bad IPv4 address '%s': expected " ADDR_IP4_EXPECTED
                    ", found %s", text, why);
        return false;
    }
    return true;
}

/*
 * vns_ip4_format:
 * Writes 'addr' (host byte order) in dotted decimal into 'buf' and returns
 * 'buf'.
 */
char *
vns_ip4_format(uint32_t addr, char buf[static VNS_IP4_STRLEN])
{
    snprintf(buf, VNS_IP4_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
             (addr >> 8) & 0xff, addr & 0xff);
    return buf;
}

/*
 * vns_ip6_parse:
 * Parses an IPv6 address in any RFC 4291 section 2.2 text form: full,
 * compressed with "::", or with an embedded dotted-quad IPv4 address as the
 * last 32 bits. Zone indexes ("%eth0") and prefix lengths are refused.
 * Returns true and fills 'out', or false with 'error' set
 * (VNS_NET_ERROR_SYNTAX).
 */
bool
vns_ip6_parse(const char *text, VnsIp6 *out, GError **error)
{
    g_return_val_if_fail(text != NULL && out != NULL, false);
    char why[96];

    if (!addr_scan_ip6(text, strlen(text), out, why, sizeof why)) {
        g_set_error(error, VNS_NET_ERROR, VNS_NET_ERROR_SYNTAX,
                    "bad IPv6 address '%s': expected " ADDR_IP6_EXPECTED
                    ", found %s", text, why);
        return false;
    }
    return true;
}

/*
 * vns_ip6_format:
 * Writes 'addr' in the canonical text form of RFC 5952 into 'buf' and
 * returns 'buf': lowercase hex without leading zeros (section 4.1, 4.3), the
 * longest run of two or more zero groups shortened to "::", the first such
 * run on a tie and never a single group (section 4.2), and IPv4-mapped
 * addresses (::ffff:0:0/96, RFC 4291 section 2.5.5.2) in mixed notation
 * "::ffff:192.0.2.1" (section 5).
 */
char *
vns_ip6_format(const VnsIp6 *addr, char buf[static VNS_IP6_STRLEN])
{
    static const uint8_t mapped_prefix[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
    };
    bool mapped = memcmp(addr->b, mapped_prefix, sizeof mapped_prefix) == 0;
    int nwords = mapped ? 6 : 8;
    uint16_t w[8];
    int best_start = -1, best_len = 0;
    size_t at = 0;
    bool need_colon = false;

    for (int k = 0; k < 8; k++)
        w[k] = (uint16_t) (addr->b[2 * k] << 8 | addr->b[2 * k + 1]);
    for (int k = 0; k < nwords;) {
        int run = 0;
        while (k + run < nwords && w[k + run] == 0)
            run++;
        if (run > best_len) {
            best_start = k;
            best_len = run;
        }
        k += run > 0 ? run : 1;
    }
    if (best_len < 2)
        best_start = -1;
    for (int k = 0; k < nwords; k++) {
        if (k == best_start) {
            at += (size_t) snprintf(buf + at, VNS_IP6_STRLEN - at, "::");
            k += best_len - 1;
            need_colon = false;
            continue;
        }
        at += (size_t) snprintf(buf + at, VNS_IP6_STRLEN - at, "%s%x",
                                need_colon ? ":" : "", w[k]);
        need_colon = true;
    }
    if (mapped)
        snprintf(buf + at, VNS_IP6_STRLEN - at, "%s%u.%u.%u.%u",
                 need_colon ? ":" : "", addr->b[12], addr->b[13], addr->b[14],
                 addr->b[15]);
    return buf;
}

/*
 * vns_ip6_equal:
 * Returns whether two IPv6 addresses are the same.
 */
bool
vns_ip6_equal(const VnsIp6 *a, const VnsIp6 *b)
{
    return memcmp(a->b, b->b, sizeof a->b) == 0;
}


/*
 * vns_ip_addr_v6:
 * Returns a tagged IPv6 address.
 */
VnsIpAddr
vns_ip_addr_v6(const VnsIp6 *addr)
{
    VnsIpAddr a;

    memset(&a, 0, sizeof a);
    a.family = VNS_IP_V6;
    a.v6 = *addr;
    return a;
}

/*
 * vns_ip_addr_parse:
 * Parses an IPv4 or IPv6 address; text with a ':' is IPv6. Returns true and
 * fills 'out', or false with 'error' set (VNS_NET_ERROR_SYNTAX).
 */
bool
vns_ip_addr_parse(const char *text, VnsIpAddr *out, GError **error)
{
    g_return_val_if_fail(text != NULL && out != NULL, false);

    if (strchr(text, ':') != NULL) {
        VnsIp6 a6;
        if (!vns_ip6_parse(text, &a6, error))
            return false;
        *out = vns_ip_addr_v6(&a6);
    } else {
        uint32_t a4;
        if (!vns_ip4_parse(text, &a4, error))
            return false;
        *out = vns_ip_addr_v4(a4);
    }
    return true;
}

/*
 * vns_ip_addr_format:
 * Writes 'addr' (dotted quad or RFC 5952 text; "none" for VNS_IP_NONE) into
 * 'buf' and returns 'buf'.
 */
char *
vns_ip_addr_format(const VnsIpAddr *addr, char buf[static VNS_IP_STRLEN])
{
    if (addr->family == VNS_IP_V4)
        return vns_ip4_format(addr->v4, buf);
    if (addr->family == VNS_IP_V6)
        return vns_ip6_format(&addr->v6, buf);
    g_strlcpy(buf, "none", VNS_IP_STRLEN);
    return buf;
}

/*
 * vns_ip_addr_equal:
 * Returns whether two tagged addresses have the same family and value.
 */
bool
vns_ip_addr_equal(const VnsIpAddr *a, const VnsIpAddr *b)
{
    if (a->family != b->family)
        return false;
    if (a->family == VNS_IP_V4)
        return a->v4 == b->v4;
    if (a->family == VNS_IP_V6)
        return vns_ip6_equal(&a->v6, &b->v6);
    return true;
}

/*
 * vns_ip_addr_bits:
 * Returns the width of the address family in bits: 32, 128, or 0 for
 * VNS_IP_NONE.
 */
unsigned
vns_ip_addr_bits(const VnsIpAddr *addr)
{
    return addr->family == VNS_IP_V4 ? 32 : addr->family == VNS_IP_V6 ? 128 : 0;
}

/* Returns 'addr' with every bit after the first 'len' cleared. */
static VnsIpAddr
addr_mask(const VnsIpAddr *addr, unsigned len)
{
    VnsIpAddr m = *addr;

    if (addr->family == VNS_IP_V4) {
        m.v4 = len == 0 ? 0 : len >= 32 ? addr->v4 : addr->v4 & (0xffffffffu << (32 - len));
    } else if (addr->family == VNS_IP_V6) {
        for (unsigned k = 0; k < 16; k++) {
            unsigned bits = len >= 8 * (k + 1) ? 8 : len > 8 * k ? len - 8 * k : 0;
            m.v6.b[k] &= (uint8_t) (0xff00u >> bits);
        }
    }
    return m;
}

/*
 * vns_ip_prefix_parse:
 * Parses a prefix "10.0.0.0/24" or "2001:db8::/32": an address (a ':' makes
 * it IPv6), '/', and a decimal length 0-32 or 0-128 without leading zeros.
 * Unless 'flags' has VNS_IP_PREFIX_ALLOW_HOST_BITS, bits after the length
 * must be zero; with VNS_IP_PREFIX_ALLOW_NO_LENGTH a bare address is a host
 * prefix. Returns true and fills 'out', or false with 'error' set:
 * VNS_NET_ERROR_SYNTAX, VNS_NET_ERROR_RANGE (length too long) or
 * VNS_NET_ERROR_HOST_BITS.
 */
bool
vns_ip_prefix_parse(const char *text, VnsIpPrefixFlags flags,
                    VnsIpPrefix *out, GError **error)
{
    g_return_val_if_fail(text != NULL && out != NULL, false);
    const char *slash = strchr(text, '/');
    size_t alen = slash != NULL ? (size_t) (slash - text) : strlen(text);
    bool v6 = memchr(text, ':', alen) != NULL;
    unsigned max = v6 ? 128 : 32;
    VnsIpPrefix p;
    char why[96];
    bool ok;

    memset(&p, 0, sizeof p);
    if (v6) {
        p.addr.family = VNS_IP_V6;
        ok = addr_scan_ip6(text, alen, &p.addr.v6, why, sizeof why);
    } else {
        p.addr.family = VNS_IP_V4;
        ok = addr_scan_ip4(text, alen, &p.addr.v4, why, sizeof why);
    }
    if (!ok) {
        g_set_error(error, VNS_NET_ERROR, VNS_NET_ERROR_SYNTAX,
                    "bad prefix '%s': expected an %s address of %s before '/', "
                    "found %s", text, v6 ? "IPv6" : "IPv4",
                    v6 ? ADDR_IP6_EXPECTED : ADDR_IP4_EXPECTED, why);
        return false;
    }
    if (slash == NULL) {
        if (!(flags & VNS_IP_PREFIX_ALLOW_NO_LENGTH)) {
            g_set_error(error, VNS_NET_ERROR, VNS_NET_ERROR_SYNTAX,
                        "bad prefix '%s': expected an address, '/' and a "
                        "length, like %s, found no '/'", text,
                        v6 ? "2001:db8::/32" : "10.0.0.0/24");
            return false;
        }
        p.len = (uint8_t) max;
        *out = p;
        return true;
    }

    const char *ls = slash + 1;
    size_t ln = strlen(ls);
    unsigned len = 0;
    bool digits = ln > 0 && ln <= 3 && !(ln > 1 && ls[0] == '0');

    for (size_t k = 0; digits && k < ln; k++) {
        if (!g_ascii_isdigit(ls[k]))
            digits = false;
        else
            len = len * 10 + (unsigned) (ls[k] - '0');
    }
    if (!digits) {
        g_set_error(error, VNS_NET_ERROR, VNS_NET_ERROR_SYNTAX,
                    "bad prefix '%s': expected a length of 0-%u bits after '/' "
                    "(decimal, no leading zeros), found '%s'", text, max, ls);
        return false;
    }
    if (len > max) {
        g_set_error(error, VNS_NET_ERROR, VNS_NET_ERROR_RANGE,
                    "bad prefix '%s': expected a length of 0-%u bits for %s, "
                    "found %u", text, max, v6 ? "IPv6" : "IPv4", len);
        return false;
    }
    p.len = (uint8_t) len;
    if (!(flags & VNS_IP_PREFIX_ALLOW_HOST_BITS)) {
        VnsIpAddr net = addr_mask(&p.addr, len);
        if (!vns_ip_addr_equal(&net, &p.addr)) {
            char nb[VNS_IP_STRLEN];
            g_set_error(error, VNS_NET_ERROR, VNS_NET_ERROR_HOST_BITS,
                        "bad prefix '%s': expected no bits set after the first "
                        "%u (the network is %s/%u), found host bits set", text,
                        len, vns_ip_addr_format(&net, nb), len);
            return false;
        }
    }
    *out = p;
    return true;
}

/*
 * vns_ip_prefix_format:
 * Writes 'prefix' as "address/length" into 'buf' and returns 'buf'.
 */
char *
vns_ip_prefix_format(const VnsIpPrefix *prefix,
                     char buf[static VNS_IP_PREFIX_STRLEN])
{
    char ab[VNS_IP_STRLEN];

    snprintf(buf, VNS_IP_PREFIX_STRLEN, "%s/%u",
             vns_ip_addr_format(&prefix->addr, ab), prefix->len);
    return buf;
}

/*
 * vns_ip_prefix_network:
 * Returns the prefix's address with the bits after its length cleared.
 */
VnsIpAddr
vns_ip_prefix_network(const VnsIpPrefix *prefix)
{
    return addr_mask(&prefix->addr, prefix->len);
}

/*
 * vns_ip_prefix_contains:
 * Returns whether 'addr' lies in 'prefix' (same family and the same first
 * prefix->len bits). Host bits in the prefix's address are ignored.
 */
bool
vns_ip_prefix_contains(const VnsIpPrefix *prefix, const VnsIpAddr *addr)
{
    if (prefix->addr.family != addr->family || addr->family == VNS_IP_NONE)
        return false;
    VnsIpAddr a = addr_mask(addr, prefix->len);
    VnsIpAddr n = addr_mask(&prefix->addr, prefix->len);
    return vns_ip_addr_equal(&a, &n);
}

/*
 * vns_ip_prefix_overlap:
 * Returns whether two prefixes share an address: with the same family, one
 * contains the other's network (prefixes are aligned blocks, so they either
 * nest or are disjoint).
 */
bool
vns_ip_prefix_overlap(const VnsIpPrefix *a, const VnsIpPrefix *b)
{
    if (a->addr.family != b->addr.family || a->addr.family == VNS_IP_NONE)
        return false;
    unsigned len = MIN(a->len, b->len);
    VnsIpAddr na = addr_mask(&a->addr, len);
    VnsIpAddr nb = addr_mask(&b->addr, len);
    return vns_ip_addr_equal(&na, &nb);
}
