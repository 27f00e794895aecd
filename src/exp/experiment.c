/* Experiment files: loading, parameter resolution, building and running. */
#include <config.h>
#include "exp/experiment.h"

#include <string.h>
#include "net/element.h"
#include "topo/loader.h"

static const VnsAttrSpec experiment_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The experiment's name; the default results directory is results/NAME." },
    { "topology", VNS_ATTR_STRING, true, NULL, NULL,
      "The topology file, relative to this file." },
    { "duration", VNS_ATTR_TIME, true, NULL, NULL,
      "Simulated time measured after the warm-up (positive)." },
    { "warmup", VNS_ATTR_TIME, false, "0s", NULL,
      "Simulated time run before measurement starts; results exclude it. "
      "Default 0s: measure from the start." },
    { "seed", VNS_ATTR_UINT, false, "1", NULL,
      "The experiment seed; every random stream derives from it, the "
      "replication number and the stream's name (doc/kernel.md). "
      "--seed overrides it." },
    { "replications", VNS_ATTR_UINT, false, "1", NULL,
      "Independent runs with seeds derived from (seed, replication).",
      NULL, 1, 100000 },
    { "queue", VNS_ATTR_ENUM, false, "heap", NULL,
      "The pending-event set: heap (4-ary heap, default) or calendar "
      "(calendar queue, for very large pending sets). Results do not "
      "depend on it.", "heap|calendar" },
    { NULL }
};

static const VnsAttrSpec traffic_attrs[] = { { NULL } };

static const VnsAttrSpec axis_attrs[] = {
    { "param", VNS_ATTR_NAME, true, NULL, NULL,
      "The parameter this axis sweeps (declared by a <param>)." },
    { "values", VNS_ATTR_STRING, false, NULL, NULL,
      "Explicit values separated by spaces, e.g. \"1Gbps 10Gbps\"; or give "
      "from, to and steps or step." },
    { "from", VNS_ATTR_DOUBLE, false, NULL, NULL, "First value of a range." },
    { "to", VNS_ATTR_DOUBLE, false, NULL, NULL,
      "Last value of a range (included when the steps land on it)." },
    { "steps", VNS_ATTR_UINT, false, NULL, "values",
      "Number of values from 'from' to 'to', both included, spaced "
      "evenly on the 'scale'.", NULL, 1, 100000 },
    { "step", VNS_ATTR_DOUBLE, false, NULL, NULL,
      "Linear increment from 'from' up to 'to', instead of 'steps'." },
    { "scale", VNS_ATTR_ENUM, false, "linear", NULL,
      "Spacing of 'steps': linear, or log (a geometric series; from and "
      "to must be positive).", "linear|log" },
    { "unit", VNS_ATTR_STRING, false, "", NULL,
      "Text appended to each number of a range, e.g. \"Mbps\" or \"ms\"." },
    { NULL }
};

static const VnsSpec axis_spec = {
    "axis", "One sweep axis: the values one parameter takes.",
    axis_attrs, NULL, false,
};

static const VnsAttrSpec exclude_attrs[] = {
    { "when", VNS_ATTR_STRING, true, NULL, NULL,
      "Comma-separated NAME=VALUE conditions; a point matching all of "
      "them is skipped, e.g. \"rate=1Gbps,size=64\"." },
    { NULL }
};

static const VnsSpec exclude_spec = {
    "exclude", "Skips the combinations of axis values that match.",
    exclude_attrs, NULL, false,
};

static const VnsSpec *const sweep_children[] = { &axis_spec, &exclude_spec, NULL };

static const VnsAttrSpec sweep_attrs[] = { { NULL } };

const VnsSpec vns_sweep_spec = {
    "sweep", "Parameter sweep: the cartesian product of the axes (first "
    "axis outermost), less the excluded combinations; each point runs "
    "'replications' times.",
    sweep_attrs, sweep_children, false,
};

