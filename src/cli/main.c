/* The vnetsim command: run experiments, validate files, list element types
 * and print schemas. Input errors exit with status 2 and write nothing. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "exp/experiment.h"
#include "exp/runner.h"
#include "exp/path.h"
#include "exp/plot.h"
#include "models/models.h"
#include "out/resultdir.h"
#include "topo/loader.h"
#ifdef HAVE_MPI
#include <mpi.h>
#endif

#define EXIT_INPUT 2

static const char usage_main[] =
    "Usage: vnetsim COMMAND [OPTION...]\n"
    "\n"
    "A discrete-event, packet-level simulator for virtualized and cloud networks.\n"
    "\n"
    "Commands:\n"
    "  run EXPERIMENT.xml      run an experiment and write its results\n"
    "  validate FILE...        check topology and experiment files; run nothing\n"
    "  elements [NAME]         list element types and their XML attributes\n"
    "  plot RESULTS_DIR        make the experiment's plots with gnuplot\n"
    "  path TOPOLOGY.xml --from A --to B   hop-by-hop path, MTUs, encapsulation\n"
    "                          and per-packet overhead, without an experiment\n"
    "  schema topology|experiment   print the RelaxNG schema\n"
    "\n"
    "Options:\n"
    "  -h, --help              show this help (also: vnetsim COMMAND --help)\n"
    "  -V, --version           print the version\n"
    "\n"
    "Exit status: 0 on success, 1 on a run-time failure, 2 on bad input.\n"
    "Documentation: doc/ (doc/cli.md for every command and option).\n";

static const char usage_run[] =
    "Usage: vnetsim run EXPERIMENT.xml [OPTION...]\n"
    "\n"
    "Runs the experiment and writes its results to a directory: for a single\n"
    "run, params.json, summary.json, summary.csv and .dat files, written whole\n"
    "or not at all; for a <sweep> or replications > 1, one directory per point\n"
    "(points/HASH/rep-NNN/...) and sweep.csv / sweep.json with each metric's\n"
    "mean, standard deviation and 95% confidence interval. Re-running a killed\n"
    "sweep skips the points it finished (doc/results.md).\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR        results directory (default: results/NAME, NAME\n"
    "                          being the experiment's name attribute)\n"
    "  --seed N                experiment seed (overrides the file's 'seed')\n"
    "  --set NAME=VALUE        set a parameter declared by <param>; repeatable\n"
    "  -j, --jobs N            run sweep points and replications on N threads\n"
    "                          (results are identical for every N; default 1)\n"
    "  --force                 redo sweep points already finished in DIR\n"
    "                          Built --with-mpi, `mpirun -np P vnetsim run ...`\n"
    "                          spreads the units over P ranks (rank 0 also\n"
    "                          runs -j threads); results equal -j 1's.\n"
    "  -q, --quiet             no progress line and no summary on stdout\n"
    "  -h, --help              show this help\n"
    "\n"
    "A progress line (simulated time, % done, events/s, ETA) is shown on\n"
    "standard error when it is a terminal.\n";

static const char usage_plot[] =
    "Usage: vnetsim plot RESULTS_DIR [--format png|svg|pdf] [--size WxH]\n"
    "\n"
    "Makes the plots that the experiment's <plot> elements describe from the\n"
    "results in RESULTS_DIR: writes RESULTS_DIR/plots/NAME.gp (a gnuplot\n"
    "script to restyle), NAME.dat and NAME.png (or .svg, .pdf), and runs\n"
    "gnuplot. `vnetsim run` does the same, as png, after a run.\n"
    "\n"
    "Options:\n"
    "  -f, --format F          png (default), svg or pdf\n"
    "  -s, --size WxH          image size in pixels (default 800x500)\n";

static const char usage_validate[] =
    "Usage: vnetsim validate FILE... [--set NAME=VALUE]...\n"
    "\n"
    "Checks each file (a <topology> or an <experiment>, told by its root\n"
    "element) completely: XML, schema, attribute values, references; builds\n"
    "the element graph but runs nothing and writes nothing. Prints\n"
    "'FILE: ok' per good file; the first error of a bad file as\n"
    "'FILE:LINE: message' on standard error. Exit status 2 if any is bad.\n";

static const char usage_elements[] =
    "Usage: vnetsim elements [NAME | --markdown]\n"
    "\n"
    "Lists the element types that topology and experiment files may use; with\n"
    "NAME, prints that element's attributes: kind, unit, default, and what\n"
    "each means. --markdown prints the whole reference (doc/reference.md).\n";

static const char usage_schema[] =
    "Usage: vnetsim schema topology|experiment\n"
    "\n"
    "Prints the RelaxNG schema generated from the element specs (the files in\n"
    "src/topo/schemas/ are this output).\n";

static VnsRegistry *
cli_registry(void)
{
    g_autoptr(VnsRegistry) reg = vns_registry_new();
    g_autoptr(GError) error = NULL;

    if (!vns_models_register(reg, &error))
        g_error("model registration failed: %s", error->message);
    return g_steal_pointer(&reg);
}

static int
cli_fail(GError *error, int status)
{
    fprintf(stderr, "%s\n", error->message);
    g_error_free(error);
    return status;
}

static int
cli_input_status(const GError *error)
{
    return error->domain == VNS_CONFIG_ERROR || error->domain == VNS_SIM_ERROR
               ? EXIT_INPUT : EXIT_FAILURE;
}

static int
cli_run(int argc, char **argv)
{
    g_autofree char *output = NULL;
    g_autofree char *seed_text = NULL;
    g_auto(GStrv) sets = NULL;
    gboolean quiet = FALSE, help = FALSE, force = FALSE;
    gint jobs = 1;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, NULL, NULL },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, NULL, NULL },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, NULL, NULL },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, NULL, NULL },
        { "force", 0, 0, G_OPTION_ARG_NONE, &force, NULL, NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, NULL, NULL },
        { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(VnsRegistry) reg = cli_registry();
    g_autofree char *dir = NULL;
    VnsRunOptions opt = { 0 };
    GError *error = NULL;

    g_option_context_set_help_enabled(ctx, FALSE);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "vnetsim run: %s\n%s", error->message, usage_run);
        g_error_free(error);
        return EXIT_INPUT;
    }
    if (help) {
        fputs(usage_run, stdout);
        return EXIT_SUCCESS;
    }
    if (argc != 2) {
        fprintf(stderr, "vnetsim run: expected one experiment file, got %d\n%s",
                argc - 1, usage_run);
        return EXIT_INPUT;
    }
    if (jobs < 1 || jobs > 1024) {
        fprintf(stderr, "vnetsim run: -j %d: expected 1 to 1024 worker threads\n", jobs);
        return EXIT_INPUT;
    }
    if (seed_text != NULL) {
        char *end;
        errno = 0;
        opt.seed = g_ascii_strtoull(seed_text, &end, 10);
        if (*end != '\0' || !g_ascii_isdigit(seed_text[0]) || errno != 0) {
            fprintf(stderr, "vnetsim run: --seed '%s': expected a non-negative "
                    "integer below 2^64\n", seed_text);
            return EXIT_INPUT;
        }
        opt.seed_set = true;
    }
    opt.registry = reg;
    opt.experiment_path = argv[1];
    opt.sets = (const char *const *) sets;
    opt.outdir = output;
    opt.jobs = (unsigned) jobs;
    opt.force = force;
    opt.quiet = quiet;
    opt.tty = isatty(STDERR_FILENO) != 0;
    opt.mpi_size = 1;
#ifdef HAVE_MPI
    /* Under mpirun every rank runs this; rank 0 reports. */
    if (g_getenv("OMPI_COMM_WORLD_SIZE") != NULL || g_getenv("PMI_SIZE") != NULL) {
        int provided;
        MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &opt.mpi_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &opt.mpi_size);
        if (opt.mpi_rank > 0) {
            opt.quiet = true;
            opt.tty = false;
        }
    }
