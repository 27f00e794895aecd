# Criterion test programs, one per layer; tests/<layer>/automake.mk lists the
# sources of each.
if ENABLE_TESTS
TEST_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) \
	-DVNS_TEST_DATADIR='"$(abs_top_srcdir)/tests/data"' \
	-DVNS_TOP_SRCDIR='"$(abs_top_srcdir)"' \
	-DVNS_TOP_BUILDDIR='"$(abs_top_builddir)"'
TEST_LIBS = $(VNS_ALL_LIBS) $(CRITERION_LIBS)
include tests/sim/automake.mk
include tests/stats/automake.mk
include tests/net/automake.mk
include tests/out/automake.mk
include tests/topo/automake.mk
include tests/models/automake.mk
include tests/exp/automake.mk
include tests/cli/automake.mk
endif
include tests/fuzz/automake.mk
