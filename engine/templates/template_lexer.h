// The lexer: template text to tokens, with jinja2's whitespace rules as Hugging Face configures
// them (transformers' _compile_jinja_template: trim_blocks=True, lstrip_blocks=True,
// keep_trailing_newline=False):
//   - line ends are normalized to "\n" and one trailing "\n" of the template is dropped;
//   - trim_blocks: the first "\n" after a "%}" or "#}" is removed;
//   - lstrip_blocks: spaces and tabs from the start of a line up to a "{%" or "{#" are removed;
//   - "-" inside a delimiter ("{%-", "-}}") removes all whitespace on that side, "+" ("{%+", "+%}")
//     turns the two rules above off for that side.
// Comments produce no tokens.
#pragma once

#include "engine/templates/template_error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ft::jinja {

enum class TokenKind {
  text,              // template text outside any tag
  expression_begin,  // {{
  expression_end,    // }}
  statement_begin,   // {%
  statement_end,     // %}
  name,
  string,            // value: the literal with its escapes resolved
  integer,
  floating,
  symbol,            // an operator or punctuation: + - * / // % ** ~ == != < > <= >= = . , : | ( ) [ ] { }
  end_of_template,
};

struct Token {
  TokenKind kind = TokenKind::end_of_template;
  std::string value;  // text, name, string or symbol
  int64_t integer = 0;
  double floating = 0;
  SourcePosition position;
};

std::vector<Token> tokenize(const std::string& template_text);

}  // namespace ft::jinja
