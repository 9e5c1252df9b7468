#include "serve/progress_document.h"

namespace fthost {

namespace {

nlohmann::json known(double value) { return value < 0 ? nlohmann::json() : nlohmann::json(value); }

}  // namespace

nlohmann::json progress_document(const Plugin& plugin, const ft_progress& p) {
  return {{"status", plugin.api().ft_job_status_name(p.status)},
          {"step", p.step},
          {"total_steps", p.total_steps},
          {"epoch", p.epoch},
          {"n_epochs", p.n_epochs},
          {"train_loss", known(p.train_loss)},
          {"tokens_per_second", known(p.tokens_per_second)},
          {"elapsed_seconds", p.elapsed_seconds},
          {"eta_seconds", known(p.eta_seconds)}};
}

}  // namespace fthost
