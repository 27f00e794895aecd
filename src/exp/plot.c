/* gnuplot scripts for sweeps (metric against a parameter, with confidence
 * intervals, one line per value of a second parameter), distributions
 * (CDF from a histogram file) and time series. */
#include <config.h>
#include "exp/plot.h"

#include <math.h>
#include <string.h>
#include <libxml/parser.h>
#include "exp/experiment.h"
#include "topo/loader.h"

G_DEFINE_QUARK(vns-plot-error-quark, vns_plot_error)

typedef struct {
    char *name, *title, *xlabel, *ylabel, *x, *y, *series, *where;
    int kind;               /* 0 sweep, 1 cdf, 2 series */
    bool logx, logy;
    double scale;
} PlotSpec;

static void
plot_spec_clear(PlotSpec *p)
{
    g_free(p->name);
    g_free(p->title);
    g_free(p->xlabel);
    g_free(p->ylabel);
    g_free(p->x);
    g_free(p->y);
    g_free(p->series);
    g_free(p->where);
}

/* A sweep table: header cells and rows of cells. */
typedef struct {
    char **header;
    GPtrArray *rows;        /* of GStrv */
} Table;

static void
plot_table_free(Table *t)
{
    g_strfreev(t->header);
    g_ptr_array_free(t->rows, TRUE);
}

