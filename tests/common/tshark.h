/* Wireshark's tshark as the judge of the tests (shared by tests/net and
 * tests/models): run it on a pcap file with IP, UDP and TCP checksum
 * validation on (the preferences are off by default; names from
 * "tshark -G defaultprefs") and read the fields it prints. A test that
 * calls these fails, not skips, when tshark is missing. */
#ifndef VNS_TEST_TSHARK_H
#define VNS_TEST_TSHARK_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* Expert severity from which a frame counts as complained about
 * (Wireshark's PI_WARN; chat 0x200000 and note 0x400000 are commentary
 * such as "Connection establish request (SYN)"). */
#define TEST_TSHARK_PI_WARN 0x600000u

/* Flags of test_tshark(). */
enum {
    /* Print only a field's first occurrence (-E occurrence=f); by default
     * every occurrence, joined by ','. */
    TEST_TSHARK_FIRST = 1 << 0,
};

/* A new temporary directory named after 'tmpl' ("...XXXXXX"), owned;
 * fails the test when it cannot be made. */
char *test_tmpdir(const char *tmpl);
/* Removes the files in 'dir' (not below), then 'dir'. */
void test_tmpdir_remove(const char *dir);
/* Runs tshark on 'pcap' printing the 'n' 'fields' and returns one row (a
 * GStrv of exactly 'n' strings) per frame, in an owned GPtrArray. */
GPtrArray *test_tshark(const char *pcap, const char *const *fields, size_t n,
                       unsigned flags);
/* Field 'col' of frame 'row' (checked to exist). */
const char *test_tshark_field(GPtrArray *rows, guint row, guint col);
/* A number field (decimal or 0x hex); 0 when empty. It must occur once. */
uint32_t test_tshark_uint(const char *text);
/* The highest of a ','-joined list of numbers (_ws.expert.severity);
 * 0 when empty. */
uint32_t test_tshark_worst(const char *text);

#endif
