src_libvnscore_a_SOURCES += \
	src/stats/stats.c src/stats/stats.h \
	src/stats/counter.c src/stats/counter.h \
	src/stats/time_avg.c src/stats/time_avg.h \
	src/stats/welford.c src/stats/welford.h \
	src/stats/histogram.c src/stats/histogram.h \
	src/stats/ci.c src/stats/ci.h
