// hf-parity is the project's oracle; these tests make sure it can fail.
#include "engine/formats/safetensors_reader.h"
#include "engine/formats/safetensors_writer.h"
#include "tests/catch.h"
#include "tests/temp_folder.h"

#include <sys/wait.h>

namespace fs = std::filesystem;

namespace {

int run_hf_parity(const fs::path& folder) {
  const std::string command = std::string(FT_HF_PARITY) + " '" + folder.string() + "' > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A copy of a fixture folder with `edit` applied to one weight tensor.
fs::path spoiled_copy(const std::string& fixture, const ft::testing::TempFolder& dir, const std::string& tensor,
                      const std::function<void(torch::Tensor&)>& edit) {
  const auto from = fs::path(FT_FIXTURES) / "hf" / fixture;
  const auto to = dir / fixture;
  fs::copy(from, to);
  ft::SafetensorsReader reader(from / "model.safetensors");
  ft::NamedTensors tensors;
  for (const auto& e : reader.entries()) {
    auto t = reader.read(e.name);
    if (e.name == tensor) edit(t);
    tensors.emplace_back(e.name, t);
  }
  ft::write_safetensors(to / "model.safetensors", tensors);
  return to;
}

}  // namespace

TEST_CASE("hf-parity passes on an unchanged copy and fails when one weight changes", "[parity]") {
  ft::testing::TempFolder dir;
  CHECK(run_hf_parity(spoiled_copy("tiny-llama", dir, "none", [](torch::Tensor&) {})) == 0);
  ft::testing::TempFolder dir2;
  auto spoiled = spoiled_copy("tiny-llama", dir2, "model.layers.1.mlp.up_proj.weight",
                              [](torch::Tensor& t) { t[3][5] += 0.01; });
  CHECK(run_hf_parity(spoiled) == 1);
  ft::testing::TempFolder dir3;
  CHECK(run_hf_parity(spoiled_copy("tiny-gpt2", dir3, "transformer.h.0.ln_1.bias", [](torch::Tensor& t) { t[0] = 0.5; })) == 1);
}

TEST_CASE("hf-parity exits 2 on a folder it cannot read", "[parity]") {
  ft::testing::TempFolder dir;
  CHECK(run_hf_parity(dir / "missing") == 2);
}
