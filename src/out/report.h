/* Results of one run: tables of named rows with ordered fields, plus extra
 * files (histograms, time series) as text. Writers turn a report into
 * summary.json and summary.csv; number formatting is fixed, so the same run
 * gives byte-identical files. */
#ifndef VNS_REPORT_H
#define VNS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct VnsReport VnsReport;

typedef enum {
    VNS_FIELD_INT,
    VNS_FIELD_NUM,
    VNS_FIELD_STR,
} VnsFieldKind;

typedef struct {
    char *key;
    VnsFieldKind kind;
    int64_t i;
    double d;
    char *s;
} VnsField;

typedef struct {
    char *table;
    char *name;
    GArray *fields;         /* of VnsField */
} VnsReportRow;

VnsReport *vns_report_new(void);
void vns_report_free(VnsReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsReport, vns_report_free)

/* Starts a row 'name' in 'table'; later fields go to it. */
void vns_report_row(VnsReport *report, const char *table, const char *name);
void vns_report_int(VnsReport *report, const char *key, int64_t value);
void vns_report_num(VnsReport *report, const char *key, double value);
void vns_report_str(VnsReport *report, const char *key, const char *value);
/* Adds a file to write beside the summary; takes 'content'. */
void vns_report_file(VnsReport *report, const char *filename, GString *content);

guint vns_report_n_rows(const VnsReport *report);
const VnsReportRow *vns_report_get_row(const VnsReport *report, guint i);
const VnsReportRow *vns_report_find_row(const VnsReport *report,
                                        const char *table, const char *name);
const VnsField *vns_report_find(const VnsReport *report, const char *table,
                                const char *name, const char *key);
bool vns_report_get_num(const VnsReport *report, const char *table,
                        const char *name, const char *key, double *out);
/* Extra files, filename -> GString (borrowed). */
GHashTable *vns_report_files(const VnsReport *report);

void vns_report_json_string(GString *out, const char *s);
/* Formats a double the way every writer does ("%.12g", "nan", "inf"). */
void vns_report_format_num(GString *out, double value);
GString *vns_report_to_json(const VnsReport *report, const char *header_json);
GString *vns_report_to_csv(const VnsReport *report);

#endif