static bool
plot_read_table(const char *dir, Table *t, GError **error)
{
    g_autofree char *path = g_build_filename(dir, "sweep.csv", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        g_set_error(error, VNS_PLOT_ERROR, VNS_PLOT_ERROR_DATA,
                    "%s: no sweep.csv, expected the results of a sweep or of "
                    "replications > 1 for a kind=\"sweep\" plot", dir);
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    t->header = g_strsplit(lines[0], ",", -1);
    t->rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
    for (size_t i = 1; lines[i] != NULL; i++)
        if (lines[i][0] != '\0')
            g_ptr_array_add(t->rows, g_strsplit(lines[i], ",", -1));
    return true;
}

static int
plot_column(const Table *t, const char *name)
{
    for (int i = 0; t->header[i] != NULL; i++)
        if (strcmp(t->header[i], name) == 0)
            return i;
    return -1;
}

/* Appends 's' as a gnuplot double-quoted string. */
static void
plot_quote(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

/* The numeric part of a parameter value ("10Mbps" -> 10, unit "Mbps"). */
static bool
plot_numeric(const char *value, double *out, const char **unit)
{
    char *end;
    *out = g_ascii_strtod(value, &end);
    *unit = end;
    return end != value && isfinite(*out);
}

static void
plot_terminal(GString *gp, const char *format, unsigned w, unsigned h,
              const char *file)
{
    if (strcmp(format, "svg") == 0)
        g_string_append_printf(gp, "set terminal svg size %u,%u dynamic enhanced font 'sans,11'\n", w, h);
    else if (strcmp(format, "pdf") == 0)
        g_string_append_printf(gp, "set terminal pdfcairo size %.2fin,%.2fin enhanced font 'sans,10'\n",
                               w / 96.0, h / 96.0);
    else
        g_string_append_printf(gp, "set terminal pngcairo size %u,%u enhanced font 'sans,11'\n", w, h);
    g_string_append(gp, "set output ");
    plot_quote(gp, file);
    g_string_append(gp, "\nset grid\nset key outside right top box\n"
                        "set border 3\nset tics nomirror\n");
}

/* 'where' fixes other swept parameters: "NAME=VALUE[,NAME=VALUE...]". */
#define PLOT_MAX_WHERE 8

/* Resolves the 'where' pairs of 'p' to columns of 't' (-1 ends the list)
 * and their values. */
static bool
plot_where_columns(const Table *t, const PlotSpec *p, int *cols, GStrv *vals,
                   GError **error)
{
    g_auto(GStrv) pairs = NULL;
    guint n = 0;

    cols[0] = -1;
    *vals = g_new0(char *, PLOT_MAX_WHERE + 1);
    if (p->where == NULL || p->where[0] == '\0')
        return true;
    pairs = g_strsplit(p->where, ",", -1);
    for (guint i = 0; pairs[i] != NULL; i++) {
        char *eq = strchr(pairs[i], '=');
        int c;
        if (eq == NULL || eq == pairs[i] || n == PLOT_MAX_WHERE) {
            g_set_error(error, VNS_PLOT_ERROR, VNS_PLOT_ERROR_DATA,
                        "plot '%s': where='%s', expected up to %d NAME=VALUE "
                        "pairs separated by commas", p->name, p->where,
                        PLOT_MAX_WHERE);
            return false;
        }
        *eq = '\0';
        c = plot_column(t, g_strstrip(pairs[i]));
        if (c < 0) {
            g_set_error(error, VNS_PLOT_ERROR, VNS_PLOT_ERROR_DATA,
                        "plot '%s': where names '%s', which is not a column of "
                        "sweep.csv, expected a swept parameter", p->name,
                        pairs[i]);
            return false;
        }
        cols[n] = c;
        (*vals)[n] = g_strdup(g_strstrip(eq + 1));
        cols[++n] = -1;
    }
    return true;
}

/* Whether a row has every value 'where' asks for. */
static bool
plot_where_match(char **row, const int *cols, char **vals)
{
    for (guint i = 0; cols[i] >= 0; i++)
        if (strcmp(row[cols[i]], vals[i]) != 0)
            return false;
    return true;
}

static bool
plot_sweep(const char *dir, const PlotSpec *p, GString *gp, GString *dat,
           GError **error)
{
    Table t = { 0 };
    int cx, cs = -1, cm, cc;
    g_autofree char *mean = g_strconcat(p->y, ".mean", NULL);
    g_autofree char *ci = g_strconcat(p->y, ".ci95", NULL);
    g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) where_vals = NULL;
    int where_cols[PLOT_MAX_WHERE + 1];
    const char *unit = "";
    bool numeric = true;

    if (!plot_read_table(dir, &t, error))
        return false;
    cx = p->x ? plot_column(&t, p->x) : -1;
    cm = plot_column(&t, mean);
    cc = plot_column(&t, ci);
    if (p->series != NULL)
        cs = plot_column(&t, p->series);
    if (!plot_where_columns(&t, p, where_cols, &where_vals, error)) {
        plot_table_free(&t);
        return false;
    }
    if (cx < 0 || cm < 0 || (p->series != NULL && cs < 0)) {
        g_set_error(error, VNS_PLOT_ERROR, VNS_PLOT_ERROR_DATA,
                    "plot '%s': sweep.csv has no column '%s', expected a swept "
                    "parameter for x/series and TABLE.ROW.METRIC for y",
                    p->name, cx < 0 ? (p->x ? p->x : "(x missing)")
                                    : cm < 0 ? mean : p->series);
        plot_table_free(&t);
        return false;
    }
    for (guint r = 0; r < t.rows->len; r++) {
        char **row = t.rows->pdata[r];
        double v;
        const char *u;
        if (!plot_where_match(row, where_cols, where_vals))
            continue;
        if (!plot_numeric(row[cx], &v, &u))
            numeric = false;
        else if (r == 0)
            unit = u;
        const char *s = cs >= 0 ? row[cs] : "";
        bool seen = false;
        for (guint k = 0; k < series->len; k++)
            seen = seen || strcmp(series->pdata[k], s) == 0;
        if (!seen)
            g_ptr_array_add(series, g_strdup(s));
    }
    g_string_append_printf(dat, "# %s: %s against %s%s%s\n# x y ci95_half_width label\n",
                           p->name, p->y, p->x, p->series ? ", one block per " : "",
                           p->series ? p->series : "");
    for (guint k = 0; k < series->len; k++) {
        if (k > 0)
            g_string_append(dat, "\n\n");
        g_string_append_printf(dat, "# %s%s%s\n", p->series ? p->series : "",
                               p->series ? "=" : "", (char *) series->pdata[k]);
        for (guint r = 0, i = 0; r < t.rows->len; r++) {
            char **row = t.rows->pdata[r];
            double x, y = g_ascii_strtod(row[cm], NULL) * p->scale;
            double c = cc >= 0 ? g_ascii_strtod(row[cc], NULL) * p->scale : 0;
            const char *u;
            if ((cs >= 0 && strcmp(row[cs], series->pdata[k]) != 0) ||
                !plot_where_match(row, where_cols, where_vals))
                continue;
            if (!numeric || !plot_numeric(row[cx], &x, &u))
                x = i;
            i++;
            g_string_append_printf(dat, "%.12g %.12g %.12g %s\n", x, y,
                                   isfinite(c) ? c : 0.0, row[cx]);
        }
    }
    g_string_append(gp, "set xlabel ");
    if (p->xlabel)
        plot_quote(gp, p->xlabel);
    else {
        g_autofree char *l = *unit ? g_strdup_printf("%s (%s)", p->x, unit) : g_strdup(p->x);
        plot_quote(gp, l);
    }
    g_string_append(gp, "\nset ylabel ");
    plot_quote(gp, p->ylabel ? p->ylabel : p->y);
    g_string_append(gp, "\n");
    if (!numeric)
        g_string_append(gp, "set xtics rotate by -30\nset offsets 0.5,0.5,0,0\n");
    g_string_append(gp, "plot ");
    for (guint k = 0; k < series->len; k++) {
        g_autofree char *title = p->series ? g_strdup_printf("%s=%s", p->series,
                                                             (char *) series->pdata[k])
                                           : g_strdup(p->y);
        g_string_append_printf(gp, "%s'%s.dat' index %u using 1:2:3%s with yerrorlines "
                               "lw 2 pt 7 title ", k ? ", \\\n     " : "", p->name, k,
                               numeric ? "" : ":xticlabels(4)");
        plot_quote(gp, title);
    }
    g_string_append(gp, "\n");
    plot_table_free(&t);
    return true;
}

/* The first run directory that holds 'file': DIR itself (a single run) or
 * the first point's first replication. */
static char *
plot_find_file(const char *dir, const char *file)
{
    g_autofree char *direct = g_build_filename(dir, file, NULL);
    g_autofree char *index = NULL;
    g_autofree char *ip = g_build_filename(dir, "points.tsv", NULL);

    if (g_file_test(direct, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer(&direct);
    if (g_file_get_contents(ip, &index, NULL, NULL)) {
        g_auto(GStrv) lines = g_strsplit(index, "\n", 3);
        if (lines[0] && lines[1] && lines[1][0]) {
            g_autofree char *hash = g_strndup(lines[1], strcspn(lines[1], "\t"));
            char *p = g_build_filename(dir, "points", hash, "rep-000", file, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
                return p;
            g_free(p);
        }
    }
    return NULL;
}

static bool
plot_file(const char *dir, const PlotSpec *p, GString *gp, GError **error)
{
    g_autofree char *path = plot_find_file(dir, p->y);
    g_autofree char *text = NULL;
    g_auto(GStrv) cols = NULL;

    if (path == NULL || !g_file_get_contents(path, &text, NULL, NULL)) {
        g_set_error(error, VNS_PLOT_ERROR, VNS_PLOT_ERROR_DATA,
                    "plot '%s': no file '%s' in %s, expected a .dat file the run "
                    "wrote (see doc/results.md)", p->name, p->y, dir);
        return false;
    }
    /* Column names come from the "# a b c" line after the title line. */
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (line[0] == '#' && strchr(line, '_') != NULL && cols == NULL &&
            strncmp(line, "# flow", 6) != 0) {
            g_autofree char *l = g_strndup(line + 2, strcspn(line + 2, "\n"));
            cols = g_strsplit(l, " ", -1);
        }
    }
    g_autofree char *rel = g_build_filename("..", path + strlen(dir) + 1, NULL);
    const char *xl = cols && cols[0] ? cols[0] : "x";
    const char *yl = p->kind == 1 ? "cumulative fraction" : (cols && cols[1] ? cols[1] : "y");
    g_string_append(gp, "set xlabel ");
    plot_quote(gp, p->xlabel ? p->xlabel : xl);
    g_string_append(gp, "\nset ylabel ");
    plot_quote(gp, p->ylabel ? p->ylabel : yl);
    g_string_append(gp, "\n");
    if (p->kind == 1)
        g_string_append_printf(gp, "set yrange [0:1]\nplot '%s' using 2:4 with steps lw 2 "
                               "title 'CDF'\n", rel);
    else
        g_string_append_printf(gp, "plot '%s' using 1:($2*%.12g) with lines lw 2 title ",
                               rel, p->scale);
    if (p->kind == 2) {
        plot_quote(gp, p->y);
        g_string_append(gp, "\n");
    }
    return true;
}

static bool
plot_read_specs(const char *dir, GArray *specs, GError **error)
{
    g_autofree char *path = g_build_filename(dir, "experiment.xml", NULL);
    g_autoptr(xmlDoc) doc = vns_xml_read(path, error);
    xmlNode *root;

    if (doc == NULL)
        return false;
    root = xmlDocGetRootElement(doc);
    for (xmlNode *c = root->children; c != NULL; c = c->next) {
        g_autoptr(VnsConfig) cfg = NULL;
        PlotSpec p = { 0 };
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *) c->name, "plot") != 0)
            continue;
        cfg = vns_config_new(path, c, &vns_plot_spec, NULL);
        if (!vns_config_check(cfg, error) ||
            !vns_config_string(cfg, "name", &p.name, error) ||
            !vns_config_enum(cfg, "kind", &p.kind, error) ||
            !vns_config_string(cfg, "x", &p.x, error) ||
            !vns_config_string(cfg, "y", &p.y, error) ||
            !vns_config_string(cfg, "series", &p.series, error) ||
            !vns_config_string(cfg, "where", &p.where, error) ||
            !vns_config_string(cfg, "title", &p.title, error) ||
            !vns_config_string(cfg, "xlabel", &p.xlabel, error) ||
            !vns_config_string(cfg, "ylabel", &p.ylabel, error) ||
            !vns_config_bool(cfg, "logx", &p.logx, error) ||
            !vns_config_bool(cfg, "logy", &p.logy, error) ||
            !vns_config_double(cfg, "scale", &p.scale, error)) {
            plot_spec_clear(&p);
            return false;
        }
        if (p.kind == 0 && p.x == NULL) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                             "<plot> kind=\"sweep\" needs 'x', the swept parameter");
            plot_spec_clear(&p);
            return false;
        }
        g_array_append_val(specs, p);
    }
    return true;
}

