/* Tests of element configs: spec checks, typed accessors, defaults,
 * ${parameter} substitution, and file:line error prefixes. */
#include <config.h>
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include "net/config.h"

static const VnsAttrSpec demo_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL, "name" },
    { "rate", VNS_ATTR_RATE, false, "1Gbps", NULL, "rate" },
    { "delay", VNS_ATTR_TIME, false, "1ms", NULL, "delay" },
    { "mtu", VNS_ATTR_UINT, false, "1500", "bytes", "mtu", NULL, 68, 65535 },
    { "mode", VNS_ATTR_ENUM, false, "fast", NULL, "mode", "fast|slow" },
    { "on", VNS_ATTR_BOOL, false, "false", NULL, "on" },
    { "gain", VNS_ATTR_DOUBLE, false, "0.5", NULL, "gain" },
    { "ttl", VNS_ATTR_STRING, false, "inherit", NULL, "ttl" },
    { NULL }
};
static const VnsAttrSpec child_attrs[] = {
    { "x", VNS_ATTR_UINT, true, NULL, NULL, "x" },
    { NULL }
};
static const VnsSpec child_spec = { "child", "c", child_attrs, NULL, false };
static const VnsSpec *const demo_children[] = { &child_spec, NULL };
static const VnsSpec demo_spec = { "demo", "d", demo_attrs, demo_children, false };

typedef struct {
    xmlDoc *doc;
    VnsConfig *cfg;
    VnsParams *params;
} Fixture;

static Fixture
load(const char *xml)
{
    Fixture f;
    f.doc = xmlReadMemory(xml, (int) strlen(xml), "mem.xml", NULL, XML_PARSE_NONET);
    cr_assert_not_null(f.doc);
    f.params = vns_params_new();
    f.cfg = vns_config_new("t.xml", xmlDocGetRootElement(f.doc), &demo_spec, f.params);
    return f;
}

static void
unload(Fixture *f)
{
    vns_config_free(f->cfg);
    vns_params_free(f->params);
    xmlFreeDoc(f->doc);
}

Test(config, defaults_come_from_the_spec)
{
    Fixture f = load("<demo name=\"a\"/>");
    uint64_t rate, mtu;
    VnsTime delay;
    int mode;
    bool on;
    double gain;

    cr_assert(vns_config_check(f.cfg, NULL));
    cr_assert(vns_config_rate(f.cfg, "rate", &rate, NULL));
    cr_assert_eq(rate, 1000000000ULL);
    cr_assert(vns_config_time(f.cfg, "delay", &delay, NULL));
    cr_assert_eq(delay, VNS_MS);
    cr_assert(vns_config_uint(f.cfg, "mtu", &mtu, NULL));
    cr_assert_eq(mtu, 1500);
    cr_assert(vns_config_enum(f.cfg, "mode", &mode, NULL));
    cr_assert_eq(mode, 0);
    cr_assert(vns_config_bool(f.cfg, "on", &on, NULL));
    cr_assert_not(on);
    cr_assert(vns_config_double(f.cfg, "gain", &gain, NULL));
    cr_assert_float_eq(gain, 0.5, 1e-15);
    unload(&f);
}

static void
expect_error(const char *xml, const char *attr, int code, const char *msg)
{
    Fixture f = load(xml);
    GError *err = NULL;
    bool ok;

    if (attr == NULL) {
        ok = vns_config_check(f.cfg, &err);
    } else if (!strcmp(attr, "rate")) {
        uint64_t v;
        ok = vns_config_rate(f.cfg, attr, &v, &err);
    } else if (!strcmp(attr, "delay")) {
        VnsTime v;
        ok = vns_config_time(f.cfg, attr, &v, &err);
    } else if (!strcmp(attr, "mtu")) {
        uint64_t v;
        ok = vns_config_uint(f.cfg, attr, &v, &err);
    } else if (!strcmp(attr, "mode")) {
        int v;
        ok = vns_config_enum(f.cfg, attr, &v, &err);
    } else if (!strcmp(attr, "on")) {
        bool v;
        ok = vns_config_bool(f.cfg, attr, &v, &err);
    } else {
        char *v = NULL;
        ok = vns_config_string(f.cfg, attr, &v, &err);
        g_free(v);
    }
    cr_assert_not(ok, "accepted: %s", xml);
    cr_assert_eq(err->domain, VNS_CONFIG_ERROR);
    cr_assert_eq(err->code, code, "code %d: %s", err->code, err->message);
    cr_assert_str_eq(err->message, msg);
    g_error_free(err);
    unload(&f);
}

