#include "engine/templates/template_lexer.h"

#include "engine/templates/python_text.h"

#include <cerrno>
#include <cstdlib>

namespace ft::jinja {

namespace {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

// jinja2 reads templates with "\r\n" and "\r" as "\n", and without one trailing newline.
std::string normalize_line_ends(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string source) : source_(std::move(source)) {}

  std::vector<Token> run() {
    while (at_ < source_.size()) {
      const auto open = find_tag_open(at_);
      if (open == std::string::npos) {
        emit_text(source_.substr(at_), at_);
        break;
      }
      lex_text_before(open);
      const char kind = source_[open + 1];
      if (kind == '#') lex_comment(open);
      else lex_tag(kind, open);
    }
    tokens_.push_back(Token{TokenKind::end_of_template, "", 0, 0, position_of(source_.size())});
    return std::move(tokens_);
  }

 private:
  // Tokens come in source order, so each position continues from the one before (starting over
  // only for an earlier offset): lexing stays linear in the template's length, long lines included.
  SourcePosition position_of(size_t offset) const {
    if (offset < cursor_offset_) cursor_offset_ = 0, cursor_ = SourcePosition{};
    for (; cursor_offset_ < offset; ++cursor_offset_) {
      const auto byte = static_cast<unsigned char>(source_[cursor_offset_]);
      if (byte == '\n') {
        ++cursor_.line;
        cursor_.column = 1;
      } else if ((byte & 0xC0) != 0x80) {
        ++cursor_.column;
      }
    }
    return cursor_;
  }

  [[noreturn]] void fail(size_t offset, const std::string& message) const {
    fail_at(position_of(offset), ErrorKind::invalid_input, message);
  }

  size_t find_tag_open(size_t from) const {
    for (auto at = source_.find('{', from); at != std::string::npos; at = source_.find('{', at + 1)) {
      if (at + 1 < source_.size() && (source_[at + 1] == '{' || source_[at + 1] == '%' || source_[at + 1] == '#'))
        return at;
    }
    return std::string::npos;
  }

  char sign_after_open(size_t open) const {
    const char c = open + 2 < source_.size() ? source_[open + 2] : '\0';
    return c == '-' || c == '+' ? c : '\0';
  }

  // The text before a tag, with the tag's left whitespace control applied, as jinja2's lexer does.
  void lex_text_before(size_t open) {
    std::string text = source_.substr(at_, open - at_);
    const char sign = sign_after_open(open);
    const bool block_or_comment = source_[open + 1] != '{';
    if (sign == '-') {
      text = python_rstrip(text);
    } else if (sign != '+' && block_or_comment) {
      // lstrip_blocks: only spaces and tabs between the line's start and the tag are removed.
      const auto line_start = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
      const bool only_blanks = text.find_first_not_of(" \t", line_start) == std::string::npos;
      if ((line_start > 0 || line_starting_) && only_blanks) text.resize(line_start);
    }
    emit_text(text, at_);
    at_ = open + 2 + (sign ? 1 : 0);
  }

  void emit_text(const std::string& text, size_t offset) {
    if (!text.empty()) tokens_.push_back(Token{TokenKind::text, text, 0, 0, position_of(offset)});
  }

  // After a tag's end: "-" removes the whitespace that follows; a plain "%}" or "#}" one newline.
  void finish_tag(size_t end, char sign, bool trims_newline) {
    if (sign == '-') end += leading_space_bytes(source_, end);
    else if (sign != '+' && trims_newline && end < source_.size() && source_[end] == '\n') ++end;
    at_ = end;
    line_starting_ = end > 0 && source_[end - 1] == '\n';
  }

  void lex_comment(size_t open) {
    const auto close = source_.find("#}", at_);
    if (close == std::string::npos) fail(open, "the comment is not closed with '#}'");
    const char sign = close > at_ && (source_[close - 1] == '-' || source_[close - 1] == '+') ? source_[close - 1] : '\0';
    finish_tag(close + 2, sign, true);
  }

  void lex_tag(char kind, size_t open) {
    const bool statement = kind == '%';
    tokens_.push_back(Token{statement ? TokenKind::statement_begin : TokenKind::expression_begin, "", 0, 0,
                            position_of(open)});
    int depth = 0;  // brackets open: jinja2 does not look for the tag's end inside them
    while (true) {
      at_ += leading_space_bytes(source_, at_);
      if (at_ >= source_.size()) fail(open, statement ? "the tag is not closed with '%}'" : "the expression is not closed with '}}'");
      if (depth == 0 && lex_tag_end(statement)) return;
      lex_token(depth);
    }
  }

  bool lex_tag_end(bool statement) {
    const std::string close = statement ? "%}" : "}}";
    char sign = '\0';
    if (source_.compare(at_, 3, "-" + close) == 0) sign = '-';
    else if (statement && source_.compare(at_, 3, "+" + close) == 0) sign = '+';
    else if (source_.compare(at_, 2, close) != 0) return false;
    tokens_.push_back(Token{statement ? TokenKind::statement_end : TokenKind::expression_end, "", 0, 0,
                            position_of(at_)});
    finish_tag(at_ + close.size() + (sign ? 1 : 0), sign, statement);
    return true;
  }

  void lex_token(int& depth) {
    const char c = source_[at_];
    if (is_name_start(c)) return lex_name();
    if (is_digit(c)) return lex_number();
    if (c == '\'' || c == '"') return lex_string();
    lex_symbol(depth);
  }

