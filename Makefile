# zkaudit - one entry point: make, make test, make demo, make bench, make fuzz, make deps
#
# Release objects go to build/rel, sanitizer (test) objects to build/test, so a
# `make test` never leaves instrumented binaries in bin/.

CC      ?= gcc
ARCH    ?= -march=native
CSTD    := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wvla -Wformat=2 -Wundef
# -ffp-contract=off: float code (SOFTMAX, DEQUANTIZE) must round exactly as the
# TFLite runtime does, so no fused multiply-adds behind our back.
CFLAGS_COMMON := $(CSTD) $(WARN) -ffp-contract=off -I. -pthread -MMD -MP
REL_CFLAGS  := $(CFLAGS_COMMON) -O2 $(ARCH) -g
TEST_CFLAGS := $(CFLAGS_COMMON) -DZKAUDIT_TESTING -O1 -g -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=all
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
LDLIBS  := -lsqlite3 -lcurl -lmicrohttpd -lpng -ljpeg -ljansson -lz -lcrypto -lgmp -lm -pthread

# MPI is optional (docs/scale-out.md): with OpenMPI's pkg-config module ompi-c
# (Debian libopenmpi-dev) bin/seller can run prove-batch under mpirun; without
# it bin/seller builds as before and says so under mpirun.  MPI=0 turns it off.
MPI ?= $(shell pkg-config --exists ompi-c 2>/dev/null && echo 1 || echo 0)
ifeq ($(MPI),1)
MPI_CFLAGS := -DZKAUDIT_MPI $(patsubst -I%,-isystem %,$(shell pkg-config --cflags ompi-c))
MPI_LIBS   := $(shell pkg-config --libs ompi-c)
endif
MPI_SRC   := seller/prove_batch_mpi.c seller/mpi_coord.c

