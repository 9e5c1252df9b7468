// Texts a fuzzed tokenizer must encode: ASCII, whitespace runs, several scripts, an emoji,
// special-token look-alikes, and bytes that are not UTF-8.
#pragma once

#include <array>
#include <string>

namespace ft::fuzz {

inline const std::array<std::string, 4> kSampleTexts = {
    "Hello, world! 123 4.5e6",
    "  tabs\tand\nnew lines  \r\n<s></s><|im_end|><unk>",
    "\xC3\xBC\x6E\xC3\xAF \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xE2\x96\x81 \xF0\x9F\x99\x82 \xEF\xBC\xA1",
    std::string("bad \xFF\xFE bytes \xC3 and a NUL \0 inside", 32),
};

}  // namespace ft::fuzz
