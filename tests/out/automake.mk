check_PROGRAMS += tests/out/test-out
TESTS += tests/out/test-out
tests_out_test_out_SOURCES = \
	tests/out/test_report.c
tests_out_test_out_CFLAGS = $(TEST_CFLAGS)
tests_out_test_out_LDADD = $(TEST_LIBS)
