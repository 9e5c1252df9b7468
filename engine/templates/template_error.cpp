#include "engine/templates/template_error.h"

#include "engine/core/utf8_text.h"

namespace ft::jinja {
namespace {

// Messages quote the template and what it computed (raise_exception's text, a value): enough to
// recognise it, never a page of it.
constexpr size_t kMaxMessageBytes = 400;

}  // namespace

void fail_at(SourcePosition position, ErrorKind kind, const std::string& message) {
  throw Error(kind, "chat_template line " + std::to_string(position.line) + ", column " +
                        std::to_string(position.column) + ": " + utf8_prefix(message, kMaxMessageBytes));
}

}  // namespace ft::jinja
