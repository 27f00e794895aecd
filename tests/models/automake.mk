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
tests_models_test_models_SOURCES += tests/models/host_bench.c tests/models/host_bench.h tests/models/test_ecmp.c
tests_models_test_models_SOURCES += tests/models/models_test.c tests/models/models_test.h
tests_models_test_models_SOURCES += tests/models/test_overhead.c
tests_models_test_models_SOURCES += tests/models/test_vnic.c
tests_models_test_models_SOURCES += tests/models/test_bridge.c
tests_models_test_models_SOURCES += tests/models/test_tcp_rr.c
tests_models_test_models_SOURCES += tests/models/test_conntrack.c tests/models/stateful_bench.h
tests_models_test_models_SOURCES += tests/models/test_ovs.c
tests_models_test_models_SOURCES += tests/models/test_overlay.c
tests_models_test_models_SOURCES += tests/models/test_nat.c
tests_models_test_models_SOURCES += tests/models/test_vpc.c
tests_models_test_models_SOURCES += tests/common/tshark.c tests/common/tshark.h
tests_models_test_models_SOURCES += tests/models/test_cpu_stage.c