/*
 * vns_plot_results:
 * See plot.h. A missing gnuplot is an error that names the package.
 */
int
vns_plot_results(const char *dir, const char *format, unsigned width,
                 unsigned height, GError **error)
{
    g_autoptr(GArray) specs = g_array_new(FALSE, TRUE, sizeof(PlotSpec));
    g_autofree char *plots = g_build_filename(dir, "plots", NULL);
    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    int made = 0;

    g_array_set_clear_func(specs, (GDestroyNotify) plot_spec_clear);
    if (!plot_read_specs(dir, specs, error))
        return -1;
    if (specs->len == 0)
        return 0;
    if (gnuplot == NULL) {
        g_set_error(error, VNS_PLOT_ERROR, VNS_PLOT_ERROR_NO_GNUPLOT,
                    "gnuplot is not installed, expected it in PATH: install the "
                    "Debian package gnuplot-nox (or run scripts/install-deps)");
        return -1;
    }
    g_mkdir_with_parents(plots, 0777);
    for (guint i = 0; i < specs->len; i++) {
        PlotSpec *p = &g_array_index(specs, PlotSpec, i);
        g_autoptr(GString) gp = g_string_new(NULL);
        g_autoptr(GString) dat = g_string_new(NULL);
        g_autofree char *image = g_strdup_printf("%s.%s", p->name, format);
        g_autofree char *gpname = g_strdup_printf("%s.gp", p->name);
        g_autofree char *gppath = g_build_filename(plots, gpname, NULL);
        g_autofree char *out = NULL, *err = NULL;
        const char *argv[] = { gnuplot, gpname, NULL };
        int status = 0;

        g_string_append_printf(gp, "# %s: made by vnetsim; edit and run "
                               "'gnuplot %s' in this directory.\n", p->name, gpname);
        plot_terminal(gp, format, width, height, image);
        g_string_append(gp, "set title ");
        plot_quote(gp, p->title ? p->title : p->name);
        g_string_append(gp, "\n");
        if (p->logx)
            g_string_append(gp, "set logscale x\n");
        if (p->logy)
            g_string_append(gp, "set logscale y\n");
        if (p->kind == 0 ? !plot_sweep(dir, p, gp, dat, error)
                         : !plot_file(dir, p, gp, error))
            return -1;
        if (dat->len > 0) {
            g_autofree char *dn = g_strdup_printf("%s.dat", p->name);
            g_autofree char *dp = g_build_filename(plots, dn, NULL);
            if (!g_file_set_contents(dp, dat->str, (gssize) dat->len, error))
                return -1;
        }
        if (!g_file_set_contents(gppath, gp->str, (gssize) gp->len, error))
            return -1;
        if (!g_spawn_sync(plots, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                          &out, &err, &status, error))
            return -1;
        if (!g_spawn_check_wait_status(status, NULL)) {
            g_strchomp(err);
            g_set_error(error, VNS_PLOT_ERROR, VNS_PLOT_ERROR_GNUPLOT,
                        "gnuplot failed on %s: %s", gppath, err);
            return -1;
        }
        made++;
    }
    return made;
}
