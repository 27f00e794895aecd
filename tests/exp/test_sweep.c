/* Tests of sweeps and the runner: axis expansion, identical results for
 * any number of workers, resuming a killed sweep, the sweep table's
 * statistics against a hand computation, and plots. */
#include <config.h>
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "exp/plot.h"
#include "exp/runner.h"
#include "exp/sweep.h"
#include "models/models.h"
#include "out/resultdir.h"

#define SWEEP_XML VNS_TEST_DATADIR "/ok-sweep.xml"

static VnsRegistry *
registry(void)
{
    VnsRegistry *reg = vns_registry_new();
    cr_assert(vns_models_register(reg, NULL));
    return reg;
}

Test(sweep, axes_expand_as_a_cartesian_product_less_exclusions)
{
    g_autoptr(VnsRegistry) reg = registry();
    GError *err = NULL;
    g_autoptr(VnsExperiment) exp = vns_experiment_load(reg, SWEEP_XML, NULL, &err);
    cr_assert_not_null(exp, "%s", err ? err->message : "");
    g_autoptr(VnsSweep) sw = vns_sweep_load(exp, &err);
    cr_assert_not_null(sw);
    /* offered: 20, 50, 80 (3 steps from 20 to 80, linear); size: 500, 1400;
     * the product has 6 points, minus (80Mbps, 500). First axis outermost. */
    const char *want[][2] = { { "20Mbps", "500" }, { "20Mbps", "1400" },
                              { "50Mbps", "500" }, { "50Mbps", "1400" },
                              { "80Mbps", "1400" } };
    cr_assert_eq(sw->points->len, G_N_ELEMENTS(want));
    for (guint i = 0; i < sw->points->len; i++) {
        char **v = sw->points->pdata[i];
        cr_assert_str_eq(v[0], want[i][0]);
        cr_assert_str_eq(v[1], want[i][1]);
    }
    g_auto(GStrv) sets = vns_sweep_point_sets(sw, 4, (const char *[]) { "a=1", NULL });
    cr_assert_str_eq(sets[0], "a=1");
    cr_assert_str_eq(sets[1], "offered=80Mbps");
    cr_assert_str_eq(sets[2], "size=1400");
    cr_assert_null(sets[3]);
}

Test(sweep, log_scale_is_geometric)
{
    /* 3 steps from 1 to 100 on a log scale: 1, 10, 100. */
    g_autofree char *a = vns_sweep_format_value(1 * pow(100.0, 0.0), "Mbps");
    g_autofree char *b = vns_sweep_format_value(1 * pow(100.0, 0.5), "Mbps");
    cr_assert_str_eq(a, "1Mbps");
    cr_assert_str_eq(b, "10Mbps");
}

static char *
run_sweep(unsigned jobs, const char *tag)
{
    g_autoptr(VnsRegistry) reg = registry();
    g_autofree char *tmp = g_dir_make_tmp("vns-sweep-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(tmp, tag, NULL);
    VnsRunOptions opt = { reg, SWEEP_XML, NULL, false, 0, out, jobs, false, true,
                          false, 0, 1 };
    GError *err = NULL;
    char *dir = vns_runner_run(&opt, &err);
    cr_assert_not_null(dir, "%s", err ? err->message : "");
    g_free(dir);
    return g_steal_pointer(&out);
}

static char *
slurp(const char *dir, const char *file)
{
    g_autofree char *p = g_build_filename(dir, file, NULL);
    char *text = NULL;
    cr_assert(g_file_get_contents(p, &text, NULL, NULL), "missing %s", p);
    return text;
}

static void
remove_run(const char *out)
{
    g_autofree char *parent = g_path_get_dirname(out);
    vns_remove_tree(parent);
}

Test(sweep, one_and_two_workers_give_identical_tables)
{
    g_autofree char *a = run_sweep(1, "j1");
    g_autofree char *b = run_sweep(2, "j2");
    g_autofree char *ca = slurp(a, "sweep.csv"), *cb = slurp(b, "sweep.csv");
    g_autofree char *ja = slurp(a, "sweep.json"), *jb = slurp(b, "sweep.json");

    cr_assert_str_eq(ca, cb);
    cr_assert_str_eq(ja, jb);
    /* 5 points, header + 5 rows; 2 replications each. */
    g_auto(GStrv) lines = g_strsplit(ca, "\n", -1);
    cr_assert_eq(g_strv_length(lines), 7);
    cr_assert(g_str_has_prefix(lines[0], "point,offered,size,replications,"));
    cr_assert(strstr(lines[1], ",20Mbps,500,2,") != NULL, "%s", lines[1]);
    cr_assert(strstr(ca, "flows.f.goodput_bps.ci95") != NULL);
    remove_run(a);
    remove_run(b);
}

/* Writes a fake finished point whose metric x takes 'values'. */
static void
fake_point(const char *dir, const char *hash, const double *values, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        g_autofree char *sub = g_strdup_printf("rep-%03zu", r);
        g_autofree char *d = g_build_filename(dir, "points", hash, sub, NULL);
        g_autofree char *f = g_build_filename(d, "summary.csv", NULL);
        g_autofree char *text = g_strdup_printf("table,name,metric,value\n"
                                                "t,r,x,%.17g\nt,r,label,text\n", values[r]);
        cr_assert_eq(g_mkdir_with_parents(d, 0777), 0);
        cr_assert(g_file_set_contents(f, text, -1, NULL));
    }
}

