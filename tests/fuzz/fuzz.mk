# evsnn — the libFuzzer harnesses, built with clang apart from the main
# build. GNU make; Makefile.am's fuzz, fuzz-build and check targets run it
# as $(MAKE) -f tests/fuzz/fuzz.mk from the top build folder (in-tree or
# VPATH), passing:
#   srcdir        the source tree, absolute
#   FUZZ_CC       clang (configure's FUZZ_CC)
#   AR            the archiver
#   LIB_SOURCES   the library's sources (libevsnn_core_la_SOURCES)
#   CLI_SOURCES   the program's (evsnn_SOURCES): all but main.c go into
#                 fuzz_pbm, with evs_cli_picture
#   LIB_CPPFLAGS  its preprocessor flags (config.h, includes, inih, BLAS,
#                 HDF5)
#   LIB_LIBS      what it links with
#   FUZZ_SECONDS  how long `run` fuzzes each harness
# Outputs, all under tests/fuzz/ of the build folder: obj/ (objects),
# fuzz_<harness> (programs), seeds/ (made from the source tree at each run),
# corpus/ (what the fuzzer kept, reused by the next run), artifacts/
# (crashes, leaks, timeouts), fuzz_<harness>.log and .trs (the result, in
# automake's format, so CI counts one test per harness).

FUZZ_HARNESSES := model ras edges pbm
FUZZ_SECONDS ?= 60
# A harness input takes milliseconds; 10 s is a hang even on a busy machine.
FUZZ_TIMEOUT ?= 10
FUZZ_RSS_MB ?= 2048
FUZZ_MAX_LEN ?= 8192

D := tests/fuzz
O := $(D)/obj
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=c11 -Wall -Wextra -g -O1 -fno-omit-frame-pointer $(SAN)
# src/cli of the build folder: the generated dirs.h (plot.c)
ALL_CPPFLAGS := $(LIB_CPPFLAGS) -I$(srcdir)/src/cli -Isrc/cli -I$(srcdir)/tests/fuzz \
	-DEVS_FUZZ_MODELS='"$(srcdir)/models"'

# Quiet unless V=1, like automake's silent rules.
Q := $(if $(filter 1,$(V)),,@)
say = $(if $(Q),@echo '  $(1)	$(2)')

LIB_OBJS := $(patsubst %.c,$(O)/%.o,$(filter %.c,$(LIB_SOURCES)))
CLI_OBJS := $(patsubst %.c,$(O)/%.o,\
	$(filter-out %/main.c,$(filter %.c,$(CLI_SOURCES))))
PROGS := $(FUZZ_HARNESSES:%=$(D)/fuzz_%)

.PHONY: build run $(FUZZ_HARNESSES:%=run-%)
.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDARY:

build: $(PROGS)

# Library and CLI code: coverage-instrumented for the fuzzer, no main.
$(O)/%.o: $(srcdir)/%.c
	@mkdir -p $(@D)
	$(call say,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	  -MMD -MP -c $< -o $@

$(O)/libevsnn-fuzz.a: $(LIB_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(D)/fuzz_%: $(O)/tests/fuzz/fuzz_%.o $(O)/libevsnn-fuzz.a
	$(call say,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(LIB_LIBS) -lm -o $@

$(D)/fuzz_pbm: $(O)/tests/fuzz/fuzz_pbm.o $(CLI_OBJS) $(O)/libevsnn-fuzz.a
	$(call say,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(LIB_LIBS) -lm -o $@

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) \
	$(FUZZ_HARNESSES:%=$(O)/tests/fuzz/fuzz_%.d)

# run-H: fuzzes harness H for FUZZ_SECONDS from fresh seeds and the corpus
# of earlier runs; fails on any crash, leak, timeout or out-of-memory
# (libFuzzer stops at the first and saves the input in artifacts/H/).
run: $(FUZZ_HARNESSES:%=run-%)

$(FUZZ_HARNESSES:%=run-%): run-%: $(D)/fuzz_%
	@rm -rf $(D)/seeds/$* $(D)/seeds/$*.dict $(D)/artifacts/$*
	@mkdir -p $(D)/seeds/$* $(D)/corpus/$* $(D)/artifacts/$*
	@sh $(srcdir)/tests/fuzz/seeds.sh $* $(srcdir) $(D)/seeds/$*
	@echo "fuzz_$*: $(FUZZ_SECONDS) s, log in $(D)/fuzz_$*.log"
	@./$< -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	  -rss_limit_mb=$(FUZZ_RSS_MB) -max_len=$(FUZZ_MAX_LEN) \
	  -print_final_stats=1 \
	  $$(test -f $(D)/seeds/$*.dict && echo -dict=$(CURDIR)/$(D)/seeds/$*.dict) \
	  -artifact_prefix=$(CURDIR)/$(D)/artifacts/$*/ \
	  $(CURDIR)/$(D)/corpus/$* $(CURDIR)/$(D)/seeds/$* \
	  >$(D)/fuzz_$*.log 2>&1; \
	rc=$$?; \
	sh $(srcdir)/tests/fuzz/summary.sh $* $$rc $(D) >$(D)/fuzz_$*.trs; \
	sed -n 's/^:summary: //p' $(D)/fuzz_$*.trs; \
	grep -q '^:test-result: PASS' $(D)/fuzz_$*.trs || \
	  { tail -n 40 $(D)/fuzz_$*.log; exit 1; }
