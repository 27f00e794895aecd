/* bench/chain: the point-to-point chain benchmark of issue 3.
 *
 * source - N routers - sink over point-to-point links of 1 Gbit/s and 1 ms,
 * one UDP CBR flow of 1000-byte payloads at 500 Mbit/s for 10 simulated
 * seconds, built from XML like any user experiment and run through the
 * real loader, elements and kernel. Prints one line of key=value fields.
 * The issue that set the target measured Debian's ns-3.37 at about 10.6 s
 * of wall time for N = 2 on this 2-core machine (177 k packet-hops/s); the
 * target is 20 times faster, 0.5 s. bench/vs-ns3 runs both side by side. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include "bench/measure.h"
#include "exp/experiment.h"
#include "models/models.h"
#include "out/resultdir.h"

static char *
chain_write(const char *dir, unsigned routers, const char *duration)
{
    GString *t = g_string_new("<topology name=\"chain\">\n");
    g_autofree char *topo = g_build_filename(dir, "chain-topo.xml", NULL);
    char *exp = g_build_filename(dir, "chain.xml", NULL);
    g_autofree char *e = NULL;

    /* Subnet i joins node i and node i+1: node 0 is the source host,
     * nodes 1..N routers, node N+1 the sink host. */
    for (unsigned n = 0; n <= routers + 1; n++) {
        bool host = n == 0 || n == routers + 1;
        g_string_append_printf(t, "  <%s name=\"n%u\">\n", host ? "host" : "router", n);
        if (n > 0)
            g_string_append_printf(t, "    <interface name=\"w\" address=\"10.%u.%u.2/24\" "
                                   "mac=\"02:00:00:%02x:%02x:02\"/>\n",
                                   (n - 1) / 256, (n - 1) % 256, (n - 1) / 256, (n - 1) % 256);
        if (n <= routers)
            g_string_append_printf(t, "    <interface name=\"e\" address=\"10.%u.%u.1/24\" "
                                   "mac=\"02:00:00:%02x:%02x:01\"/>\n",
                                   n / 256, n % 256, n / 256, n % 256);
        if (n > 0)
            g_string_append_printf(t, "    <neighbor address=\"10.%u.%u.1\" mac=\"02:00:00:%02x:%02x:01\" interface=\"w\"/>\n",
                                   (n - 1) / 256, (n - 1) % 256, (n - 1) / 256, (n - 1) % 256);
        if (n <= routers)
            g_string_append_printf(t, "    <neighbor address=\"10.%u.%u.2\" mac=\"02:00:00:%02x:%02x:02\" interface=\"e\"/>\n",
                                   n / 256, n % 256, n / 256, n % 256);
        /* Default routes: towards the sink, and back towards the source. */
        if (n < routers)
            g_string_append_printf(t, "    <route to=\"10.%u.%u.0/24\" via=\"10.%u.%u.2\"/>\n",
                                   routers / 256, routers % 256, n / 256, n % 256);
        if (n > 1)
            g_string_append_printf(t, "    <route to=\"10.0.0.0/24\" via=\"10.%u.%u.1\"/>\n",
                                   (n - 1) / 256, (n - 1) % 256);
        g_string_append_printf(t, "  </%s>\n", host ? "host" : "router");
    }
    for (unsigned n = 0; n <= routers; n++) {
        g_string_append_printf(t, "  <link a=\"n%u:e\" b=\"n%u:w\" rate=\"1Gbps\" delay=\"1ms\"/>\n",
                               n, n + 1);
    }
    g_string_append(t, "</topology>\n");
    g_assert(g_file_set_contents(topo, t->str, -1, NULL));
    g_string_free(t, TRUE);
    e = g_strdup_printf(
        "<experiment name=\"chain\" topology=\"chain-topo.xml\" duration=\"%s\">\n"
        "  <traffic>\n"
        "    <udp-flow name=\"f\" from=\"n0\" to=\"n%u\" dport=\"9\">\n"
        "      <cbr rate=\"500Mbps\"/><size fixed=\"1000\"/>\n"
        "    </udp-flow>\n"
        "  </traffic>\n"
        "</experiment>\n", duration, routers + 1);
    g_assert(g_file_set_contents(exp, e, -1, NULL));
    return exp;
}

int
main(int argc, char **argv)
{
    unsigned routers[2] = { 2, 16 };
    size_t n_runs = 2;
    const char *duration = "10s";

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--routers") && i + 1 < argc) {
            routers[0] = (unsigned) atoi(argv[++i]);
            n_runs = 1;
        } else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
            duration = argv[++i];
        } else {
            printf("Usage: bench/chain [--routers N] [--duration 10s]\n"
                   "Runs source - N routers - sink (1 Gbit/s, 1 ms links, UDP CBR\n"
                   "500 Mbit/s of 1000-byte payloads); default N = 2 and 16.\n");
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    for (size_t r = 0; r < n_runs; r++) {
        g_autoptr(VnsRegistry) reg = vns_registry_new();
        g_autofree char *dir = g_dir_make_tmp("vns-chain-XXXXXX", NULL);
        g_autofree char *path = NULL;
        g_autoptr(VnsExperiment) exp = NULL;
        GError *error = NULL;
        BenchMeasure m;
        double delivered = 0, latency = 0, wall, heap_growth;
        double events, allocated;

        if (!vns_models_register(reg, &error) ||
            (path = chain_write(dir, routers[r], duration)) == NULL ||
            (exp = vns_experiment_load(reg, path, NULL, &error)) == NULL ||
            !bench_measure_run(exp, &m, &error)) {
            fprintf(stderr, "bench/chain: %s\n", error->message);
            return 1;
        }
        wall = m.wall_s;
        heap_growth = m.heap_growth_bytes;
        events = (double) m.events;
        allocated = (double) m.packets_allocated;
        vns_report_get_num(m.report, "flows", "f", "received_packets", &delivered);
        vns_report_get_num(m.report, "flows", "f", "latency_mean_s", &latency);
        bench_measure_clear(&m);
        vns_remove_tree(dir);
        printf("bench=chain routers=%u wall_s=%.3f delivered=%.0f events=%.0f "
               "pkt_hops_per_s=%.0f events_per_s=%.0f mean_latency_s=%.9f "
               "packets_allocated=%.0f pool_bytes=%.0f heap_growth_bytes=%.0f "
               "heap_growth_per_packet=%.4f\n",
               routers[r], wall, delivered, events,
               delivered * (routers[r] + 1) / wall, events / wall, latency,
               allocated, allocated * (double) (sizeof(VnsPacket) + VNS_PACKET_BUFSIZE),
               heap_growth, heap_growth / (delivered * 0.9));
    }
    return 0;
}