Test(sweep, table_statistics_match_a_hand_computation)
{
    g_autofree char *dir = g_dir_make_tmp("vns-agg-XXXXXX", NULL);
    g_autofree char *idx = g_build_filename(dir, "points.tsv", NULL);
    const double v[] = { 1, 2, 3, 4, 5 };
    const double one[] = { 7 };
    g_autofree char *csv = NULL;
    g_auto(GStrv) lines = NULL, head = NULL, row = NULL, row2 = NULL;

    cr_assert(g_file_set_contents(idx, "# point\tk\nA\t1\nB\t2\n", -1, NULL));
    fake_point(dir, "A", v, 5);
    fake_point(dir, "B", one, 1);
    cr_assert(vns_runner_aggregate(dir, NULL));
    csv = slurp(dir, "sweep.csv");
    lines = g_strsplit(csv, "\n", -1);
    head = g_strsplit(lines[0], ",", -1);
    row = g_strsplit(lines[1], ",", -1);
    row2 = g_strsplit(lines[2], ",", -1);
    cr_assert_str_eq(lines[0], "point,k,replications,t.r.x.mean,t.r.x.sd,t.r.x.ci95");
    /* {1,2,3,4,5}: mean 3, s = sqrt(2.5) = 1.58113883008, and the 95%
     * half-width t(0.975, 4) s / sqrt(5) = 2.7764451052 x 1.58113883008 / 2.2360679775
     * = 1.96324316148 (t from the NIST/SEMATECH e-Handbook table 1.3.6.7.2,
     * 2.776; more digits, 2.7764451052, from gsl_cdf_tdist_Pinv). */
    cr_assert_str_eq(row[0], "A");
    cr_assert_str_eq(row[2], "5");
    cr_assert_float_eq(g_ascii_strtod(row[3], NULL), 3.0, 1e-12);
    cr_assert_float_eq(g_ascii_strtod(row[4], NULL), 1.58113883008, 1e-10);
    cr_assert_float_eq(g_ascii_strtod(row[5], NULL), 1.96324316148, 1e-9);
    /* One replication: no spread, no interval. */
    cr_assert_str_eq(row2[2], "1");
    cr_assert_float_eq(g_ascii_strtod(row2[3], NULL), 7.0, 1e-12);
    cr_assert_str_eq(row2[4], "nan");
    cr_assert_str_eq(row2[5], "nan");
    vns_remove_tree(dir);
}

static GPid
spawn_vnetsim(const char *out, const char *extra)
{
    const char *argv[] = { VNS_TOP_BUILDDIR "/src/cli/vnetsim", "run", SWEEP_XML,
                           "-q", "-o", out, extra, NULL };
    GPid pid;
    GError *err = NULL;
    cr_assert(g_spawn_async(NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                            NULL, NULL, &pid, &err), "%s", err ? err->message : "");
    return pid;
}

static int
count_points(const char *out)
{
    g_autofree char *pd = g_build_filename(out, "points", NULL);
    g_autoptr(GDir) d = g_dir_open(pd, 0, NULL);
    const char *n;
    int count = 0;
    while (d != NULL && (n = g_dir_read_name(d)) != NULL)
        if (n[0] != '.')
            count++;
    return count;
}

