check_PROGRAMS += tests/topo/test-topo
TESTS += tests/topo/test-topo
tests_topo_test_topo_SOURCES = \
	tests/topo/test_config.c \
	tests/topo/test_loader.c
tests_topo_test_topo_CFLAGS = $(TEST_CFLAGS)
tests_topo_test_topo_LDADD = $(TEST_LIBS)