static const VnsAttrSpec plot_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The plot's name: plots/NAME.gp, NAME.png (or .svg, .pdf)." },
    { "kind", VNS_ATTR_ENUM, false, "sweep", NULL,
      "sweep: a metric against a swept parameter with 95% confidence "
      "intervals; cdf: a histogram file as a cumulative distribution; "
      "series: a time-series file.", "sweep|cdf|series" },
    { "x", VNS_ATTR_STRING, false, NULL, NULL,
      "kind=sweep: the swept parameter on the x axis." },
    { "y", VNS_ATTR_STRING, true, NULL, NULL,
      "kind=sweep: the metric, TABLE.ROW.METRIC as in sweep.csv (e.g. "
      "flows.f1.goodput_bps); cdf and series: the .dat file of the run "
      "(e.g. latency-f1.dat)." },
    { "series", VNS_ATTR_STRING, false, NULL, NULL,
      "kind=sweep: a second swept parameter; one line per value." },
    { "where", VNS_ATTR_STRING, false, NULL, NULL,
      "kind=sweep: fixes further swept parameters, 'NAME=VALUE[,NAME=VALUE...]' "
      "(values as written in sweep.csv, e.g. 'rate=10Gbps'); only those rows "
      "are plotted. Default: every row." },
    { "title", VNS_ATTR_STRING, false, NULL, NULL, "Plot title. Default: the plot's name." },
    { "xlabel", VNS_ATTR_STRING, false, NULL, NULL,
      "x-axis label, with its unit. Default: the parameter or column name." },
    { "ylabel", VNS_ATTR_STRING, false, NULL, NULL,
      "y-axis label, with its unit. Default: the metric or column name." },
    { "logx", VNS_ATTR_BOOL, false, "false", NULL, "Logarithmic x axis." },
    { "logy", VNS_ATTR_BOOL, false, "false", NULL, "Logarithmic y axis." },
    { "scale", VNS_ATTR_DOUBLE, false, "1", NULL,
      "Factor applied to y values, e.g. 1e-6 to show bit/s as Mbit/s." },
    { NULL }
};

const VnsSpec vns_plot_spec = {
    "plot", "A gnuplot plot made after the run (and by vnetsim plot).",
    plot_attrs, NULL, false,
};

const VnsSpec vns_traffic_spec = {
    "traffic", "The traffic of the experiment: flows and applications.",
    traffic_attrs, NULL, false,
};

static const VnsSpec *const experiment_children[] = {
    &vns_param_spec, &vns_traffic_spec, &vns_sweep_spec, &vns_plot_spec, NULL
};

const VnsSpec vns_experiment_spec = {
    "experiment", "The root of an experiment file.",
    experiment_attrs, experiment_children, false,
};

void
vns_experiment_free(VnsExperiment *exp)
{
    if (exp == NULL)
        return;
    g_free(exp->path);
    g_free(exp->name);
    g_free(exp->topology_path);
    vns_params_free(exp->params);
    if (exp->doc != NULL)
        xmlFreeDoc(exp->doc);
    if (exp->topo_doc != NULL)
        xmlFreeDoc(exp->topo_doc);
    g_free(exp);
}

/* Checks the fixed structure; the <traffic> children are checked against
 * the registry. */
static bool
experiment_check(const VnsRegistry *reg, const char *path, xmlNode *root,
                 GError **error)
{
    g_autoptr(VnsConfig) cfg = NULL;

    if (strcmp((const char *) root->name, "experiment") != 0) {
        vns_xml_error(error, path, root, VNS_CONFIG_ERROR_UNKNOWN,
                      "root element is <%s>, expected <experiment>",
                      (const char *) root->name);
        return false;
    }
    /* vns_config_check recurses into <traffic>, whose spec lists no
     * children, so check the root's own attributes and the other children
     * here, and traffic entries against the registry. */
    for (xmlNode *c = root->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE ||
            strcmp((const char *) c->name, "traffic") != 0)
            continue;
        for (xmlNode *t = c->children; t != NULL; t = t->next) {
            const VnsSpec *spec;
            if (t->type != XML_ELEMENT_NODE)
                continue;
            spec = vns_registry_spec(reg, (const char *) t->name, VNS_SCOPE_TRAFFIC);
            if (spec == NULL) {
                g_autoptr(GPtrArray) specs = vns_registry_specs(reg, VNS_SCOPE_TRAFFIC);
                g_autoptr(GString) names = g_string_new(NULL);
                for (guint i = 0; i < specs->len; i++)
                    g_string_append_printf(names, "%s<%s>", i ? ", " : "",
                                           ((const VnsSpec *) specs->pdata[i])->element);
                vns_xml_error(error, path, t, VNS_CONFIG_ERROR_UNKNOWN,
                              "unknown element <%s> in <traffic>, expected one of: %s",
                              (const char *) t->name, names->str);
                return false;
            }
            g_autoptr(VnsConfig) tc = vns_config_new(path, t, spec, NULL);
            if (!vns_config_check(tc, error))
                return false;
        }
    }
    /* Now the root without the traffic subtree: temporarily unlink it. */
    g_autoptr(GPtrArray) traffic = g_ptr_array_new();
    for (xmlNode *c = root->children, *next; c != NULL; c = next) {
        next = c->next;
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *) c->name, "traffic") == 0) {
            g_ptr_array_add(traffic, c);
            g_ptr_array_add(traffic, c->children);
            c->children = NULL;
        }
    }
    cfg = vns_config_new(path, root, &vns_experiment_spec, NULL);
    bool ok = vns_config_check(cfg, error);
    for (guint i = 0; i < traffic->len; i += 2)
        ((xmlNode *) traffic->pdata[i])->children = traffic->pdata[i + 1];
    return ok;
}

