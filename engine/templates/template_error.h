// Where in a template something went wrong, and the error that says so. Every failure of the
// interpreter (a syntax error, a construct it does not support, an undefined value used, the
// template's own raise_exception) is an ft::Error whose message starts with the place:
// "chat_template line 3, column 12: the filter 'wordcount' is not supported".
#pragma once

#include "engine/core/error.h"

#include <string>

namespace ft::jinja {

struct SourcePosition {
  int line = 1;    // from 1
  int column = 1;  // from 1, in code points
};

// kind: unsupported for a construct the interpreter lacks, invalid_input for anything else.
[[noreturn]] void fail_at(SourcePosition position, ErrorKind kind, const std::string& message);

}  // namespace ft::jinja
