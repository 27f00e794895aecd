/* The error domain of the statistics layer (see stats.h). */
#include <config.h>
#include "stats/stats.h"

G_DEFINE_QUARK(vns-stats-error-quark, vns_stats_error)
