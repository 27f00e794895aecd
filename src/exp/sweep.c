/* Sweep axes: explicit value lists and linear or logarithmic ranges,
 * combined as a cartesian product less excluded combinations. */
#include <config.h>
#include "exp/sweep.h"

#include <math.h>
#include <string.h>
#include "topo/loader.h"

void
vns_sweep_free(VnsSweep *sweep)
{
    if (sweep == NULL)
        return;
    g_ptr_array_free(sweep->names, TRUE);
    g_ptr_array_free(sweep->points, TRUE);
    g_free(sweep);
}

/*
 * vns_sweep_format_value:
 * A range value as text: six significant digits, then 'unit'.
 */
char *
vns_sweep_format_value(double v, const char *unit)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buf, sizeof buf, "%.6g", v);
    return g_strconcat(buf, unit, NULL);
}

/* The values of one <axis> (owned array of owned strings). */
static GPtrArray *
sweep_axis_values(const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *list = NULL, *unit = NULL;
    double from, to, step = 0;
    uint64_t steps = 0;
    int scale;

    if (vns_config_has(cfg, "values")) {
        g_auto(GStrv) parts = NULL;
        if (vns_config_has(cfg, "from") || vns_config_has(cfg, "to")) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                             "<axis> has both 'values' and a range, expected one");
            return NULL;
        }
        if (!vns_config_string(cfg, "values", &list, error))
            return NULL;
        parts = g_strsplit_set(list, " \t\n", -1);
        for (size_t i = 0; parts[i] != NULL; i++)
            if (parts[i][0] != '\0')
                g_ptr_array_add(values, g_strdup(parts[i]));
        if (values->len == 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<axis> 'values' is empty, expected values "
                             "separated by spaces");
            return NULL;
        }
        return g_steal_pointer(&values);
    }
    if (!vns_config_has(cfg, "from") || !vns_config_has(cfg, "to") ||
        vns_config_has(cfg, "steps") == vns_config_has(cfg, "step")) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                         "<axis> needs 'values', or 'from', 'to' and one of "
                         "'steps' or 'step'");
        return NULL;
    }
    if (!vns_config_double(cfg, "from", &from, error) ||
        !vns_config_double(cfg, "to", &to, error) ||
        !vns_config_enum(cfg, "scale", &scale, error) ||
        !vns_config_string(cfg, "unit", &unit, error))
        return NULL;
    if (vns_config_has(cfg, "steps")) {
        if (!vns_config_uint(cfg, "steps", &steps, error))
            return NULL;
        if (scale == 1 && (from <= 0 || to <= 0)) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<axis> scale=\"log\" needs positive 'from' and 'to'");
            return NULL;
        }
        for (uint64_t i = 0; i < steps; i++) {
            double f = steps > 1 ? (double) i / (double) (steps - 1) : 0.0;
            double v = scale == 1 ? from * pow(to / from, f) : from + (to - from) * f;
            g_ptr_array_add(values, vns_sweep_format_value(v, unit));
        }
    } else {
        if (!vns_config_double(cfg, "step", &step, error))
            return NULL;
        if (step == 0 || (to - from) / step < 0 || (to - from) / step > 100000) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<axis> 'step' %g does not lead from %g to %g in at "
                             "most 100000 values", step, from, to);
            return NULL;
        }
        /* Index-based, so rounding errors do not accumulate; the small
         * tolerance keeps 'to' when the steps land on it. */
        uint64_t n = (uint64_t) floor((to - from) / step + 1e-9) + 1;
        for (uint64_t i = 0; i < n; i++)
            g_ptr_array_add(values, vns_sweep_format_value(from + (double) i * step, unit));
    }
    return g_steal_pointer(&values);
}

/* True when point 'vals' matches every NAME=VALUE of 'when'. */
static bool
sweep_excluded(const VnsSweep *sw, char **vals, char **conds)
{
    for (size_t c = 0; conds[c] != NULL; c++) {
        const char *eq = strchr(conds[c], '=');
        bool matched = false;
        for (guint a = 0; eq != NULL && a < sw->names->len; a++) {
            const char *name = sw->names->pdata[a];
            if (strlen(name) == (size_t) (eq - conds[c]) &&
                strncmp(name, conds[c], strlen(name)) == 0)
                matched = strcmp(vals[a], eq + 1) == 0;
        }
        if (!matched)
            return false;
    }
    return true;
}

/*
 * vns_sweep_load:
 * The points of the experiment's <sweep> (one point with no axes when it
 * has none). Axis parameters must be declared; exclusions must name axes.
 */