Test(sweep, a_killed_sweep_resumes_without_redoing_points, .timeout = 120)
{
    g_autofree char *tmp = g_dir_make_tmp("vns-kill-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(tmp, "r", NULL);
    g_autofree char *ref = run_sweep(1, "ref");
    GPid pid = spawn_vnetsim(out, "--jobs=1");
    int status, before;
    g_autoptr(GHashTable) inodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    /* Wait for the first finished point, then stop it mid-sweep. */
    for (int i = 0; i < 6000 && count_points(out) < 1; i++)
        g_usleep(10000);
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    before = count_points(out);
    cr_assert_geq(before, 1);
    /* The sweep must have been stopped part-way for the test to mean
     * anything: 5 points of 2 x 200 ms runs take far longer than the
     * 10 ms polling step. */
    cr_assert_lt(before, 5, "the sweep finished before SIGTERM");
    /* Remember the finished points' inodes: a redone point gets a new
     * directory. */
    {
        g_autofree char *pd = g_build_filename(out, "points", NULL);
        g_autoptr(GDir) d = g_dir_open(pd, 0, NULL);
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(pd, n, NULL);
            GStatBuf st;
            if (n[0] == '.')
                continue;       /* the killed run's temporary directory */
            cr_assert_eq(g_stat(p, &st), 0);
            g_hash_table_insert(inodes, g_strdup(n), GSIZE_TO_POINTER(st.st_ino));
        }
    }
    pid = spawn_vnetsim(out, "--jobs=2");
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert_eq(count_points(out), 5);
    {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, inodes);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            g_autofree char *p = g_build_filename(out, "points", k, NULL);
            GStatBuf st;
            cr_assert_eq(g_stat(p, &st), 0, "point %s vanished", (char *) k);
            cr_assert_eq((gsize) st.st_ino, GPOINTER_TO_SIZE(v), "point %s was redone",
                         (char *) k);
        }
    }
    g_autofree char *a = slurp(out, "sweep.csv"), *b = slurp(ref, "sweep.csv");
    cr_assert_str_eq(a, b, "the resumed sweep differs from an uninterrupted one");
    vns_remove_tree(tmp);
    remove_run(ref);
}

/* PNG: 8-byte signature, then the IHDR chunk: length, "IHDR", width and
 * height as 32-bit big-endian (PNG specification, section 11.2.2). */
Test(plot, png_is_made_at_the_requested_size)
{
    g_autofree char *out = run_sweep(2, "plot");
    GError *err = NULL;
    int made = vns_plot_results(out, "png", 640, 400, &err);
    g_autofree char *png = NULL;
    gsize len = 0;
    g_autofree char *path = g_build_filename(out, "plots", "goodput.png", NULL);

    cr_assert_eq(made, 2, "%s", err ? err->message : "");
    cr_assert(g_file_get_contents(path, &png, &len, NULL));
    cr_assert_gt(len, 1000);
    cr_assert_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
    cr_assert_eq(memcmp(png + 12, "IHDR", 4), 0);
    const unsigned char *u = (const unsigned char *) png;
    cr_assert_eq((u[16] << 24) | (u[17] << 16) | (u[18] << 8) | u[19], 640);
    cr_assert_eq((u[20] << 24) | (u[21] << 16) | (u[22] << 8) | u[23], 400);
    g_autofree char *gp = slurp(out, "plots/goodput.gp");
    cr_assert(strstr(gp, "set ylabel \"goodput (Mbit/s)\"") != NULL);
    cr_assert(strstr(gp, "title \"size=500\"") != NULL, "one line per size");
    /* where="size=1400": only the three points with size 1400 (offered 20,
     * 50 and 80 Mbit/s; the exclusion removed 80 Mbit/s at size 500). */
    g_autofree char *dat = slurp(out, "plots/goodput-1400.dat");
    g_auto(GStrv) lines = g_strsplit(dat, "\n", -1);
    int rows = 0;
    for (int i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '#' && lines[i][0] != '\0') {
            rows++;
            cr_assert(g_str_has_suffix(lines[i], "Mbps"), "%s", lines[i]);
        }
    cr_assert_eq(rows, 3, "%s", dat);
    remove_run(out);
}
