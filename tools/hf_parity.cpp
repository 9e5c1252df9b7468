// hf-parity [--tolerance X] FOLDER: checks the engine against what Hugging Face transformers
// computed for a checkpoint. FOLDER holds the checkpoint plus reference.safetensors and
// reference.json, as made by tests/oracle/model_cases.py (or the frozen fixtures'
// make_fixtures.py):
//   input_ids, logits, loss, grad.<parameter>   a batch, labels = input ids
//   packed.example.<i>, packed.logits.<i>,      optional: examples run alone by transformers,
//   packed.loss, packed.grad.<parameter>        which the engine runs packed into one row
//   reference.json "tokenizer"                  texts and the ids sentencepiece gave them
// Prints each difference; exits 0 when all are within bounds, 1 when any is beyond, 2 when the
// folder cannot be read.
#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/data/packed_batch.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/training/next_token_loss.h"
#include "engine/training/weighted_token_loss.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Bounds {
  double logits = 1e-4;     // relative to the reference's largest logit magnitude
  double loss = 1e-5;       // absolute
  double gradients = 1e-4;  // relative to each reference gradient's largest magnitude
};

bool report(const char* what, double value, double bound, const std::string& detail) {
  const bool ok = value <= bound;
  std::printf("  %-16s %.3e  (bound %.0e)  %-4s %s\n", what, value, bound, ok ? "ok" : "FAIL", detail.c_str());
  return ok;
}

double max_abs(const torch::Tensor& t) { return t.numel() ? t.abs().max().item<double>() : 0.0; }

double relative_difference(const torch::Tensor& value, const torch::Tensor& reference) {
  const auto ref = reference.to(torch::kDouble);
  const double scale = max_abs(ref);
  return max_abs(value.to(torch::kDouble) - ref) / (scale > 0 ? scale : 1.0);
}

// The largest per-parameter relative gradient difference against `<prefix>grad.<name>`, and
// the parameter it belongs to. Every parameter needs a reference and every reference a parameter.
std::pair<double, std::string> gradient_difference(ft::CausalLM& model, const ft::SafetensorsReader& reference,
                                                   const std::string& prefix) {
  double worst = 0;
  std::string worst_name;
  size_t compared = 0;
  const auto parameters = model.named_parameters(true);
  for (const auto& p : parameters) {
    const auto ref_name = prefix + "grad." + p.key();
    if (!reference.find(ref_name)) {
      throw ft::Error(ft::ErrorKind::invalid_input, reference.path().string() + ": no reference gradient '" + ref_name + "'");
    }
    auto grad = p.value().grad();
    if (!grad.defined()) grad = torch::zeros_like(p.value());
    const double diff = relative_difference(grad, reference.read(ref_name));
    if (diff >= worst) worst = diff, worst_name = p.key();
    ++compared;
  }
  for (const auto& e : reference.entries()) {
    const auto grad_prefix = prefix + "grad.";
    if (e.name.rfind(grad_prefix, 0) == 0 && !parameters.contains(e.name.substr(grad_prefix.size()))) {
      throw ft::Error(ft::ErrorKind::invalid_input, reference.path().string() + ": reference gradient '" + e.name +
                                                        "' has no parameter in the engine's model");
    }
  }
  return {worst, worst_name + ", " + std::to_string(compared) + " parameters"};
}

bool report_loss(const char* what, double value, double reference, double bound) {
  char detail[96];
  std::snprintf(detail, sizeof detail, "engine %.7f, reference %.7f", value, reference);
  return report(what, std::abs(value - reference), bound, detail);
}

// A batch of rows, labels = input ids: logits, loss and gradients.
bool check_batch(ft::CausalLM& model, const ft::SafetensorsReader& reference, const Bounds& bounds) {
  auto input_ids = reference.read("input_ids").to(torch::kLong);
  auto ref_logits = reference.read("logits").to(torch::kFloat);
  torch::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    logits = model.forward(ft::ModelInput(input_ids));
  }
  if (logits.sizes() != ref_logits.sizes()) {
    throw ft::Error(ft::ErrorKind::invalid_input, "reference logits have a shape unlike the engine's; is the reference "
                                                  "for this checkpoint?");
  }
  model.zero_grad();
  auto loss = ft::next_token_loss(model.forward(ft::ModelInput(input_ids)), input_ids);
  loss.backward();
  auto [grad_diff, grad_detail] = gradient_difference(model, reference, "");
  bool ok = report("logits", relative_difference(logits, ref_logits), bounds.logits, "largest relative");
  ok &= report_loss("loss", loss.item<double>(), reference.read("loss").to(torch::kDouble).item<double>(), bounds.loss);
  ok &= report("gradients", grad_diff, bounds.gradients, "largest relative (" + grad_detail + ")");
  return ok;
}

