check_PROGRAMS += tests/models/test-models
TESTS += tests/models/test-models
tests_models_test_models_SOURCES = \
	tests/models/test_link.c \
	tests/models/test_qdisc.c
tests_models_test_models_CFLAGS = $(TEST_CFLAGS)
tests_models_test_models_LDADD = $(TEST_LIBS)
tests_models_test_models_SOURCES += tests/models/test_apps.c
tests_models_test_models_SOURCES += tests/models/test_host.c
tests_models_test_models_SOURCES += tests/models/test_capture.c
tests_models_test_models_SOURCES += tests/models/test_tcp.c
tests_models_test_models_SOURCES += tests/models/models_test.c tests/models/models_test.h
tests_models_test_models_SOURCES += tests/models/test_overhead.c
