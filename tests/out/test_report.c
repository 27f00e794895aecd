/* Tests of the report writers and atomic result directories. */
#include <config.h>
#include <criterion/criterion.h>
#include <math.h>
#include <glib/gstdio.h>
#include "out/report.h"
#include "out/resultdir.h"

static VnsReport *
sample(void)
{
    VnsReport *r = vns_report_new();
    vns_report_row(r, "flows", "f1");
    vns_report_num(r, "goodput_bps", 949367088.60759497);
    vns_report_int(r, "sent", 42);
    vns_report_row(r, "links", "a,b");
    vns_report_str(r, "note", "say \"hi\"");
    vns_report_num(r, "latency", NAN);
    vns_report_row(r, "flows", "f2");
    vns_report_num(r, "goodput_bps", 0.1);
    return r;
}

Test(report, json_groups_rows_by_table_in_order)
{
    g_autoptr(VnsReport) r = sample();
    g_autoptr(GString) json = vns_report_to_json(r, "{\"seed\": 1}");
    const char *want =
        "{\n"
        "  \"experiment\": {\"seed\": 1},\n"
        "  \"flows\": [\n"
        "    {\"name\": \"f1\", \"goodput_bps\": 949367088.608, \"sent\": 42},\n"
        "    {\"name\": \"f2\", \"goodput_bps\": 0.1}\n"
        "  ],\n"
        "  \"links\": [\n"
        "    {\"name\": \"a,b\", \"note\": \"say \\\"hi\\\"\", \"latency\": null}\n"
        "  ]\n"
        "}\n";
    cr_assert_str_eq(json->str, want);
}

Test(report, csv_is_long_form_and_quoted)
{
    g_autoptr(VnsReport) r = sample();
    g_autoptr(GString) csv = vns_report_to_csv(r);
    const char *want =
        "table,name,metric,value\n"
        "flows,f1,goodput_bps,949367088.608\n"
        "flows,f1,sent,42\n"
        "links,\"a,b\",note,\"say \"\"hi\"\"\"\n"
        "links,\"a,b\",latency,nan\n"
        "flows,f2,goodput_bps,0.1\n";
    cr_assert_str_eq(csv->str, want);
}

Test(report, lookup_by_table_name_key)
{
    g_autoptr(VnsReport) r = sample();
    double v = 0;
    cr_assert(vns_report_get_num(r, "flows", "f1", "sent", &v));
    cr_assert_eq(v, 42.0);
    cr_assert_not(vns_report_get_num(r, "flows", "f3", "sent", &v));
    cr_assert_not(vns_report_get_num(r, "links", "a,b", "note", &v));
}

Test(resultdir, nothing_under_final_name_until_commit)
{
    g_autofree char *base = g_dir_make_tmp("vns-rd-XXXXXX", NULL);
    g_autofree char *final = g_build_filename(base, "out", NULL);
    g_autofree char *file = g_build_filename(final, "a.txt", NULL);
    g_autofree char *content = NULL;
    VnsResultDir *d = vns_result_dir_begin(final, NULL);

    cr_assert_not_null(d);
    cr_assert(vns_result_dir_write(d, "a.txt", "hello", -1, NULL));
    cr_assert_not(g_file_test(final, G_FILE_TEST_EXISTS));
    cr_assert(vns_result_dir_commit(d, NULL));
    vns_result_dir_free(d);
    cr_assert(g_file_get_contents(file, &content, NULL, NULL));
    cr_assert_str_eq(content, "hello");

    /* An abandoned directory leaves nothing behind, and the old results
     * stay until a new set is committed. */
    d = vns_result_dir_begin(final, NULL);
    cr_assert(vns_result_dir_write(d, "b.txt", "x", -1, NULL));
    vns_result_dir_free(d);
    g_autoptr(GDir) dir = g_dir_open(base, 0, NULL);
    int entries = 0;
    while (g_dir_read_name(dir) != NULL)
        entries++;
    cr_assert_eq(entries, 1, "only 'out' must remain");
    cr_assert(g_file_test(file, G_FILE_TEST_EXISTS));
    cr_assert(vns_remove_tree(base));
}
