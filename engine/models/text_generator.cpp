#include "engine/models/text_generator.h"

#include "engine/core/error.h"

#include <algorithm>

namespace ft {
namespace {

// The next token from the last position's logits: the most likely one at temperature 0, else
// a sample from the smallest set of tokens whose probability reaches top_p.
int64_t next_token(const torch::Tensor& logits, const GenerationOptions& o, torch::Generator& random) {
  if (o.temperature <= 0) return logits.argmax().item<int64_t>();
  auto probabilities = torch::softmax(logits.to(torch::kDouble) / o.temperature, -1);
  auto [sorted, order] = probabilities.sort(-1, true);
  auto before = sorted.cumsum(-1) - sorted;  // probability mass ahead of each token
  sorted.masked_fill_(before >= o.top_p, 0.0);
  const auto pick = torch::multinomial(sorted, 1, false, random).item<int64_t>();
  return order[pick].item<int64_t>();
}

// The logits after `ids`. Within the context only the tokens the cache lacks run through the
// model (the whole prompt first, then one token a step). Past it the window slides, which moves
// every position, so the window is computed afresh and the cache dropped.
torch::Tensor last_logits(CausalLM& model, const std::vector<int64_t>& ids, size_t context, KeyValueCache& cache,
                          const torch::Device& device) {
  const bool slides = ids.size() > context;
  if (slides) cache.clear();
  const size_t start = slides ? ids.size() - context : static_cast<size_t>(cache.length());
  ModelInput input(torch::tensor(std::vector<int64_t>(ids.begin() + static_cast<long>(start), ids.end())).unsqueeze(0).to(device));
  if (!slides) input.cache = &cache;
  auto hidden = model.final_hidden(input).select(1, -1);  // only the last position needs the head
  return model.output_logits(hidden)[0].to(torch::kCPU);
}

}  // namespace

GenerationResult generate_text(CausalLM& model, const Tokenizer& tokenizer, const std::string& prompt,
                               const GenerationOptions& options) {
  if (options.max_tokens < 1) throw Error(ErrorKind::invalid_argument, "max_tokens must be at least 1", "max_tokens");
  if (options.top_p <= 0 || options.top_p > 1) throw Error(ErrorKind::invalid_argument, "top_p must be in (0, 1]", "top_p");
  torch::NoGradGuard no_grad;
  model.eval();
  std::vector<int64_t> ids;
  if (options.add_bos && tokenizer.bos_id() >= 0) ids.push_back(tokenizer.bos_id());
  for (auto id : tokenizer.encode(prompt)) ids.push_back(id);
  const auto prompt_length = ids.size();
  const auto context = static_cast<size_t>(model.config().max_position_embeddings);
  const auto device = model.parameters().front().device();
  auto random = at::detail::createCPUGenerator(options.seed);
  KeyValueCache cache;
  const int64_t known_tokens = std::min(tokenizer.vocab_size(), model.config().vocab_size);
  GenerationResult result{"", {}, "length"};
  for (int64_t i = 0; i < options.max_tokens; ++i) {
    // Embeddings are often padded past the tokenizer's vocabulary (to a multiple of 64 or 128):
    // rows no token has are never sampled.
    const auto logits = last_logits(model, ids, context, cache, device).narrow(0, 0, known_tokens);
    const auto token = next_token(logits, options, random);
    if (token == tokenizer.eos_id()) {
      result.finish_reason = "stop";
      break;
    }
    ids.push_back(token);
  }
  result.tokens.assign(ids.begin() + static_cast<long>(prompt_length), ids.end());
  result.text = tokenizer.decode(result.tokens);
  return result;
}

}  // namespace ft