LIB_DIRS := common model zk protocol datasets reports
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
SELLER_SRC := $(wildcard seller/*.c)
BUYER_SRC  := $(wildcard buyer/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
TESTLIB_SRC := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c)) $(wildcard tests/support/*.c)

rel_obj  = $(patsubst %.c,build/rel/%.o,$(1))
test_obj = $(patsubst %.c,build/test/%.o,$(1))

UNIT_BINS := $(patsubst tests/unit/%.c,build/test/bin/%,$(UNIT_SRC))
BENCH_BINS := $(patsubst bench/%.c,build/rel/bin/%,$(wildcard bench/bench_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

.SECONDARY:
.PHONY: all test unit bitexact e2e deps demo bench fuzz clean oracle demo-model
all: bin/seller bin/buyer

# rebuild the MPI objects when MPI is switched on or off: build/mpi.flags
# is rewritten (and so newer than them) only when the setting changes
MPI_STAMP := build/mpi.flags
.PHONY: mpi-flags-check
$(MPI_STAMP): mpi-flags-check
	@mkdir -p $(@D)
	@echo 'MPI=$(MPI) $(MPI_CFLAGS)' | cmp -s - $@ || echo 'MPI=$(MPI) $(MPI_CFLAGS)' > $@
$(call rel_obj,$(MPI_SRC)) $(call test_obj,$(MPI_SRC)): $(MPI_STAMP)
$(call rel_obj,$(MPI_SRC)): REL_CFLAGS += $(MPI_CFLAGS)
$(call test_obj,$(MPI_SRC)): TEST_CFLAGS += $(MPI_CFLAGS)

bin/seller: $(call rel_obj,$(SELLER_SRC) $(LIB_SRC))
	@mkdir -p $(@D)
	@echo '  LD      $@'
	$(Q)$(CC) $(REL_CFLAGS) -o $@ $^ $(MPI_LIBS) $(LDLIBS)
bin/buyer: $(call rel_obj,$(BUYER_SRC) $(LIB_SRC))
	@mkdir -p $(@D)
	@echo '  LD      $@'
	$(Q)$(CC) $(REL_CFLAGS) -o $@ $^ $(LDLIBS)

# the integer kernels' and the proof system's inner loops need -O3 to be vectorized
build/rel/model/kernel_%.o: REL_CFLAGS += -O3
build/rel/zk/%.o: REL_CFLAGS += -O3
build/rel/protocol/%.o: REL_CFLAGS += -O3

build/rel/%.o: %.c
	@mkdir -p $(@D)
	@echo '  CC      $<'
	$(Q)$(CC) $(REL_CFLAGS) -c -o $@ $<
build/test/%.o: %.c
	@mkdir -p $(@D)
	@echo '  CC-SAN  $<'
	$(Q)$(CC) $(TEST_CFLAGS) -c -o $@ $<

# Sanitizer builds of the tools, used by the end-to-end and bit-exactness tests.
build/test/bin/seller: $(call test_obj,$(SELLER_SRC) $(LIB_SRC))
	@mkdir -p $(@D)
	@echo '  LD-SAN  $@'
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $^ $(MPI_LIBS) $(LDLIBS)
build/test/bin/buyer: $(call test_obj,$(BUYER_SRC) $(LIB_SRC))
	@mkdir -p $(@D)
	@echo '  LD-SAN  $@'
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $^ $(LDLIBS)
build/test/bin/test_%: $(call test_obj,tests/unit/test_%.c $(TESTLIB_SRC) $(LIB_SRC))
	@mkdir -p $(@D)
	@echo '  LD-SAN  $@'
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka
# the demo model's suite also links the trainer's pieces from tools/
build/test/bin/test_demo_model: $(call test_obj,tools/demo_cnn.c tools/demo_data.c tools/demo_quant.c)

# make test: build everything (in parallel under -j), then run every cmocka
# suite under ASan+UBSan, then the HTML report in headless Chromium (skipped
# with a message when chromium is absent, except under CI), then the
# bit-exactness checks against ../shared and on the demo model (skipped with
# a message when ../shared or the oracle is absent), then the end-to-end
# tests through the tools, one after the other.
TEST_DEPS := $(UNIT_BINS) build/test/bin/seller build/test/bin/buyer \
             build/rel/bin/mnist_accuracy bin/seller
test: $(TEST_DEPS)
	@tests/run_unit.sh $(UNIT_BINS)
	@tests/e2e/report_browser.sh build/test/bin
	@tests/e2e/plan.sh build/test/bin
	@tests/bitexact/run.sh build/test/bin/seller build/rel/bin/mnist_accuracy
	@JOBS=2 tests/bitexact/ops.sh bin/seller
	@tests/bitexact/demo_model.sh bin/seller
	@tests/e2e/prove.sh build/test/bin
	@tests/e2e/dataset.sh build/test/bin
	@tests/e2e/audit.sh build/test/bin bin
	@tests/e2e/private_data.sh build/test/bin bin
	@tests/e2e/service.sh build/test/bin bin
	@tests/e2e/scale.sh build/test/bin bin
unit: $(UNIT_BINS)
	@tests/run_unit.sh $(UNIT_BINS)
e2e: build/test/bin/seller build/test/bin/buyer bin/seller
	@tests/e2e/prove.sh build/test/bin
	@tests/e2e/plan.sh build/test/bin
	@tests/e2e/dataset.sh build/test/bin
	@tests/e2e/audit.sh build/test/bin bin
	@tests/e2e/private_data.sh build/test/bin bin
	@tests/e2e/service.sh build/test/bin bin
	@tests/e2e/scale.sh build/test/bin bin
bitexact: build/test/bin/seller build/rel/bin/mnist_accuracy bin/seller
	@tests/bitexact/run.sh build/test/bin/seller build/rel/bin/mnist_accuracy
	@JOBS=2 tests/bitexact/ops.sh bin/seller
	@tests/bitexact/demo_model.sh bin/seller

build/rel/bin/mnist_accuracy: $(call rel_obj,tests/bitexact/mnist_accuracy.c $(LIB_SRC))
	@mkdir -p $(@D)
	@echo '  LD      $@'
	$(Q)$(CC) $(REL_CFLAGS) -o $@ $^ $(LDLIBS)

oracle:
	@tests/bitexact/oracle.sh setup

deps:
	@tools/install_deps.sh

demo: all
	@tools/demo.sh

# make demo-model: train, quantize and write models/demo/fashion_cnn.{tflite,json}
# (docs/demo-model.md); deterministic, so a re-run gives the same .tflite bytes.
DEMO_SRC := tools/train_demo.c tools/demo_cnn.c tools/demo_data.c tools/demo_quant.c \
            tests/support/tflite_builder.c
build/rel/tools/demo_cnn.o: REL_CFLAGS += -O3
build/rel/bin/train_demo: $(call rel_obj,$(DEMO_SRC) $(LIB_SRC))
	@mkdir -p $(@D)
	@echo '  LD      $@'
	$(Q)$(CC) $(REL_CFLAGS) -o $@ $^ $(LDLIBS)
demo-model: build/rel/bin/train_demo
	@old=$$(sha256sum models/demo/fashion_cnn.tflite 2>/dev/null | cut -d" " -f1); \
	build/rel/bin/train_demo --out-dir models/demo || exit 1; \
	new=$$(sha256sum models/demo/fashion_cnn.tflite | cut -d" " -f1); \
	if [ "$$old" = "$$new" ]; then echo "demo-model: reproduced the same bytes (sha256 $$new)"; \
	elif [ -n "$$old" ]; then echo "demo-model: the model CHANGED: sha256 $$old -> $$new"; fi

bench: all $(BENCH_BINS)
	@bench/run.sh

# every bench/bench_X.c is a benchmark program build/rel/bin/bench_X
build/rel/bin/bench_%: $(call rel_obj,bench/bench_%.c $(LIB_SRC))
	@mkdir -p $(@D)
	@echo '  LD      $@'
	$(Q)$(CC) $(REL_CFLAGS) -o $@ $^ $(LDLIBS)

FUZZ_CFLAGS := $(CSTD) -I. -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -ffp-contract=off -pthread
FUZZ_TIME ?= 600
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(LDLIBS)
# the service's target calls its request handlers (seller/service*.c) directly
build/fuzz/fuzz_service: $(wildcard seller/service*.c) seller/prove_batch.c
# every tests/fuzz/fuzz_X.c is a libFuzzer target; FUZZ_TIME seconds each
fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh $(FUZZ_TIME) $^

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
