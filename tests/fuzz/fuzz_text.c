/* libFuzzer target: the text parsers of durations, rates and addresses.
 * The input, cut at its first NUL, goes through each of them; whatever they
 * accept must survive a round trip through the formatter (format(parse(x))
 * parses back to the same value, and formatting is canonical: a formatted
 * value formats the same again), and an address they accept must be one
 * that inet_pton(3) accepts with the same value (the parsers are the
 * stricter ones, addr.h). Every refusal must come with a GError. */
#include <config.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <glib.h>
#include "fuzz.h"
#include "net/addr.h"
#include "sim/time.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal leaves a message; the error is cleared for the next parser. */
static void
fuzz_text_refused(GError **error)
{
    FUZZ_CHECK(*error != NULL && (*error)->message != NULL);
    g_clear_error(error);
}

static void
fuzz_text_time(const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL, *again = NULL;
    VnsTime t, back;

    if (!vns_time_parse(text, &t, &error)) {
        fuzz_text_refused(&error);
        return;
    }
    FUZZ_CHECK(t >= 0);
    out = vns_time_format(t);
    FUZZ_CHECK(vns_time_parse(out, &back, NULL));
    FUZZ_CHECK(back == t);
    again = vns_time_format(back);
    FUZZ_CHECK(strcmp(out, again) == 0);
}

static void
fuzz_text_rate(const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    uint64_t bps, back;

    if (!vns_rate_parse(text, &bps, &error)) {
        fuzz_text_refused(&error);
        return;
    }
    /* Rates have no formatter: plain bit/s must read back exactly. */
    out = g_strdup_printf("%" PRIu64 "bps", bps);
    FUZZ_CHECK(vns_rate_parse(out, &back, NULL));
    FUZZ_CHECK(back == bps);
}

static void
fuzz_text_mac(const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *lower = NULL;
    char buf[VNS_MAC_STRLEN];
    VnsMac mac, back;

    if (!vns_mac_parse(text, &mac, &error)) {
        fuzz_text_refused(&error);
        return;
    }
    /* Only one spelling is accepted, up to case. */
    lower = g_ascii_strdown(text, -1);
    FUZZ_CHECK(strcmp(vns_mac_format(&mac, buf), lower) == 0);
    FUZZ_CHECK(vns_mac_parse(buf, &back, NULL) && vns_mac_equal(&mac, &back));
}

static void
fuzz_text_ip4(const char *text)
{
    g_autoptr(GError) error = NULL;
    char buf[VNS_IP4_STRLEN];
    uint32_t addr, back;
    struct in_addr sys;

    if (!vns_ip4_parse(text, &addr, &error)) {
        fuzz_text_refused(&error);
        return;
    }
    /* Dotted decimal without leading zeros has one spelling. */
    FUZZ_CHECK(strcmp(vns_ip4_format(addr, buf), text) == 0);
    FUZZ_CHECK(vns_ip4_parse(buf, &back, NULL) && back == addr);
    FUZZ_CHECK(inet_pton(AF_INET, text, &sys) == 1 && ntohl(sys.s_addr) == addr);
}

static void
fuzz_text_ip6(const char *text)
{
    g_autoptr(GError) error = NULL;
    char buf[VNS_IP6_STRLEN], buf2[VNS_IP6_STRLEN];
    VnsIp6 addr, back;
    struct in6_addr sys;

    if (!vns_ip6_parse(text, &addr, &error)) {
        fuzz_text_refused(&error);
        return;
    }
    vns_ip6_format(&addr, buf);
    FUZZ_CHECK(vns_ip6_parse(buf, &back, NULL) && vns_ip6_equal(&addr, &back));
    FUZZ_CHECK(strcmp(vns_ip6_format(&back, buf2), buf) == 0);
    FUZZ_CHECK(inet_pton(AF_INET6, text, &sys) == 1 &&
               memcmp(sys.s6_addr, addr.b, 16) == 0);
    /* The canonical text reads back through inet_pton(3) as well. */
    FUZZ_CHECK(inet_pton(AF_INET6, buf, &sys) == 1 &&
               memcmp(sys.s6_addr, addr.b, 16) == 0);
}

static void
fuzz_text_ip_addr(const char *text)
{
    g_autoptr(GError) error = NULL;
    char buf[VNS_IP_STRLEN];
    VnsIpAddr addr, back;

    if (!vns_ip_addr_parse(text, &addr, &error)) {
        fuzz_text_refused(&error);
        return;
    }
    FUZZ_CHECK(addr.family ==
               (strchr(text, ':') != NULL ? VNS_IP_V6 : VNS_IP_V4));
    vns_ip_addr_format(&addr, buf);
    FUZZ_CHECK(vns_ip_addr_parse(buf, &back, NULL) &&
               vns_ip_addr_equal(&addr, &back));
}

static void
fuzz_text_prefix(const char *text, VnsIpPrefixFlags flags)
{
    g_autoptr(GError) error = NULL;
    char buf[VNS_IP_PREFIX_STRLEN], buf2[VNS_IP_PREFIX_STRLEN];
    VnsIpPrefix p, back;
    VnsIpAddr net;

    if (!vns_ip_prefix_parse(text, flags, &p, &error)) {
        fuzz_text_refused(&error);
        return;
    }
    FUZZ_CHECK(p.addr.family == VNS_IP_V4 || p.addr.family == VNS_IP_V6);
    FUZZ_CHECK(p.len <= vns_ip_addr_bits(&p.addr));
    net = vns_ip_prefix_network(&p);
    FUZZ_CHECK(vns_ip_prefix_contains(&p, &p.addr) &&
               vns_ip_prefix_contains(&p, &net));
    FUZZ_CHECK(vns_ip_prefix_overlap(&p, &p));
    if (!(flags & VNS_IP_PREFIX_ALLOW_HOST_BITS))
        FUZZ_CHECK(vns_ip_addr_equal(&net, &p.addr));
    /* The formatted prefix always has a length, so it reads back with the
     * same flags. */
    vns_ip_prefix_format(&p, buf);
    FUZZ_CHECK(vns_ip_prefix_parse(buf, flags, &back, NULL));
    FUZZ_CHECK(back.len == p.len && vns_ip_addr_equal(&back.addr, &p.addr));
    FUZZ_CHECK(strcmp(vns_ip_prefix_format(&back, buf2), buf) == 0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = g_strndup((const char *) data, size);

    fuzz_text_time(text);
    fuzz_text_rate(text);
    fuzz_text_mac(text);
    fuzz_text_ip4(text);
    fuzz_text_ip6(text);
    fuzz_text_ip_addr(text);
    for (unsigned flags = 0; flags < 4; flags++)
        fuzz_text_prefix(text, (VnsIpPrefixFlags) flags);
    return 0;
}
