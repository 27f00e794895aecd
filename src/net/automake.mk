# Element framework (lead).
src_libvnscore_a_SOURCES += \
	src/net/config.c src/net/config.h \
	src/net/drop.c src/net/drop.h \
	src/net/element.c src/net/element.h \
	src/net/node.c src/net/node.h
