src_libvnsapp_a_SOURCES += \
	src/exp/experiment.c src/exp/experiment.h
