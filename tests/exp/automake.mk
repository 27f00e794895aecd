check_PROGRAMS += tests/exp/test-exp
TESTS += tests/exp/test-exp
tests_exp_test_exp_SOURCES = tests/exp/test_sweep.c
tests_exp_test_exp_CFLAGS = $(TEST_CFLAGS)
tests_exp_test_exp_LDADD = $(TEST_LIBS)
tests_exp_test_exp_SOURCES += tests/exp/test_path.c