#endif
    dir = vns_runner_run(&opt, &error);
#ifdef HAVE_MPI
    if (opt.mpi_size > 1) {
        int finalized = 0;
        MPI_Finalized(&finalized);
        if (!finalized)
            MPI_Finalize();
        if (opt.mpi_rank > 0) {
            /* Rank 0 prints errors and makes the plots. */
            int status = dir != NULL ? EXIT_SUCCESS : cli_input_status(error);
            g_clear_error(&error);
            return status;
        }
    }
#endif
    if (dir == NULL)
        return cli_fail(error, cli_input_status(error));
    if (!quiet)
        printf("results in %s/\n", dir);
    /* The experiment's <plot> elements, as `vnetsim plot DIR` makes them. */
    int made = vns_plot_results(dir, "png", 800, 500, &error);
    if (made < 0) {
        fprintf(stderr, "vnetsim run: the results are in %s/, but a plot failed: %s\n",
                dir, error->message);
        g_error_free(error);
        return EXIT_FAILURE;
    }
    if (made > 0 && !quiet)
        printf("%d plot%s in %s/plots/\n", made, made > 1 ? "s" : "", dir);
    return EXIT_SUCCESS;
}

static int
cli_plot(int argc, char **argv)
{
    g_autofree char *format = NULL, *size = NULL;
    gboolean help = FALSE;
    GOptionEntry entries[] = {
        { "format", 'f', 0, G_OPTION_ARG_STRING, &format, NULL, NULL },
        { "size", 's', 0, G_OPTION_ARG_STRING, &size, NULL, NULL },
        { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    GError *error = NULL;
    unsigned w = 800, h = 500;
    int made;

    g_option_context_set_help_enabled(ctx, FALSE);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "vnetsim plot: %s\n%s", error->message, usage_plot);
        g_error_free(error);
        return EXIT_INPUT;
    }
    if (help) {
        fputs(usage_plot, stdout);
        return EXIT_SUCCESS;
    }
    if (argc != 2) {
        fprintf(stderr, "vnetsim plot: expected one results directory\n%s", usage_plot);
        return EXIT_INPUT;
    }
    if (format == NULL)
        format = g_strdup("png");
    if (strcmp(format, "png") && strcmp(format, "svg") && strcmp(format, "pdf")) {
        fprintf(stderr, "vnetsim plot: --format '%s': expected png, svg or pdf\n", format);
        return EXIT_INPUT;
    }
    if (size != NULL && (sscanf(size, "%ux%u", &w, &h) != 2 || w < 100 || h < 100 ||
                         w > 10000 || h > 10000)) {
        fprintf(stderr, "vnetsim plot: --size '%s': expected WIDTHxHEIGHT in pixels, "
                "100 to 10000 each\n", size);
        return EXIT_INPUT;
    }
    made = vns_plot_results(argv[1], format, w, h, &error);
    if (made < 0)
        return cli_fail(error, error->domain == VNS_PLOT_ERROR &&
                                   error->code == VNS_PLOT_ERROR_GNUPLOT
                               ? EXIT_FAILURE : EXIT_INPUT);
    printf("%d plot%s in %s/plots/\n", made, made == 1 ? "" : "s", argv[1]);
    return EXIT_SUCCESS;
}

