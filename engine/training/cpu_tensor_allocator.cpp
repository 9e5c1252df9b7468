#include "engine/training/cpu_tensor_allocator.h"

#include <c10/core/CPUAllocator.h>
#include <mimalloc.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

namespace ft {
namespace {

// 64-byte alignment, as libtorch's own CPU allocator gives, for AVX-512 loads.
constexpr size_t tensor_alignment = 64;

// mimalloc serves blocks up to half its 32 MiB segment from segments, whose pages stay committed
// while decommitting is off; larger ones it maps from the system and unmaps when freed.
constexpr size_t unmapped_block_bytes = size_t(16) << 20;

// The blocks mimalloc would unmap, kept by usable size while retention is on. A request takes
// the smallest kept block that holds it with at most 1/16 to spare (mimalloc rounds usable sizes
// up, so a block seldom has exactly the size asked). Kept plus live blocks stay within the most
// live blocks have taken (their high-water mark): a request that would go beyond it first frees
// kept blocks, largest first, so the cache never raises the process's peak.
class LargeBlockCache {
 public:
  void* allocate(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    void* p = nullptr;
    const auto fit = kept_.lower_bound(bytes);
    if (fit != kept_.end() && fit->first <= bytes + bytes / 16) {
      p = fit->second;
      kept_bytes_ -= fit->first;
      kept_.erase(fit);
    } else {
      while (!kept_.empty() && live_bytes_ + kept_bytes_ + bytes > high_water_) {
        const auto largest = std::prev(kept_.end());
        kept_bytes_ -= largest->first;
        mi_free(largest->second);
        kept_.erase(largest);
      }
      p = mi_malloc_aligned(bytes, tensor_alignment);
      if (p == nullptr) return nullptr;
    }
    live_bytes_ += mi_usable_size(p);
    high_water_ = std::max(high_water_, live_bytes_);
    return p;
  }

  // A block that mimalloc made this large for a smaller request.
  void count_live(void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    live_bytes_ += mi_usable_size(p);
    high_water_ = std::max(high_water_, live_bytes_);
  }

  void free(void* p) {
    const size_t bytes = mi_usable_size(p);
    std::lock_guard<std::mutex> lock(mutex_);
    live_bytes_ -= bytes;
    if (retaining_ > 0) {
      kept_.emplace(bytes, p);
      kept_bytes_ += bytes;
    } else {
      mi_free(p);
    }
  }

  void retain() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (retaining_++ == 0) mi_option_disable(mi_option_allow_decommit);
  }

  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--retaining_ > 0) return;
    for (const auto& block : kept_) mi_free(block.second);
    kept_.clear();
    kept_bytes_ = 0;
    high_water_ = live_bytes_;  // the next job's own peak bounds its cache
    mi_option_enable(mi_option_allow_decommit);
    mi_collect(/*force=*/true);
  }

 private:
  std::mutex mutex_;
  std::multimap<size_t, void*> kept_;
  size_t kept_bytes_ = 0, live_bytes_ = 0, high_water_ = 0;
  int retaining_ = 0;
};

// Never destroyed: tensors may be freed after every other static object of the process.
LargeBlockCache& large_blocks() {
  static auto* cache = new LargeBlockCache;
  return *cache;
}

void free_tensor_memory(void* p) {
  if (p != nullptr && mi_usable_size(p) >= unmapped_block_bytes) {
    large_blocks().free(p);
  } else {
    mi_free(p);
  }
}

class MimallocTensorAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t bytes) override {
    void* p = nullptr;
    if (bytes >= unmapped_block_bytes) {
      p = large_blocks().allocate(bytes);
    } else if (bytes != 0) {
      p = mi_malloc_aligned(bytes, tensor_alignment);
      if (p != nullptr && mi_usable_size(p) >= unmapped_block_bytes) large_blocks().count_live(p);
    }
    if (bytes != 0 && p == nullptr) {
      TORCH_CHECK_WITH(OutOfMemoryError, false, "CPU out of memory: failed to allocate ", bytes, " bytes");
    }
    return {p, p, &free_tensor_memory, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &free_tensor_memory; }
  void copy_data(void* dest, const void* src, size_t count) const override { std::memcpy(dest, src, count); }
};

}  // namespace

void use_cpu_tensor_allocator() {
  // Never destroyed: tensors may outlive every other static object of the process.
  static auto* allocator = new MimallocTensorAllocator;
  // Priority 1 outranks libtorch's default registration (0), so nothing registered later at a
  // lower priority replaces it.
  c10::SetCPUAllocator(allocator, 1);
}

TensorMemoryRetention::TensorMemoryRetention() { large_blocks().retain(); }

TensorMemoryRetention::~TensorMemoryRetention() { large_blocks().release(); }

}  // namespace ft
