/* The error domain of the statistics layer: bad parameters that come from
 * experiment files (a confidence level, a histogram precision) and attempts
 * to combine accumulators that do not fit together. */
#ifndef VNS_STATS_H
#define VNS_STATS_H

#include <glib.h>

#define VNS_STATS_ERROR (vns_stats_error_quark())
GQuark vns_stats_error_quark(void);

typedef enum {
    VNS_STATS_ERROR_FAILED,
    VNS_STATS_ERROR_RANGE,      /* a parameter outside its allowed range */
    VNS_STATS_ERROR_MISMATCH,   /* accumulators of different shapes */
} VnsStatsError;

#endif
