/* Plots: gnuplot scripts and images made from a results directory and the
 * <plot> elements of its experiment. The scripts and their data files stay
 * next to the images so users can restyle them. */
#ifndef VNS_PLOT_H
#define VNS_PLOT_H

#include <stdbool.h>
#include <glib.h>

#define VNS_PLOT_ERROR (vns_plot_error_quark())
GQuark vns_plot_error_quark(void);

typedef enum {
    VNS_PLOT_ERROR_FAILED,
    VNS_PLOT_ERROR_NO_GNUPLOT,      /* gnuplot is not installed */
    VNS_PLOT_ERROR_DATA,            /* the results lack what a plot needs */
    VNS_PLOT_ERROR_GNUPLOT,         /* gnuplot failed */
} VnsPlotError;

/* Writes DIR/plots/NAME.gp and .dat for each <plot> of DIR/experiment.xml
 * and runs gnuplot to make NAME.FORMAT (png, svg or pdf) of width x height
 * pixels (pdf: the same size at 96 dpi). Returns the number of plots made,
 * or -1 with 'error' set. */
int vns_plot_results(const char *dir, const char *format, unsigned width,
                     unsigned height, GError **error);

#endif
