src_libvnsapp_a_SOURCES += \
	src/exp/experiment.c src/exp/experiment.h \
	src/exp/sweep.c src/exp/sweep.h \
	src/exp/runner.c src/exp/runner.h \
	src/exp/plot.c src/exp/plot.h \
	src/exp/path.c src/exp/path.h