// Examples packed into one row as training packs them (pack_examples, every token weighted 1),
// against each example run alone by transformers: its logits, and the loss and gradients of all
// of them together.
bool check_packed(ft::CausalLM& model, const ft::SafetensorsReader& reference, const Bounds& bounds) {
  std::vector<ft::TokenizedExample> examples;
  int64_t total = 0;
  while (reference.find("packed.example." + std::to_string(examples.size()))) {
    auto ids = reference.read("packed.example." + std::to_string(examples.size())).to(torch::kLong).contiguous();
    ft::TokenizedExample e;
    e.tokens.assign(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
    e.completion.assign(e.tokens.size(), 1);
    total += ids.numel();
    examples.push_back(std::move(e));
  }
  std::vector<const ft::TokenizedExample*> pointers;
  for (const auto& e : examples) pointers.push_back(&e);
  const auto batch = ft::pack_examples(pointers, total, 1.0);

  model.zero_grad();
  auto logits = model.forward(ft::ModelInput(batch.input_ids, batch.position_ids, batch.segment_ids));
  auto sums = ft::weighted_token_loss(logits, batch);
  auto loss = sums.weighted_loss / sums.weight;
  loss.backward();
  double worst_logits = 0;
  for (size_t i = 0; i < examples.size(); ++i) {
    auto mine = logits.detach()[0].index({batch.segment_ids[0] == static_cast<int64_t>(i)});
    worst_logits = std::max(worst_logits, relative_difference(mine, reference.read("packed.logits." + std::to_string(i))));
  }
  auto [grad_diff, grad_detail] = gradient_difference(model, reference, "packed.");
  const auto detail = std::to_string(examples.size()) + " examples in " + std::to_string(batch.input_ids.size(0)) + " row";
  bool ok = report("packed logits", worst_logits, bounds.logits, "largest relative, " + detail);
  ok &= report_loss("packed loss", loss.item<double>(), reference.read("packed.loss").to(torch::kDouble).item<double>(),
                    bounds.loss);
  ok &= report("packed gradients", grad_diff, bounds.gradients, "largest relative (" + grad_detail + ")");
  return ok;
}

// How many reference texts the engine's tokenizer turns into exactly the reference ids.
bool check_tokenizer(const ft::Tokenizer& tokenizer, const nlohmann::json& reference) {
  const auto& t = reference.at("tokenizer");
  size_t matching = 0, total = t.at("texts").size();
  for (size_t i = 0; i < total; ++i) {
    if (tokenizer.encode(t.at("texts")[i].get<std::string>()) == t.at("ids")[i].get<std::vector<int64_t>>()) ++matching;
  }
  const bool special_ids = tokenizer.bos_id() == t.value("bos_id", tokenizer.bos_id()) &&
                           tokenizer.eos_id() == t.value("eos_id", tokenizer.eos_id());
  const bool ok = special_ids && matching == total;
  std::printf("  %-16s %zu/%zu texts give the reference ids%s  %s\n", "tokenizer", matching, total,
              special_ids ? "" : ", special ids differ", ok ? "ok" : "FAIL");
  return ok;
}

int run(const std::filesystem::path& folder, const Bounds& bounds) {
  auto model = ft::load_causal_lm(folder);
  auto tokenizer = ft::Tokenizer::load_folder(folder);
  ft::SafetensorsReader reference(folder / "reference.safetensors");
  auto reference_json = ft::read_json_file(folder / "reference.json");

  const auto& c = model->config();
  std::printf("hf-parity %s (%s, %lld layers, hidden %lld, %lld parameters)\n", folder.string().c_str(),
              ft::architecture_class_name(c.architecture), (long long)c.num_layers,
              (long long)c.hidden_size, (long long)ft::parameter_count(c));
  // Dropout off, as the reference's configuration has it, so both sides are deterministic.
  model->eval();
  bool ok = check_batch(*model, reference, bounds);
  if (reference.find("packed.example.0")) ok &= check_packed(*model, reference, bounds);
  ok &= check_tokenizer(tokenizer, reference_json);
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

int usage() {
  std::fprintf(stderr, "usage: hf-parity [--tolerance X] FOLDER\n"
                       "  FOLDER: a Hugging Face checkpoint with reference.safetensors and reference.json\n"
                       "  --tolerance X: the bound on logits and gradients, relative (default 1e-4)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Bounds bounds;
  std::string folder;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--tolerance" && i + 1 < argc) {
      char* end = nullptr;
      bounds.logits = bounds.gradients = std::strtod(argv[++i], &end);
      if (*end != '\0' || !(bounds.logits > 0)) return usage();
    } else if (arg.empty() || arg[0] == '-' || !folder.empty()) {
      return usage();
    } else {
      folder = arg;
    }
  }
  if (folder.empty()) return usage();
  try {
    return run(folder, bounds);
  } catch (const ft::Error& e) {
    std::fprintf(stderr, "hf-parity: %s\n", e.what());
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "hf-parity: %s/reference.json: %s\n", folder.c_str(), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hf-parity: %s\n", e.what());
  }
  return 2;
}
