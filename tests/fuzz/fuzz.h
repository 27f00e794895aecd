/* Shared helpers of the libFuzzer targets in tests/fuzz/: silencing and
 * hardening the libraries' logging, property checks that crash with a
 * location, and the scratch directory the loader targets write their input
 * into (the loader reads files, so each input becomes a file). */
#ifndef VNS_FUZZ_H
#define VNS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* Crashes (abort) with the failed condition when 'cond' is false: a broken
 * property is a finding, like a sanitizer report. */
#define FUZZ_CHECK(cond) \
    ((cond) ? (void) 0 : fuzz_fail(#cond, __FILE__, __LINE__))

G_NORETURN void fuzz_fail(const char *what, const char *file, int line);
void fuzz_init(void);
char *fuzz_dir_new(void);
void fuzz_dir_remove(const char *dir);
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);
void fuzz_copy_files(const char *src_dir, const char *pattern,
                     const char *dest_dir);

#endif
