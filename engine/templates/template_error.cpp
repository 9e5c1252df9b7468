#include "engine/templates/template_error.h"

namespace ft::jinja {

void fail_at(SourcePosition position, ErrorKind kind, const std::string& message) {
  throw Error(kind, "chat_template line " + std::to_string(position.line) + ", column " +
                        std::to_string(position.column) + ": " + message);
}

}  // namespace ft::jinja
