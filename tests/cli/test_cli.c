/* Tests of the vnetsim command as a user runs it: exit statuses, the
 * bad-input corpus (exact first error line, nothing written), shipped
 * schemas and reference docs kept current, and byte-identical results for
 * the same seed. */
#include <config.h>
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include "out/resultdir.h"

#define VNETSIM VNS_TOP_BUILDDIR "/src/cli/vnetsim"

typedef struct {
    int status;
    char *out;
    char *err;
} Run;

/* Runs vnetsim with 'args' (NULL-terminated) in the source directory. */
static Run
run_vnetsim(const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    Run r = { 0, NULL, NULL };
    GError *error = NULL;
    int wait_status;

    g_ptr_array_add(argv, (gpointer) VNETSIM);
    for (size_t i = 0; args[i] != NULL; i++)
        g_ptr_array_add(argv, (gpointer) args[i]);
    g_ptr_array_add(argv, NULL);
    cr_assert(g_spawn_sync(VNS_TOP_SRCDIR, (char **) argv->pdata, NULL, 0, NULL,
                           NULL, &r.out, &r.err, &wait_status, &error),
              "spawn: %s", error ? error->message : "");
    cr_assert(WIFEXITED(wait_status), "vnetsim crashed (signal %d): %s",
              WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0, r.err);
    r.status = WEXITSTATUS(wait_status);
    return r;
}

static void
run_clear(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

Test(cli, version_help_and_bad_usage)
{
    Run r = run_vnetsim((const char *[]) { "--version", NULL });
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.out, "vnetsim " PACKAGE_VERSION "\n");
    run_clear(&r);
    const char *helps[][3] = { { "--help" }, { "run", "--help" },
                               { "validate", "--help" }, { "elements", "--help" },
                               { "schema", "--help" } };
    for (size_t i = 0; i < G_N_ELEMENTS(helps); i++) {
        r = run_vnetsim(helps[i]);
        cr_assert_eq(r.status, 0, "%s %s", helps[i][0], helps[i][1]);
        cr_assert(strstr(r.out, "Usage: vnetsim") != NULL);
        run_clear(&r);
    }
    r = run_vnetsim((const char *[]) { "frobnicate", NULL });
    cr_assert_eq(r.status, 2);
    cr_assert(g_str_has_prefix(r.err, "vnetsim: unknown command 'frobnicate'"));
    run_clear(&r);
    r = run_vnetsim((const char *[]) { "run", NULL });
    cr_assert_eq(r.status, 2);
    run_clear(&r);
}

static void
expect_current(const char *const *args, const char *file)
{
    Run r = run_vnetsim(args);
    g_autofree char *path = g_build_filename(VNS_TOP_SRCDIR, file, NULL);
    g_autofree char *shipped = NULL;

    cr_assert_eq(r.status, 0);
    cr_assert(g_file_get_contents(path, &shipped, NULL, NULL), "missing %s", file);
    cr_assert_str_eq(shipped, r.out, "%s is out of date: regenerate it with "
                     "vnetsim %s %s > %s", file, args[0], args[1], file);
    run_clear(&r);
}

Test(cli, shipped_schemas_and_reference_are_current)
{
    expect_current((const char *[]) { "schema", "topology", NULL },
                   "src/topo/schemas/topology.rng");
    expect_current((const char *[]) { "schema", "experiment", NULL },
                   "src/topo/schemas/experiment.rng");
    expect_current((const char *[]) { "elements", "--markdown", NULL },
                   "doc/reference.md");
}

/* Every file in tests/bad-input is refused by `vnetsim validate` with exit
 * status 2 and exactly the first error line listed in expected.txt
 * ("FILE<TAB>LINE"), and writes nothing. */
Test(cli, bad_input_corpus_is_refused_exactly)
{
    g_autofree char *list = NULL;
    g_auto(GStrv) lines = NULL;
    int checked = 0;

    cr_assert(g_file_get_contents(VNS_TOP_SRCDIR "/tests/bad-input/expected.txt",
                                  &list, NULL, NULL));
    lines = g_strsplit(list, "\n", -1);
    for (size_t i = 0; lines[i] != NULL; i++) {
        g_auto(GStrv) f = NULL;
        g_autofree char *file = NULL, *first = NULL;
        if (lines[i][0] == '\0' || lines[i][0] == '#')
            continue;
        f = g_strsplit(lines[i], "\t", 2);
        cr_assert_not_null(f[1], "expected.txt line %zu lacks a tab", i + 1);
        file = g_strconcat("tests/bad-input/", f[0], NULL);
        Run r = run_vnetsim((const char *[]) { "validate", file, NULL });
        cr_assert_eq(r.status, 2, "%s: status %d, stderr: %s", file, r.status, r.err);
        first = g_strndup(r.err, strcspn(r.err, "\n"));
        cr_assert_str_eq(first, f[1], "%s", file);
        cr_assert_str_eq(r.out, "", "%s printed on stdout", file);
        run_clear(&r);
        checked++;
    }
    cr_assert_geq(checked, 40, "the corpus must hold at least 40 cases");
}

