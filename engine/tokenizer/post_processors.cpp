#include "engine/tokenizer/post_processors.h"

namespace ft {

std::vector<int64_t> TemplateProcessor::process(std::vector<int64_t> ids) const {
  std::vector<int64_t> out;
  for (const auto& item : single_) {
    const auto& part = item.is_sequence ? ids : item.special_ids;
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::vector<int64_t> ProcessorSequence::process(std::vector<int64_t> ids) const {
  for (const auto& step : steps_) ids = step->process(std::move(ids));
  return ids;
}

}  // namespace ft
