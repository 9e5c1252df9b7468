# The project's two commands:
#   make demo   install what is missing, build, and run the demo fine-tune
#   make test   install what is missing, build, and run every test
# and, for the plugin's ABI tests under the sanitizers, make sanitize; for the parsers under
# libFuzzer, make fuzz (FUZZ_SECONDS per target, default 60; docs/fuzzing.md); for the automatic
# hyper-parameters against a grid-search oracle, make bench-hparams (BENCH_ARGS passes options,
# e.g. --quick; docs/hyperparameters.md).
BUILD_DIR ?= build
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
# cmake --build runs make inside make; its "Entering directory" lines are only noise here.
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc)

.PHONY: demo test build deps clean sanitize fuzz bench bench-hparams

deps:
	@BUILD_DIR=$(BUILD_DIR) ./scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build
	@rm -rf $(BUILD_DIR)/demo-workspace
	@$(BUILD_DIR)/host_example/ft-host demo --workspace $(BUILD_DIR)/demo-workspace

# The plugin's ABI tests under AddressSanitizer + UndefinedBehaviorSanitizer, then
# ThreadSanitizer (about 10 and 6 minutes to build on 2 cores, 20-25 s each to run).
sanitize: build
	@tests/plugin/sanitize.sh address $(BUILD_DIR)
	@tests/plugin/sanitize.sh thread $(BUILD_DIR)

# The engine against Hugging Face transformers on this machine (docs/performance.md).
bench: build
	@$(BUILD_DIR)/venv/bin/python bench/engine_vs_transformers.py --build $(BUILD_DIR)

# Every parser of untrusted input under libFuzzer, ASan and UBSan: a build of its own (clang, no
# libtorch), then each target for FUZZ_SECONDS; prints executions and crashes per target.
fuzz:
	@./scripts/install-deps.sh --fuzz
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DFT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS)
	@tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# The harness is standard-library Python over the plugin's C ABI and ft-evaluate-model.
bench-hparams: build
	@python3 bench/hyperparameters/run.py --out $(BUILD_DIR)/bench-hparams \
	  --library $(BUILD_DIR)/plugin/libfinetune.so \
	  --evaluator $(BUILD_DIR)/bench/hyperparameters/ft-evaluate-model $(BENCH_ARGS)

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)
