#include "commands/commands.h"
#include "host_error.h"
#include "metrics_series.h"
#include "svg_chart.h"

#include <fstream>
#include <iostream>

namespace fthost {

namespace {
const char* help =
    "ft-host plot JOB -o FILE.svg\n"
    "\n"
    "Writes a standalone SVG chart of the job's train and validation loss and learning rate over\n"
    "steps (axes, labels, legend); open it in a browser.\n";
}

int plot_command(const Words& words) {
  const auto a = parse_arguments(words, {"-o", "--output"}, {});
  if (print_help_if_asked(a, help)) return 0;
  const std::string id = a.job_id("ft-host plot JOB -o FILE.svg");
  const std::string file = a.option("-o", a.option("--output"));
  if (file.empty()) throw HostError("-o FILE.svg is required");
  const auto plugin = open_plugin(a);
  const auto series = metrics_series(plugin->all_events(id));
  std::ofstream out(file);
  out << svg_chart(series, "Fine-tuning " + id);
  if (!out) throw HostError("cannot write " + file);
  std::cout << "Wrote " << file << " (" << series.train_loss.size() << " train, " << series.valid_loss.size()
            << " validation points)\n";
  return 0;
}

}  // namespace fthost
