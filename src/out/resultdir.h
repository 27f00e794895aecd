/* A results directory written whole or not at all: files go to a temporary
 * sibling directory that is renamed into place on commit; an aborted or
 * interrupted run leaves nothing under the final name. */
#ifndef VNS_RESULTDIR_H
#define VNS_RESULTDIR_H

#include <stdbool.h>
#include <glib.h>

#define VNS_OUT_ERROR (vns_out_error_quark())
GQuark vns_out_error_quark(void);

typedef enum {
    VNS_OUT_ERROR_FAILED,
    VNS_OUT_ERROR_IO,
} VnsOutError;

typedef struct VnsResultDir VnsResultDir;

VnsResultDir *vns_result_dir_begin(const char *path, GError **error);
bool vns_result_dir_write(VnsResultDir *dir, const char *name,
                          const char *data, gssize len, GError **error);
const char *vns_result_dir_temp_path(const VnsResultDir *dir);
bool vns_result_dir_commit(VnsResultDir *dir, GError **error);
/* Removes the temporary directory unless committed, and frees 'dir'. */
void vns_result_dir_free(VnsResultDir *dir);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsResultDir, vns_result_dir_free)

bool vns_file_write_atomic(const char *path, const char *data, gssize len,
                           GError **error);
bool vns_remove_tree(const char *path);

#endif
