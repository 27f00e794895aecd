src_libvnscore_a_SOURCES += \
	src/sim/time.c src/sim/time.h \
	src/sim/event_queue.c src/sim/event_queue.h \
	src/sim/heap_queue.c \
	src/sim/calendar_queue.c \
	src/sim/sim.c src/sim/sim.h
