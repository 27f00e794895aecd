/* Shared helpers of the libFuzzer targets (see fuzz.h). */
#include <config.h>
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

/*
 * fuzz_fail:
 * Reports a broken property at 'file':'line' and aborts, so that libFuzzer
 * saves the input and prints the stack. The one place a target prints.
 */
void
fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
    abort();
}

/* libxml2 messages that no context handler caught go nowhere: a target
 * never prints, and the loader reports errors through GError. */
static void
fuzz_xml_silent(void *ctx, const char *msg, ...)
{
}

/*
 * fuzz_init:
 * Prepares the libraries once per process: GLib warnings and criticals
 * abort (bad input must be a GError; a critical is a bug, see STYLE.md),
 * and libxml2 prints nothing.
 */
void
fuzz_init(void)
{
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL |
                           G_LOG_LEVEL_WARNING);
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, fuzz_xml_silent);
}

/*
 * fuzz_dir_new:
 * Makes a fresh directory under $TMPDIR (or /tmp). Returns its owned
 * path; aborts when that fails, since no input could be tried.
 */
char *
fuzz_dir_new(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("vnetsim-fuzz-XXXXXX", &error);

    FUZZ_CHECK(dir != NULL);
    return dir;
}

/*
 * fuzz_dir_remove:
 * Removes 'dir' and everything in it (the files and directories a target
 * made there).
 */
void
fuzz_dir_remove(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (d == NULL)
        return;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
            !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            fuzz_dir_remove(path);
        else
            g_unlink(path);
    }
    g_rmdir(dir);
}

/*
 * fuzz_write_file:
 * Replaces the file at 'path' with the 'size' bytes at 'data'; aborts on
 * failure (a full disk is no finding, but no input could be tried).
 */
void
fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    /* In place, without the rename and fsync of g_file_set_contents(): one
     * write per input must stay cheap. */
    FUZZ_CHECK(g_file_set_contents_full(path, (const char *) data,
                                        (gssize) size,
                                        G_FILE_SET_CONTENTS_NONE, 0644, NULL));
}

/*
 * fuzz_copy_files:
 * Copies every regular file of 'src_dir' whose name matches the glob
 * 'pattern' into 'dest_dir' under the same name.
 */
void
fuzz_copy_files(const char *src_dir, const char *pattern, const char *dest_dir)
{
    g_autoptr(GDir) d = g_dir_open(src_dir, 0, NULL);
    const char *name;

    FUZZ_CHECK(d != NULL);
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *src = g_build_filename(src_dir, name, NULL);
        g_autofree char *dest = g_build_filename(dest_dir, name, NULL);
        g_autofree char *text = NULL;
        gsize len = 0;

        if (!g_pattern_match_simple(pattern, name) ||
            !g_file_test(src, G_FILE_TEST_IS_REGULAR))
            continue;
        FUZZ_CHECK(g_file_get_contents(src, &text, &len, NULL));
        fuzz_write_file(dest, (const uint8_t *) text, len);
    }
}