/* Applies "name=value" overrides. */
/*
 * vns_experiment_apply_sets:
 * Sets each "NAME=VALUE" of 'sets' (NULL-ended, may be NULL) in 'params',
 * over any value there.
 */
bool
vns_experiment_apply_sets(VnsParams *params, const char *const *sets,
                          GError **error)
{
    for (size_t i = 0; sets != NULL && sets[i] != NULL; i++) {
        const char *eq = strchr(sets[i], '=');
        g_autofree char *name = NULL;
        if (eq == NULL || eq == sets[i]) {
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_PARAM,
                        "--set '%s': expected NAME=VALUE", sets[i]);
            return false;
        }
        name = g_strndup(sets[i], (gsize) (eq - sets[i]));
        vns_params_set(params, name, eq + 1, false);
    }
    return true;
}

/*
 * vns_experiment_load:
 * Reads the experiment at 'path' and its topology, resolves parameters
 * ('sets': NULL-terminated "name=value" strings, may be NULL), and checks
 * everything that can be checked without building. Returns an owned
 * experiment or NULL.
 */
VnsExperiment *
vns_experiment_load(const VnsRegistry *reg, const char *path,
                    const char *const *sets, GError **error)
{
    g_autoptr(VnsExperiment) exp = g_new0(VnsExperiment, 1);
    g_autoptr(VnsConfig) cfg = NULL;
    g_autofree char *topo = NULL, *dir = NULL;
    g_autoptr(GHashTable) declared = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                          g_free, NULL);
    xmlNode *root;
    int queue_index;
    uint64_t reps;

    exp->path = g_strdup(path);
    exp->registry = reg;
    exp->params = vns_params_new();
    exp->doc = vns_xml_read(path, error);
    if (exp->doc == NULL)
        return NULL;
    root = xmlDocGetRootElement(exp->doc);
    if (!experiment_check(reg, path, root, error))
        return NULL;
    {
        g_autoptr(GString) schema = vns_schema_generate(reg, &vns_experiment_spec,
                                                        &vns_traffic_spec,
                                                        VNS_SCOPE_TRAFFIC);
        if (!vns_schema_validate(exp->doc, path, schema, error))
            return NULL;
    }
    if (!vns_experiment_apply_sets(exp->params, sets, error))
        return NULL;
    /* Experiment <param name value>: weak, so --set wins. */
    for (xmlNode *c = root->children; c != NULL; c = c->next) {
        g_autoptr(VnsConfig) pc = NULL;
        g_autofree char *name = NULL;
        xmlChar *value;
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *) c->name, "param") != 0)
            continue;
        pc = vns_config_new(path, c, &vns_param_spec, NULL);
        if (!vns_config_string(pc, "name", &name, error))
            return NULL;
        value = xmlGetProp(c, (const xmlChar *) "value");
        if (value == NULL || vns_config_has(pc, "default")) {
            if (value != NULL)
                xmlFree(value);
            vns_config_error(error, pc, VNS_CONFIG_ERROR_MISSING,
                             "<param> in an experiment takes 'value', expected "
                             "<param name=\"%s\" value=\"...\"/>", name);
            return NULL;
        }
        vns_params_set(exp->params, name, (const char *) value, true);
        g_hash_table_add(declared, g_strdup(name));
        xmlFree(value);
    }
    cfg = vns_config_new(path, root, &vns_experiment_spec, exp->params);
    if (!vns_config_string(cfg, "name", &exp->name, error) ||
        !vns_config_string(cfg, "topology", &topo, error) ||
        !vns_config_time(cfg, "duration", &exp->duration, error) ||
        !vns_config_time(cfg, "warmup", &exp->warmup, error) ||
        !vns_config_uint(cfg, "seed", &exp->seed, error) ||
        !vns_config_uint(cfg, "replications", &reps, error) ||
        !vns_config_enum(cfg, "queue", &queue_index, error))
        return NULL;
    if (exp->duration <= 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<experiment> 'duration' is zero, expected a positive "
                         "duration");
        return NULL;
    }
    if (exp->warmup > VNS_TIME_MAX - exp->duration) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<experiment> 'warmup' + 'duration' exceed the time "
                         "range, expected at most 106 days in all");
        return NULL;
    }
    exp->replications = (uint32_t) reps;
    exp->queue = vns_event_queue_list()[queue_index];
    dir = g_path_get_dirname(path);
    exp->topology_path = g_path_is_absolute(topo) ? g_strdup(topo)
                                                  : g_build_filename(dir, topo, NULL);
    if (!g_file_test(exp->topology_path, G_FILE_TEST_IS_REGULAR)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<experiment> 'topology' names '%s', which is %s, "
                         "expected a topology file (relative to the experiment)",
                         exp->topology_path,
                         g_file_test(exp->topology_path, G_FILE_TEST_EXISTS)
                             ? "not a regular file" : "not there");
        return NULL;
    }
    exp->topo_doc = vns_topo_read(reg, exp->topology_path, error);
    if (exp->topo_doc == NULL)
        return NULL;
    if (!vns_topo_params(exp->topo_doc, exp->topology_path, exp->params, error))
        return NULL;
    /* Every --set must name a declared parameter. */
    {
        xmlNode *troot = xmlDocGetRootElement(exp->topo_doc);
        for (xmlNode *c = troot->children; c != NULL; c = c->next) {
            xmlChar *n;
            if (c->type != XML_ELEMENT_NODE || strcmp((const char *) c->name, "param") != 0)
                continue;
            n = xmlGetProp(c, (const xmlChar *) "name");
            if (n != NULL) {
                g_hash_table_add(declared, g_strdup((const char *) n));
                xmlFree(n);
            }
        }
        for (size_t i = 0; sets != NULL && sets[i] != NULL; i++) {
            g_autofree char *name = g_strndup(sets[i], strcspn(sets[i], "="));
            if (!g_hash_table_contains(declared, name)) {
                g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_PARAM,
                            "--set %s: no parameter '%s' is declared by <param> in "
                            "%s or %s, expected a declared name", sets[i], name,
                            path, exp->topology_path);
                return NULL;
            }
        }
    }
    return g_steal_pointer(&exp);
}

