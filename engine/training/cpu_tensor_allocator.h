// Where libtorch's CPU tensors get their memory. glibc's malloc keeps the tensors of a training
// step (a few MB to some tens of MB each, below its mmap threshold once that has adapted) in
// heaps that fragment: on a 1.1B-parameter LoRA step of 1 x 512 tokens the process peaked at
// 6.07 GB against 4.55 GB live. mimalloc (Leijen et al. 2019) reuses freed blocks by size and
// returns whole segments to the system, and peaks at 4.72 GB at the same speed.
//
// Returning memory to the system has a price while training: every step then faults its
// activations in again, and the kernel zeroes each page. On a 163M-parameter model (4 x 512
// tokens, bf16) that was a quarter of the step (docs/performance.md). So while a job trains, its
// freed memory is kept for the next step (TensorMemoryRetention), and handed back when it ends.
#pragma once

namespace ft {

// Makes mimalloc the allocator of every CPU tensor allocated from now on, in the whole process
// (libtorch has one CPU allocator per process). Tensors allocated before keep their own deleter,
// so they are freed correctly. Idempotent and thread-safe.
void use_cpu_tensor_allocator();

// While at least one of these lives, memory that tensors free stays with the process for the
// tensors that follow: mimalloc keeps the pages of its segments committed, and blocks too large
// for its segments (which it would unmap) are kept by size for the next request of about their
// size. Kept and live blocks never take more than the most the live ones have taken, so the
// process's peak does not grow. When the last one ends, the kept blocks are freed and mimalloc
// returns what it holds unused. The plugin holds one around each plan and each job. Thread-safe.
// (mimalloc's option is the process's: a host that links the same mimalloc shares it.)
class TensorMemoryRetention {
 public:
  TensorMemoryRetention();
  ~TensorMemoryRetention();
  TensorMemoryRetention(const TensorMemoryRetention&) = delete;
  TensorMemoryRetention& operator=(const TensorMemoryRetention&) = delete;
};

}  // namespace ft
