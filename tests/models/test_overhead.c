/* Overhead accounting end to end (models/capture/overhead.c): the split of
 * a saturated link's line time by layer against the closed form. Header
 * sizes: UDP 8 (RFC 768), IPv4 20 (RFC 791), Ethernet 14 + FCS 4,
 * preamble+SFD 8 and inter-frame gap 12 (IEEE 802.3 clauses 3.1.1 and
 * 4.4.2). The per-packet split itself is tested in tests/net/test_layers.c. */
#include <config.h>
#include <math.h>
#include <criterion/criterion.h>
#include "tests/models/models_test.h"

Test(overhead, saturated_link_goodput_is_the_closed_form)
{
    g_autoptr(VnsReport) r = models_test_run("ok-overhead.xml", NULL, 0);
    const char *at = "h2:eth0";
    double frames = models_test_num(r, "overhead", at, "frames");
    /* A 1000-byte datagram takes 1000 + 8 + 20 + 14 + 4 + 20 = 1066 bytes
     * of line time. Back to back at 1 Gbit/s that is 8.528 us per frame,
     * so the 10 ms window (the duration; the 1 ms warm-up is not counted)
     * holds 10 ms / 8.528 us = 1172.6 frames: 1172 or 1173 depending on
     * where the window cuts. */
    cr_assert(frames >= 1172 && frames <= 1173, "%g frames", frames);
    cr_assert_eq(models_test_num(r, "overhead", at, "bytes_payload"),
                 1000 * frames);
    cr_assert_eq(models_test_num(r, "overhead", at, "bytes_l4"), 8 * frames);
    cr_assert_eq(models_test_num(r, "overhead", at, "bytes_l3"), 20 * frames);
    cr_assert_eq(models_test_num(r, "overhead", at, "bytes_l2"), 18 * frames);
    cr_assert_eq(models_test_num(r, "overhead", at, "bytes_l1"), 20 * frames);
    cr_assert_eq(models_test_num(r, "overhead", at, "bytes_encap"), 0);
    cr_assert_float_eq(models_test_num(r, "overhead", at, "overhead_fraction"),
                       66.0 / 1066.0, 1e-12);
    /* Goodput over the line rate: 1000/1066 = 0.93809 when the line is
     * busy the whole window, less up to one frame at the edges. */
    double g = models_test_num(r, "overhead", at, "goodput_fraction_of_line");
    cr_assert(fabs(g - 1000.0 / 1066.0) < 1066.0 * 8 / (1e9 * 10e-3),
              "goodput fraction %g", g);
    /* The per-flow row holds the same frames (no ARP: it came before the
     * warm-up ended). */
    cr_assert_eq(models_test_num(r, "overhead_flows", "h2:eth0/f1", "frames"),
                 frames);
    /* On the sender, outgoing (before the link's queue): the source offers
     * 2 Gbit/s of payload, 250,000 datagrams/s, 2500 in 10 ms; against the
     * 'rate' given, 2 Gbit/s, that is 2500 x 8000 bit / (2e9 bit/s x 10 ms)
     * = 1.0. */
    cr_assert_float_eq(models_test_num(r, "overhead", "h1:eth0",
                                       "goodput_fraction_of_line"),
                       1.0, 1e-3);
}
