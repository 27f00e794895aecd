/* bench/bridge: VM -> veth (or vNIC + TAP) -> Linux bridge -> 10 Gbit/s
 * link -> Linux bridge -> veth (or vNIC + TAP) -> VM, with 64-byte frames
 * (18 bytes of UDP payload + 8 UDP + 20 IPv4 + 14 Ethernet + 4 FCS).
 *
 * vm1 sends 1 million frames per simulated second to vm2, which answers
 * with 1,000 per second so that both bridges learn both VMs; the bridges
 * charge 300 ns per frame received and 100 ns per copy sent to their
 * hypervisor's CPU. Built from XML like any user experiment and run
 * through the real loader, elements and kernel. Prints one line:
 * packets (delivered to vm2), wall_s, packets_per_s (simulated packets per
 * wall second, one core), the same per second of this process's CPU time
 * (steady when other programs load the machine), events, and the heap growth between 10% and 100%
 * of the run in bytes and per packet, which must stay about 0: nothing is
 * allocated per packet. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include "bench/measure.h"
#include "models/models.h"
#include "out/resultdir.h"

/* One VM's attachment to its bridge: a veth pair, or a vNIC and a TAP. */
static void
bridge_bench_attach(GString *t, unsigned i, bool tap)
{
    if (tap) {
        g_string_append_printf(t,
            "  <vnic name=\"vm%u-nic\" node=\"hv%u\" guest=\"vm%u:eth0\" host=\"tap%u:vm\"/>\n"
            "  <tap name=\"tap%u\" node=\"hv%u\" host=\"br%u:vm\"/>\n",
            i, i, i, i, i, i, i);
    } else {
        g_string_append_printf(t,
            "  <veth name=\"veth%u\" a=\"vm%u:eth0\" b=\"br%u:vm\"/>\n", i, i, i);
    }
}

static char *
bridge_bench_write(const char *dir, bool tap, const char *duration)
{
    GString *t = g_string_new("<topology name=\"bridge-bench\">\n");
    g_autofree char *topo = g_build_filename(dir, "bridge-topo.xml", NULL);
    char *exp = g_build_filename(dir, "bridge.xml", NULL);
    g_autofree char *e = NULL;

    for (unsigned i = 1; i <= 2; i++) {
        unsigned j = 3 - i;
        g_string_append_printf(t,
            "  <hypervisor name=\"hv%u\" cores=\"4\"/>\n"
            "  <host name=\"vm%u\">\n"
            "    <interface name=\"eth0\" address=\"10.0.0.%u/24\" mac=\"52:54:00:00:00:%02x\"/>\n"
            "    <neighbor address=\"10.0.0.%u\" mac=\"52:54:00:00:00:%02x\"/>\n"
            "  </host>\n"
            "  <bridge name=\"br%u\" node=\"hv%u\" cost-per-packet=\"300ns\" cost-per-copy=\"100ns\">\n"
            "    <port name=\"vm\"/><port name=\"up\"/>\n"
            "  </bridge>\n", i, i, i, i, j, j, i, i);
        bridge_bench_attach(t, i, tap);
    }
    g_string_append(t, "  <link name=\"wire\" a=\"br1:up\" b=\"br2:up\" rate=\"10Gbps\" delay=\"10us\"/>\n"
                       "</topology>\n");
    g_assert(g_file_set_contents(topo, t->str, -1, NULL));
    g_string_free(t, TRUE);
    e = g_strdup_printf(
        "<experiment name=\"bridge\" topology=\"bridge-topo.xml\" duration=\"%s\">\n"
        "  <traffic>\n"
        "    <udp-flow name=\"f\" from=\"vm1\" to=\"vm2\" dport=\"9\">\n"
        "      <cbr interval=\"1us\"/><size fixed=\"18\"/>\n"
        "    </udp-flow>\n"
        "    <udp-flow name=\"back\" from=\"vm2\" to=\"vm1\" dport=\"9\">\n"
        "      <cbr interval=\"1ms\"/><size fixed=\"18\"/>\n"
        "    </udp-flow>\n"
        "  </traffic>\n"
        "</experiment>\n", duration);
    g_assert(g_file_set_contents(exp, e, -1, NULL));
    return exp;
}

int
main(int argc, char **argv)
{
    const char *duration = "2s";
    bool tap = false;
    g_autoptr(VnsRegistry) reg = vns_registry_new();
    g_autofree char *dir = NULL;
    g_autofree char *path = NULL;
    g_autoptr(VnsExperiment) exp = NULL;
    GError *error = NULL;
    BenchMeasure m;
    double delivered = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
            duration = argv[++i];
        } else if (!strcmp(argv[i], "--tap")) {
            tap = true;
        } else {
            printf("Usage: bench/bridge [--duration 2s] [--tap]\n"
                   "Runs VM - veth - bridge - 10 Gbit/s link - bridge - veth - VM\n"
                   "with 64-byte frames at 1 Mpps (--tap: vNIC + TAP instead of\n"
                   "veth, with the vNIC's default costs).\n");
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    dir = g_dir_make_tmp("vns-bridge-XXXXXX", NULL);
    if (!vns_models_register(reg, &error) ||
        (path = bridge_bench_write(dir, tap, duration)) == NULL ||
        (exp = vns_experiment_load(reg, path, NULL, &error)) == NULL ||
        !bench_measure_run(exp, &m, &error)) {
        fprintf(stderr, "bench/bridge: %s\n", error->message);
        return 1;
    }
    vns_remove_tree(dir);
    vns_report_get_num(m.report, "flows", "f", "received_packets", &delivered);
    printf("bench=bridge path=%s packets=%.0f wall_s=%.3f packets_per_s=%.0f "
           "cpu_s=%.3f packets_per_cpu_s=%.0f "
           "events=%" G_GUINT64_FORMAT " events_per_s=%.0f "
           "packets_allocated=%" G_GUINT64_FORMAT " heap_growth_bytes=%.0f "
           "heap_growth_per_packet=%.4f\n",
           tap ? "tap" : "veth", delivered, m.wall_s, delivered / m.wall_s,
           m.cpu_s, delivered / m.cpu_s,
           m.events, (double) m.events / m.wall_s, m.packets_allocated,
           m.heap_growth_bytes, m.heap_growth_bytes / (delivered * 0.9));
    bench_measure_clear(&m);
    return 0;
}
