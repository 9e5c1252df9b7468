# The project's two commands:
#   make demo   install what is missing, build, and run the demo fine-tune
#   make test   install what is missing, build, and run every test
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: demo test build deps clean

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build
	@if [ -x $(BUILD_DIR)/host_example/ft-host ]; then \
	  $(BUILD_DIR)/host_example/ft-host demo; \
	else \
	  echo "The demo fine-tune needs ft-host, the example host, which is not written yet (issue 6)."; \
	  echo "What exists now: the engine and its Hugging Face parity check:"; \
	  $(BUILD_DIR)/tools/hf-parity tests/fixtures/hf/tiny-llama; \
	fi

clean:
	rm -rf $(BUILD_DIR)