VnsSweep *
vns_sweep_load(const VnsExperiment *exp, GError **error)
{
    g_autoptr(VnsSweep) sw = g_new0(VnsSweep, 1);
    g_autoptr(GPtrArray) axes = g_ptr_array_new_with_free_func((GDestroyNotify) g_ptr_array_unref);
    g_autoptr(GPtrArray) excludes = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
    xmlNode *root = xmlDocGetRootElement(exp->doc);
    guint n_sweeps = 0;

    sw->names = g_ptr_array_new_with_free_func(g_free);
    sw->points = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
    for (xmlNode *c = root->children; c != NULL; c = c->next) {
        g_autoptr(VnsConfig) cfg = NULL;
        g_autoptr(GPtrArray) kids = NULL;

        if (c->type != XML_ELEMENT_NODE || strcmp((const char *) c->name, "sweep") != 0)
            continue;
        cfg = vns_config_new(exp->path, c, &vns_sweep_spec, exp->params);
        if (++n_sweeps > 1) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                             "a second <sweep>, expected at most one (put every "
                             "<axis> in it)");
            return NULL;
        }
        kids = vns_config_children(cfg, NULL);
        for (guint k = 0; k < kids->len; k++) {
            const VnsConfig *kc = kids->pdata[k];
            g_autofree char *name = NULL;
            if (strcmp(vns_config_element(kc), "exclude") == 0) {
                g_autofree char *when = NULL;
                if (!vns_config_string(kc, "when", &when, error))
                    return NULL;
                g_ptr_array_add(excludes, g_strsplit(when, ",", -1));
                continue;
            }
            if (!vns_config_string(kc, "param", &name, error))
                return NULL;
            if (vns_params_get(exp->params, name) == NULL) {
                vns_config_error(error, kc, VNS_CONFIG_ERROR_PARAM,
                                 "<axis> sweeps '%s', which no <param> declares, "
                                 "expected a declared parameter", name);
                return NULL;
            }
            for (guint a = 0; a < sw->names->len; a++) {
                if (strcmp(sw->names->pdata[a], name) == 0) {
                    vns_config_error(error, kc, VNS_CONFIG_ERROR_DUPLICATE,
                                     "a second <axis> for '%s', expected one per "
                                     "parameter", name);
                    return NULL;
                }
            }
            GPtrArray *vals = sweep_axis_values(kc, error);
            if (vals == NULL)
                return NULL;
            g_ptr_array_add(axes, vals);
            g_ptr_array_add(sw->names, g_steal_pointer(&name));
        }
    }
    /* Refuse products too large to hold before building them. */
    {
        uint64_t n = 1;
        for (guint a = 0; a < axes->len; a++) {
            n *= ((GPtrArray *) axes->pdata[a])->len;
            if (n > VNS_SWEEP_MAX_POINTS) {
                g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                            "%s: the <sweep> has more than %d points, expected "
                            "at most %d (split it into several experiments)",
                            exp->path, VNS_SWEEP_MAX_POINTS, VNS_SWEEP_MAX_POINTS);
                return NULL;
            }
        }
    }
    /* The cartesian product, first axis outermost (an odometer). */
    g_autofree guint *idx = g_new0(guint, axes->len + 1);
    for (;;) {
        char **vals = g_new0(char *, axes->len + 1);
        bool skip = false;
        for (guint a = 0; a < axes->len; a++)
            vals[a] = g_strdup(((GPtrArray *) axes->pdata[a])->pdata[idx[a]]);
        for (guint e = 0; e < excludes->len && !skip; e++)
            skip = sweep_excluded(sw, vals, excludes->pdata[e]);
        if (skip)
            g_strfreev(vals);
        else
            g_ptr_array_add(sw->points, vals);
        guint a = axes->len;
        bool done = true;
        while (a-- > 0) {
            if (++idx[a] < ((GPtrArray *) axes->pdata[a])->len) {
                done = false;
                break;
            }
            idx[a] = 0;
        }
        if (done)
            break;
    }
    if (sw->points->len == 0) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_CONFLICT,
                    "%s: every point of the sweep is excluded, expected at least one",
                    exp->path);
        return NULL;
    }
    return g_steal_pointer(&sw);
}

char **
vns_sweep_point_sets(const VnsSweep *sweep, guint i, const char *const *base)
{
    GPtrArray *out = g_ptr_array_new();
    char **vals = sweep->points->pdata[i];

    for (size_t k = 0; base != NULL && base[k] != NULL; k++)
        g_ptr_array_add(out, g_strdup(base[k]));
    for (guint a = 0; a < sweep->names->len; a++)
        g_ptr_array_add(out, g_strdup_printf("%s=%s", (char *) sweep->names->pdata[a],
                                             vals[a]));
    g_ptr_array_add(out, NULL);
    return (char **) g_ptr_array_free(out, FALSE);
}