/*
 * vns_experiment_build:
 * Builds the topology, then the traffic, into 'net'.
 */
bool
vns_experiment_build(const VnsExperiment *exp, VnsNet *net, GError **error)
{
    xmlNode *root = xmlDocGetRootElement(exp->doc);

    if (!vns_topo_build(exp->registry, net, exp->topology_path, exp->topo_doc,
                        exp->params, error))
        return false;
    for (xmlNode *c = root->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *) c->name, "traffic") == 0 &&
            !vns_topo_build_children(exp->registry, net, exp->path, c,
                                     VNS_SCOPE_TRAFFIC, exp->params, error))
            return false;
    }
    return true;
}

/*
 * vns_experiment_check:
 * Builds the experiment into a throw-away simulation and starts it, so
 * that every check that needs the whole element graph runs (dangling
 * references, addresses clashing across a link); runs no event and writes
 * nothing.
 */
bool
vns_experiment_check(const VnsExperiment *exp, GError **error)
{
    VnsSim *sim = vns_sim_new(exp->queue);
    VnsNet *net = vns_net_new(sim);
    bool ok = vns_experiment_build(exp, net, error) && vns_net_start(net, error);

    /* The simulator goes first: pending events may hold packets of the
     * net's pool and point at its elements. */
    vns_sim_free(sim);
    vns_net_free(net);
    return ok;
}


