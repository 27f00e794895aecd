/* Atomic results directories and files (temporary name, then rename). */
#include <config.h>
#include "out/resultdir.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(vns-out-error-quark, vns_out_error)

struct VnsResultDir {
    char *path;         /* final name */
    char *temp;         /* temporary sibling */
    bool committed;
};

/*
 * vns_remove_tree:
 * Removes a file or a directory tree; true when nothing is left.
 */
bool
vns_remove_tree(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
        !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        GDir *d = g_dir_open(path, 0, NULL);
        const char *name;
        while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
            g_autofree char *child = g_build_filename(path, name, NULL);
            vns_remove_tree(child);
        }
        if (d != NULL)
            g_dir_close(d);
        return g_rmdir(path) == 0;
    }
    return g_unlink(path) == 0 || errno == ENOENT;
}

/*
 * vns_result_dir_begin:
 * Starts writing the directory 'path' (created with its parents). Returns
 * an owned handle; free without commit to discard.
 */
VnsResultDir *
vns_result_dir_begin(const char *path, GError **error)
{
    g_autofree char *parent = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    VnsResultDir *dir;

    if (g_mkdir_with_parents(parent, 0777) != 0) {
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO,
                    "cannot create directory '%s': %s", parent, g_strerror(errno));
        return NULL;
    }
    dir = g_new0(VnsResultDir, 1);
    dir->path = g_strdup(path);
    dir->temp = g_strdup_printf("%s/.%s.tmp-%d-XXXXXX", parent, base, (int) getpid());
    if (g_mkdtemp(dir->temp) == NULL) {
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO,
                    "cannot create a directory in '%s': %s", parent,
                    g_strerror(errno));
        g_free(dir->path);
        g_free(dir->temp);
        g_free(dir);
        return NULL;
    }
    return dir;
}

const char *
vns_result_dir_temp_path(const VnsResultDir *dir)
{
    return dir->temp;
}

bool
vns_result_dir_write(VnsResultDir *dir, const char *name, const char *data,
                     gssize len, GError **error)
{
    g_autofree char *file = g_build_filename(dir->temp, name, NULL);
    GError *local = NULL;

    if (!g_file_set_contents(file, data, len, &local)) {
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO, "cannot write '%s': %s",
                    file, local->message);
        g_error_free(local);
        return false;
    }
    return true;
}

/*
 * vns_result_dir_commit:
 * Replaces 'path' by the written directory.
 */
bool
vns_result_dir_commit(VnsResultDir *dir, GError **error)
{
    if (g_file_test(dir->path, G_FILE_TEST_EXISTS))
        vns_remove_tree(dir->path);
    if (g_rename(dir->temp, dir->path) != 0) {
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO,
                    "cannot rename '%s' to '%s': %s", dir->temp, dir->path,
                    g_strerror(errno));
        return false;
    }
    dir->committed = true;
    return true;
}

void
vns_result_dir_free(VnsResultDir *dir)
{
    if (dir == NULL)
        return;
    if (!dir->committed)
        vns_remove_tree(dir->temp);
    g_free(dir->path);
    g_free(dir->temp);
    g_free(dir);
}

/*
 * vns_file_write_atomic:
 * Writes 'path' through a temporary file and rename (g_file_set_contents).
 */
bool
vns_file_write_atomic(const char *path, const char *data, gssize len,
                      GError **error)
{
    GError *local = NULL;

    if (!g_file_set_contents(path, data, len, &local)) {
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO, "cannot write '%s': %s",
                    path, local->message);
        g_error_free(local);
        return false;
    }
    return true;
}
