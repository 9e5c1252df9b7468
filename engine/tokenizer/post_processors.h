// The post-processors of Hugging Face tokenizer.json files, for a single sequence: the special
// tokens a template puts around the text's ids (Llama 3's <|begin_of_text|>). ByteLevel only
// trims offsets, which the engine does not keep, so it leaves the ids as they are.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace ft {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual std::vector<int64_t> process(std::vector<int64_t> ids) const = 0;
};

// The "single" template: each item is either the sequence or a special token's ids.
class TemplateProcessor : public PostProcessor {
 public:
  struct Item {
    bool is_sequence;
    std::vector<int64_t> special_ids;
  };
  explicit TemplateProcessor(std::vector<Item> single) : single_(std::move(single)) {}
  std::vector<int64_t> process(std::vector<int64_t> ids) const override;

 private:
  std::vector<Item> single_;
};

class IdentityProcessor : public PostProcessor {
 public:
  std::vector<int64_t> process(std::vector<int64_t> ids) const override { return ids; }
};

class ProcessorSequence : public PostProcessor {
 public:
  explicit ProcessorSequence(std::vector<std::unique_ptr<PostProcessor>> steps) : steps_(std::move(steps)) {}
  std::vector<int64_t> process(std::vector<int64_t> ids) const override;

 private:
  std::vector<std::unique_ptr<PostProcessor>> steps_;
};

}  // namespace ft
