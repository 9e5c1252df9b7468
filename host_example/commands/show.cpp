#include "commands/commands.h"
#include "job_views.h"
#include "metrics_series.h"
#include "table_printer.h"
#include "terminal_chart.h"

#include <algorithm>
#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host show JOB\n"
    "\n"
    "The job: status, model, files, times, hyper-parameters, latest metrics, the fine-tuned model's\n"
    "folder, and its train and validation loss curves drawn in the terminal.\n"
    "--json prints what ft_job_get returns.\n";
}

void print_loss_chart(std::ostream& out, const MetricsSeries& series) {
  const int width = std::max(20, std::min(terminal_width(), 140) - 12);
  out << "Loss over steps\n";
  for (const auto& line : terminal_chart({{"train loss", series.train_loss, '.'}, {"validation loss", series.valid_loss, '#'}}, width,
                                         12, "step")) {
    out << line << "\n";
  }
}

int show_command(const Words& words) {
  const auto a = parse_arguments(words, {}, {});
  if (print_help_if_asked(a, help)) return 0;
  const std::string id = a.job_id("ft-host show JOB");
  const auto plugin = open_plugin(a);
  const std::string job = plugin->get(id);
  if (a.json()) {
    std::cout << job << "\n";
    return 0;
  }
  print_job(std::cout, nlohmann::json::parse(job));
  std::cout << "\n";
  print_loss_chart(std::cout, metrics_series(plugin->all_events(id)));
  return 0;
}

}  // namespace fthost
