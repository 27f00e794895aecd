src_libvnsapp_a_SOURCES += \
	src/topo/registry.c src/topo/registry.h \
	src/topo/loader.c src/topo/loader.h
