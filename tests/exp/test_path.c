/* vnetsim path (src/exp/path.c) on tests/data/ok-path-topo.xml. Expected
 * sizes: Ethernet 14 (IEEE 802.3), IPv4 20 (RFC 791), IPv6 40 (RFC 8200),
 * UDP 8 (RFC 768), TCP 20 (RFC 9293); the largest MSS is the MTU minus the
 * IP and TCP headers (RFC 879 section 1, RFC 8200 section 8.3). */
#include <config.h>
#include <criterion/criterion.h>
#include "exp/path.h"
#include "models/models.h"

static VnsPath *
trace_in(const char *topo, const char *from, const char *to,
         const char *family, const char *const *sets, uint32_t payload,
         GError **error)
{
    g_autoptr(VnsRegistry) reg = vns_registry_new();

    cr_assert(vns_models_register(reg, NULL));
    return vns_path_trace(reg, topo, sets, from, to, family, payload, error);
}

static VnsPath *
trace(const char *from, const char *to, const char *family,
      const char *const *sets, uint32_t payload, GError **error)
{
    g_autofree char *topo = g_build_filename(VNS_TEST_DATADIR,
                                             "ok-path-topo.xml", NULL);
    return trace_in(topo, from, to, family, sets, payload, error);
}

static const VnsPathHop *
hop(const VnsPath *p, guint i)
{
    return &g_array_index(p->hops, VnsPathHop, i);
}

Test(path, routed_path_with_a_smaller_mtu)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsPath) p = trace("h1", "h2", NULL, NULL, 1000, &error);

    cr_assert_not_null(p, "%s", error ? error->message : "");
    cr_assert(p->delivered);
    cr_assert_str_eq(p->src, "10.0.1.2");
    cr_assert_str_eq(p->dst, "10.0.2.2");
    /* h1 -> link -> r1 -> link -> h2: four sends. */
    cr_assert_eq(p->hops->len, 4);
    cr_assert_str_eq(hop(p, 0)->element, "h1");
    cr_assert_str_eq(hop(p, 0)->type, "host");
    cr_assert_str_eq(hop(p, 1)->type, "link");
    cr_assert_str_eq(hop(p, 2)->element, "r1");
    cr_assert_str_eq(hop(p, 2)->port, "eth1");
    cr_assert_str_eq(hop(p, 3)->peer, "h2:eth0");
    /* The probe: 100 + 8 + 20 + 14 = 142 bytes on every link. */
    for (guint i = 0; i < 4; i++)
        cr_assert_eq(hop(p, i)->size, 142);
    cr_assert_eq(hop(p, 0)->mtu, 1500);
    cr_assert_eq(hop(p, 2)->mtu, 1400);
    cr_assert_eq(p->path_mtu, 1400);
    cr_assert_eq(p->limiting_hop, 2);
    cr_assert_eq(p->max_udp_payload, 1400 - 20 - 8);
    cr_assert_eq(p->max_tcp_mss, 1400 - 20 - 20);
    /* At 1000 bytes of payload a hop sends 1042 bytes: 1066 of line time
     * (+ FCS 4, preamble and SFD 8, gap 12). */
    cr_assert_eq(vns_path_hop_size(p, 0, 1000), 1042);
    /* Latency: the probe waits for two ARP exchanges (84 bytes of line
     * time each way on each link: 2 x (67.2 ns + 1 us) per link) and
     * crosses both links (166 x 8 / 10 Gbit/s = 132.8 ns + 1 us each). */
    cr_assert_eq(p->latency_ps, 2 * (2 * (67200 + 1000000)) + 2 * (132800 + 1000000));
}

Test(path, ipv6_and_parameters)
{
    const char *sets[] = { "mtu2=1280", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsPath) p = trace("h1", "h2", "ipv6", sets, 1000, &error);

    cr_assert_not_null(p, "%s", error ? error->message : "");
    cr_assert(p->delivered);
    cr_assert(p->ipv6);
    /* 100 + 8 + 40 + 14 = 162 bytes; the IPv6 minimum MTU 1280. */
    cr_assert_eq(hop(p, 0)->size, 162);
    cr_assert_eq(p->path_mtu, 1280);
    cr_assert_eq(p->max_udp_payload, 1280 - 40 - 8);
    cr_assert_eq(p->max_tcp_mss, 1280 - 40 - 20);
}

Test(path, unreachable_destination_is_reported)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsPath) p = trace("h1", "h3", NULL, NULL, 1000, &error);

    cr_assert_not_null(p, "%s", error ? error->message : "");
    cr_assert_not(p->delivered);
    /* r1 has no route to 192.168.9.0/24 (h1 sends it there by default). */
    cr_assert_str_eq(p->dropped_at, "r1");
    cr_assert_str_eq(p->drop_cause, "no_route");
}

Test(path, unknown_host_is_bad_input)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsPath) p = trace("nosuch", "h2", NULL, NULL, 1000, &error);

    cr_assert_null(p);
    cr_assert_eq(error->domain, VNS_CONFIG_ERROR);
    cr_assert(g_str_has_prefix(error->message, "vnetsim path: "), "%s",
              error->message);
    cr_assert(strstr(error->message, "nosuch") != NULL, "%s", error->message);
}

Test(path, vxlan_over_a_1500_underlay)
{
    /* topologies/overlay-capacity.xml: vxlan1 - vx1 ~ hv1 = hv2 ~ vx2 -
     * vxlan2. Linux gives a VXLAN device over IPv4 on a 1500-byte underlay
     * MTU 1500 - 50 = 1450 (drivers/net/vxlan: VXLAN_HEADROOM = 14 + 20 +
     * 8 + 8), so the path MTU is 1450, the largest UDP payload 1422 and
     * the largest MSS 1410. On the underlay the probe's 142-byte frame
     * carries 50 more bytes: 192. */
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsPath) p = trace_in(VNS_TOP_SRCDIR "/topologies/overlay-capacity.xml",
                                    "vxlan1", "vxlan2", NULL, NULL, 1400, &error);
    bool underlay = false;

    cr_assert_not_null(p, "%s", error ? error->message : "");
    cr_assert(p->delivered);
    cr_assert_eq(p->path_mtu, 1450);
    cr_assert_eq(p->max_udp_payload, 1422);
    cr_assert_eq(p->max_tcp_mss, 1410);
    for (guint i = 0; i < p->hops->len; i++) {
        const VnsPathHop *h = hop(p, i);
        if (strcmp(h->element, "hv1") == 0 && strcmp(h->port, "eth0") == 0) {
            underlay = true;
            cr_assert_str_eq(h->encap, "vxlan");
            cr_assert_eq(h->size, 142 + 50);
            cr_assert_eq(h->mtu, 1500);
            cr_assert_eq(h->inner_mtu, 1450);
            cr_assert_eq(h->l3_overhead, 50);
        }
    }
    cr_assert(underlay, "no hop leaves hv1:eth0");
}

Test(path, undeclared_parameter_is_bad_input)
{
    const char *sets[] = { "mtu3=1280", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsPath) p = trace("h1", "h2", NULL, sets, 1000, &error);

    cr_assert_null(p);
    cr_assert_eq(error->domain, VNS_CONFIG_ERROR);
    cr_assert(strstr(error->message, "no parameter 'mtu3'") != NULL, "%s",
              error->message);
}
