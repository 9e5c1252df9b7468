// The copy task as a JSON Lines file, for tests that go through files (planning, the plugin,
// ft-host): {"prompt": "copy: a b c d =", "completion": " a b c d"}. Example i spells i in base 8
// with the letters a-h, so examples offset .. offset+count-1 are all distinct.
#pragma once

#include "tests/temp_folder.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ft::testing {

inline std::filesystem::path write_copy_data(const TempFolder& folder, const std::string& name, int count,
                                             int offset = 0) {
  std::string lines;
  for (int i = offset; i < offset + count; ++i) {
    std::string letters;
    for (int k = 0, v = i; k < 4; ++k, v /= 8) letters += std::string(k ? " " : "") + static_cast<char>('a' + v % 8);
    lines += nlohmann::json{{"prompt", "copy: " + letters + " ="}, {"completion", " " + letters}}.dump() + "\n";
  }
  return folder.write(name, lines);
}

}  // namespace ft::testing
