/* bench/tcp-bulk: one bulk TCP flow at 10 Gbit/s.
 *
 * h1 - r1 - r2 - r3 - h2: four hops of 10 Gbit/s, 250 us links (a 2 ms
 * round trip, a 2.5 MB bandwidth-delay product), one unlimited CUBIC flow
 * with a 16 MB receive buffer for 10 simulated seconds, built from XML
 * like any user experiment and run through the real loader, hosts,
 * routers, links and TCP. Prints one line of key=value fields: wall time,
 * data segments the sender sent and their rate per wall-clock second,
 * goodput, the CPU time (on a loaded machine the wall time says little),
 * and the heap's growth between 10% and 100% of the run per
 * segment, which must be zero in steady state: timers are reused, packets
 * come from the pool, the SACK and reassembly lists only grow to their
 * largest size. (The time series are written every 10 s so that their
 * text does not count as growth.) */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include "bench/measure.h"
#include "exp/experiment.h"
#include "models/models.h"
#include "out/resultdir.h"

/* Writes the topology and experiment into 'dir'; returns the experiment's
 * path (owned). Node i (0 = h1, 4 = h2) has "w" towards h1 and "e"
 * towards h2; subnet i joins node i and node i + 1. */
static char *
tcp_bulk_write(const char *dir, const char *duration, const char *cc)
{
    const unsigned n_nodes = 5;
    GString *t = g_string_new("<topology name=\"tcp-bulk\">\n");
    g_autofree char *topo = g_build_filename(dir, "tcp-bulk-topo.xml", NULL);
    char *exp = g_build_filename(dir, "tcp-bulk.xml", NULL);
    g_autofree char *e = NULL;

    for (unsigned n = 0; n < n_nodes; n++) {
        bool host = n == 0 || n == n_nodes - 1;
        g_string_append_printf(t, "  <%s name=\"%s%u\">\n", host ? "host" : "router",
                               host ? "h" : "r", host ? (n == 0 ? 1 : 2) : n);
        if (n > 0)
            g_string_append_printf(t, "    <interface name=\"w\" address=\"10.0.%u.2/24\" "
                                   "mac=\"02:00:00:00:%02x:02\"/>\n"
                                   "    <neighbor address=\"10.0.%u.1\" "
                                   "mac=\"02:00:00:00:%02x:01\" interface=\"w\"/>\n",
                                   n - 1, n - 1, n - 1, n - 1);
        if (n < n_nodes - 1)
            g_string_append_printf(t, "    <interface name=\"e\" address=\"10.0.%u.1/24\" "
                                   "mac=\"02:00:00:00:%02x:01\"/>\n"
                                   "    <neighbor address=\"10.0.%u.2\" "
                                   "mac=\"02:00:00:00:%02x:02\" interface=\"e\"/>\n",
                                   n, n, n, n);
        if (n < n_nodes - 2)
            g_string_append_printf(t, "    <route to=\"10.0.%u.0/24\" via=\"10.0.%u.2\"/>\n",
                                   n_nodes - 2, n);
        if (n > 1)
            g_string_append_printf(t, "    <route to=\"10.0.0.0/24\" via=\"10.0.%u.1\"/>\n",
                                   n - 1);
        g_string_append_printf(t, "  </%s>\n", host ? "host" : "router");
    }
    for (unsigned n = 0; n + 1 < n_nodes; n++) {
        g_string_append_printf(t, "  <link a=\"%s%u:e\" b=\"%s%u:w\" rate=\"10Gbps\" "
                               "delay=\"250us\"/>\n",
                               n == 0 ? "h" : "r", n == 0 ? 1 : n,
                               n + 1 == n_nodes - 1 ? "h" : "r",
                               n + 1 == n_nodes - 1 ? 2 : n + 1);
    }
    g_string_append(t, "</topology>\n");
    g_assert(g_file_set_contents(topo, t->str, -1, NULL));
    g_string_free(t, TRUE);
    e = g_strdup_printf(
        "<experiment name=\"tcp-bulk\" topology=\"tcp-bulk-topo.xml\" duration=\"%s\">\n"
        "  <traffic>\n"
        "    <tcp-flow name=\"bulk\" from=\"h1\" to=\"h2\" dport=\"5001\" cc=\"%s\"\n"
        "              rcvbuf=\"16777216\" trace-interval=\"10s\"/>\n"
        "  </traffic>\n"
        "</experiment>\n", duration, cc);
    g_assert(g_file_set_contents(exp, e, -1, NULL));
    return exp;
}

int
main(int argc, char **argv)
{
    const char *duration = "10s", *cc = "cubic";
    g_autoptr(VnsRegistry) reg = vns_registry_new();
    g_autofree char *dir = g_dir_make_tmp("vns-tcp-bulk-XXXXXX", NULL);
    g_autofree char *path = NULL;
    g_autoptr(VnsExperiment) exp = NULL;
    GError *error = NULL;
    BenchMeasure m;
    double segments = 0, goodput = 0, retrans = 0, events = 0, seg0 = 0;
    double wall, heap_growth, cpu;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
            duration = argv[++i];
        } else if (!strcmp(argv[i], "--cc") && i + 1 < argc) {
            cc = argv[++i];
        } else {
            printf("Usage: bench/tcp-bulk [--duration 10s] [--cc cubic|newreno]\n"
                   "One bulk TCP flow over four 10 Gbit/s hops (h1-r1-r2-r3-h2,\n"
                   "250 us links) for 10 simulated seconds.\n");
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    if (!vns_models_register(reg, &error) ||
        (path = tcp_bulk_write(dir, duration, cc)) == NULL ||
        (exp = vns_experiment_load(reg, path, NULL, &error)) == NULL) {
        fprintf(stderr, "bench/tcp-bulk: %s\n", error->message);
        return 1;
    }
    /* The heap is measured from 10% of the run (bench/measure.c), when
     * slow start is over and every pool and list has reached its size. */
    if (!bench_measure_run(exp, &m, &error)) {
        fprintf(stderr, "bench/tcp-bulk: %s\n", error->message);
        return 1;
    }
    wall = m.wall_s;
    cpu = m.cpu_s;
    heap_growth = m.heap_growth_bytes;
    events = (double) m.events;
    vns_report_get_num(m.mid_report, "flows", "bulk", "sent_segments", &seg0);
    vns_report_get_num(m.report, "flows", "bulk", "sent_segments", &segments);
    vns_report_get_num(m.report, "flows", "bulk", "goodput_bps", &goodput);
    vns_report_get_num(m.report, "flows", "bulk", "retransmissions", &retrans);
    bench_measure_clear(&m);
    vns_remove_tree(dir);
    printf("bench=tcp-bulk cc=%s wall_s=%.3f cpu_s=%.3f segments=%.0f segments_per_s=%.0f "
           "segments_per_cpu_s=%.0f events=%.0f events_per_s=%.0f goodput_bps=%.0f "
           "retransmissions=%.0f heap_growth_bytes=%.0f heap_growth_per_segment=%.4f\n",
           cc, wall, cpu, segments, segments / wall, segments / cpu, events, events / wall,
           goodput, retrans, heap_growth,
           segments > seg0 ? heap_growth / (segments - seg0) : 0.0);
    return 0;
}
