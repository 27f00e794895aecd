check_PROGRAMS += tests/stats/test-stats
TESTS += tests/stats/test-stats
tests_stats_test_stats_SOURCES = \
	tests/stats/test_counter.c \
	tests/stats/test_time_avg.c \
	tests/stats/test_welford.c \
	tests/stats/test_histogram.c \
	tests/stats/test_ci.c
tests_stats_test_stats_CFLAGS = $(TEST_CFLAGS)
tests_stats_test_stats_LDADD = $(TEST_LIBS)
