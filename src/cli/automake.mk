bin_PROGRAMS += src/cli/vnetsim
src_cli_vnetsim_SOURCES = src/cli/main.c
src_cli_vnetsim_LDADD = $(VNS_ALL_LIBS)
