# thermolearn — build, test and run.  `make deps` installs what a bare Debian machine lacks.
CC        := mpicc
PKGS      := hdf5-openmpi gsl inih libcrypto
VERSION   := 0.1.0
GIT       := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
PY        := /usr/bin/python3
MPIRUN    := mpirun --oversubscribe
ifeq ($(shell id -u),0)
MPIRUN    += --allow-run-as-root
endif
export OMPI_MCA_rmaps_base_oversubscribe := 1

OPT       ?= -O3 -march=native
CFLAGS    ?= $(OPT) -g
CFLAGS    += -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wno-unused-parameter -Iinclude \
             -DTL_VERSION='"$(VERSION)"' -DTL_GIT_COMMIT='"$(GIT)"' \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# OpenBLAS and LAPACKE (the vanchurin model): after GSL, so that cblas_* stay GSL's own
LDLIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -llapacke -lopenblas -lm
ifdef SANITIZE
# Open MPI keeps allocations to the end on purpose: leak reports would be noise.
export ASAN_OPTIONS := detect_leaks=0
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
CFLAGS    += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=address,undefined
endif

DEBS      := make pkg-config gcc openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools \
             libgsl-dev librandom123-dev libinih-dev libcmocka-dev libssl-dev \
             libopenblas-dev liblapacke-dev \
             python3-h5py python3-numpy python3-scipy python3-matplotlib python3-pymbar \
             slurm-wlm munge clang

LIB_SRC   := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
LIB_OBJ   := $(LIB_SRC:%.c=build/%.o)
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN  := $(TEST_SRC:tests/unit/%.c=build/tests/%)

.PHONY: all deps test unit-tests run figures bench clean jobs fuzz
all: bin/thermolearn

deps:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "all dependencies present"; fi

build/%.o: %.c $(wildcard include/thermolearn/*.h src/models/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

build/libthermolearn.a: $(LIB_OBJ)
	@# objects of different models share names (kernel.o, bench.o): rebuild, never replace by name
	rm -f $@ && ar qcs $@ $^

bin/thermolearn: build/src/main.o build/libthermolearn.a
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) build/libthermolearn.a
	@mkdir -p build/tests
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< build/libthermolearn.a $(LDLIBS) -lcmocka

build/tools/%: tests/tools/%.c build/libthermolearn.a
	@mkdir -p build/tools
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< build/libthermolearn.a $(LDLIBS)

unit-tests: $(TEST_BIN) build/tools/bar_cli build/tools/scheduler_check build/tools/handout_sim

# libFuzzer targets (clang through mpicc), with ASan and UBSan, in build/fuzz/.
FUZZ_CC     := OMPI_CC=clang $(CC)
FUZZ_CFLAGS := -O1 -g -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wno-unused-parameter -Iinclude \
               -DTL_VERSION='"$(VERSION)"' -DTL_GIT_COMMIT='"$(GIT)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
               -fsanitize=address,undefined -fno-omit-frame-pointer
FUZZ_OBJ    := $(LIB_SRC:%.c=build/fuzz/%.o)
build/fuzz/%.o: %.c $(wildcard include/thermolearn/*.h src/models/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
.SECONDARY: $(FUZZ_OBJ)
fuzz: build/fuzz/fuzz_config build/fuzz/fuzz_h5

# The test command of the README: set-up, build, every test.
test: deps
	$(MAKE) all unit-tests fuzz
	MPIRUN="$(MPIRUN)" PY=$(PY) bash tests/run_all.sh $(TESTS)

# $(call study,NAME): run inputs/NAME.ini on 2 ranks, print the check table, plot the work.
define study
	@mkdir -p results
	$(MPIRUN) -n 2 bin/thermolearn run inputs/$(1).ini -o results/$(1).h5 --force
	bin/thermolearn check results/$(1).h5 || true
	$(PY) analysis/plot_work.py results/$(1).h5 -o results/$(1).png
endef

run: deps
	$(MAKE) all
	$(call study,hopfield_crooks)

# Every script in analysis/figures.d/ makes the figures of one study.
figures: deps
	$(MAKE) all
	@mkdir -p results
	@for f in analysis/figures.d/*.sh; do echo "== $$f"; MPIRUN="$(MPIRUN)" PY=$(PY) bash $$f || exit 1; done

bench: all
	bin/thermolearn bench hopfield

# jobs/NAME.sbatch for every inputs/NAME.ini, from jobs/template.sbatch.
jobs:
	bash jobs/make_jobs.sh

clean:
	rm -rf build bin