static const char usage_path[] =
    "Usage: vnetsim path TOPOLOGY.xml --from A --to B [OPTION...]\n"
    "\n"
    "Prints the hop-by-hop path from host A to B (a host, host:interface or an\n"
    "IP address): each hop's sending element, device type and port, the bytes\n"
    "it sends, its MTU and encapsulation, the largest inner IP packet it lets\n"
    "through; then the path MTU, the largest UDP payload and TCP MSS that fit,\n"
    "and the per-packet overhead at a payload size. No experiment runs: the\n"
    "topology is built and one probe datagram crosses the real datapath\n"
    "(neighbour resolution, routes, bridges, tunnels) in a throw-away\n"
    "simulation of a few simulated milliseconds (doc/cli.md).\n"
    "\n"
    "Options:\n"
    "  --from A                the sending host (required)\n"
    "  --to B                  the destination (required)\n"
    "  --family ipv4|ipv6      IP version (default ipv4, or that of B's address)\n"
    "  --payload N             UDP payload bytes the sizes and overheads are\n"
    "                          given at (default 1000)\n"
    "  --set NAME=VALUE        set a topology <param>; repeatable\n"
    "  --json                  print JSON instead of the table\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 when the probe is delivered, 1 when it is dropped (the\n"
    "output says where and why), 2 on bad input.\n";

