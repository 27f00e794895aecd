/* Run results as tables of rows, and their JSON and CSV forms. */
#include <config.h>
#include "out/report.h"

#include <math.h>
#include <string.h>

struct VnsReport {
    GPtrArray *rows;        /* of VnsReportRow*, in insertion order */
    VnsReportRow *current;
    GHashTable *files;      /* filename -> GString */
};

static void
report_row_free(VnsReportRow *row)
{
    for (guint i = 0; i < row->fields->len; i++) {
        VnsField *f = &g_array_index(row->fields, VnsField, i);
        g_free(f->key);
        g_free(f->s);
    }
    g_array_free(row->fields, TRUE);
    g_free(row->table);
    g_free(row->name);
    g_free(row);
}

static void
report_gstring_free(gpointer s)
{
    g_string_free(s, TRUE);
}

VnsReport *
vns_report_new(void)
{
    VnsReport *r = g_new0(VnsReport, 1);
    r->rows = g_ptr_array_new_with_free_func((GDestroyNotify) report_row_free);
    r->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     report_gstring_free);
    return r;
}

void
vns_report_free(VnsReport *report)
{
    if (report == NULL)
        return;
    g_ptr_array_free(report->rows, TRUE);
    g_hash_table_destroy(report->files);
    g_free(report);
}

void
vns_report_row(VnsReport *report, const char *table, const char *name)
{
    VnsReportRow *row = g_new0(VnsReportRow, 1);
    row->table = g_strdup(table);
    row->name = g_strdup(name);
    row->fields = g_array_new(FALSE, TRUE, sizeof(VnsField));
    g_ptr_array_add(report->rows, row);
    report->current = row;
}

static VnsField *
report_add(VnsReport *report, const char *key, VnsFieldKind kind)
{
    VnsField f = { g_strdup(key), kind, 0, 0.0, NULL };
    g_assert(report->current != NULL);
    g_array_append_val(report->current->fields, f);
    return &g_array_index(report->current->fields, VnsField,
                          report->current->fields->len - 1);
}

void
vns_report_int(VnsReport *report, const char *key, int64_t value)
{
    report_add(report, key, VNS_FIELD_INT)->i = value;
}

void
vns_report_num(VnsReport *report, const char *key, double value)
{
    report_add(report, key, VNS_FIELD_NUM)->d = value;
}

void
vns_report_str(VnsReport *report, const char *key, const char *value)
{
    report_add(report, key, VNS_FIELD_STR)->s = g_strdup(value);
}

void
vns_report_file(VnsReport *report, const char *filename, GString *content)
{
    g_hash_table_replace(report->files, g_strdup(filename), content);
}

guint
vns_report_n_rows(const VnsReport *report)
{
    return report->rows->len;
}

const VnsReportRow *
vns_report_get_row(const VnsReport *report, guint i)
{
    return report->rows->pdata[i];
}

const VnsReportRow *
vns_report_find_row(const VnsReport *report, const char *table,
                    const char *name)
{
    for (guint i = 0; i < report->rows->len; i++) {
        const VnsReportRow *row = report->rows->pdata[i];
        if (strcmp(row->table, table) == 0 && strcmp(row->name, name) == 0)
            return row;
    }
    return NULL;
}

const VnsField *
vns_report_find(const VnsReport *report, const char *table, const char *name,
                const char *key)
{
    const VnsReportRow *row = vns_report_find_row(report, table, name);

    for (guint i = 0; row != NULL && i < row->fields->len; i++) {
        const VnsField *f = &g_array_index(row->fields, VnsField, i);
        if (strcmp(f->key, key) == 0)
            return f;
    }
    return NULL;
}

/*
 * vns_report_get_num:
 * The numeric value of table/name/key (integers converted); false when
 * absent or text.
 */
bool
vns_report_get_num(const VnsReport *report, const char *table,
                   const char *name, const char *key, double *out)
{
    const VnsField *f = vns_report_find(report, table, name, key);

    if (f == NULL || f->kind == VNS_FIELD_STR)
        return false;
    *out = f->kind == VNS_FIELD_INT ? (double) f->i : f->d;
    return true;
}

GHashTable *
vns_report_files(const VnsReport *report)
{
    return report->files;
}

