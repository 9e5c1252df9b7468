// One line of a job's progress: a bar, percent, step/total, epoch, loss, tokens/s and ETA.
// On a terminal it is redrawn in place (carriage return); elsewhere printed as plain lines.
#pragma once

#include <finetune/finetune.h>

#include <string>

namespace fthost {

// The text of the line for a snapshot; `bar_width` cells of bar (0: no bar).
std::string progress_text(const ft_progress& p, const char* status_name, int bar_width);

class ProgressLine {
 public:
  explicit ProgressLine(bool terminal) : terminal_(terminal) {}
  // Shows the snapshot: on a terminal every call redraws; otherwise a line at most every
  // `plain_interval_s` seconds or when the status changes.
  void update(const ft_progress& p, const char* status_name);
  // Ends the line (a newline on a terminal) so that what follows starts on its own line.
  void finish();

 private:
  bool terminal_;
  bool drawn_ = false;
  double last_plain_ = -1e9;
  int last_status_ = -1;
};

}  // namespace fthost