static int
cli_path(int argc, char **argv)
{
    g_auto(GStrv) sets = NULL;
    g_autofree char *from = NULL, *to = NULL, *family = NULL;
    gboolean help = FALSE, json = FALSE;
    gint payload = 1000;
    GOptionEntry entries[] = {
        { "from", 0, 0, G_OPTION_ARG_STRING, &from, NULL, NULL },
        { "to", 0, 0, G_OPTION_ARG_STRING, &to, NULL, NULL },
        { "family", 0, 0, G_OPTION_ARG_STRING, &family, NULL, NULL },
        { "payload", 0, 0, G_OPTION_ARG_INT, &payload, NULL, NULL },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, NULL, NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, NULL, NULL },
        { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(VnsRegistry) reg = cli_registry();
    g_autoptr(VnsPath) path = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    GError *error = NULL;

    g_option_context_set_help_enabled(ctx, FALSE);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "vnetsim path: %s\n%s", error->message, usage_path);
        g_error_free(error);
        return EXIT_INPUT;
    }
    if (help) {
        fputs(usage_path, stdout);
        return EXIT_SUCCESS;
    }
    if (argc != 2 || from == NULL || to == NULL) {
        fprintf(stderr, "vnetsim path: expected one topology file, --from and "
                "--to\n%s", usage_path);
        return EXIT_INPUT;
    }
    if (payload < 0 || payload > 65507) {
        fprintf(stderr, "vnetsim path: --payload %d, expected 0 to 65507 (the "
                "largest UDP payload over IPv4)\n", payload);
        return EXIT_INPUT;
    }
    if (family != NULL && strcmp(family, "ipv4") && strcmp(family, "ipv6")) {
        fprintf(stderr, "vnetsim path: --family '%s', expected ipv4 or ipv6\n",
                family);
        return EXIT_INPUT;
    }
    path = vns_path_trace(reg, argv[1], (const char *const *) sets, from, to,
                          family, (uint32_t) payload, &error);
    if (path == NULL)
        return cli_fail(error, cli_input_status(error));
    if (json)
        vns_path_json(path, out);
    else
        vns_path_print(path, out);
    fputs(out->str, stdout);
    return path->delivered ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int
cli_validate(int argc, char **argv)
{
    g_auto(GStrv) sets = NULL;
    gboolean help = FALSE;
    GOptionEntry entries[] = {
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, NULL, NULL },
        { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(VnsRegistry) reg = cli_registry();
    GError *error = NULL;
    int status = EXIT_SUCCESS;

    g_option_context_set_help_enabled(ctx, FALSE);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "vnetsim validate: %s\n%s", error->message, usage_validate);
        g_error_free(error);
        return EXIT_INPUT;
    }
    if (help) {
        fputs(usage_validate, stdout);
        return EXIT_SUCCESS;
    }
    if (argc < 2) {
        fprintf(stderr, "vnetsim validate: expected at least one file\n%s",
                usage_validate);
        return EXIT_INPUT;
    }
    for (int i = 1; i < argc; i++) {
        g_autoptr(xmlDoc) doc = vns_xml_read(argv[i], &error);
        bool ok = doc != NULL;
        if (ok) {
            xmlNode *root = xmlDocGetRootElement(doc);
            if (strcmp((const char *) root->name, "topology") != 0 &&
                strcmp((const char *) root->name, "experiment") != 0) {
                g_set_error(&error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_UNKNOWN,
                            "%s:%ld: root element is <%s>, expected <topology> or "
                            "<experiment>", argv[i], xmlGetLineNo(root),
                            (const char *) root->name);
                ok = false;
            } else if (strcmp((const char *) root->name, "topology") == 0) {
                g_autoptr(xmlDoc) topo = vns_topo_read(reg, argv[i], &error);
                g_autoptr(VnsParams) params = vns_params_new();
                ok = topo != NULL;
                for (size_t k = 0; ok && sets != NULL && sets[k] != NULL; k++) {
                    g_autofree char *name = g_strndup(sets[k], strcspn(sets[k], "="));
                    vns_params_set(params, name, strchr(sets[k], '=') ? strchr(sets[k], '=') + 1 : "", false);
                }
                if (ok && vns_topo_params(topo, argv[i], params, &error)) {
                    VnsSim *sim = vns_sim_new(NULL);
                    VnsNet *net = vns_net_new(sim);
                    ok = vns_topo_build(reg, net, argv[i], topo, params, &error) &&
                         vns_net_start(net, &error);
                    vns_sim_free(sim);      /* before the net: see vns_net_free() */
                    vns_net_free(net);
                } else {
                    ok = false;
                }
            } else {
                g_autoptr(VnsExperiment) exp =
                    vns_experiment_load(reg, argv[i], (const char *const *) sets, &error);
                ok = exp != NULL && vns_experiment_check(exp, &error);
            }
        }
        if (ok) {
            printf("%s: ok\n", argv[i]);
        } else {
            fprintf(stderr, "%s\n", error->message);
            g_clear_error(&error);
            status = EXIT_INPUT;
        }
    }
    return status;
}

