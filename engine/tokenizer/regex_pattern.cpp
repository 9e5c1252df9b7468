#include "engine/tokenizer/regex_pattern.h"

#include "engine/core/error.h"
#include "engine/core/utf8_text.h"

#include <oniguruma.h>

#include <mutex>

namespace ft {

struct RegexPattern::Compiled {
  regex_t* regex = nullptr;
  ~Compiled() {
    if (regex) onig_free(regex);
  }
};

namespace {

const UChar* bytes(std::string_view s) { return reinterpret_cast<const UChar*>(s.data()); }

void initialize_oniguruma() {
  static std::once_flag once;
  std::call_once(once, [] {
    OnigEncoding encodings[] = {ONIG_ENCODING_UTF8};
    onig_initialize(encodings, 1);
  });
}

struct Region {
  OnigRegion* region = onig_region_new();
  ~Region() { onig_region_free(region, 1); }
};

}  // namespace

RegexPattern::RegexPattern(const std::string& pattern, const std::string& origin) : source_(pattern) {
  initialize_oniguruma();
  auto compiled = std::make_shared<Compiled>();
  OnigErrorInfo info;
  const int rc = onig_new(&compiled->regex, bytes(pattern), bytes(pattern) + pattern.size(), ONIG_OPTION_NONE,
                          ONIG_ENCODING_UTF8, ONIG_SYNTAX_DEFAULT, &info);
  if (rc != ONIG_NORMAL) {
    UChar message[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(message, rc, &info);
    throw Error(ErrorKind::invalid_input, origin + ": the regular expression " + utf8_prefix(pattern, 80) + " does not compile (" +
                                              reinterpret_cast<const char*>(message) + ")");
  }
  compiled_ = std::move(compiled);
}

std::vector<std::pair<size_t, size_t>> RegexPattern::find_all(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> out;
  Region region;
  const UChar* begin = bytes(text);
  const UChar* end = begin + text.size();
  size_t from = 0;
  bool have_last = false;
  size_t last_end = 0;
  while (from <= text.size()) {
    onig_region_clear(region.region);
    const auto at = onig_search(compiled_->regex, begin, end, begin + from, end, region.region, ONIG_OPTION_NONE);
    if (at < 0) break;
    const auto start = static_cast<size_t>(region.region->beg[0]);
    const auto stop = static_cast<size_t>(region.region->end[0]);
    if (start == stop && have_last && last_end == stop) {
      // An empty match where the previous one ended: step over one character.
      if (from >= text.size()) break;
      const auto lead = static_cast<uint8_t>(text[from]);
      from += lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      continue;
    }
    out.emplace_back(start, stop);
    from = stop;
    have_last = true;
    last_end = stop;
  }
  return out;
}

bool RegexPattern::search(std::string_view text) const {
  const UChar* begin = bytes(text);
  const UChar* end = begin + text.size();
  return onig_search(compiled_->regex, begin, end, begin, end, nullptr, ONIG_OPTION_NONE) >= 0;
}

}  // namespace ft