void
vns_report_format_num(GString *out, double value)
{
    if (isnan(value))
        g_string_append(out, "nan");
    else if (isinf(value))
        g_string_append(out, value > 0 ? "inf" : "-inf");
    else {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        g_string_append(out, g_ascii_formatd(buf, sizeof buf, "%.12g", value));
    }
}

/*
 * vns_report_json_string:
 * Appends 's' to 'out' as a JSON string literal (RFC 8259 section 7:
 * quote, backslash and control characters escaped).
 */
void
vns_report_json_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(out, "\\u%04x", *p);
        else
            g_string_append_c(out, (char) *p);
    }
    g_string_append_c(out, '"');
}

static void
report_json_value(GString *out, const VnsField *f)
{
    switch (f->kind) {
    case VNS_FIELD_INT:
        g_string_append_printf(out, "%" G_GINT64_FORMAT, f->i);
        break;
    case VNS_FIELD_NUM:
        /* JSON has no NaN or infinity: they become null. */
        if (!isfinite(f->d))
            g_string_append(out, "null");
        else
            vns_report_format_num(out, f->d);
        break;
    case VNS_FIELD_STR:
        vns_report_json_string(out, f->s);
        break;
    }
}

/*
 * vns_report_to_json:
 * {"experiment": <header_json>, "<table>": [{"name": ..., fields...}, ...], ...}
 * with tables in order of first appearance and rows in insertion order.
 * 'header_json' (may be NULL) is an already-formatted JSON object.
 */
GString *
vns_report_to_json(const VnsReport *report, const char *header_json)
{
    GString *out = g_string_new("{\n");
    g_autoptr(GPtrArray) tables = g_ptr_array_new();
    bool first_table = true;

    if (header_json != NULL) {
        g_string_append_printf(out, "  \"experiment\": %s", header_json);
        first_table = false;
    }
    for (guint i = 0; i < report->rows->len; i++) {
        VnsReportRow *row = report->rows->pdata[i];
        bool seen = false;
        for (guint t = 0; t < tables->len; t++)
            seen = seen || strcmp(tables->pdata[t], row->table) == 0;
        if (!seen)
            g_ptr_array_add(tables, row->table);
    }
    for (guint t = 0; t < tables->len; t++) {
        bool first_row = true;
        g_string_append_printf(out, "%s  ", first_table ? "" : ",\n");
        vns_report_json_string(out, tables->pdata[t]);
        g_string_append(out, ": [");
        first_table = false;
        for (guint i = 0; i < report->rows->len; i++) {
            VnsReportRow *row = report->rows->pdata[i];
            if (strcmp(row->table, tables->pdata[t]) != 0)
                continue;
            g_string_append_printf(out, "%s\n    {\"name\": ", first_row ? "" : ",");
            first_row = false;
            vns_report_json_string(out, row->name);
            for (guint k = 0; k < row->fields->len; k++) {
                VnsField *f = &g_array_index(row->fields, VnsField, k);
                g_string_append(out, ", ");
                vns_report_json_string(out, f->key);
                g_string_append(out, ": ");
                report_json_value(out, f);
            }
            g_string_append_c(out, '}');
        }
        g_string_append(out, first_row ? "]" : "\n  ]");
    }
    g_string_append(out, "\n}\n");
    return out;
}

static void
report_csv_cell(GString *out, const char *s)
{
    if (strpbrk(s, ",\"\n") == NULL) {
        g_string_append(out, s);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

/*
 * vns_report_to_csv:
 * Long format, one value a line: table,name,metric,value.
 */
GString *
vns_report_to_csv(const VnsReport *report)
{
    GString *out = g_string_new("table,name,metric,value\n");

    for (guint i = 0; i < report->rows->len; i++) {
        VnsReportRow *row = report->rows->pdata[i];
        for (guint k = 0; k < row->fields->len; k++) {
            VnsField *f = &g_array_index(row->fields, VnsField, k);
            report_csv_cell(out, row->table);
            g_string_append_c(out, ',');
            report_csv_cell(out, row->name);
            g_string_append_c(out, ',');
            report_csv_cell(out, f->key);
            g_string_append_c(out, ',');
            if (f->kind == VNS_FIELD_STR)
                report_csv_cell(out, f->s);
            else if (f->kind == VNS_FIELD_INT)
                g_string_append_printf(out, "%" G_GINT64_FORMAT, f->i);
            else
                vns_report_format_num(out, f->d);
            g_string_append_c(out, '\n');
        }
    }
    return out;
}
