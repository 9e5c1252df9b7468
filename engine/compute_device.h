// The device a job computes on, from the name a host gives: in one place, so that the plugin's
// options, the tools and the tests parse names, check availability and report the same errors.
#pragma once

#include <torch/torch.h>

#include <string>

namespace ft {

// "auto" (the first CUDA device where this build and machine have one, else the CPU), "cpu",
// "cuda" or "cuda:N". Throws ft::Error: invalid_argument for any other name, unsupported
// (FT_ERR_UNSUPPORTED through the C ABI) for a CUDA device this build or machine lacks.
torch::Device choose_device(const std::string& name);

}  // namespace ft
