/* The vnetsim command: run experiments, validate files, list element types
 * and print schemas. Input errors exit with status 2 and write nothing. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "exp/experiment.h"
#include "models/models.h"
#include "out/resultdir.h"
#include "topo/loader.h"

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
    "Runs the experiment and writes its results to a directory, whole or not\n"
    "at all: params.json, summary.json, summary.csv and one .dat file per\n"
    "histogram or time series (doc/results.md).\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR        results directory (default: results/NAME, NAME\n"
    "                          being the experiment's name attribute)\n"
    "  --seed N                experiment seed (overrides the file's 'seed')\n"
    "  --set NAME=VALUE        set a parameter declared by <param>; repeatable\n"
    "  -q, --quiet             no progress line and no summary on stdout\n"
    "  -h, --help              show this help\n"
    "\n"
    "A progress line (simulated time, %% done, events/s, ETA) is shown on\n"
    "standard error when it is a terminal.\n";

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

typedef struct {
    bool tty;
    gint64 started_us;
    gint64 last_us;
} ProgressState;

static void
cli_progress(void *data, VnsTime now, VnsTime end, uint64_t events)
{
    ProgressState *ps = data;
    gint64 t = g_get_monotonic_time();
    double wall = (double) (t - ps->started_us) / 1e6;
    double frac = end > 0 ? (double) now / (double) end : 1.0;
    double eta = frac > 0 ? wall * (1.0 - frac) / frac : 0.0;

    if (!ps->tty || t - ps->last_us < 100000)
        return;
    ps->last_us = t;
    fprintf(stderr, "\r  sim %.6fs  %3.0f%%  %.2f M events/s  ETA %.1fs   ",
            vns_time_to_s(now), frac * 100.0,
            wall > 0 ? (double) events / wall / 1e6 : 0.0, eta);
    fflush(stderr);
}

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

static bool
cli_write_report(VnsResultDir *dir, const VnsExperiment *exp, VnsReport *report,
                 const char *subdir, GError **error)
{
    g_autofree char *params = vns_experiment_params_json(exp);
    g_autofree char *header = g_strdup_printf(
        "{\"experiment\": \"%s\", \"seed\": %" G_GUINT64_FORMAT ", \"params\": %s}",
        exp->name, exp->seed, params);
    g_autoptr(GString) json = vns_report_to_json(report, header);
    g_autoptr(GString) csv = vns_report_to_csv(report);
    g_autofree char *params_file = g_strconcat(params, "\n", NULL);
    GHashTableIter it;
    gpointer name, content;
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    if (subdir != NULL) {
        g_autofree char *d = g_build_filename(vns_result_dir_temp_path(dir), subdir, NULL);
        if (g_mkdir_with_parents(d, 0777) != 0) {
            g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO, "cannot create '%s'", d);
            return false;
        }
    }
#define CLI_PATH(f) (subdir ? g_build_filename(subdir, f, NULL) : g_strdup(f))
    g_autofree char *p1 = CLI_PATH("params.json");
    g_autofree char *p2 = CLI_PATH("summary.json");
    g_autofree char *p3 = CLI_PATH("summary.csv");
    if (!vns_result_dir_write(dir, p1, params_file, -1, error) ||
        !vns_result_dir_write(dir, p2, json->str, (gssize) json->len, error) ||
        !vns_result_dir_write(dir, p3, csv->str, (gssize) csv->len, error))
        return false;
    g_hash_table_iter_init(&it, vns_report_files(report));
    while (g_hash_table_iter_next(&it, &name, &content)) {
        g_autofree char *p = CLI_PATH((const char *) name);
        GString *s = content;
        if (!vns_result_dir_write(dir, p, s->str, (gssize) s->len, error))
            return false;
    }
#undef CLI_PATH
    return true;
}

static void
cli_print_summary(const VnsReport *report)
{
    for (guint i = 0; i < vns_report_n_rows(report); i++) {
        const VnsReportRow *row = vns_report_get_row(report, i);
        if (strcmp(row->table, "flows") != 0)
            continue;
        double goodput = 0, p99 = 0, loss = 0;
        vns_report_get_num(report, "flows", row->name, "goodput_bps", &goodput);
        vns_report_get_num(report, "flows", row->name, "latency_p99_s", &p99);
        vns_report_get_num(report, "flows", row->name, "loss", &loss);
        printf("  flow %-16s goodput %10.3f Mbit/s  p99 latency %9.3f ms  loss %.4f\n",
               row->name, goodput / 1e6, p99 * 1e3, loss);
    }
}

static int
cli_run(int argc, char **argv)
{
    g_autofree char *output = NULL;
    g_autofree char *seed_text = NULL;
    g_auto(GStrv) sets = NULL;
    gboolean quiet = FALSE, help = FALSE;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, NULL, NULL },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, NULL, NULL },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, NULL, NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, NULL, NULL },
        { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(VnsRegistry) reg = cli_registry();
    g_autoptr(VnsExperiment) exp = NULL;
    g_autoptr(VnsResultDir) dir = NULL;
    GError *error = NULL;
    ProgressState ps = { isatty(STDERR_FILENO) != 0, g_get_monotonic_time(), 0 };

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
    exp = vns_experiment_load(reg, argv[1], (const char *const *) sets, &error);
    if (exp == NULL)
        return cli_fail(error, cli_input_status(error));
    if (seed_text != NULL) {
        char *end;
        errno = 0;
        exp->seed = g_ascii_strtoull(seed_text, &end, 10);
        if (*end != '\0' || !g_ascii_isdigit(seed_text[0]) || errno != 0) {
            fprintf(stderr, "vnetsim run: --seed '%s': expected a non-negative "
                    "integer below 2^64\n", seed_text);
            return EXIT_INPUT;
        }
    }
    /* Build once without running, so that every input error is reported
     * before anything is written. */
    {
        g_autoptr(VnsSim) sim = vns_sim_new(exp->queue);
        g_autoptr(VnsNet) net = vns_net_new(sim);
        if (!vns_experiment_build(exp, net, &error)) {
            g_clear_pointer(&net, vns_net_free);
            return cli_fail(error, cli_input_status(error));
        }
    }
    if (output == NULL)
        output = g_build_filename("results", exp->name, NULL);
    dir = vns_result_dir_begin(output, &error);
    if (dir == NULL)
        return cli_fail(error, EXIT_FAILURE);
    for (uint32_t rep = 0; rep < exp->replications; rep++) {
        g_autoptr(VnsReport) report = NULL;
        g_autofree char *sub = exp->replications > 1
                                   ? g_strdup_printf("rep-%03u", rep) : NULL;
        ps.started_us = g_get_monotonic_time();
        g_autofree char *outdir = g_build_filename(vns_result_dir_temp_path(dir),
                                                   sub, NULL);
        if (g_mkdir_with_parents(outdir, 0777) != 0) {
            fprintf(stderr, "vnetsim run: cannot create '%s'\n", outdir);
            return EXIT_FAILURE;
        }
        report = vns_experiment_run_into(exp, rep, outdir,
                                         quiet ? NULL : cli_progress, &ps, &error);
        if (ps.tty && !quiet)
            fputs("\r\033[K", stderr);
        if (report == NULL)
            return cli_fail(error, cli_input_status(error));
        if (!cli_write_report(dir, exp, report, sub, &error))
            return cli_fail(error, EXIT_FAILURE);
        if (!quiet) {
            printf("%s replication %u: %.3f s wall\n", exp->name, rep,
                   (double) (g_get_monotonic_time() - ps.started_us) / 1e6);
            cli_print_summary(report);
        }
    }
    if (!vns_result_dir_commit(dir, &error))
        return cli_fail(error, EXIT_FAILURE);
    if (!quiet)
        printf("results in %s/\n", output);
    return EXIT_SUCCESS;
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
            g_autoptr(VnsSim) sim = vns_sim_new(NULL);
            g_autoptr(VnsNet) net = vns_net_new(sim);
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
                ok = ok && vns_topo_params(topo, argv[i], params, &error) &&
                     vns_topo_build(reg, net, argv[i], topo, params, &error);
            } else {
                g_autoptr(VnsExperiment) exp =
                    vns_experiment_load(reg, argv[i], (const char *const *) sets, &error);
                ok = exp != NULL && vns_experiment_build(exp, net, &error);
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
    fprintf(stderr, "vnetsim: unknown command '%s', expected run, validate, "
            "elements or schema (vnetsim --help)\n", cmd);
    return EXIT_INPUT;
}