static void
cli_print_spec(const VnsSpec *spec, int depth)
{
    printf("%*s<%s>  %s\n", depth * 2, "", spec->element, spec->doc ? spec->doc : "");
    for (const VnsAttrSpec *a = spec->attrs; a != NULL && a->name != NULL; a++) {
        printf("%*s  %-14s %s%s%s%s", depth * 2, "", a->name,
               vns_attr_kind_name(a->kind), a->unit ? " (" : "",
               a->unit ? a->unit : "", a->unit ? ")" : "");
        if (a->required)
            printf(", required");
        else if (a->def != NULL)
            printf(", default %s", a->def);
        else
            printf(", optional");
        if (a->choices != NULL)
            printf(", one of %s", a->choices);
        printf("\n%*s      %s\n", depth * 2, "", a->doc ? a->doc : "");
    }
    for (size_t i = 0; spec->children != NULL && spec->children[i]; i++)
        cli_print_spec(spec->children[i], depth + 1);
}

static void
cli_markdown_spec(GString *out, const VnsSpec *spec, const char *parent)
{
    g_string_append_printf(out, "\n### <%s>%s%s%s\n\n%s\n\n", spec->element,
                           parent ? " (in <" : "", parent ? parent : "",
                           parent ? ">)" : "", spec->doc ? spec->doc : "");
    if (spec->attrs != NULL && spec->attrs[0].name != NULL) {
        g_string_append(out, "| attribute | kind | unit | default | meaning |\n"
                             "|---|---|---|---|---|\n");
        for (const VnsAttrSpec *a = spec->attrs; a->name != NULL; a++) {
            g_string_append_printf(out, "| `%s` | %s%s%s | %s | %s | %s |\n",
                                   a->name, vns_attr_kind_name(a->kind),
                                   a->choices ? ": " : "",
                                   a->choices ? a->choices : "",
                                   a->unit ? a->unit : "",
                                   a->required ? "required"
                                               : (a->def ? a->def : "none"),
                                   a->doc ? a->doc : "");
        }
    }
    for (size_t i = 0; spec->children != NULL && spec->children[i]; i++)
        cli_markdown_spec(out, spec->children[i], spec->element);
}

/* The reference of every element and attribute, as doc/reference.md. */
static void
cli_markdown(const VnsRegistry *reg)
{
    g_autoptr(GString) out = g_string_new(
        "# XML reference\n\n"
        "Generated by `vnetsim elements --markdown` from the element specs "
        "compiled into the program (a test keeps this file current). Units "
        "of durations and rates are written in the values (`1.5ms`, "
        "`10Gbps`); any value may be `${param}`.\n\n"
        "## Topology files\n");
    g_autoptr(GPtrArray) topo = vns_registry_specs(reg, VNS_SCOPE_TOPOLOGY);
    g_autoptr(GPtrArray) traffic = vns_registry_specs(reg, VNS_SCOPE_TRAFFIC);

    cli_markdown_spec(out, &vns_topology_spec, NULL);
    for (guint i = 0; i < topo->len; i++)
        cli_markdown_spec(out, topo->pdata[i], "topology");
    g_string_append(out, "\n## Experiment files\n");
    cli_markdown_spec(out, &vns_experiment_spec, NULL);
    for (guint i = 0; i < traffic->len; i++)
        cli_markdown_spec(out, traffic->pdata[i], "traffic");
    fputs(out->str, stdout);
}