/* Reads every regular file under 'dir' into a relative path -> content
 * table. */
static void
read_tree(GHashTable *t, const char *root, const char *rel)
{
    g_autofree char *dir = rel ? g_build_filename(root, rel, NULL) : g_strdup(root);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    cr_assert_not_null(d, "no directory %s", dir);
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *r = rel ? g_build_filename(rel, name, NULL) : g_strdup(name);
        g_autofree char *p = g_build_filename(root, r, NULL);
        char *content = NULL;
        if (g_file_test(p, G_FILE_TEST_IS_DIR))
            read_tree(t, root, r);
        else if (g_file_get_contents(p, &content, NULL, NULL))
            g_hash_table_insert(t, g_steal_pointer(&r), content);
    }
}

static GHashTable *
read_dir(const char *dir)
{
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    read_tree(t, dir, NULL);
    return t;
}

static GHashTable *
run_into(const char *experiment, const char *seed, char **tmp_out)
{
    g_autofree char *tmp = g_dir_make_tmp("vns-cli-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(tmp, "r", NULL);
    Run r = run_vnetsim((const char *[]) { "run", experiment, "-q", "-o", out,
                                           "--seed", seed, "--jobs=2", NULL });
    cr_assert_eq(r.status, 0, "%s: %s", experiment, r.err);
    cr_assert_str_eq(r.err, "", "nothing on stderr when it is not a terminal");
    run_clear(&r);
    *tmp_out = g_steal_pointer(&tmp);
    return read_dir(out);
}

static bool
tables_equal(GHashTable *a, GHashTable *b)
{
    GHashTableIter it;
    gpointer k, v;
    if (g_hash_table_size(a) != g_hash_table_size(b))
        return false;
    g_hash_table_iter_init(&it, a);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const char *w = g_hash_table_lookup(b, k);
        if (w == NULL || strcmp(v, w) != 0)
            return false;
    }
    return true;
}

/* Every experiment shipped in experiments/ runs twice with one seed and
 * gives byte-identical files; the stochastic ones (Poisson arrivals) give
 * other results with another seed. */
Test(cli, same_seed_gives_byte_identical_results, .timeout = 1800)
{
    g_autoptr(GDir) d = g_dir_open(VNS_TOP_SRCDIR "/experiments", 0, NULL);
    const char *name;
    int n = 0;

    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *exp = g_strconcat("experiments/", name, NULL);
        g_autofree char *t1 = NULL, *t2 = NULL;
        if (!g_str_has_suffix(name, ".xml"))
            continue;
        g_autoptr(GHashTable) a = run_into(exp, "11", &t1);
        g_autoptr(GHashTable) b = run_into(exp, "11", &t2);
        cr_assert(g_hash_table_contains(a, "summary.json") ||
                  g_hash_table_contains(a, "sweep.csv"), "%s wrote no results", name);
        cr_assert(tables_equal(a, b), "%s: same seed, different files", name);
        {
            g_autofree char *src = g_build_filename(VNS_TOP_SRCDIR, exp, NULL);
            g_autofree char *xml = NULL;
            cr_assert(g_file_get_contents(src, &xml, NULL, NULL));
            if (strstr(xml, "<poisson") != NULL) {
                g_autofree char *t3 = NULL;
                g_autoptr(GHashTable) c = run_into(exp, "12", &t3);
                cr_assert_not(tables_equal(a, c), "%s: another seed gave the same "
                              "results", name);
                vns_remove_tree(t3);
            }
        }
        vns_remove_tree(t1);
        vns_remove_tree(t2);
        n++;
    }
    cr_assert_geq(n, 3, "quickstart, saturation and queueing at least");
}

Test(cli, bad_run_writes_nothing)
{
    g_autofree char *tmp = g_dir_make_tmp("vns-cli-XXXXXX", NULL);
    g_autofree char *out = g_build_filename(tmp, "r", NULL);
    Run r = run_vnetsim((const char *[]) { "run", "experiments/quickstart.xml",
                                           "-o", out, "--set", "nosuch=1", NULL });
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "--set nosuch=1: no parameter 'nosuch'") != NULL, "%s", r.err);
    cr_assert_not(g_file_test(out, G_FILE_TEST_EXISTS));
    run_clear(&r);
    g_autoptr(GDir) d = g_dir_open(tmp, 0, NULL);
    cr_assert_null(g_dir_read_name(d), "a temporary directory was left behind");
    vns_remove_tree(tmp);
}
