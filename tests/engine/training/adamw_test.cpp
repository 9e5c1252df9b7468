// AdamW and gradient clipping against their formulas written out (Loshchilov and Hutter's
// decoupled weight decay, as torch.optim.AdamW computes it; torch.nn.utils.clip_grad_norm_).
#include "engine/training/adamw.h"
#include "tests/catch.h"

#include <cmath>

namespace {

struct Moments {
  torch::Tensor parameter, exp_avg, exp_avg_sq;
};

// One step of the update for one parameter, step `t` counted from 1.
void reference_step(Moments& m, const torch::Tensor& grad, double lr, int64_t t, const ft::AdamWOptions& o,
                    bool decay) {
  if (decay) m.parameter = m.parameter * (1 - lr * o.weight_decay);
  m.exp_avg = o.beta1 * m.exp_avg + (1 - o.beta1) * grad;
  m.exp_avg_sq = o.beta2 * m.exp_avg_sq + (1 - o.beta2) * grad * grad;
  const double correction1 = 1 - std::pow(o.beta1, double(t)), correction2 = 1 - std::pow(o.beta2, double(t));
  const auto denominator = m.exp_avg_sq.sqrt() / std::sqrt(correction2) + o.epsilon;
  m.parameter = m.parameter - (lr / correction1) * m.exp_avg / denominator;
}

}  // namespace

TEST_CASE("AdamW follows the decoupled-weight-decay formula step by step, decaying matrices only", "[adamw]") {
  torch::manual_seed(3);
  torch::OrderedDict<std::string, torch::Tensor> parameters;
  parameters.insert("layers.0.mlp.up_proj.weight", torch::randn({6, 4}).requires_grad_(true));
  parameters.insert("layers.0.input_layernorm.weight", torch::randn({4}).requires_grad_(true));
  parameters.insert("embed_tokens.weight", torch::randn({5, 4}).requires_grad_(true));
  parameters.insert("frozen.weight", torch::randn({3, 3}));  // no gradient: not optimized
  const ft::AdamWOptions options{0.9, 0.95, 1e-8, 0.1};
  ft::AdamW optimizer(parameters, options);

  std::vector<Moments> expected;
  for (const auto& p : parameters) {
    expected.push_back({p.value().detach().clone(), torch::zeros_like(p.value()), torch::zeros_like(p.value())});
  }
  const std::vector<double> rates = {1e-2, 5e-3, 2e-3, 1e-3};
  for (size_t step = 0; step < rates.size(); ++step) {
    size_t i = 0;
    for (const auto& p : parameters) {
      if (p.value().requires_grad()) {
        auto grad = torch::randn_like(p.value());
        p.value().mutable_grad() = grad.clone();
        reference_step(expected[i], grad, rates[step], int64_t(step) + 1, options,
                       ft::AdamW::decays(p.key(), p.value()));
      }
      ++i;
    }
    optimizer.step(rates[step]);
  }
  CHECK(optimizer.steps_taken() == 4);
  size_t i = 0;
  for (const auto& p : parameters) {
    INFO(p.key());
    CHECK(torch::allclose(p.value().detach(), expected[i].parameter, 1e-6, 1e-7));
    ++i;
  }
  CHECK(!ft::AdamW::decays("embed_tokens.weight", parameters["embed_tokens.weight"]));
  CHECK(!ft::AdamW::decays("layers.0.input_layernorm.weight", parameters["layers.0.input_layernorm.weight"]));
  // The state holds the moments by name, and the step count.
  const auto state = optimizer.state();
  CHECK(state.size() == 1 + 2 * 3);
  auto saved = [&](const std::string& name) {
    for (const auto& [key, tensor] : state) {
      if (key == name) return tensor;
    }
    FAIL("the optimizer state has no " << name);
    return torch::Tensor();
  };
  CHECK(torch::allclose(saved("exp_avg.layers.0.mlp.up_proj.weight"), expected[0].exp_avg, 1e-6, 1e-7));
  CHECK(torch::allclose(saved("exp_avg_sq.embed_tokens.weight"), expected[2].exp_avg_sq, 1e-6, 1e-9));
  CHECK(saved("step").item<int64_t>() == 4);
}

TEST_CASE("clipping scales every gradient by max_norm over the global norm, and only above it", "[adamw]") {
  torch::OrderedDict<std::string, torch::Tensor> parameters;
  parameters.insert("a", torch::zeros({2}).requires_grad_(true));
  parameters.insert("b", torch::zeros({1}).requires_grad_(true));
  parameters["a"].mutable_grad() = torch::tensor({3.0f, 0.0f});
  parameters["b"].mutable_grad() = torch::tensor({4.0f});
  CHECK(ft::clip_gradient_norm(parameters, 10.0) == Approx(5.0));
  CHECK(parameters["b"].grad().item<float>() == 4.0f);  // below max_norm: untouched
  CHECK(ft::clip_gradient_norm(parameters, 1.0) == Approx(5.0));
  CHECK(parameters["a"].grad()[0].item<float>() == Approx(3.0 / (5.0 + 1e-6)));
  CHECK(parameters["b"].grad().item<float>() == Approx(4.0 / (5.0 + 1e-6)));
}
