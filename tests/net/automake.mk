check_PROGRAMS += tests/net/test-net
TESTS += tests/net/test-net
tests_net_test_net_SOURCES = \
	tests/net/net_test.c tests/net/net_test.h \
	tests/net/test_addr.c \
	tests/net/test_checksum.c \
	tests/net/test_packet.c \
	tests/net/test_proto.c \
	tests/net/test_flow_key.c \
	tests/net/test_tshark.c
tests_net_test_net_CFLAGS = $(TEST_CFLAGS)
tests_net_test_net_LDADD = $(TEST_LIBS)
tests_net_test_net_SOURCES += tests/net/test_lpm.c
tests_net_test_net_SOURCES += tests/net/test_layers.c
tests_net_test_net_SOURCES += tests/net/test_tunnel_codec.c
tests_net_test_net_SOURCES += tests/common/tshark.c tests/common/tshark.h
