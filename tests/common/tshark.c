/* Running tshark from the tests (tshark.h). */
#include <config.h>
#include "tests/common/tshark.h"

#include <string.h>
#include <criterion/criterion.h>
#include <glib/gstdio.h>

char *
test_tmpdir(const char *tmpl)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp(tmpl, &error);

    cr_assert_not_null(dir, "%s", error ? error->message : "");
    return dir;
}

void
test_tmpdir_remove(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_unlink(p);
    }
    g_rmdir(dir);
}

GPtrArray *
test_tshark(const char *pcap, const char *const *fields, size_t n, unsigned flags)
{
    g_autofree char *tshark = g_find_program_in_path("tshark");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) lines = NULL;
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
    int status = 0;

    cr_assert_not_null(tshark, "tshark not found on PATH: install the Debian "
                       "package tshark (Wireshark is the truth for this test)");
    for (const char *const *a = (const char *const[]) {
             tshark, "-n", "-r", pcap, "-o", "ip.check_checksum:TRUE",
             "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
             "-T", "fields", "-E", "separator=/t", "-E",
             (flags & TEST_TSHARK_FIRST) ? "occurrence=f" : "occurrence=a",
             "-E", "aggregator=,", NULL }; *a != NULL; a++)
        g_ptr_array_add(argv, (char *) *a);
    for (size_t f = 0; f < n; f++) {
        g_ptr_array_add(argv, "-e");
        g_ptr_array_add(argv, (char *) fields[f]);
    }
    g_ptr_array_add(argv, NULL);
    cr_assert(g_spawn_sync(NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT,
                           NULL, NULL, &out, &err, &status, &error),
              "running tshark: %s", error ? error->message : "");
    cr_assert(g_spawn_check_wait_status(status, &error), "tshark -r %s failed: %s\n%s",
              pcap, error ? error->message : "", err);
    lines = g_strsplit(out, "\n", -1);
    for (int i = 0; lines[i] != NULL; i++) {
        char **row;

        if (lines[i][0] == '\0')
            continue;
        row = g_strsplit(lines[i], "\t", -1);
        cr_assert_eq(g_strv_length(row), n, "tshark line %d: '%s'", i, lines[i]);
        g_ptr_array_add(rows, row);
    }
    return rows;
}

const char *
test_tshark_field(GPtrArray *rows, guint row, guint col)
{
    char **r;

    cr_assert(row < rows->len, "tshark printed only %u frames", rows->len);
    r = g_ptr_array_index(rows, row);
    cr_assert(col < g_strv_length(r), "tshark printed only %u fields",
              g_strv_length(r));
    return r[col];
}

uint32_t
test_tshark_uint(const char *text)
{
    cr_assert(strchr(text, ',') == NULL, "field '%s' occurs more than once", text);
    return (uint32_t) g_ascii_strtoull(text, NULL, 0);
}

uint32_t
test_tshark_worst(const char *text)
{
    g_auto(GStrv) list = g_strsplit(text, ",", -1);
    uint32_t worst = 0;

    for (size_t k = 0; list[k] != NULL; k++)
        worst = MAX(worst, (uint32_t) g_ascii_strtoull(list[k], NULL, 0));
    return worst;
}
