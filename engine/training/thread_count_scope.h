// libtorch's CPU thread count is one number for the whole process: a plan's timing or a run that
// wants its own count sets it for a scope and gives the process's back after.
#pragma once

#include <ATen/Parallel.h>

namespace ft {

// Sets libtorch's CPU threads for its lifetime; 0 leaves them as they are.
class ThreadCountScope {
 public:
  explicit ThreadCountScope(int threads) : before_(at::get_num_threads()) {
    if (threads > 0) at::set_num_threads(threads);
  }
  ~ThreadCountScope() { at::set_num_threads(before_); }
  ThreadCountScope(const ThreadCountScope&) = delete;
  ThreadCountScope& operator=(const ThreadCountScope&) = delete;

 private:
  int before_;
};

}  // namespace ft
