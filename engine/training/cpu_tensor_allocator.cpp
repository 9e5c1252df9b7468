#include "engine/training/cpu_tensor_allocator.h"

#include <c10/core/CPUAllocator.h>
#include <mimalloc.h>

#include <cstring>

namespace ft {
namespace {

// 64-byte alignment, as libtorch's own CPU allocator gives, for AVX-512 loads.
constexpr size_t tensor_alignment = 64;

void free_tensor_memory(void* p) { mi_free(p); }

class MimallocTensorAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t bytes) override {
    void* p = bytes == 0 ? nullptr : mi_malloc_aligned(bytes, tensor_alignment);
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

}  // namespace ft
