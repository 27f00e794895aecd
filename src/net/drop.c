/* Names of the drop causes. */
#include <config.h>
#include "net/drop.h"

#include <glib.h>

static const char *const cause_names[] = {
#define VNS_DROP_NAME(e, n, d) n,
    VNS_DROP_CAUSES(VNS_DROP_NAME)
#undef VNS_DROP_NAME
};

static const char *const cause_descriptions[] = {
#define VNS_DROP_DESC(e, n, d) d,
    VNS_DROP_CAUSES(VNS_DROP_DESC)
#undef VNS_DROP_DESC
};

const char *
vns_drop_cause_name(VnsDropCause cause)
{
    g_return_val_if_fail(cause < VNS_DROP_N_CAUSES, "?");
    return cause_names[cause];
}

const char *
vns_drop_cause_description(VnsDropCause cause)
{
    g_return_val_if_fail(cause < VNS_DROP_N_CAUSES, "?");
    return cause_descriptions[cause];
}
