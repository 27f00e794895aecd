/* The element-type and builder registry. */
#include <config.h>
#include "topo/registry.h"

#include <string.h>

typedef struct {
    const char *name;
    const VnsSpec *spec;
    const VnsElementOps *ops;       /* or */
    const VnsBuilder *builder;
    unsigned scopes;
} Entry;

struct VnsRegistry {
    GArray *entries;                /* of Entry */
};

VnsRegistry *
vns_registry_new(void)
{
    VnsRegistry *reg = g_new0(VnsRegistry, 1);
    reg->entries = g_array_new(FALSE, TRUE, sizeof(Entry));
    return reg;
}

void
vns_registry_free(VnsRegistry *reg)
{
    if (reg == NULL)
        return;
    g_array_free(reg->entries, TRUE);
    g_free(reg);
}

static const Entry *
registry_lookup(const VnsRegistry *reg, const char *name, unsigned scope)
{
    for (guint i = 0; i < reg->entries->len; i++) {
        const Entry *e = &g_array_index(reg->entries, Entry, i);
        if (strcmp(e->name, name) == 0 && (e->scopes & scope))
            return e;
    }
    return NULL;
}

static bool
registry_add(VnsRegistry *reg, const Entry *entry, GError **error)
{
    if (registry_lookup(reg, entry->name, entry->scopes) != NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_DUPLICATE,
                    "element type <%s> registered twice", entry->name);
        return false;
    }
    g_assert(entry->spec != NULL && strcmp(entry->spec->element, entry->name) == 0);
    g_array_append_vals(reg->entries, entry, 1);
    return true;
}

/*
 * vns_registry_add_element:
 * Registers an element type for the given scopes. A second registration of
 * the same name in an overlapping scope is an error.
 */
bool
vns_registry_add_element(VnsRegistry *reg, const VnsElementOps *ops,
                         unsigned scopes, GError **error)
{
    Entry e = { ops->type, ops->spec, ops, NULL, scopes };
    return registry_add(reg, &e, error);
}

bool
vns_registry_add_builder(VnsRegistry *reg, const VnsBuilder *builder,
                         unsigned scopes, GError **error)
{
    Entry e = { builder->element, builder->spec, NULL, builder, scopes };
    return registry_add(reg, &e, error);
}

const VnsElementOps *
vns_registry_element(const VnsRegistry *reg, const char *name, unsigned scope)
{
    const Entry *e = registry_lookup(reg, name, scope);
    return e != NULL ? e->ops : NULL;
}

const VnsBuilder *
vns_registry_builder(const VnsRegistry *reg, const char *name, unsigned scope)
{
    const Entry *e = registry_lookup(reg, name, scope);
    return e != NULL ? e->builder : NULL;
}

const VnsSpec *
vns_registry_spec(const VnsRegistry *reg, const char *name, unsigned scope)
{
    const Entry *e = registry_lookup(reg, name, scope);
    return e != NULL ? e->spec : NULL;
}

static gint
registry_cmp_spec(gconstpointer a, gconstpointer b)
{
    const VnsSpec *sa = *(const VnsSpec *const *) a;
    const VnsSpec *sb = *(const VnsSpec *const *) b;
    return strcmp(sa->element, sb->element);
}

GPtrArray *
vns_registry_specs(const VnsRegistry *reg, unsigned scope)
{
    GPtrArray *out = g_ptr_array_new();

    for (guint i = 0; i < reg->entries->len; i++) {
        const Entry *e = &g_array_index(reg->entries, Entry, i);
        if (e->scopes & scope)
            g_ptr_array_add(out, (gpointer) e->spec);
    }
    g_ptr_array_sort(out, registry_cmp_spec);
    return out;
}
