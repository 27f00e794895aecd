/* The time-weighted average of a piecewise-constant signal, such as a queue
 * length, the number of busy CPU cores or the number of conntrack entries.
 *
 * The signal holds each value from the instant it is set until the next
 * update. Over a window [start, now] the mean is the integral of the signal
 * divided by the window's length. The window starts at vns_time_avg_init()
 * and again at each vns_time_avg_reset() (the end of warm-up).
 *
 * VnsTimeAvg is a plain struct that callers embed; read it through the
 * functions below, not its members. */
#ifndef VNS_TIME_AVG_H
#define VNS_TIME_AVG_H

#include <glib.h>
#include "sim/time.h"

typedef struct {
    VnsTime start_ps;   /* start of the averaging window */
    VnsTime last_ps;    /* time of the last update (or of the start) */
    double value;       /* value held since last_ps */
    double area;        /* integral over [start_ps, last_ps], value x ps */
    double area_comp;   /* rounding compensation of 'area' (Neumaier) */
    double min;         /* smallest value set within the window */
    double max;         /* largest value set within the window */
} VnsTimeAvg;

void vns_time_avg_init(VnsTimeAvg *avg, VnsTime now_ps, double value);
void vns_time_avg_update(VnsTimeAvg *avg, VnsTime now_ps, double value);
void vns_time_avg_reset(VnsTimeAvg *avg, VnsTime now_ps);
double vns_time_avg_mean(const VnsTimeAvg *avg, VnsTime now_ps);
double vns_time_avg_value(const VnsTimeAvg *avg);
double vns_time_avg_min(const VnsTimeAvg *avg);
double vns_time_avg_max(const VnsTimeAvg *avg);

#endif
