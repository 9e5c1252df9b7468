#include "engine/training/cpu_tensor_allocator.h"
#include "tests/catch.h"

#include <torch/torch.h>

#include <unistd.h>

#include <fstream>

namespace {

double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
}

// A 256 MiB tensor whose every page is touched.
torch::Tensor touched_block() { return torch::ones({int64_t(64) << 20}, torch::kFloat); }

}  // namespace

TEST_CASE("while a job trains its freed blocks are reused, and handed back when it ends", "[allocator]") {
  ft::use_cpu_tensor_allocator();
  const double before = resident_bytes();
  {
    const ft::TensorMemoryRetention retention;
    void* first = nullptr;
    {
      auto block = touched_block();
      first = block.data_ptr();
    }
    // The next step's tensor of the same size lands in the same, already resident, memory.
    auto again = touched_block();
    CHECK(again.data_ptr() == first);
    again = torch::Tensor();
    CHECK(resident_bytes() - before > 200e6);  // kept for the next step
  }
  // The job is over: the kept block goes back to the system.
  CHECK(resident_bytes() - before < 64e6);
}

TEST_CASE("without a job, a freed large block goes back to the system at once", "[allocator]") {
  ft::use_cpu_tensor_allocator();
  const double before = resident_bytes();
  { auto block = touched_block(); }
  CHECK(resident_bytes() - before < 64e6);
}