  void lex_name() {
    const auto start = at_;
    while (at_ < source_.size() && is_name_char(source_[at_])) ++at_;
    tokens_.push_back(Token{TokenKind::name, source_.substr(start, at_ - start), 0, 0, position_of(start)});
  }

  // Digits with optional "_" separators.
  std::string digits() {
    std::string out;
    while (at_ < source_.size() && (is_digit(source_[at_]) || (source_[at_] == '_' && at_ + 1 < source_.size() &&
                                                                is_digit(source_[at_ + 1])))) {
      if (source_[at_] != '_') out.push_back(source_[at_]);
      ++at_;
    }
    return out;
  }

  void lex_number() {
    const auto start = at_;
    std::string text = digits();
    bool floating = false;
    if (at_ + 1 < source_.size() && source_[at_] == '.' && is_digit(source_[at_ + 1])) {
      ++at_;
      text += "." + digits();
      floating = true;
    }
    const bool has_exponent_digits =
        at_ + 1 < source_.size() && (source_[at_] == 'e' || source_[at_] == 'E') &&
        (is_digit(source_[at_ + 1]) ||
         ((source_[at_ + 1] == '+' || source_[at_ + 1] == '-') && at_ + 2 < source_.size() && is_digit(source_[at_ + 2])));
    if (has_exponent_digits) {
      text += 'e';
      ++at_;
      if (source_[at_] == '+' || source_[at_] == '-') text += source_[at_++];
      text += digits();
      floating = true;
    }
    Token token{floating ? TokenKind::floating : TokenKind::integer, text, 0, 0, position_of(start)};
    if (floating) {
      token.floating = std::strtod(text.c_str(), nullptr);
    } else {
      errno = 0;
      token.integer = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == ERANGE) fail(start, "the integer " + text + " is too large");
    }
    tokens_.push_back(token);
  }

  void lex_string() {
    const auto start = at_;
    const char quote = source_[at_++];
    std::string raw;
    while (at_ < source_.size() && source_[at_] != quote) {
      if (source_[at_] == '\\' && at_ + 1 < source_.size()) raw.push_back(source_[at_++]);
      raw.push_back(source_[at_++]);
    }
    if (at_ >= source_.size()) fail(start, "the string is not closed");
    ++at_;
    tokens_.push_back(Token{TokenKind::string, unescape(raw, start), 0, 0, position_of(start)});
  }

  // Python's unicode-escape, which jinja2 applies to string literals.
  std::string unescape(const std::string& raw, size_t offset) const {
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\\' || i + 1 == raw.size()) {
        out.push_back(raw[i]);
        continue;
      }
      const char e = raw[++i];
      switch (e) {
        case '\n': break;
        case '\\': out.push_back('\\'); break;
        case '\'': out.push_back('\''); break;
        case '"': out.push_back('"'); break;
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'v': out.push_back('\v'); break;
        case 'x': out += utf8(hex_code_point(raw, i, 2, offset)); break;
        case 'u': out += utf8(hex_code_point(raw, i, 4, offset)); break;
        case 'U': out += utf8(hex_code_point(raw, i, 8, offset)); break;
        default:
          if (e >= '0' && e <= '7') {
            uint32_t value = static_cast<uint32_t>(e - '0');
            for (int n = 1; n < 3 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7'; ++n)
              value = value * 8 + static_cast<uint32_t>(raw[++i] - '0');
            out += utf8(value);
          } else if (e == 'N') {
            fail_at(position_of(offset), ErrorKind::unsupported, "the string escape \\N{...} is not supported");
          } else {
            out.push_back('\\');
            out.push_back(e);
          }
      }
    }
    return out;
  }

  uint32_t hex_code_point(const std::string& raw, size_t& i, size_t length, size_t offset) const {
    if (i + length >= raw.size()) fail(offset, "a \\x, \\u or \\U escape is cut short");
    const auto hex = raw.substr(i + 1, length);
    if (hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      fail(offset, "the escape \\" + std::string(1, raw[i]) + hex + " is not hexadecimal");
    i += length;
    const auto value = static_cast<uint32_t>(std::strtoul(hex.c_str(), nullptr, 16));
    if (value > 0x10FFFF) fail(offset, "the escape \\U" + hex + " is not a code point");
    return value;
  }

  void lex_symbol(int& depth) {
    static const char* const two_char[] = {"//", "**", "==", "!=", "<=", ">="};
    for (auto symbol : two_char) {
      if (source_.compare(at_, 2, symbol) == 0) {
        tokens_.push_back(Token{TokenKind::symbol, symbol, 0, 0, position_of(at_)});
        at_ += 2;
        return;
      }
    }
    const char c = source_[at_];
    if (std::string("+-*/%~<>=.,:|()[]{}").find(c) == std::string::npos)
      fail(at_, "unexpected character '" + utf8(code_points(source_.substr(at_, 4)).front()) + "'");
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    tokens_.push_back(Token{TokenKind::symbol, std::string(1, c), 0, 0, position_of(at_)});
    ++at_;
  }

  std::string source_;
  mutable size_t cursor_offset_ = 0;  // position_of's last offset and its position
  mutable SourcePosition cursor_;
  std::vector<Token> tokens_;
  size_t at_ = 0;
  bool line_starting_ = true;  // the last tag ended a line: lstrip_blocks applies from the start
};

}  // namespace

std::vector<Token> tokenize(const std::string& template_text) {
  return Lexer(normalize_line_ends(template_text)).run();
}

}  // namespace ft::jinja
