// finetune.h promises UTF-8 for every string it hands a host. A corrupted file's bytes quoted in
// a message come out as U+FFFD, and a long stretch of a file is never quoted whole.
#include "tests/plugin/plugin_host.h"

using namespace ft::testing;
namespace fs = std::filesystem;

namespace {

bool is_valid_utf8(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();  // nlohmann refuses to write invalid UTF-8
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

// tiny-llama with `file` replaced by `bytes`.
fs::path corrupted_model(const TempFolder& folder, const std::string& file, const std::string& bytes) {
  const auto model = folder.path() / "model";
  fs::copy(model_folder(), model, fs::copy_options::recursive);
  std::ofstream(model / file, std::ios::binary | std::ios::trunc) << bytes;
  return model;
}

std::string safetensors_with_header(const std::string& header) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return bytes + header;
}

// The message of a plan and of a job for `model`: refused, valid UTF-8 and short.
void check_refusals(const TempFolder& folder, const fs::path& model, const std::string& mentions) {
  const auto train = write_copy_data(folder, "train.jsonl", 20);
  Workspace workspace(folder.path() / "ws");
  auto request = copy_request(train);
  request["model"] = model.string();
  const auto plan = workspace.plan(request);
  CHECK(plan.status == FT_ERR_INVALID_INPUT);
  CHECK(plan.error.find(mentions) != std::string::npos);
  CHECK(is_valid_utf8(plan.error));
  CHECK(plan.error.size() < 1000);

  const auto job = workspace.create(request);
  REQUIRE(job.ok());  // the model is the job's to read
  const auto id = job.json["id"].get<std::string>();
  CHECK(workspace.wait(id) == FT_JOB_FAILED);
  const auto message = workspace.get(id).json["error"]["message"].get<std::string>();
  CHECK(message.find(mentions) != std::string::npos);
  CHECK(message.size() < 1000);
  const auto events = workspace.events(id);
  REQUIRE(events.ok());
}

}  // namespace

TEST_CASE("bytes of a corrupted config.json reach the host as valid UTF-8", "[plugin][utf8]") {
  TempFolder folder;
  auto config = read_text(fs::path(model_folder()) / "config.json");
  config.insert(config.find("\"vocab_size\"") + 14, "3\xFF\xFE\xC3");  // inside the number
  check_refusals(folder, corrupted_model(folder, "config.json", config), "config.json: not valid JSON");
}

TEST_CASE("a safetensors header's long string is quoted short", "[plugin][utf8]") {
  TempFolder folder;
  const auto header = "{\"w\": {\"dtype\": \"" + std::string(100000, 'x') + "\xE2\x82\"}}";
  check_refusals(folder, corrupted_model(folder, "model.safetensors", safetensors_with_header(header)),
                 "model.safetensors (header): not valid JSON");
}
