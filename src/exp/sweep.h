/* Parameter sweeps: the points of an experiment's <sweep>, each a set of
 * parameter values, and the replications of each point. */
#ifndef VNS_SWEEP_H
#define VNS_SWEEP_H

#include <stdbool.h>
#include <glib.h>
#include "exp/experiment.h"

/* The most points a sweep may have (before exclusions). */
#define VNS_SWEEP_MAX_POINTS 1000000

typedef struct {
    GPtrArray *names;       /* axis parameter names (char *), axis order */
    GPtrArray *points;      /* of GStrv: one value per axis, product order */
} VnsSweep;

VnsSweep *vns_sweep_load(const VnsExperiment *exp, GError **error);
void vns_sweep_free(VnsSweep *sweep);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsSweep, vns_sweep_free)

/* NAME=VALUE strings for point i, after 'base' (NULL-terminated, may be
 * NULL). Returns an owned GStrv. */
char **vns_sweep_point_sets(const VnsSweep *sweep, guint i,
                            const char *const *base);
/* Formats a range value: "%.6g" followed by the unit. Owned. */
char *vns_sweep_format_value(double v, const char *unit);

#endif
