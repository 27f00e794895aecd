check_PROGRAMS += tests/cli/test-cli
TESTS += tests/cli/test-cli
tests_cli_test_cli_SOURCES = tests/cli/test_cli.c
tests_cli_test_cli_CFLAGS = $(TEST_CFLAGS)
tests_cli_test_cli_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/bad-input src/topo/schemas
dist_schema_DATA += src/topo/schemas/topology.rng src/topo/schemas/experiment.rng
