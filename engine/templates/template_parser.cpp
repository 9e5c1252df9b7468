#include "engine/templates/template_parser.h"

#include "engine/core/string_affixes.h"
#include "engine/templates/template_filters.h"
#include "engine/templates/template_lexer.h"
#include "engine/templates/template_predicates.h"

#include <algorithm>

namespace ft::jinja {

namespace {

bool is_end_tag(const std::string& name, const std::vector<std::string>& end_tags) {
  return std::find(end_tags.begin(), end_tags.end(), name) != end_tags.end();
}

// Deeper than any real template nests; a template from an untrusted model folder with a thousand
// parentheses, or a chain of ten thousand "~", fails here instead of overflowing the stack of the
// parser, the evaluator or the destructor.
constexpr int kMaxNesting = 200;

int depth_of(const ExpressionPtr& e) { return e ? e->depth : 0; }
int depth_of(const Arguments& a) {
  int d = 0;
  for (const auto& p : a.positional) d = std::max(d, depth_of(p));
  for (const auto& [name, value] : a.keyword) d = std::max(d, depth_of(value));
  return d;
}
int children_depth(const LiteralExpression&) { return 0; }
int children_depth(const NameExpression&) { return 0; }
int children_depth(const ListExpression& e) {
  int d = 0;
  for (const auto& item : e.items) d = std::max(d, depth_of(item));
  return d;
}
int children_depth(const DictExpression& e) {
  int d = 0;
  for (const auto& [key, value] : e.entries) d = std::max({d, depth_of(key), depth_of(value)});
  return d;
}
int children_depth(const AttributeExpression& e) { return depth_of(e.object); }
int children_depth(const SubscriptExpression& e) { return std::max(depth_of(e.object), depth_of(e.index)); }
int children_depth(const SliceExpression& e) {
  return std::max({depth_of(e.object), depth_of(e.start), depth_of(e.stop), depth_of(e.step)});
}
int children_depth(const CallExpression& e) { return std::max(depth_of(e.callee), depth_of(e.arguments)); }
int children_depth(const FilterExpression& e) { return std::max(depth_of(e.operand), depth_of(e.arguments)); }
int children_depth(const TestExpression& e) { return std::max(depth_of(e.operand), depth_of(e.arguments)); }
int children_depth(const UnaryExpression& e) { return depth_of(e.operand); }
int children_depth(const BinaryExpression& e) { return std::max(depth_of(e.left), depth_of(e.right)); }
int children_depth(const ComparisonExpression& e) {
  int d = depth_of(e.first);
  for (const auto& [op, operand] : e.rest) d = std::max(d, depth_of(operand));
  return d;
}
int children_depth(const ConditionalExpression& e) {
  return std::max({depth_of(e.condition), depth_of(e.then), depth_of(e.otherwise)});
}

[[noreturn]] void fail_nesting(SourcePosition position) {
  fail_at(position, ErrorKind::invalid_input, "the template nests deeper than " + std::to_string(kMaxNesting) + " levels");
}

template <typename Node>
ExpressionPtr make_expression(SourcePosition position, Node node) {
  const int depth = 1 + children_depth(node);
  if (depth > kMaxNesting) fail_nesting(position);
  return std::make_unique<Expression>(Expression{position, depth, std::move(node)});
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

 private:
  // One level of the parser's recursion, held while a nested construct is parsed.
  class Nested {
   public:
    Nested(Parser& parser, SourcePosition position) : parser_(parser) {
      if (++parser_.nesting_ > kMaxNesting) fail_nesting(position);
    }
    ~Nested() { --parser_.nesting_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;

   private:
    Parser& parser_;
  };

 public:

  Body parse() {
    std::string end;
    auto body = parse_body({}, end, tokens_.front().position);
    return body;
  }

 private:
  // ---- tokens

  const Token& peek(size_t ahead = 0) const { return tokens_[std::min(at_ + ahead, tokens_.size() - 1)]; }
  const Token& next() { return tokens_[std::min(at_++, tokens_.size() - 1)]; }
  bool at_symbol(const char* symbol, size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::symbol && peek(ahead).value == symbol;
  }
  bool at_name(const char* name, size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::name && peek(ahead).value == name;
  }

  static std::string describe(const Token& token) {
    switch (token.kind) {
      case TokenKind::text: return "template text";
      case TokenKind::expression_begin: return "'{{'";
      case TokenKind::expression_end: return "'}}'";
      case TokenKind::statement_begin: return "'{%'";
      case TokenKind::statement_end: return "'%}'";
      case TokenKind::name: return "'" + token.value + "'";
      case TokenKind::string: return "a string";
      case TokenKind::integer:
      case TokenKind::floating: return "the number " + token.value;
      case TokenKind::symbol: return "'" + token.value + "'";
      case TokenKind::end_of_template: return "the end of the template";
    }
    return "a token";
  }

  [[noreturn]] void fail_unexpected(const std::string& expected) const {
    fail_at(peek().position, ErrorKind::invalid_input, "expected " + expected + ", found " + describe(peek()));
  }

  void expect_symbol(const char* symbol) {
    if (!at_symbol(symbol)) fail_unexpected(std::string("'") + symbol + "'");
    next();
  }

  std::string expect_name() {
    if (peek().kind != TokenKind::name) fail_unexpected("a name");
    return next().value;
  }

  void expect(TokenKind kind, const char* what) {
    if (peek().kind != kind) fail_unexpected(what);
    next();
  }

  void expect_statement_end() { expect(TokenKind::statement_end, "'%}'"); }

  // ---- statements

  // Statements up to one of end_tags ("{% endfor"), which is consumed up to its name and returned
  // in found_end; the top level ends at the end of the template.
  Body parse_body(const std::vector<std::string>& end_tags, std::string& found_end, SourcePosition opened_at) {
    const Nested nested(*this, opened_at);
    Body body;
    while (true) {
      const auto& token = peek();
      switch (token.kind) {
        case TokenKind::text:
          body.push_back(Statement{token.position, TextStatement{next().value}});
          break;
        case TokenKind::expression_begin: {
          const auto position = next().position;
          auto expression = parse_expression();
          expect(TokenKind::expression_end, "'}}'");
          body.push_back(Statement{position, OutputStatement{std::move(expression)}});
          break;
        }
        case TokenKind::statement_begin: {
          if (peek(1).kind == TokenKind::name && is_end_tag(peek(1).value, end_tags)) {
            next();
            found_end = next().value;
            return body;
          }
          body.push_back(parse_statement());
          break;
        }
        case TokenKind::end_of_template:
          if (!end_tags.empty())
            fail_at(opened_at, ErrorKind::invalid_input, "this block is not closed: '{% " + end_tags.back() + " %}' is missing");
          return body;
        default:
          fail_unexpected("template text or a tag");
      }
    }
  }

  Statement parse_statement() {
    const auto position = next().position;  // {%
    if (peek().kind != TokenKind::name) fail_unexpected("a tag name");
    const auto tag = peek().value;
    if (tag == "if") return Statement{position, parse_if(position)};
    if (tag == "for") return Statement{position, parse_for(position)};
    if (tag == "set") return parse_set(position);
    if (tag == "macro") return Statement{position, parse_macro(position)};
    if (tag == "break" || tag == "continue") {
      next();
      expect_statement_end();
      if (tag == "break") return Statement{position, BreakStatement{}};
      return Statement{position, ContinueStatement{}};
    }
    if (tag == "generation") return Statement{position, parse_generation(position)};
    if (starts_with(tag, "end") || tag == "elif" || tag == "else")
      fail_at(peek().position, ErrorKind::invalid_input, "'{% " + tag + " %}' without a block to close");
    fail_at(peek().position, ErrorKind::unsupported, "the tag '" + tag + "' is not supported");
  }

  IfStatement parse_if(SourcePosition opened_at) {
    next();  // if
    IfStatement statement;
    auto condition = parse_expression();
    expect_statement_end();
    while (true) {
      std::string end;
      auto body = parse_body({"elif", "else", "endif"}, end, opened_at);
      statement.branches.emplace_back(std::move(condition), std::move(body));
      if (end == "endif") break;
      if (end == "else") {
        expect_statement_end();
        std::string endif;
        statement.otherwise = parse_body({"endif"}, endif, opened_at);
        break;
      }
      condition = parse_expression();
      expect_statement_end();
    }
    expect_statement_end();
    return statement;
  }

  ForStatement parse_for(SourcePosition opened_at) {
    next();  // for
    ForStatement statement;
    statement.targets.push_back(expect_name());
    while (at_symbol(",")) {
      next();
      statement.targets.push_back(expect_name());
    }
    if (!at_name("in")) fail_unexpected("'in'");
    next();
    statement.iterable = parse_expression(false);
    if (at_name("if")) {
      next();
      statement.filter = parse_expression();
    }
    if (at_name("recursive")) fail_at(peek().position, ErrorKind::unsupported, "recursive loops are not supported");
    expect_statement_end();
    std::string end;
    statement.body = parse_body({"else", "endfor"}, end, opened_at);
    if (end == "else") {
      expect_statement_end();
      statement.otherwise = parse_body({"endfor"}, end, opened_at);
    }
    expect_statement_end();
    return statement;
  }

  Statement parse_set(SourcePosition position) {
    next();  // set
    const auto first = expect_name();
    if (at_symbol(".")) {
      next();
      SetAttributeStatement statement{first, expect_name(), nullptr};
      expect_symbol("=");
      statement.value = parse_expression();
      expect_statement_end();
      return Statement{position, std::move(statement)};
    }
    if (peek().kind == TokenKind::statement_end) {
      next();
      std::string end;
      auto body = parse_body({"endset"}, end, position);
      expect_statement_end();
      return Statement{position, SetBlockStatement{first, std::move(body)}};
    }
    SetStatement statement{{first}, nullptr};
    while (at_symbol(",")) {
      next();
      statement.targets.push_back(expect_name());
    }
    expect_symbol("=");
    statement.value = parse_expression();
    expect_statement_end();
    return Statement{position, std::move(statement)};
  }

  MacroStatement parse_macro(SourcePosition opened_at) {
    next();  // macro
    MacroStatement statement;
    statement.name = expect_name();
    expect_symbol("(");
    while (!at_symbol(")")) {
      if (!statement.parameters.empty()) expect_symbol(",");
      MacroParameter parameter{expect_name(), nullptr};
      if (at_symbol("=")) {
        next();
        parameter.default_value = parse_expression();
      }
      statement.parameters.push_back(std::move(parameter));
    }
    next();  // )
    expect_statement_end();
    std::string end;
    statement.body = std::make_shared<const Body>(parse_body({"endmacro"}, end, opened_at));
    // {% endmacro name %} is allowed, as in jinja2.
    if (peek().kind == TokenKind::name) next();
    expect_statement_end();
    return statement;
  }

  GenerationStatement parse_generation(SourcePosition opened_at) {
    next();  // generation
    expect_statement_end();
    std::string end;
    GenerationStatement statement{parse_body({"endgeneration"}, end, opened_at)};
    expect_statement_end();
    return statement;
  }

  // ---- expressions, from the lowest precedence up

  ExpressionPtr parse_expression(bool with_conditional = true) {
    const Nested nested(*this, peek().position);
    return with_conditional ? parse_conditional() : parse_or();
  }

  ExpressionPtr parse_conditional() {
    const Nested nested(*this, peek().position);
    auto expression = parse_or();
    while (at_name("if")) {
      const auto position = next().position;
      auto condition = parse_or();
      ExpressionPtr otherwise;
      if (at_name("else")) {
        next();
        otherwise = parse_conditional();
      }
      expression = make_expression(position, ConditionalExpression{std::move(condition), std::move(expression),
                                                                    std::move(otherwise)});
    }
    return expression;
  }

  ExpressionPtr parse_or() {
    auto left = parse_and();
    while (at_name("or")) {
      const auto position = next().position;
      left = make_expression(position, BinaryExpression{BinaryOperator::logical_or, std::move(left), parse_and()});
    }
    return left;
  }

  ExpressionPtr parse_and() {
    auto left = parse_not();
    while (at_name("and")) {
      const auto position = next().position;
      left = make_expression(position, BinaryExpression{BinaryOperator::logical_and, std::move(left), parse_not()});
    }
    return left;
  }

  ExpressionPtr parse_not() {
    if (at_name("not")) {
      const Nested nested(*this, peek().position);
      const auto position = next().position;
      return make_expression(position, UnaryExpression{UnaryOperator::logical_not, parse_not()});
    }
    return parse_comparison();
  }

  bool take_comparison_operator(ComparisonOperator& op) {
    static const std::pair<const char*, ComparisonOperator> symbols[] = {
        {"==", ComparisonOperator::equal},      {"!=", ComparisonOperator::not_equal},
        {"<", ComparisonOperator::less},        {">", ComparisonOperator::greater},
        {"<=", ComparisonOperator::less_equal}, {">=", ComparisonOperator::greater_equal}};
    for (const auto& [symbol, kind] : symbols) {
      if (at_symbol(symbol)) {
        next();
        op = kind;
        return true;
      }
    }
    if (at_name("in")) {
      next();
      op = ComparisonOperator::in;
      return true;
    }
    if (at_name("not") && at_name("in", 1)) {
      next();
      next();
      op = ComparisonOperator::not_in;
      return true;
    }
    return false;
  }

  ExpressionPtr parse_comparison() {
    const auto position = peek().position;
    auto first = parse_sum();
    ComparisonExpression comparison{std::move(first), {}};
    ComparisonOperator op;
    while (take_comparison_operator(op)) comparison.rest.emplace_back(op, parse_sum());
    if (comparison.rest.empty()) return std::move(comparison.first);
    return make_expression(position, std::move(comparison));
  }

  // One level of left-associative binary operators.
  template <typename Operand>
  ExpressionPtr parse_binary(const std::vector<std::pair<const char*, BinaryOperator>>& operators, Operand operand) {
    auto left = operand();
    while (true) {
      bool matched = false;
      for (const auto& [symbol, op] : operators) {
        if (!at_symbol(symbol)) continue;
        const auto position = next().position;
        left = make_expression(position, BinaryExpression{op, std::move(left), operand()});
        matched = true;
        break;
      }
      if (!matched) return left;
    }
  }

  ExpressionPtr parse_sum() {
    return parse_binary({{"+", BinaryOperator::add}, {"-", BinaryOperator::subtract}}, [this] { return parse_concat(); });
  }
  ExpressionPtr parse_concat() {
    return parse_binary({{"~", BinaryOperator::concat}}, [this] { return parse_product(); });
  }
  ExpressionPtr parse_product() {
    return parse_binary({{"*", BinaryOperator::multiply},
                         {"/", BinaryOperator::divide},
                         {"//", BinaryOperator::floor_divide},
                         {"%", BinaryOperator::modulo}},
                        [this] { return parse_power(); });
  }
  ExpressionPtr parse_power() {
    return parse_binary({{"**", BinaryOperator::power}}, [this] { return parse_unary(true); });
  }

  ExpressionPtr parse_unary(bool with_filters) {
    ExpressionPtr node;
    if (at_symbol("-") || at_symbol("+")) {
      const auto op = at_symbol("-") ? UnaryOperator::negate : UnaryOperator::plus;
      const Nested nested(*this, peek().position);
      const auto position = next().position;
      node = make_expression(position, UnaryExpression{op, parse_unary(false)});
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    return with_filters ? parse_filters_and_tests(std::move(node)) : std::move(node);
  }

  ExpressionPtr parse_primary() {
    const auto& token = peek();
    const auto position = token.position;
    switch (token.kind) {
      case TokenKind::name: return parse_name_or_constant();
      case TokenKind::string: {
        std::string text;
        while (peek().kind == TokenKind::string) text += next().value;  // "a" "b" is "ab", as in Python
        return make_expression(position, LiteralExpression{Value::string(std::move(text))});
      }
      case TokenKind::integer: return make_expression(position, LiteralExpression{Value::integer(next().integer)});
      case TokenKind::floating: return make_expression(position, LiteralExpression{Value::floating(next().floating)});
      case TokenKind::symbol:
        if (token.value == "(") return parse_parenthesized();
        if (token.value == "[") return parse_list();
        if (token.value == "{") return parse_dict();
        break;
      default: break;
    }
    fail_unexpected("an expression");
  }

  ExpressionPtr parse_name_or_constant() {
    const auto& token = next();
    const auto& name = token.value;
    if (name == "true" || name == "True") return make_expression(token.position, LiteralExpression{Value::boolean(true)});
    if (name == "false" || name == "False") return make_expression(token.position, LiteralExpression{Value::boolean(false)});
    if (name == "none" || name == "None") return make_expression(token.position, LiteralExpression{Value::none()});
    return make_expression(token.position, NameExpression{name});
  }

  // (a), or a tuple: (), (a,), (a, b)
  ExpressionPtr parse_parenthesized() {
    const auto position = next().position;
    ListExpression tuple{{}, true};
    bool is_tuple = at_symbol(")");
    while (!at_symbol(")")) {
      tuple.items.push_back(parse_expression());
      if (!at_symbol(",")) break;
      next();
      is_tuple = true;
    }
    expect_symbol(")");
    if (!is_tuple) return std::move(tuple.items.front());
    return make_expression(position, std::move(tuple));
  }

  ExpressionPtr parse_list() {
    const auto position = next().position;
    ListExpression list;
    while (!at_symbol("]")) {
      if (!list.items.empty()) expect_symbol(",");
      if (at_symbol("]")) break;  // a trailing comma
      list.items.push_back(parse_expression());
    }
    next();
    return make_expression(position, std::move(list));
  }

  ExpressionPtr parse_dict() {
    const auto position = next().position;
    DictExpression dict;
    while (!at_symbol("}")) {
      if (!dict.entries.empty()) expect_symbol(",");
      if (at_symbol("}")) break;
      auto key = parse_expression();
      expect_symbol(":");
      dict.entries.emplace_back(std::move(key), parse_expression());
    }
    next();
    return make_expression(position, std::move(dict));
  }

  ExpressionPtr parse_postfix(ExpressionPtr node) {
    while (true) {
      if (at_symbol(".")) {
        const auto position = next().position;
        if (peek().kind == TokenKind::integer) {
          auto index = make_expression(peek().position, LiteralExpression{Value::integer(next().integer)});
          node = make_expression(position, SubscriptExpression{std::move(node), std::move(index)});
        } else {
          node = make_expression(position, AttributeExpression{std::move(node), expect_name()});
        }
      } else if (at_symbol("[")) {
        node = parse_subscript(std::move(node));
      } else if (at_symbol("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  // A call is placed where its callee starts, so that an error names "raise_exception(...)" there.
  ExpressionPtr parse_call(ExpressionPtr callee) {
    const auto position = callee->position;
    return make_expression(position, CallExpression{std::move(callee), parse_call_arguments()});
  }

  // [index] or [start:stop:step], each part optional.
  ExpressionPtr parse_subscript(ExpressionPtr object) {
    const auto position = next().position;  // [
    ExpressionPtr start;
    if (!at_symbol(":")) {
      start = parse_expression();
      if (!at_symbol(":")) {
        expect_symbol("]");
        return make_expression(position, SubscriptExpression{std::move(object), std::move(start)});
      }
    }
    next();  // :
    ExpressionPtr stop, step;
    if (!at_symbol(":") && !at_symbol("]")) stop = parse_expression();
    if (at_symbol(":")) {
      next();
      if (!at_symbol("]")) step = parse_expression();
    }
    expect_symbol("]");
    return make_expression(position,
                           SliceExpression{std::move(object), std::move(start), std::move(stop), std::move(step)});
  }

  Arguments parse_call_arguments() {
    expect_symbol("(");
    Arguments arguments;
    while (!at_symbol(")")) {
      if (!arguments.positional.empty() || !arguments.keyword.empty()) expect_symbol(",");
      if (at_symbol(")")) break;
      if (at_symbol("*") || at_symbol("**"))
        fail_at(peek().position, ErrorKind::unsupported, "*args and **kwargs in calls are not supported");
      if (peek().kind == TokenKind::name && at_symbol("=", 1)) {
        auto name = next().value;
        next();
        arguments.keyword.emplace_back(std::move(name), parse_expression());
      } else {
        if (!arguments.keyword.empty())
          fail_at(peek().position, ErrorKind::invalid_input, "a positional argument follows a keyword argument");
        arguments.positional.push_back(parse_expression());
      }
    }
    next();
    return arguments;
  }

  ExpressionPtr parse_filters_and_tests(ExpressionPtr node) {
    while (true) {
      if (at_symbol("|")) {
        node = parse_filter(std::move(node));
      } else if (at_name("is")) {
        node = parse_test(std::move(node));
      } else if (at_symbol("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExpressionPtr parse_filter(ExpressionPtr operand) {
    next();  // |
    const auto position = peek().position;
    const auto name = expect_name();
    if (!is_supported_filter(name))
      fail_at(position, ErrorKind::unsupported, "the filter '" + name + "' is not supported");
    Arguments arguments;
    if (at_symbol("(")) arguments = parse_call_arguments();
    return make_expression(position, FilterExpression{std::move(operand), name, std::move(arguments)});
  }

  // "is [not] name", with arguments in parentheses or one bare argument ("is divisibleby 3").
  ExpressionPtr parse_test(ExpressionPtr operand) {
    next();  // is
    bool negated = false;
    if (at_name("not")) {
      next();
      negated = true;
    }
    const auto position = peek().position;
    const auto name = expect_name();
    if (!is_supported_predicate(name))
      fail_at(position, ErrorKind::unsupported, "the test '" + name + "' is not supported");
    Arguments arguments;
    const auto& token = peek();
    const bool bare_argument =
        (token.kind == TokenKind::name || token.kind == TokenKind::string || token.kind == TokenKind::integer ||
         token.kind == TokenKind::floating || at_symbol("[") || at_symbol("{")) &&
        !at_name("else") && !at_name("or") && !at_name("and");
    if (at_symbol("(")) {
      arguments = parse_call_arguments();
    } else if (bare_argument) {
      if (at_name("is")) fail_at(token.position, ErrorKind::invalid_input, "tests cannot be chained with 'is'");
      arguments.positional.push_back(parse_postfix(parse_primary()));
    }
    return make_expression(position, TestExpression{std::move(operand), name, std::move(arguments), negated});
  }

  std::vector<Token> tokens_;
  int nesting_ = 0;
  size_t at_ = 0;
};

}  // namespace

Body parse_template(const std::string& template_text) { return Parser(tokenize(template_text)).parse(); }

}  // namespace ft::jinja
