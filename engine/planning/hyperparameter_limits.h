// The bounds of what a request may set, in one table. The request's checks and their messages,
// the policy's clamps, the probe's longer trials and the reasons that quote a bound all read
// these, so a changed bound cannot leave one of them wrong.
#pragma once

#include <cstdint>

namespace ft {

// OpenAI's fine-tuning API allows 1 to 50 epochs.
constexpr int64_t kMostEpochs = 50;
// OpenAI legacy fine-tunes API: batch size about 0.2% of the examples, at most 256.
constexpr int64_t kMostBatchSize = 256;
// Within 31 bits, so that every JSON reader (JavaScript's included) holds it exactly and every
// seeding API (torch, NumPy, std::mt19937) takes it.
constexpr int64_t kMostSeed = 2147483647;
// Ranks beyond 512 cost more than full fine-tuning of any projection narrower than 1024.
constexpr int64_t kMostLoraRank = 512;
// A checkpoint every step at the most; the bound keeps the value a count of steps rather than a
// way to say "never", which epoch-end checkpoints rule out anyway.
constexpr int64_t kMostCheckpointIntervalSteps = 1000000;

}  // namespace ft
