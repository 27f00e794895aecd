/* Tests of address parsing and formatting: MAC, IPv4, IPv6 (RFC 4291 input
 * forms, RFC 5952 output), prefixes, containment and overlap. */
#include <config.h>
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include "net/addr.h"

static void
assert_refused(bool ok, GError *err, const char *text, int code)
{
    cr_assert_not(ok, "'%s' accepted", text);
    cr_assert_not_null(err);
    cr_assert_eq(err->domain, VNS_NET_ERROR);
    cr_assert_eq(err->code, code, "'%s': code %d: %s", text, err->code, err->message);
    cr_assert(strstr(err->message, "expected") != NULL, "%s", err->message);
    cr_assert(strstr(err->message, "found") != NULL, "%s", err->message);
    g_error_free(err);
}

Test(addr, mac_round_trip)
{
    VnsMac m;
    char buf[VNS_MAC_STRLEN];
    GError *err = NULL;

    cr_assert(vns_mac_parse("02:00:00:00:00:01", &m, &err));
    cr_assert_eq(m.b[0], 2);
    cr_assert_eq(m.b[5], 1);
    cr_assert_str_eq(vns_mac_format(&m, buf), "02:00:00:00:00:01");
    cr_assert(vns_mac_parse("AA:bb:CC:dd:EE:ff", &m, NULL));
    cr_assert_str_eq(vns_mac_format(&m, buf), "aa:bb:cc:dd:ee:ff");
}

Test(addr, mac_multicast_bit)
{
    VnsMac b = VNS_MAC_BROADCAST, u, g;

    cr_assert(vns_mac_parse("02:00:00:00:00:01", &u, NULL));
    cr_assert(vns_mac_parse("33:33:ff:00:00:02", &g, NULL));
    cr_assert(vns_mac_is_multicast(&b));
    cr_assert(vns_mac_is_multicast(&g));
    cr_assert_not(vns_mac_is_multicast(&u));
}

Test(addr, mac_refuses_bad_text)
{
    const char *bad[] = {
        "", "02:00:00:00:00", "02:00:00:00:00:01:02", "02-00-00-00-00-01",
        "2:0:0:0:0:1", "02:00:00:00:00:0g", "02:00:00:00:00:01 ", " 02:00:00:00:00:01",
        "0200.0000.0001",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        VnsMac m;
        GError *err = NULL;
        bool ok = vns_mac_parse(bad[i], &m, &err);
        assert_refused(ok, err, bad[i], VNS_NET_ERROR_SYNTAX);
    }
}

Test(addr, ip4_round_trip)
{
    const char *good[] = { "0.0.0.0", "10.0.0.1", "192.168.255.254", "255.255.255.255" };
    uint32_t a;
    char buf[VNS_IP4_STRLEN];

    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        cr_assert(vns_ip4_parse(good[i], &a, NULL), "%s", good[i]);
        cr_assert_str_eq(vns_ip4_format(a, buf), good[i]);
    }
    cr_assert(vns_ip4_parse("10.0.0.1", &a, NULL));
    cr_assert_eq(a, 0x0A000001u);       /* host byte order */
}

Test(addr, ip4_refuses_bad_text)
{
    const char *bad[] = {
        "", "10.0.0", "10.0.0.0.1", "10.0.0.300", "10.0.0.256", "10.0.0.-1",
        "10..0.1", "10.0.0.", ".10.0.0.1", "010.0.0.1", "10.0.0.01", "0x0a.0.0.1",
        "10.0.0.1 ", " 10.0.0.1", "10.0.0.1/24", "1e1.0.0.1", "10,0,0,1",
        "99999999999999999999.0.0.1",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint32_t a;
        GError *err = NULL;
        bool ok = vns_ip4_parse(bad[i], &a, &err);
        assert_refused(ok, err, bad[i], VNS_NET_ERROR_SYNTAX);
    }
}

Test(addr, ip4_message_names_input_and_expectation)
{
    uint32_t a;
    g_autoptr(GError) err = NULL;

    cr_assert_not(vns_ip4_parse("10.0.0.300", &a, &err));
    cr_assert_str_eq(err->message, "bad IPv4 address '10.0.0.300': expected four "
                     "numbers 0-255 separated by dots, found 300, which is above 255");
}

