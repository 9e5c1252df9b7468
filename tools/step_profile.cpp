// step-profile FOLDER ROWS SEQ [bf16|fp32] [THREADS] [OPERATOR]: where one full fine-tuning
// step of the model in a Hugging Face folder spends its time, on ROWS x SEQ random tokens (one
// example per row). Runs two warm-up steps, then profiles a third with libtorch's profiler and
// prints the operators by self time (time inside the operator minus the operators it called),
// with the step's phases (the training pass, clipping, AdamW) timed around them. With OPERATOR
// (for example aten::copy_), that operator's self time is broken down by its inputs' shapes and
// types. The tool to reach for before changing the engine for speed: docs/performance.md.
#include "engine/data/packed_batch.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/training/adamw.h"
#include "engine/training/cpu_tensor_allocator.h"
#include "engine/training/mixed_precision.h"
#include "engine/training/weighted_token_loss.h"

#include <torch/csrc/autograd/profiler_kineto.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

namespace {

namespace profiler = torch::autograd::profiler;

struct OperatorTime {
  double self_ms = 0;
  int64_t calls = 0;
};

// "[2048, 576] BFloat16, [2048, 576] Float": an event's inputs.
std::string inputs_of(const profiler::KinetoEvent& e) {
  std::string text;
  for (size_t i = 0; i < e.shapes().size(); ++i) {
    text += i ? ", [" : "[";
    for (size_t d = 0; d < e.shapes()[i].size(); ++d) text += (d ? ", " : "") + std::to_string(e.shapes()[i][d]);
    text += "] " + (i < e.dtypes().size() ? e.dtypes()[i] : std::string());
  }
  return text;
}

// Self time per operator name (or, for `broken_down`, per its inputs): each event's duration
// less its children's on the same thread.
std::map<std::string, OperatorTime> self_times(const std::vector<profiler::KinetoEvent>& events,
                                               const std::string& broken_down) {
  std::vector<const profiler::KinetoEvent*> sorted;
  for (const auto& e : events) {
    if (e.deviceType() == c10::DeviceType::CPU) sorted.push_back(&e);
  }
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
    if (a->startThreadId() != b->startThreadId()) return a->startThreadId() < b->startThreadId();
    if (a->startNs() != b->startNs()) return a->startNs() < b->startNs();
    return a->durationNs() > b->durationNs();  // the enclosing event first
  });
  std::map<std::string, OperatorTime> times;
  std::vector<const profiler::KinetoEvent*> open;
  auto end_of = [](const profiler::KinetoEvent* e) { return e->startNs() + e->durationNs(); };
  for (const auto* e : sorted) {
    while (!open.empty() &&
           (open.back()->startThreadId() != e->startThreadId() || end_of(open.back()) <= e->startNs())) {
      open.pop_back();
    }
    auto key = [&](const profiler::KinetoEvent* event) {
      return event->name() == broken_down ? inputs_of(*event) : event->name();
    };
    auto& mine = times[key(e)];
    mine.self_ms += static_cast<double>(e->durationNs()) / 1e6;
    mine.calls += 1;
    if (!open.empty()) times[key(open.back())].self_ms -= static_cast<double>(e->durationNs()) / 1e6;
    open.push_back(e);
  }
  return times;
}

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void training_step(ft::CausalLM& model, ft::AdamW& optimizer, const ft::PackedBatch& batch, ft::Precision precision,
                   bool report) {
  auto t = Clock::now();
  optimizer.zero_grad();
  const double zero = seconds_since(t);
  t = Clock::now();
  const auto sums = ft::micro_batch_loss(model, batch, precision, 1.0 / static_cast<double>(batch.tokens));
  const double pass = seconds_since(t);
  t = Clock::now();
  ft::clip_gradient_norm(model.named_parameters(), 1.0);
  const double clip = seconds_since(t);
  t = Clock::now();
  optimizer.step(1e-5);
  const double adamw = seconds_since(t);
  if (report) {
    std::printf("step: zero_grad %.3f s, forward+loss+backward %.3f s, clip %.3f s, AdamW %.3f s; loss %.4f\n", zero,
                pass, clip, adamw, sums.weighted_loss.item<double>() / sums.weight);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 7) {
    std::fprintf(stderr, "usage: step-profile FOLDER ROWS SEQ [bf16|fp32] [THREADS] [OPERATOR]\n");
    return 2;
  }
  try {
    const std::filesystem::path folder = argv[1];
    const int64_t rows = std::stoll(argv[2]), seq = std::stoll(argv[3]);
    const auto precision = ft::parse_precision(argc > 4 ? argv[4] : "bf16", "precision");
    if (argc > 5) at::set_num_threads(std::stoi(argv[5]));
    const std::string broken_down = argc > 6 ? argv[6] : "";
    ft::use_cpu_tensor_allocator();  // as the plugin does
    const ft::TensorMemoryRetention retention;
    const auto weights = ft::open_checkpoint_weights(folder);
    auto model = ft::make_causal_lm(ft::read_model_config(folder / "config.json"));
    ft::load_weights(weights, *model);
    model->train();
    ft::AdamW optimizer(model->named_parameters(), {});
    const auto batch = ft::random_packed_batch(model->config().vocab_size, rows, seq);
    for (int i = 0; i < 2; ++i) training_step(*model, optimizer, batch, precision, true);

    const torch::profiler::impl::ProfilerConfig config(torch::profiler::impl::ProfilerState::KINETO,
                                                       /*report_input_shapes=*/!broken_down.empty());
    const std::set<torch::profiler::impl::ActivityType> activities{torch::profiler::impl::ActivityType::CPU};
    profiler::prepareProfiler(config, activities);
    profiler::enableProfiler(config, activities);
    const auto start = Clock::now();
    training_step(*model, optimizer, batch, precision, true);
    const double step_seconds = seconds_since(start);
    const auto result = profiler::disableProfiler();

    auto times = self_times(result->events(), broken_down);
    std::vector<std::pair<std::string, OperatorTime>> ranked(times.begin(), times.end());
    std::sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.second.self_ms > b.second.self_ms; });
    std::printf("profiled step: %.3f s, %.0f tokens/s, %d threads\n%-60s %10s %7s %6s\n", step_seconds,
                static_cast<double>(rows * seq) / step_seconds, at::get_num_threads(), "operator or inputs", "self ms", "share",
                "calls");
    for (size_t i = 0; i < std::min<size_t>(ranked.size(), 40); ++i) {
      const auto& [name, time] = ranked[i];
      std::printf("%-60s %10.1f %6.1f%% %6lld\n", name.substr(0, broken_down.empty() ? 60 : 120).c_str(), time.self_ms,
                  100.0 * time.self_ms / (step_seconds * 1e3), static_cast<long long>(time.calls));
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "step-profile: %s\n", e.what());
    return 2;
  }
}