Test(config, errors_name_file_line_and_expectation)
{
    expect_error("<demo name=\"a\" rte=\"1\"/>", NULL, VNS_CONFIG_ERROR_UNKNOWN,
                 "t.xml:1: <demo> has unknown attribute 'rte', expected one of: "
                 "name, rate, delay, mtu, mode, on, gain, ttl");
    expect_error("<demo/>", NULL, VNS_CONFIG_ERROR_MISSING,
                 "t.xml:1: <demo> lacks required attribute 'name' (name)");
    expect_error("<demo name=\"a\">\n<kid/></demo>", NULL, VNS_CONFIG_ERROR_UNKNOWN,
                 "t.xml:2: unknown element <kid> in <demo>, expected one of: <child>");
    expect_error("<demo name=\"a\">\n\n<child/></demo>", NULL, VNS_CONFIG_ERROR_MISSING,
                 "t.xml:3: <child> lacks required attribute 'x' (integer)");
    expect_error("<demo name=\"a\" rate=\"10\"/>", "rate", VNS_CONFIG_ERROR_BAD_VALUE,
                 "t.xml:1: <demo> 'rate': rate '10' has no unit, expected one such "
                 "as '10Gbps', '400Mbps' or '1.5Gbit/s'");
    expect_error("<demo name=\"a\" rate=\"0Gbps\"/>", "rate", VNS_CONFIG_ERROR_BAD_VALUE,
                 "t.xml:1: <demo> 'rate' is zero, expected a positive rate");
    expect_error("<demo name=\"a\" delay=\"-1ms\"/>", "delay", VNS_CONFIG_ERROR_BAD_VALUE,
                 "t.xml:1: <demo> 'delay': duration '-1ms' is negative, expected a "
                 "positive duration such as '250ns', '10us', '1.5ms' or '2s'");
    expect_error("<demo name=\"a\" mtu=\"20\"/>", "mtu", VNS_CONFIG_ERROR_BAD_VALUE,
                 "t.xml:1: <demo> 'mtu' is 20, expected 68 to 65535 bytes");
    expect_error("<demo name=\"a\" mtu=\"99999999999999999999999\"/>", "mtu",
                 VNS_CONFIG_ERROR_BAD_VALUE,
                 "t.xml:1: <demo> 'mtu' is '99999999999999999999999', expected an "
                 "integer below 2^64");
    expect_error("<demo name=\"a\" mode=\"medium\"/>", "mode", VNS_CONFIG_ERROR_BAD_VALUE,
                 "t.xml:1: <demo> 'mode' is 'medium', expected one of: fast|slow");
    expect_error("<demo name=\"a\" on=\"maybe\"/>", "on", VNS_CONFIG_ERROR_BAD_VALUE,
                 "t.xml:1: <demo> 'on' is 'maybe', expected true or false");
    expect_error("<demo name=\"a b\"/>", "name", VNS_CONFIG_ERROR_BAD_VALUE,
                 "t.xml:1: <demo> 'name' is 'a b', expected a name of ASCII letters, "
                 "digits, '_', '-' and '.'");
    expect_error("<demo name=\"a\" rate=\"${speed}\"/>", "rate", VNS_CONFIG_ERROR_PARAM,
                 "t.xml:1: <demo> 'rate' uses undefined parameter 'speed', expected "
                 "a <param> or --set speed=VALUE");
}

Test(config, parameters_are_substituted)
{
    Fixture f = load("<demo name=\"n${i}\" rate=\"${r}Mbps\" delay=\"$${x}\"/>");
    g_autofree char *name = NULL;
    uint64_t rate;

    vns_params_set(f.params, "r", "250", true);
    vns_params_set(f.params, "r", "999", true);     /* weak: first value stays */
    vns_params_set(f.params, "i", "7", false);
    cr_assert(vns_config_string(f.cfg, "name", &name, NULL));
    cr_assert_str_eq(name, "n7");
    cr_assert(vns_config_rate(f.cfg, "rate", &rate, NULL));
    cr_assert_eq(rate, 250000000ULL);
    vns_params_set(f.params, "r", "100", false);    /* strong: replaces */
    cr_assert(vns_config_rate(f.cfg, "rate", &rate, NULL));
    cr_assert_eq(rate, 100000000ULL);
    cr_assert_eq(vns_params_names(f.params)->len, 2);
    unload(&f);
}

Test(config, children_in_document_order)
{
    Fixture f = load("<demo name=\"a\"><child x=\"1\"/><child x=\"2\"/></demo>");
    g_autoptr(GPtrArray) kids = vns_config_children(f.cfg, "child");
    uint64_t x;

    cr_assert(vns_config_check(f.cfg, NULL));
    cr_assert_eq(kids->len, 2);
    cr_assert(vns_config_uint(kids->pdata[1], "x", &x, NULL));
    cr_assert_eq(x, 2);
    unload(&f);
}

Test(config, integer_or_keyword)
{
    static const struct { const char *xml; int word; uint64_t value; } ok[] = {
        { "<demo name=\"a\"/>", 0, 0 },                 /* the default */
        { "<demo name=\"a\" ttl=\"auto\"/>", 1, 0 },
        { "<demo name=\"a\" ttl=\"64\"/>", -1, 64 },
        { "<demo name=\"a\" ttl=\"0xff\"/>", -1, 255 },
    };
    static const char *const bad[] = { "0", "256", "-1", "0x", "6x", "flow", "" };

    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        Fixture f = load(ok[i].xml);
        uint64_t v = 99;
        int w = 99;
        cr_assert(vns_config_uint_or(f.cfg, "ttl", "inherit|auto", 1, 255, &v,
                                     &w, NULL), "%s", ok[i].xml);
        cr_assert_eq(w, ok[i].word, "%s", ok[i].xml);
        cr_assert_eq(v, ok[i].value, "%s", ok[i].xml);
        unload(&f);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *xml = g_strdup_printf("<demo name=\"a\" ttl=\"%s\"/>",
                                               bad[i]);
        g_autofree char *msg = g_strdup_printf(
            "t.xml:1: <demo> 'ttl' is '%s', expected an integer from 1 to 255 "
            "or 'inherit' or 'auto'", bad[i]);
        Fixture f = load(xml);
        uint64_t v;
        int w;
        GError *err = NULL;
        cr_assert_not(vns_config_uint_or(f.cfg, "ttl", "inherit|auto", 1, 255,
                                         &v, &w, &err), "%s", xml);
        cr_assert_str_eq(err->message, msg);
        g_error_free(err);
        unload(&f);
    }
}