/*
 * vns_experiment_params_json:
 * The resolved parameters, in the order they were first set.
 */
char *
vns_experiment_params_json(const VnsExperiment *exp)
{
    GString *out = g_string_new("{");
    GPtrArray *names = vns_params_names(exp->params);

    for (guint i = 0; i < names->len; i++) {
        g_string_append(out, i ? ", " : "");
        vns_report_json_string(out, names->pdata[i]);
        g_string_append(out, ": ");
        vns_report_json_string(out, vns_params_get(exp->params, names->pdata[i]));
    }
    g_string_append(out, "}");
    return g_string_free(out, FALSE);
}

typedef struct {
    VnsProgressFn fn;
    void *data;
    VnsTime end;
    VnsTime step;
} Progress;

static void
progress_run(VnsSim *sim, void *ctx, void *arg)
{
    Progress *p = ctx;
    VnsTime now = vns_sim_now(sim);

    p->fn(p->data, now, p->end, vns_sim_events_executed(sim));
    if (now + p->step < p->end)
        vns_sim_schedule(sim, p->step, arg, ctx, arg);
}

static const VnsEventType progress_type = { "progress", progress_run, NULL };

/*
 * vns_experiment_run_once:
 * Builds a fresh simulation for replication 'rep', runs warm-up, resets
 * measurements, runs 'duration', stops every element and collects the
 * report. 'progress' (may be NULL) is called every 1% of simulated time.
 * Returns an owned report or NULL.
 */
VnsReport *
vns_experiment_run_once(const VnsExperiment *exp, uint32_t rep,
                        VnsProgressFn progress, void *data, GError **error)
{
    return vns_experiment_run_into(exp, rep, NULL, progress, data, error);
}

/*
 * vns_experiment_run_into:
 * As vns_experiment_run_once(); elements that write files during the run
 * (captures) write them into 'outdir' (NULL: none).
 */
VnsReport *
vns_experiment_run_into(const VnsExperiment *exp, uint32_t rep,
                        const char *outdir, VnsProgressFn progress, void *data,
                        GError **error)
{
    g_autoptr(VnsSim) sim = vns_sim_new(exp->queue);
    g_autoptr(VnsNet) net = NULL;
    g_autoptr(VnsReport) report = vns_report_new();
    VnsTime end = exp->warmup + exp->duration;
    Progress prog = { progress, data, end, MAX(end / 100, 1) };

    vns_sim_set_seed(sim, exp->seed, rep);
    net = vns_net_new(sim);
    vns_net_set_output_dir(net, outdir);
    if (!vns_experiment_build(exp, net, error) || !vns_net_start(net, error))
        goto fail;
    if (progress != NULL)
        vns_sim_schedule(sim, prog.step, &progress_type, &prog, (void *) &progress_type);
    if (exp->warmup > 0) {
        vns_sim_run_until(sim, exp->warmup);
        vns_net_reset(net);
    }
    vns_sim_run_until(sim, end);
    vns_net_stop(net);
    vns_report_row(report, "run", exp->name);
    vns_report_int(report, "replication", rep);
    vns_report_int(report, "seed", (int64_t) exp->seed);
    vns_report_num(report, "warmup_s", vns_time_to_s(exp->warmup));
    vns_report_num(report, "duration_s", vns_time_to_s(exp->duration));
    vns_report_int(report, "events", (int64_t) vns_sim_events_executed(sim));
    vns_report_int(report, "peak_pending_events", (int64_t) vns_sim_peak_pending(sim));
    /* The pool's high-water mark: far below the packets sent when nothing
     * is allocated per packet. */
    vns_report_int(report, "packets_allocated",
                   (int64_t) vns_packet_pool_allocated(vns_net_pool(net)));
    vns_net_stats(net, report);
    /* Pending events (packets in flight) release their packets first. */
    g_clear_pointer(&sim, vns_sim_free);
    return g_steal_pointer(&report);
fail:
    /* The sim goes first: pending events may hold packets of the net. */
    g_clear_pointer(&sim, vns_sim_free);
    return NULL;
}
