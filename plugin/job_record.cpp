#include "plugin/job_record.h"

#include "engine/core/error.h"
#include "plugin/status_names.h"

namespace ft::plugin {
namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

template <typename T>
std::optional<T> optional_of(const nlohmann::json& object, const char* key) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  return object[key].get<T>();
}

nlohmann::json error_json(const std::optional<JobError>& error) {
  if (!error) return nullptr;
  return {{"code", error->code},
          {"message", error->message},
          {"param", error->param.empty() ? nlohmann::json() : nlohmann::json(error->param)}};
}

std::optional<JobError> error_of(const nlohmann::json& object) {
  if (!object.contains("error") || object["error"].is_null()) return std::nullopt;
  const auto& e = object["error"];
  return JobError{e.at("code").get<std::string>(), e.at("message").get<std::string>(),
                  e.value("param", nlohmann::json()).is_string() ? e["param"].get<std::string>() : ""};
}

}  // namespace

nlohmann::json to_json(const JobRecord& r) {
  return {{"id", r.id},
          {"object", "fine_tuning.job"},
          {"status", job_status_name(r.status)},
          {"created_at", r.created_at},
          {"started_at", or_null(r.started_at)},
          {"finished_at", or_null(r.finished_at)},
          {"model", r.model},
          {"training_file", r.training_file},
          {"validation_file", or_null(r.validation_file)},
          {"method", r.method},
          {"fine_tuned_model", or_null(r.fine_tuned_model)},
          {"trained_tokens", r.trained_tokens},
          {"estimated_finish", or_null(r.estimated_finish)},
          {"error", error_json(r.error)},
          {"result_files", r.result_files},
          {"hyperparameters", r.hyperparameters},
          {"seed", r.seed},
          {"suffix", or_null(r.suffix)},
          {"metrics", r.metrics},
          {"elapsed_seconds", r.elapsed_seconds}};
}

JobRecord job_record_from_json(const nlohmann::json& o, const std::string& source) {
  try {
    JobRecord r;
    r.id = o.at("id").get<std::string>();
    const auto status = job_status_from_name(o.at("status").get<std::string>());
    if (!status) throw Error(ErrorKind::invalid_input, source + ": unknown status " + o["status"].dump());
    r.status = *status;
    r.created_at = o.at("created_at").get<int64_t>();
    r.started_at = optional_of<int64_t>(o, "started_at");
    r.finished_at = optional_of<int64_t>(o, "finished_at");
    r.estimated_finish = optional_of<int64_t>(o, "estimated_finish");
    r.model = o.at("model").get<std::string>();
    r.training_file = o.at("training_file").get<std::string>();
    r.validation_file = optional_of<std::string>(o, "validation_file");
    r.method = o.value("method", std::string("full"));  // jobs from before LoRA were full
    r.fine_tuned_model = optional_of<std::string>(o, "fine_tuned_model");
    r.trained_tokens = o.value("trained_tokens", int64_t{0});
    r.error = error_of(o);
    r.result_files = o.value("result_files", std::vector<std::string>{});
    r.hyperparameters = o.value("hyperparameters", nlohmann::json::object());
    r.seed = o.value("seed", nlohmann::json());
    r.suffix = optional_of<std::string>(o, "suffix");
    r.metrics = o.value("metrics", nlohmann::json());
    r.elapsed_seconds = o.value("elapsed_seconds", 0.0);
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::invalid_input, source + ": not a job object (" + e.what() + ")");
  }
}

nlohmann::json requested_hyperparameters(const nlohmann::json& request_hyperparameters) {
  nlohmann::json four = nlohmann::json::object();
  for (const char* name : {"n_epochs", "batch_size", "learning_rate_multiplier", "prompt_loss_weight"}) {
    const bool given = request_hyperparameters.is_object() && request_hyperparameters.contains(name);
    four[name] = given ? request_hyperparameters[name] : nlohmann::json("auto");
  }
  return four;
}

}  // namespace ft::plugin
