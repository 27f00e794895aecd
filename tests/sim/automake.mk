check_PROGRAMS += tests/sim/test-sim
TESTS += tests/sim/test-sim
tests_sim_test_sim_SOURCES = \
	tests/sim/test_time.c \
	tests/sim/test_sim.c \
	tests/sim/test_queue.c
tests_sim_test_sim_CFLAGS = $(TEST_CFLAGS)
tests_sim_test_sim_LDADD = $(TEST_LIBS)
