/* Simulated time and link rates.
 *
 * Time is a signed 64-bit count of picoseconds (range about +-106 days):
 * serializing a 64-byte frame at 400 Gbit/s takes 1.28 ns, which nanoseconds
 * would round. Rates are unsigned 64-bit bits per second. */
#ifndef VNS_TIME_H
#define VNS_TIME_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef int64_t VnsTime;

#define VNS_PS  ((VnsTime) 1)
#define VNS_NS  ((VnsTime) 1000)
#define VNS_US  ((VnsTime) 1000000)
#define VNS_MS  ((VnsTime) 1000000000)
#define VNS_SEC ((VnsTime) 1000000000000)
#define VNS_TIME_MAX INT64_MAX
#define VNS_TIME_NEVER INT64_MAX

#define VNS_SIM_ERROR (vns_sim_error_quark())
GQuark vns_sim_error_quark(void);

typedef enum {
    VNS_SIM_ERROR_FAILED,
    VNS_SIM_ERROR_SYNTAX,    /* not a number with a unit */
    VNS_SIM_ERROR_UNIT,      /* unknown unit */
    VNS_SIM_ERROR_RANGE,     /* overflows, negative, or finer than 1 ps */
} VnsSimError;

bool vns_time_parse(const char *text, VnsTime *out, GError **error);
bool vns_rate_parse(const char *text, uint64_t *out_bps, GError **error);
VnsTime vns_time_tx(uint64_t bytes, uint64_t rate_bps);
double vns_time_to_s(VnsTime t);
VnsTime vns_time_from_s(double s);
char *vns_time_format(VnsTime t);

#endif