/* RFC 5952 canonical output for inputs in other RFC 4291 forms. */
Test(addr, ip6_rfc5952_canonical_forms)
{
    const char *cases[][2] = {
        /* Section 4.1: no leading zeros. */
        { "2001:0db8::0001", "2001:db8::1" },
        /* Section 4.2.1: "::" for the longest run of zeros... */
        { "2001:db8:0:0:0:0:2:1", "2001:db8::2:1" },
        /* ...and section 4.2.2: never for a single zero group. */
        { "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
        /* Section 4.2.3: the longest run, the first on a tie. */
        { "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },
        { "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
        /* Section 4.3: lowercase. */
        { "2001:DB8::ABCD", "2001:db8::abcd" },
        { "0:0:0:0:0:0:0:0", "::" },
        { "0:0:0:0:0:0:0:1", "::1" },
        { "1:0:0:0:0:0:0:0", "1::" },
        { "fe80:0000:0000:0000:0204:61ff:fe9d:f156", "fe80::204:61ff:fe9d:f156" },
        { "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0" },
        { "::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8" },
        /* Section 5: IPv4-mapped addresses in mixed notation... */
        { "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
        { "0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1" },
        /* ...other embedded IPv4 input is just 32 bits (RFC 4291 2.2(3)). */
        { "64:ff9b::192.0.2.33", "64:ff9b::c000:221" },
        { "::13.1.68.3", "::d01:4403" },
        { "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        VnsIp6 a;
        char buf[VNS_IP6_STRLEN];
        g_autoptr(GError) err = NULL;
        unsigned char ref[16];

        cr_assert(vns_ip6_parse(cases[i][0], &a, &err), "%s: %s", cases[i][0],
                  err ? err->message : "");
        cr_assert_str_eq(vns_ip6_format(&a, buf), cases[i][1], "input %s", cases[i][0]);
        /* The C library reads the same 128 bits. */
        cr_assert_eq(inet_pton(AF_INET6, cases[i][0], ref), 1);
        cr_assert_arr_eq(a.b, ref, 16, "%s", cases[i][0]);
    }
}

Test(addr, ip6_refuses_bad_text)
{
    const char *bad[] = {
        "", ":", ":::", "1:::2", "1::2::3", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:",
        "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
        "12345::", "g::1", "fe80::1%eth0", "2001:db8::/32", "::ffff:1.2.3",
        "::ffff:1.2.3.256", "::ffff:01.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4::",
        "::1.2.3.4:5", " ::1", "::1 ",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        VnsIp6 a;
        GError *err = NULL;
        unsigned char ref[16];
        bool ok = vns_ip6_parse(bad[i], &a, &err);

        assert_refused(ok, err, bad[i], VNS_NET_ERROR_SYNTAX);
        /* glibc's inet_pton refuses them too. */
        cr_assert_neq(inet_pton(AF_INET6, bad[i], ref), 1, "inet_pton took %s", bad[i]);
    }
}

Test(addr, ip6_random_round_trip_agrees_with_libc)
{
    /* Random addresses with zero runs: our text parses back to the same
     * bits, and inet_ntop's text (glibc also follows RFC 5952 for these)
     * parses to them too. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

    gsl_rng_set(rng, 11);
    for (int i = 0; i < 20000; i++) {
        VnsIp6 a, back;
        char buf[VNS_IP6_STRLEN], ref[INET6_ADDRSTRLEN];

        for (int k = 0; k < 8; k++) {
            uint16_t w = gsl_rng_uniform(rng) < 0.5 ? 0 : (uint16_t) gsl_rng_get(rng);
            a.b[2 * k] = (uint8_t) (w >> 8);
            a.b[2 * k + 1] = (uint8_t) w;
        }
        vns_ip6_format(&a, buf);
        cr_assert(vns_ip6_parse(buf, &back, NULL), "%s", buf);
        cr_assert_arr_eq(back.b, a.b, 16, "%s", buf);
        inet_ntop(AF_INET6, a.b, ref, sizeof ref);
        cr_assert(vns_ip6_parse(ref, &back, NULL), "%s", ref);
        cr_assert_arr_eq(back.b, a.b, 16, "%s", ref);
        /* glibc prints IPv4-compatible ::a.b.c.d, which RFC 5952 does not
         * ask for; elsewhere the canonical texts agree. */
        if (strchr(ref, '.') == NULL)
            cr_assert_str_eq(buf, ref);
    }
    gsl_rng_free(rng);
}

Test(addr, ip_addr_picks_family)
{
    VnsIpAddr a, b;
    char buf[VNS_IP_STRLEN];

    cr_assert(vns_ip_addr_parse("10.1.2.3", &a, NULL));
    cr_assert_eq(a.family, VNS_IP_V4);
    cr_assert(vns_ip_addr_parse("2001:db8::1", &b, NULL));
    cr_assert_eq(b.family, VNS_IP_V6);
    cr_assert_not(vns_ip_addr_equal(&a, &b));
    cr_assert_str_eq(vns_ip_addr_format(&b, buf), "2001:db8::1");
    cr_assert_eq(vns_ip_addr_bits(&a), 32);
    cr_assert_eq(vns_ip_addr_bits(&b), 128);
}

static VnsIpPrefix
prefix(const char *text, VnsIpPrefixFlags flags)
{
    VnsIpPrefix p;
    g_autoptr(GError) err = NULL;

    cr_assert(vns_ip_prefix_parse(text, flags, &p, &err), "%s: %s", text,
              err ? err->message : "");
    return p;
}

static VnsIpAddr
addr(const char *text)
{
    VnsIpAddr a;
    cr_assert(vns_ip_addr_parse(text, &a, NULL), "%s", text);
    return a;
}

Test(addr, prefix_parse_and_format)
{
    char buf[VNS_IP_PREFIX_STRLEN];
    VnsIpPrefix p;

    p = prefix("10.0.0.0/24", 0);
    cr_assert_eq(p.len, 24);
    cr_assert_str_eq(vns_ip_prefix_format(&p, buf), "10.0.0.0/24");
    p = prefix("2001:0db8::/32", 0);
    cr_assert_str_eq(vns_ip_prefix_format(&p, buf), "2001:db8::/32");
    p = prefix("0.0.0.0/0", 0);
    cr_assert_eq(p.len, 0);
    p = prefix("::/0", 0);
    cr_assert_eq(p.len, 0);
    p = prefix("10.0.0.1/32", 0);
    cr_assert_eq(p.len, 32);
    p = prefix("2001:db8::1/128", 0);
    cr_assert_eq(p.len, 128);
    /* An interface address keeps its host bits when allowed. */
    p = prefix("10.0.0.1/24", VNS_IP_PREFIX_ALLOW_HOST_BITS);
    cr_assert_str_eq(vns_ip_prefix_format(&p, buf), "10.0.0.1/24");
    VnsIpAddr net = vns_ip_prefix_network(&p);
    cr_assert_eq(net.v4, 0x0A000000u);
    p = prefix("192.0.2.7", VNS_IP_PREFIX_ALLOW_NO_LENGTH);
    cr_assert_eq(p.len, 32);
    p = prefix("2001:db8::7", VNS_IP_PREFIX_ALLOW_NO_LENGTH);
    cr_assert_eq(p.len, 128);
}

Test(addr, prefix_refuses_bad_text)
{
    struct { const char *text; int code; } bad[] = {
        { "10.0.0.1/24", VNS_NET_ERROR_HOST_BITS },
        { "2001:db8::1/64", VNS_NET_ERROR_HOST_BITS },
        { "2001:db8:4000::/33", VNS_NET_ERROR_HOST_BITS },   /* bit 34 */
        { "10.0.0.0/33", VNS_NET_ERROR_RANGE },
        { "::/129", VNS_NET_ERROR_RANGE },
        { "10.0.0.0/999", VNS_NET_ERROR_RANGE },
        { "10.0.0.0", VNS_NET_ERROR_SYNTAX },
        { "10.0.0.0/", VNS_NET_ERROR_SYNTAX },
        { "10.0.0.0/024", VNS_NET_ERROR_SYNTAX },
        { "10.0.0.0/-1", VNS_NET_ERROR_SYNTAX },
        { "10.0.0.0/+8", VNS_NET_ERROR_SYNTAX },
        { "10.0.0.0/8/8", VNS_NET_ERROR_SYNTAX },
        { "10.0.0.0/1000", VNS_NET_ERROR_SYNTAX },
        { "10.0.0/8", VNS_NET_ERROR_SYNTAX },
        { "2001:db8:::/32", VNS_NET_ERROR_SYNTAX },
        { "/8", VNS_NET_ERROR_SYNTAX },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        VnsIpPrefix p;
        GError *err = NULL;
        bool ok = vns_ip_prefix_parse(bad[i].text, 0, &p, &err);

        assert_refused(ok, err, bad[i].text, bad[i].code);
    }
    /* The last bit inside the length may be set. */
    prefix("10.0.0.128/25", 0);
    prefix("2001:db8:8000::/33", 0);
}

Test(addr, prefix_host_bits_message)
{
    VnsIpPrefix p;
    g_autoptr(GError) err = NULL;

    cr_assert_not(vns_ip_prefix_parse("10.0.0.1/24", 0, &p, &err));
    cr_assert_str_eq(err->message, "bad prefix '10.0.0.1/24': expected no bits set "
                     "after the first 24 (the network is 10.0.0.0/24), found host "
                     "bits set");
}

Test(addr, prefix_contains)
{
    VnsIpPrefix p4 = prefix("10.0.0.0/24", 0);
    VnsIpPrefix p6 = prefix("2001:db8::/32", 0);
    VnsIpPrefix odd = prefix("2001:db8::/29", VNS_IP_PREFIX_ALLOW_HOST_BITS);
    VnsIpPrefix all = prefix("0.0.0.0/0", 0);
    VnsIpPrefix host = prefix("10.0.0.7/32", 0);
    VnsIpAddr a;

    a = addr("10.0.0.0"); cr_assert(vns_ip_prefix_contains(&p4, &a));
    a = addr("10.0.0.255"); cr_assert(vns_ip_prefix_contains(&p4, &a));
    a = addr("10.0.1.0"); cr_assert_not(vns_ip_prefix_contains(&p4, &a));
    a = addr("9.255.255.255"); cr_assert_not(vns_ip_prefix_contains(&p4, &a));
    a = addr("2001:db8:ffff::1"); cr_assert(vns_ip_prefix_contains(&p6, &a));
    a = addr("2001:db9::"); cr_assert_not(vns_ip_prefix_contains(&p6, &a));
    /* /29 spans 2001:db8:: to 2001:dbf:ffff:... */
    a = addr("2001:dbf::1"); cr_assert(vns_ip_prefix_contains(&odd, &a));
    a = addr("2001:dc0::"); cr_assert_not(vns_ip_prefix_contains(&odd, &a));
    a = addr("203.0.113.9"); cr_assert(vns_ip_prefix_contains(&all, &a));
    a = addr("::ffff:10.0.0.1"); cr_assert_not(vns_ip_prefix_contains(&p4, &a));
    a = addr("10.0.0.7"); cr_assert(vns_ip_prefix_contains(&host, &a));
    a = addr("10.0.0.6"); cr_assert_not(vns_ip_prefix_contains(&host, &a));
}

Test(addr, prefix_overlap)
{
    VnsIpPrefix a = prefix("10.0.0.0/16", 0);
    VnsIpPrefix b = prefix("10.0.128.0/17", 0);
    VnsIpPrefix c = prefix("10.1.0.0/16", 0);
    VnsIpPrefix d = prefix("0.0.0.0/0", 0);
    VnsIpPrefix e = prefix("::/0", 0);
    VnsIpPrefix f = prefix("2001:db8::/48", 0);
    VnsIpPrefix g = prefix("2001:db8:0:8000::/49", 0);
    VnsIpPrefix h = prefix("2001:db8:1::/48", 0);

    cr_assert(vns_ip_prefix_overlap(&a, &b));
    cr_assert(vns_ip_prefix_overlap(&b, &a));
    cr_assert_not(vns_ip_prefix_overlap(&a, &c));
    cr_assert_not(vns_ip_prefix_overlap(&b, &c));
    cr_assert(vns_ip_prefix_overlap(&d, &c));
    cr_assert_not(vns_ip_prefix_overlap(&d, &e));       /* families differ */
    cr_assert(vns_ip_prefix_overlap(&e, &f));
    cr_assert(vns_ip_prefix_overlap(&f, &g));
    cr_assert_not(vns_ip_prefix_overlap(&g, &h));
    cr_assert(vns_ip_prefix_overlap(&a, &a));
}
