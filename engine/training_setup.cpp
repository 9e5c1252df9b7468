#include "engine/training_setup.h"

#include "engine/core/string_affixes.h"
#include "engine/models/architecture_presets.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/core/error.h"
#include "engine/data/example_schema.h"
#include "engine/models/fresh_model.h"
#include "engine/core/json_document.h"
#include "engine/data/jsonl_reader.h"
#include "engine/models/weight_initialization.h"
#include "engine/models/weight_storage.h"
#include "engine/training/adamw.h"
#include "engine/training/thread_count_scope.h"

#include <chrono>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <thread>

namespace ft {
namespace {

namespace fs = std::filesystem;

// Tokenizers trained for tiny presets stay small (the demo's data is a few kilobytes), the small
// Llamas' at 4096 pieces (their embedding would otherwise be most of the model); larger
// architectures get a Llama-sized vocabulary, fewer pieces when the text holds fewer merges.
int64_t fresh_vocab_size(const std::string& architecture) {
  if (starts_with(architecture, "tiny-")) return 512;
  return starts_with(architecture, "small-llama-") ? 4096 : 32000;
}

// Re-throws an engine error from loading a request's file with the request field it came from.
template <typename F>
auto attributed_to(const std::string& param, F&& load) {
  try {
    return load();
  } catch (const DataValidationError&) {
    throw;
  } catch (const Error& e) {
    throw Error(e.kind(), e.what(), param);
  }
}

// The texts of the training file's examples, for training a fresh model's tokenizer. Lines
// that do not parse are skipped here; data validation reports them with the tokenizer ready.
std::vector<std::string> example_texts(const fs::path& jsonl) {
  std::vector<std::string> texts;
  JsonLinesReader reader(jsonl, 1u << 20);
  for (JsonLine line; reader.next(line);) {
    if (line.too_long || line.text.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<std::string> problems;
    std::optional<ExampleText> example;
    try {
      example = parse_example(parse_json(line.text, "line"), problems);
    } catch (const Error&) {
      continue;
    }
    if (!example) continue;
    if (auto* pc = std::get_if<PromptCompletion>(&*example)) {
      texts.push_back(pc->prompt);
      texts.push_back(pc->completion);
    } else {
      for (const auto& m : std::get<std::vector<ChatMessage>>(*example)) texts.push_back(m.content);
    }
  }
  return texts;
}

// The CPU times at most this many tokens of a micro-batch and scales the time to the whole: past
// a few thousand tokens the time per token hardly changes, and a plan must stay quick and light
// (timing a whole 40 x 488 micro-batch of a small model took 35 s and 5 GB).
constexpr int64_t kTimedTokensOnCpu = 2048;

// One forward and backward pass as training runs it (micro_batch_loss), gradients cleared after.
void training_pass(CausalLM& model, Precision precision, const PackedBatch& batch) {
  micro_batch_loss(model, batch, precision, 1.0);
  model.zero_grad();
}

// The wall time of `run`, after one untimed run to warm up. A run of a few milliseconds is at
// the mercy of whatever else the machine runs, so short runs are repeated, for a quarter of a
// second or five runs, and the fastest is taken; one of a quarter second or more is timed once,
// since a plan must stay quick (a 2048-token pass of a 7M model takes about that long).
double fastest_run_seconds(const std::function<void()>& run) {
  run();
  double fastest = std::numeric_limits<double>::infinity(), total = 0;
  for (int timed = 0; timed < 5 && total < 0.25; ++timed) {
    const auto started = std::chrono::steady_clock::now();
    run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    fastest = std::min(fastest, seconds);
    total += seconds;
  }
  return fastest;
}

// The wall time of a training pass of `rows` x `seq_len` random tokens.
double time_training_pass(CausalLM& model, Precision precision, int64_t rows, int64_t seq_len) {
  const auto batch = random_packed_batch(model.config().vocab_size, rows, seq_len);
  return fastest_run_seconds([&] { training_pass(model, precision, batch); });
}

// The time of one optimizer step (clipping and AdamW) over the model's trainable parameters with
// `threads` CPU threads. The model's own weights must not change, so the step runs on a stand-in
// of at most 4M values, whose time is scaled to the trainable count: AdamW's work is per value.
double measure_optimizer_step(const CausalLM& model, const torch::Device& device, int threads) {
  int64_t trainable = 0;
  for (const auto& p : model.parameters()) {
    if (p.requires_grad()) trainable += p.numel();
  }
  if (trainable == 0) return 0.0;
  const int64_t values = std::min<int64_t>(trainable, int64_t(1) << 22);
  auto weight = torch::zeros({values}, torch::TensorOptions().device(device)).requires_grad_(true);
  weight.mutable_grad() = torch::full_like(weight, 1e-3);
  torch::OrderedDict<std::string, torch::Tensor> stand_in;
  stand_in.insert("weight", weight);
  AdamW optimizer(stand_in, {});
  const ThreadCountScope scope(threads);
  const double seconds = fastest_run_seconds([&] {
    clip_gradient_norm(stand_in, 1.0);
    optimizer.step(1e-5);
  });
  return seconds * static_cast<double>(trainable) / static_cast<double>(values);
}

// The time of one micro-batch with `threads` CPU threads; on the CPU from part of it.
double measure_micro_batch(CausalLM& model, const torch::Device& device, Precision precision, int64_t micro_batch,
                           int64_t seq_len, int threads) {
  const int64_t rows = device.is_cpu() ? std::clamp<int64_t>(kTimedTokensOnCpu / seq_len, 1, micro_batch) : micro_batch;
  const ThreadCountScope scope(threads);
  const double seconds = time_training_pass(model, precision, rows, seq_len);
  return seconds * static_cast<double>(micro_batch) / static_cast<double>(rows);
}

bool fits_in_memory(CausalLM& model, Precision precision, int64_t micro_batch, int64_t seq_len) {
  try {
    training_pass(model, precision, random_packed_batch(model.config().vocab_size, micro_batch, seq_len));
    return true;
  } catch (const c10::Error& e) {
    if (std::string(e.what()).find("out of memory") == std::string::npos) throw;
    model.zero_grad();
    return false;
  }
}

nlohmann::json statistics_json(const DatasetStatistics& s) {
  return {{"examples", s.examples},         {"total_tokens", s.total_tokens}, {"prompt_tokens", s.prompt_tokens},
          {"completion_tokens", s.completion_tokens}, {"min_tokens", s.min_tokens},   {"max_tokens", s.max_tokens},
          {"mean_tokens", s.mean_tokens},   {"median_tokens", s.median_tokens}, {"p95_tokens", s.p95_tokens}};
}

// The model's skeleton, its tokenizer and chat format, and for a checkpoint folder its weight
// files, opened and checked but not yet read: the plan decides the dtype they are held in.
std::vector<SafetensorsReader> load_model(const TrainingRequest& request, const torch::Device& device, TrainingSetup& setup) {
  std::vector<SafetensorsReader> weights;
  std::error_code ec;
  if (fs::is_directory(request.model, ec)) {
    const fs::path folder = request.model;
    setup.model = attributed_to("model", [&] { return make_causal_lm(read_model_config(folder / "config.json")); });
    weights = attributed_to("model", [&] { return open_checkpoint_weights(folder); });
    setup.tokenizer = attributed_to("model", [&] { return std::make_shared<Tokenizer>(Tokenizer::load_folder(folder)); });
    setup.chat_format = attributed_to("model", [&] { return chat_format_of(folder, *setup.tokenizer); });
  } else if (architecture_preset(request.model, 512)) {
    auto texts = attributed_to("training_file", [&] { return example_texts(request.training_file); });
    // Weights are drawn from the plan's seed once it is known (ready_model).
    auto fresh = create_fresh_model(request.model, texts, fresh_vocab_size(request.model), 0);
    setup.model = fresh.model;
    setup.tokenizer = std::make_shared<Tokenizer>(std::move(fresh.tokenizer));
    setup.pretrained = false;
    setup.chat_format = generic_chat_format("a model trained from scratch has no chat template of its own");
  } else {
    std::string known;
    for (const auto& name : architecture_preset_names()) known += (known.empty() ? "" : ", ") + name;
    throw Error(ErrorKind::not_found,
                "model: \"" + request.model + "\" is neither a checkpoint folder nor a known architecture (" + known + ")",
                "model");
  }
  setup.model->to(device);
  return weights;
}

// Puts the model in the form the plan trains: a checkpoint's weights read in (for LoRA, its
// matrices held in `frozen_dtype`), or a fresh model's drawn from the seed; then the adapters.
void ready_model(TrainingSetup& setup, const std::vector<SafetensorsReader>& weights, torch::ScalarType frozen_dtype,
                 const HyperparameterPlan& plan, const torch::Device& device) {
  auto& model = *setup.model;
  const auto seed = static_cast<uint64_t>(plan.integer("seed"));
  const auto lora = lora_settings(plan);
  if (!setup.pretrained) {
    initialize_weights(model, seed);
  } else {
    if (lora) hold_matrices_in(model, frozen_dtype);
    attributed_to("model", [&] { load_weights(weights, model); });
  }
  if (lora) attach_lora(model, *lora, seed);
  model.to(device);
}

}  // namespace

MachineSummary describe_machine(const torch::Device& device) {
  MachineSummary m;
  m.gpu = device.is_cuda();
  // The threads the process may use: ft_open's "threads" option, else every core it may run on.
  m.cores = std::max(1, at::get_num_threads());
  m.native_bf16 = has_native_bf16(device);
  // On the GPU the micro-batch is probed rather than estimated, so its free memory is not read.
  std::ifstream meminfo("/proc/meminfo");
  for (std::string key; meminfo >> key;) {
    uint64_t kib = 0;
    meminfo >> kib;
    meminfo.ignore(64, '\n');
    if (key == "MemAvailable:") m.available_memory_bytes = kib * 1024;
  }
  return m;
}

TrainingSetup prepare_training(const TrainingRequest& request, const torch::Device& device) {
  TrainingSetup setup;
  const auto weights = load_model(request, device, setup);
  const auto context = setup.model->config().max_position_embeddings;
  const ExampleEncoding encoding(*setup.tokenizer, setup.chat_format.model_template.get());
  setup.training = load_training_data(request.training_file, encoding, context, "training_file");
  if (request.validation_file) {
    setup.validation = load_training_data(*request.validation_file, encoding, context, "validation_file");
  }
  setup.machine = describe_machine(device);
  auto& model = *setup.model;
  auto summary = summarize_model(model.config(), setup.pretrained);
  const auto frozen_dtype = frozen_base_dtype(stored_matrix_dtype(weights), device);
  summary.frozen_bytes_per_parameter = c10::elementSize(frozen_dtype);
  // Probes run in the plan's precision, known before any probe runs.
  Precision precision = Precision::fp32;
  DeviceProbes probes;
  probes.ready_model = [&](const HyperparameterPlan& plan) {
    precision = parse_precision(plan.text("precision"), "precision");
    ready_model(setup, weights, frozen_dtype, plan, device);
  };
  probes.measured_seconds_per_micro_batch = [&](int64_t mb, int64_t len, int threads) {
    return measure_micro_batch(model, device, precision, mb, len, threads);
  };
  probes.measured_seconds_per_optimizer_step = [&](int threads) { return measure_optimizer_step(model, device, threads); };
  if (device.is_cuda()) {
    probes.fits_in_memory = [&](int64_t mb, int64_t len) { return fits_in_memory(model, precision, mb, len); };
  }
  setup.plan = plan_hyperparameters(request.hyperparameters, request.seed, setup.training.statistics, summary, setup.machine,
                                    probes, request.method, setup.validation ? &setup.validation->statistics : nullptr);
  return setup;
}

std::optional<LoraSettings> lora_settings(const HyperparameterPlan& plan) {
  if (!plan.contains("method") || plan.text("method") != "lora") return std::nullopt;
  LoraSettings s;
  s.rank = plan.integer("lora_rank");
  s.alpha = plan.number("lora_alpha");
  s.dropout = plan.number("lora_dropout");
  s.target_modules = plan.at("lora_target_modules").value.get<std::vector<std::string>>();
  return s;
}

TrainingOptions training_options(const HyperparameterPlan& plan) {
  TrainingOptions o;
  o.n_epochs = plan.integer("n_epochs");
  o.batch_size = plan.integer("batch_size");
  o.micro_batch_size = plan.integer("micro_batch_size");
  o.max_seq_len = plan.integer("max_seq_len");
  o.learning_rate = plan.number("learning_rate");
  o.warmup_steps = plan.integer("warmup_steps");
  o.prompt_loss_weight = plan.number("prompt_loss_weight");
  o.adamw.weight_decay = plan.number("weight_decay");
  o.adamw.beta1 = plan.number("adam_beta1");
  o.adamw.beta2 = plan.number("adam_beta2");
  o.adamw.epsilon = plan.number("adam_epsilon");
  o.max_grad_norm = plan.number("max_grad_norm");
  o.seed = static_cast<uint64_t>(plan.integer("seed"));
  // Plans recorded before precision was planned trained in fp32.
  if (plan.contains("precision")) o.precision = parse_precision(plan.text("precision"), "precision");
  // Plans recorded before checkpoint_interval_steps existed checkpoint at epoch ends only.
  if (plan.contains("checkpoint_interval_steps")) o.checkpoint_interval_steps = plan.integer("checkpoint_interval_steps");
  // Plans recorded before epoch_selection existed delivered the last epoch.
  o.keep_best_epoch = plan.contains("epoch_selection") && plan.text("epoch_selection") == "best_validation";
  o.early_stopping_epochs = o.keep_best_epoch ? kEarlyStoppingEpochs : 0;
  // Plans recorded before threads were measured left libtorch's default.
  if (plan.contains("threads")) o.threads = static_cast<int>(plan.integer("threads"));
  // About ten evaluations per run, besides the one at the end of every epoch.
  o.eval_interval_steps = std::max<int64_t>(1, (plan.integer("total_steps") + 9) / 10);
  return o;
}

nlohmann::json describe_plan(const TrainingSetup& setup, const torch::Device& device) {
  const auto& plan = setup.plan;
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& w : setup.training.warnings) warnings.push_back("training_file line " + std::to_string(w.line) + ": " + w.message);
  if (setup.validation) {
    for (const auto& w : setup.validation->warnings) warnings.push_back("validation_file line " + std::to_string(w.line) + ": " + w.message);
  }
  return {{"model", {{"architecture", architecture_model_type(setup.model->config().architecture)},
                     {"parameters", parameter_count(setup.model->config())},
                     {"context_length", setup.model->config().max_position_embeddings},
                     {"pretrained", setup.pretrained}}},
          {"device", device.str()},
          {"chat_template", {{"used", setup.chat_format.name}, {"reason", setup.chat_format.reason}}},
          {"hyperparameters", to_json(plan)},
          {"data", {{"training", statistics_json(setup.training.statistics)},
                    {"validation", setup.validation ? statistics_json(setup.validation->statistics) : nlohmann::json()}}},
          {"estimate", {{"total_tokens", plan.at("total_tokens").value},
                        {"total_steps", plan.at("total_steps").value},
                        {"memory_bytes", plan.at("estimated_memory_bytes").value},
                        {"seconds", plan.at("estimated_seconds").value}}},
          {"warnings", warnings}};
}

}  // namespace ft
