# libFuzzer targets (doc/fuzzing.md). tests/fuzz/run-fuzz builds them with
# clang, apart from the configured compiler, into tests/fuzz/build/ of the
# build tree, and runs them there.
#   make fuzz           fuzzes each target for FUZZ_SECONDS (default 60)
#   make fuzz-regress   replays tests/fuzz/regress/ and the seed corpora
FUZZ_RUN = bash $(top_srcdir)/tests/fuzz/run-fuzz '$(abs_top_builddir)'

fuzz:
	$(FUZZ_RUN) fuzz

fuzz-regress:
	$(FUZZ_RUN) regress

fuzz-clean:
	rm -rf $(top_builddir)/tests/fuzz/build $(top_builddir)/tests/fuzz/run

.PHONY: fuzz fuzz-regress fuzz-clean

EXTRA_DIST += tests/fuzz/run-fuzz tests/fuzz/.gitignore tests/fuzz/text.dict \
	tests/fuzz/fuzz.h tests/fuzz/fuzz.c tests/fuzz/fuzz_topology.c \
	tests/fuzz/fuzz_experiment.c tests/fuzz/fuzz_packet.c tests/fuzz/fuzz_text.c \
	tests/fuzz/corpus tests/fuzz/regress
