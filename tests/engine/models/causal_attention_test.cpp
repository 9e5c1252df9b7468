#include "engine/models/causal_attention.h"

#include "tests/catch.h"

#include <limits>

namespace {

// softmax(q k^T * scale, masked) v, written out: the formula the fused kernel must equal.
torch::Tensor textbook_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale,
                                 const torch::Tensor& allowed) {
  auto scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
  scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  return torch::matmul(torch::softmax(scores, -1), v);
}

// Rows of two packed examples: tokens 0-4 belong to one, 5-8 to another.
torch::Tensor two_examples_mask(int64_t time) {
  auto segments = torch::cat({torch::zeros({5}, torch::kLong), torch::ones({time - 5}, torch::kLong)});
  return segments.unsqueeze(1).eq(segments.unsqueeze(0)).unsqueeze(0).unsqueeze(0);
}

}  // namespace

TEST_CASE("Fused attention equals the textbook formula, with packed examples kept apart, in value and gradient",
          "[models][attention]") {
  auto random = at::detail::createCPUGenerator(11);
  const int64_t time = 9;
  auto make = [&] { return torch::randn({2, 3, time, 8}, random).requires_grad_(true); };
  auto q = make(), k = make(), v = make();
  const auto causal = torch::ones({time, time}, torch::kBool).tril();
  for (const bool packed : {false, true}) {
    INFO((packed ? "two examples packed in a row" : "one example a row"));
    const auto extra = packed ? two_examples_mask(time) : torch::Tensor();
    const auto allowed = packed ? causal.logical_and(extra) : causal;
    const auto fused = ft::causal_attention(q, k, v, 0.3, 0.0, extra);
    const auto plain = textbook_attention(q, k, v, 0.3, allowed);
    CHECK((fused - plain).abs().max().item<double>() < 1e-5);
    const auto upstream = torch::randn(fused.sizes(), random);
    const auto fused_grads = torch::autograd::grad({fused}, {q, k, v}, {upstream});
    const auto plain_grads = torch::autograd::grad({plain}, {q, k, v}, {upstream});
    for (size_t i = 0; i < 3; ++i) CHECK((fused_grads[i] - plain_grads[i]).abs().max().item<double>() < 1e-5);
  }
}

TEST_CASE("Queries after cached keys see every earlier key and no later one", "[models][attention][cache]") {
  auto random = at::detail::createCPUGenerator(12);
  const auto k = torch::randn({1, 2, 7, 4}, random), v = torch::randn({1, 2, 7, 4}, random);
  const auto q = torch::randn({1, 2, 3, 4}, random);  // the last three of seven tokens
  const auto allowed = ft::causal_mask(3, 7, q.options());
  CHECK(allowed.equal(torch::ones({7, 7}, torch::kBool).tril().slice(0, 4, 7)));
  CHECK((ft::causal_attention(q, k, v, 0.5, 0.0) - textbook_attention(q, k, v, 0.5, allowed)).abs().max().item<double>() < 1e-5);
  const auto last = q.slice(2, 2, 3);  // one query: the newest token, which sees all seven
  CHECK((ft::causal_attention(last, k, v, 0.5, 0.0) - textbook_attention(last, k, v, 0.5, torch::ones({1, 7}, torch::kBool)))
            .abs().max().item<double>() < 1e-5);
}
