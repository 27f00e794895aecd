src_libvnscore_a_SOURCES += \
	src/out/report.c src/out/report.h \
	src/out/resultdir.c src/out/resultdir.h
src_libvnscore_a_SOURCES += src/out/pcap.c src/out/pcap.h
