// hf-parity FOLDER: checks the engine against what Hugging Face transformers computed for a
// checkpoint. FOLDER holds the checkpoint plus reference.safetensors (input_ids, logits, loss,
// grad.<parameter>) and reference.json (tokenizer texts and ids), as made by
// tests/fixtures/hf/make_fixtures.py. Prints each difference; exits 0 when all are within bounds,
// 1 when any is beyond, 2 when the folder cannot be read.
#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/formats/checkpoint_reader.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/training/next_token_loss.h"

#include <cstdio>
#include <string>

namespace {

constexpr double kLogitBound = 1e-4;     // absolute
constexpr double kLossBound = 1e-5;      // absolute
constexpr double kGradientBound = 1e-4;  // relative to the reference gradient's largest magnitude

bool report(const char* what, double value, double bound, const std::string& detail) {
  const bool ok = value <= bound;
  std::printf("  %-10s %.3e  (bound %.0e)  %-4s %s\n", what, value, bound, ok ? "ok" : "FAIL", detail.c_str());
  return ok;
}

double max_abs(const torch::Tensor& t) { return t.numel() ? t.abs().max().item<double>() : 0.0; }

// The largest per-parameter relative gradient difference, and the parameter it belongs to.
std::pair<double, std::string> gradient_difference(ft::CausalLM& model, const ft::SafetensorsReader& reference) {
  double worst = 0;
  std::string worst_name;
  size_t compared = 0;
  for (const auto& p : model.named_parameters(true)) {
    const auto ref_name = "grad." + p.key();
    if (!reference.find(ref_name)) {
      throw ft::Error(ft::ErrorKind::invalid_input, reference.path().string() + ": no reference gradient '" + ref_name + "'");
    }
    auto ref = reference.read(ref_name).to(torch::kDouble);
    auto grad = p.value().grad();
    if (!grad.defined()) grad = torch::zeros_like(p.value());
    const double scale = max_abs(ref);
    const double diff = max_abs(grad.to(torch::kDouble) - ref) / (scale > 0 ? scale : 1.0);
    if (diff >= worst) worst = diff, worst_name = p.key();
    ++compared;
  }
  for (const auto& e : reference.entries()) {
    if (e.name.rfind("grad.", 0) == 0 && !model.named_parameters(true).contains(e.name.substr(5))) {
      throw ft::Error(ft::ErrorKind::invalid_input, reference.path().string() + ": reference gradient '" + e.name +
                                                        "' has no parameter in the engine's model");
    }
  }
  return {worst, worst_name + ", " + std::to_string(compared) + " parameters"};
}

// How many reference texts the engine's tokenizer turns into exactly the reference ids.
std::pair<size_t, size_t> tokenizer_matches(const ft::Tokenizer& tokenizer, const nlohmann::json& reference) {
  const auto& t = reference.at("tokenizer");
  size_t matching = 0, total = t.at("texts").size();
  for (size_t i = 0; i < total; ++i) {
    if (tokenizer.encode(t.at("texts")[i].get<std::string>()) == t.at("ids")[i].get<std::vector<int64_t>>()) ++matching;
  }
  const bool special_ids = tokenizer.bos_id() == t.value("bos_id", tokenizer.bos_id()) &&
                           tokenizer.eos_id() == t.value("eos_id", tokenizer.eos_id());
  return {special_ids ? matching : 0, total};
}

int run(const std::filesystem::path& folder) {
  auto model = ft::load_causal_lm(folder);
  auto tokenizer = ft::Tokenizer::load(folder / "tokenizer.model");
  ft::SafetensorsReader reference(folder / "reference.safetensors");
  auto reference_json = ft::read_json_file(folder / "reference.json");
  auto input_ids = reference.read("input_ids").to(torch::kLong);
  auto ref_logits = reference.read("logits").to(torch::kFloat);
  const double ref_loss = reference.read("loss").to(torch::kDouble).flatten()[0].item<double>();

  const auto& c = model->config();
  std::printf("hf-parity %s (%s, %lld layers, hidden %lld, %lld parameters)\n", folder.string().c_str(),
              c.architecture == ft::Architecture::llama ? "Llama" : "GPT-2", (long long)c.num_layers,
              (long long)c.hidden_size, (long long)ft::parameter_count(c));

  // Dropout off, as the reference's configuration has it, so both sides are deterministic.
  model->eval();
  torch::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    logits = model->forward(ft::ModelInput(input_ids));
  }
  if (logits.sizes() != ref_logits.sizes()) {
    throw ft::Error(ft::ErrorKind::invalid_input, "reference logits have shape " + std::to_string(ref_logits.dim()) +
                                                      "-d unlike the engine's; is the reference for this checkpoint?");
  }
  auto loss = ft::next_token_loss(model->forward(ft::ModelInput(input_ids)), input_ids);
  loss.backward();
  const double loss_value = loss.item<double>();
  auto [grad_diff, grad_detail] = gradient_difference(*model, reference);
  auto [matching, texts] = tokenizer_matches(tokenizer, reference_json);

  bool ok = report("logits", max_abs(logits - ref_logits), kLogitBound, "max |engine - reference|");
  char loss_detail[96];
  std::snprintf(loss_detail, sizeof loss_detail, "engine %.7f, reference %.7f", loss_value, ref_loss);
  ok &= report("loss", std::abs(loss_value - ref_loss), kLossBound, loss_detail);
  ok &= report("gradients", grad_diff, kGradientBound, "largest relative (" + grad_detail + ")");
  const bool tokens_ok = matching == texts;
  std::printf("  %-10s %zu/%zu texts give the reference ids and special ids  %s\n", "tokenizer", matching, texts,
              tokens_ok ? "ok" : "FAIL");
  ok &= tokens_ok;
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::fprintf(stderr, "usage: hf-parity FOLDER\n"
                         "  FOLDER: a Hugging Face checkpoint with reference.safetensors and reference.json\n");
    return 2;
  }
  try {
    return run(argv[1]);
  } catch (const ft::Error& e) {
    std::fprintf(stderr, "hf-parity: %s\n", e.what());
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "hf-parity: %s/reference.json: %s\n", argv[1], e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hf-parity: %s\n", e.what());
  }
  return 2;
}
