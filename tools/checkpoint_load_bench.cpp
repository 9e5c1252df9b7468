// checkpoint-load-bench FOLDER: how long loading a Hugging Face checkpoint takes and how much
// memory it needs at its peak, against the size of the model in its training dtype (fp32).
// The bound: a 1.5B-parameter BF16 checkpoint in at most 10 s, peak within 1.3x.
#include "engine/formats/checkpoint_reader.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>

namespace {

double peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: checkpoint-load-bench FOLDER\n");
    return 2;
  }
  try {
    const double rss_before = peak_rss_bytes();
    const auto start = std::chrono::steady_clock::now();
    auto model = ft::load_causal_lm(argv[1]);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double model_bytes = 0;
    for (const auto& p : model->parameters()) model_bytes += static_cast<double>(p.numel() * p.element_size());
    const double peak = peak_rss_bytes() - rss_before;
    std::printf("loaded %s: %.1f s, %.2f GB of weights in fp32, peak memory while loading %.2f GB (%.2fx)\n", argv[1],
                seconds, model_bytes / 1e9, peak / 1e9, peak / model_bytes);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkpoint-load-bench: %s\n", e.what());
    return 2;
  }
}
