/* The one list of element types and builders (STYLE.md). */
#ifndef VNS_MODELS_H
#define VNS_MODELS_H

#include <stdbool.h>
#include <glib.h>
#include "topo/registry.h"

bool vns_models_register(VnsRegistry *reg, GError **error);

#endif