static int
cli_elements(int argc, char **argv)
{
    g_autoptr(VnsRegistry) reg = cli_registry();
    static const struct { unsigned scope; const char *where; } scopes[] = {
        { VNS_SCOPE_TOPOLOGY, "in <topology>" },
        { VNS_SCOPE_TRAFFIC, "in <traffic> (experiment files)" },
    };

    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(usage_elements, stdout);
        return EXIT_SUCCESS;
    }
    if (argc > 1 && !strcmp(argv[1], "--markdown")) {
        cli_markdown(reg);
        return EXIT_SUCCESS;
    }
    if (argc > 1) {
        const VnsSpec *spec = NULL;
        if (!strcmp(argv[1], "experiment"))
            spec = &vns_experiment_spec;
        else if (!strcmp(argv[1], "topology"))
            spec = &vns_topology_spec;
        for (size_t s = 0; spec == NULL && s < G_N_ELEMENTS(scopes); s++)
            spec = vns_registry_spec(reg, argv[1], scopes[s].scope);
        if (spec == NULL) {
            fprintf(stderr, "vnetsim elements: no element type '%s', expected a "
                    "name from 'vnetsim elements'\n", argv[1]);
            return EXIT_INPUT;
        }
        cli_print_spec(spec, 0);
        return EXIT_SUCCESS;
    }
    printf("File roots: <topology>, <experiment>\n");
    for (size_t s = 0; s < G_N_ELEMENTS(scopes); s++) {
        g_autoptr(GPtrArray) specs = vns_registry_specs(reg, scopes[s].scope);
        printf("\nElements %s:\n", scopes[s].where);
        for (guint i = 0; i < specs->len; i++) {
            const VnsSpec *spec = specs->pdata[i];
            printf("  %-16s %s\n", spec->element, spec->doc ? spec->doc : "");
        }
    }
    printf("\n'vnetsim elements NAME' shows an element's attributes.\n");
    return EXIT_SUCCESS;
}

static int
cli_schema(int argc, char **argv)
{
    g_autoptr(VnsRegistry) reg = cli_registry();
    g_autoptr(GString) s = NULL;

    if (argc != 2 || (strcmp(argv[1], "topology") && strcmp(argv[1], "experiment"))) {
        fputs(usage_schema, argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
        return argc == 2 && !strcmp(argv[1], "--help") ? EXIT_SUCCESS : EXIT_INPUT;
    }
    if (!strcmp(argv[1], "topology"))
        s = vns_schema_generate(reg, &vns_topology_spec, &vns_topology_spec,
                                VNS_SCOPE_TOPOLOGY);
    else
        s = vns_schema_generate(reg, &vns_experiment_spec, &vns_traffic_spec,
                                VNS_SCOPE_TRAFFIC);
    fputs(s->str, stdout);
    return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (cmd == NULL) {
        fputs(usage_main, stderr);
        return EXIT_INPUT;
    }
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage_main, stdout);
        return EXIT_SUCCESS;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("vnetsim %s\n", PACKAGE_VERSION);
        return EXIT_SUCCESS;
    }
    if (!strcmp(cmd, "run"))
        return cli_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate"))
        return cli_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "elements"))
        return cli_elements(argc - 1, argv + 1);
    if (!strcmp(cmd, "schema"))
        return cli_schema(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot"))
        return cli_plot(argc - 1, argv + 1);
    if (!strcmp(cmd, "path"))
        return cli_path(argc - 1, argv + 1);
    fprintf(stderr, "vnetsim: unknown command '%s', expected run, validate, "
            "elements, plot, path or schema (vnetsim --help)\n", cmd);
    return EXIT_INPUT;
}
