#include "plugin/generation.h"

#include "engine/core/error.h"
#include "engine/core/json_document.h"
#include "engine/models/text_generator.h"
#include "engine/planning/hyperparameter_limits.h"
#include "plugin/api_error.h"
#include "plugin/job_id.h"
#include "plugin/status_names.h"

#include <random>
#include <set>

namespace ft::plugin {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void reject(const std::string& key, const std::string& problem) {
  throw Error(ErrorKind::invalid_argument, "generate request: \"" + key + "\" " + problem, key);
}

double number_in(const nlohmann::json& request, const std::string& key, double low, double high, bool low_open,
                 double fallback) {
  if (!request.contains(key) || request[key].is_null()) return fallback;
  const auto& value = request[key];
  if (!value.is_number()) reject(key, "must be a number");
  const double x = value.get<double>();
  if (x > high || x < low || (low_open && x == low)) {
    reject(key, std::string("must be ") + (low_open ? "greater than " : "from ") + nlohmann::json(low).dump() +
                    (low_open ? " and at most " : " to ") + nlohmann::json(high).dump() + ", found " + value.dump());
  }
  return x;
}

int64_t integer_in(const nlohmann::json& request, const std::string& key, int64_t low, int64_t high, int64_t fallback) {
  if (!request.contains(key) || request[key].is_null()) return fallback;
  const auto& value = request[key];
  if (!value.is_number_integer() || value.get<int64_t>() < low || value.get<int64_t>() > high) {
    reject(key, "must be an integer from " + std::to_string(low) + " to " + std::to_string(high) + ", found " + json_excerpt(value));
  }
  return value.get<int64_t>();
}

// The messages, checked: {"role": "system" | "user" | "assistant", "content": string} objects.
std::vector<ChatTurn> chat_turns(const nlohmann::json& messages) {
  if (!messages.is_array() || messages.empty()) reject("messages", "must be a non-empty array of messages");
  std::vector<ChatTurn> turns;
  for (const auto& message : messages) {
    const auto role = message.is_object() ? message.value("role", nlohmann::json()) : nlohmann::json();
    const auto content = message.is_object() ? message.value("content", nlohmann::json()) : nlohmann::json();
    if (!(role == "system" || role == "user" || role == "assistant") || !content.is_string()) {
      reject("messages", "must hold {\"role\": \"system\" | \"user\" | \"assistant\", \"content\": string} objects");
    }
    turns.push_back({role.get<std::string>(), content.get<std::string>()});
  }
  return turns;
}

// The chat rendered as training renders it, ready for the reply: with the model's own template
// and its generation prompt (the template writes BOS itself), or the generic "role: content"
// parts then "assistant:" (see example_template.h), after the BOS generate_text adds.
std::string chat_prompt(const std::vector<ChatTurn>& turns, const ChatFormat& format, GenerationOptions& options) {
  if (format.model_template) {
    options.add_bos = false;
    return format.model_template->render(turns, /*add_generation_prompt=*/true);
  }
  std::string prompt;
  for (const auto& turn : turns) prompt += turn.role + ": " + turn.content + " ";
  return prompt + "assistant:";
}

std::string prompt_of(const nlohmann::json& request, const ChatFormat& format, GenerationOptions& options) {
  const bool has_prompt = request.contains("prompt"), has_messages = request.contains("messages");
  if (has_prompt == has_messages) reject("prompt", "or \"messages\" is required (one of the two)");
  if (has_messages) {
    const auto turns = chat_turns(request["messages"]);
    return chat_prompt(turns, format, options);
  }
  if (!request["prompt"].is_string()) reject("prompt", "must be a string");
  return request["prompt"].get<std::string>();
}

// A job id (always taken as one) gives its fine-tuned model; anything else is a folder.
fs::path model_folder(const nlohmann::json& request, const JobManager& jobs) {
  if (!request.contains("model") || !request["model"].is_string() || request["model"].get<std::string>().empty()) {
    reject("model", "is required: the id of a succeeded job or a checkpoint folder");
  }
  const auto model = request["model"].get<std::string>();
  if (is_job_id(model)) {
    const auto object = jobs.find(model)->object();
    if (object.value("status", "") != "succeeded" || !object["fine_tuned_model"].is_string()) {
      throw ApiError(FT_ERR_STATE, "ft_generate: job " + model + " is " + object.value("status", "") +
                                       "; only a succeeded job has a fine-tuned model");
    }
    return object["fine_tuned_model"].get<std::string>();
  }
  std::error_code ec;
  if (!fs::is_directory(model, ec)) throw Error(ErrorKind::not_found, "model: no such folder: " + model, "model");
  return model;
}

}  // namespace

nlohmann::json generate(const nlohmann::json& request, const JobManager& jobs, ResidentModel& resident) {
  for (const auto& [key, value] : request.items()) {
    static const std::set<std::string> known = {"model", "prompt", "messages", "max_tokens", "temperature", "top_p", "seed"};
    if (!known.count(key)) reject(key, "is not a generate request field (known: model, prompt, messages, max_tokens, temperature, top_p, seed)");
  }
  GenerationOptions options;
  options.max_tokens = integer_in(request, "max_tokens", 1, 4096, 128);
  options.temperature = number_in(request, "temperature", 0, 2, false, 1.0);
  options.top_p = number_in(request, "top_p", 0, 1, true, 1.0);
  options.seed = static_cast<uint64_t>(integer_in(request, "seed", 0, kMostSeed, -1));
  if (!request.contains("seed") || request["seed"].is_null()) options.seed = std::random_device{}();
  const auto result = resident.with(model_folder(request, jobs), jobs.device(), [&](const LoadedModel& loaded) {
    const auto prompt = prompt_of(request, loaded.chat_format, options);
    return generate_text(*loaded.model, loaded.tokenizer, prompt, options);
  });
  return {{"text", result.text}, {"tokens", static_cast<int64_t>(result.tokens.size())}, {"finish_reason", result.finish_reason}};
}

}  // namespace ft::plugin
