#include "engine/templates/template_evaluator.h"

#include "engine/templates/template_access.h"
#include "engine/templates/template_arguments.h"
#include "engine/templates/template_filters.h"
#include "engine/templates/template_operators.h"
#include "engine/templates/template_predicates.h"

#include <ctime>
#include <map>
#include <optional>

namespace ft::jinja {

namespace {

using Kind = Value::Kind;

// jinja2's sandbox refuses ranges longer than this.
constexpr int64_t kMaxRange = 100000;
// Deep enough for any real template; a macro recursing without end fails here, not in the stack.
constexpr int kMaxMacroDepth = 100;
// A render of a chat template runs a few loops over the messages; one from an untrusted model
// folder that nests range(100000) loops, or writes without end, is refused instead of hanging
// the process or exhausting its memory.
constexpr int64_t kMaxLoopIterations = 100000;
constexpr size_t kMaxOutputBytes = 16u << 20;

struct Scope {
  std::map<std::string, Value> variables;
  const Scope* parent = nullptr;
};

enum class Flow { normal, break_loop, continue_loop };

Value namespace_global(const CallArguments& arguments);
Value dict_global(const CallArguments& arguments);
Value range_global(const CallArguments& arguments);
Value raise_exception_global(const CallArguments& arguments);
Value strftime_now_global(const CallArguments& arguments);

class Evaluator {
 public:
  explicit Evaluator(const ValueDict& variables) : variables_(variables) {
    builtins_.set("namespace", Value::function("namespace", namespace_global));
    builtins_.set("dict", Value::function("dict", dict_global));
    builtins_.set("range", Value::function("range", range_global));
    builtins_.set("raise_exception", Value::function("raise_exception", raise_exception_global));
    builtins_.set("strftime_now", Value::function("strftime_now", strftime_now_global));
  }

  std::string render(const Body& body) {
    std::string out;
    if (execute(body, root_, out) != Flow::normal) fail_at({}, ErrorKind::invalid_input, "break or continue outside a loop");
    return out;
  }

 private:
  // ---- statements

  Flow execute(const Body& body, Scope& scope, std::string& out) {
    for (const auto& statement : body) {
      const auto flow = execute(statement, scope, out);
      if (flow != Flow::normal) return flow;
    }
    return Flow::normal;
  }

  Flow execute(const Statement& statement, Scope& scope, std::string& out) {
    const auto& node = statement.node;
    const auto at = statement.position;
    if (out.size() > kMaxOutputBytes) {
      fail_at(at, ErrorKind::invalid_input, "the template writes more than " + std::to_string(kMaxOutputBytes) + " bytes");
    }
    if (const auto* text = std::get_if<TextStatement>(&node)) out += text->text;
    else if (const auto* output = std::get_if<OutputStatement>(&node)) out += evaluate(*output->expression, scope).to_string();
    else if (const auto* if_statement = std::get_if<IfStatement>(&node)) return execute_if(*if_statement, scope, out);
    else if (const auto* for_statement = std::get_if<ForStatement>(&node)) execute_for(*for_statement, scope, out, at);
    else if (const auto* set = std::get_if<SetStatement>(&node)) assign(set->targets, evaluate(*set->value, scope), scope, at);
    else if (const auto* set_attribute = std::get_if<SetAttributeStatement>(&node)) execute_set_attribute(*set_attribute, scope, at);
    else if (const auto* set_block = std::get_if<SetBlockStatement>(&node)) execute_set_block(*set_block, scope);
    else if (const auto* macro = std::get_if<MacroStatement>(&node)) define_macro(*macro, scope);
    else if (std::holds_alternative<BreakStatement>(node)) return Flow::break_loop;
    else if (std::holds_alternative<ContinueStatement>(node)) return Flow::continue_loop;
    else if (const auto* generation = std::get_if<GenerationStatement>(&node)) return execute(generation->body, scope, out);
    return Flow::normal;
  }

  Flow execute_if(const IfStatement& statement, Scope& scope, std::string& out) {
    for (const auto& [condition, body] : statement.branches)
      if (evaluate(*condition, scope).truthy()) return execute(body, scope, out);
    return execute(statement.otherwise, scope, out);
  }

  void execute_for(const ForStatement& statement, Scope& scope, std::string& out, SourcePosition at) {
    std::vector<Value> items;
    for (auto& item : iterate(evaluate(*statement.iterable, scope), statement.iterable->position)) {
      if (statement.filter) {
        Scope filter_scope{{}, &scope};
        assign(statement.targets, item, filter_scope, at);
        if (!evaluate(*statement.filter, filter_scope).truthy()) continue;
      }
      items.push_back(std::move(item));
    }
    if (items.empty()) {
      Scope else_scope{{}, &scope};
      execute(statement.otherwise, else_scope, out);
      return;
    }
    for (size_t i = 0; i < items.size(); ++i) {
      if (++loop_iterations_ > kMaxLoopIterations) {
        fail_at(at, ErrorKind::invalid_input, "the template runs more than " + std::to_string(kMaxLoopIterations) + " loop iterations");
      }
      Scope iteration{{}, &scope};
      assign(statement.targets, items[i], iteration, at);
      iteration.variables["loop"] = loop_object(items, i);
      if (execute(statement.body, iteration, out) == Flow::break_loop) break;
    }
  }

  // jinja2's loop variable.
  static Value loop_object(const std::vector<Value>& items, size_t i) {
    const auto n = static_cast<int64_t>(items.size());
    const auto index = static_cast<int64_t>(i);
    ValueDict loop;
    loop.set("index", Value::integer(index + 1));
    loop.set("index0", Value::integer(index));
    loop.set("revindex", Value::integer(n - index));
    loop.set("revindex0", Value::integer(n - index - 1));
    loop.set("first", Value::boolean(i == 0));
    loop.set("last", Value::boolean(index == n - 1));
    loop.set("length", Value::integer(n));
    loop.set("depth", Value::integer(1));
    loop.set("depth0", Value::integer(0));
    if (i > 0) loop.set("previtem", items[i - 1]);
    if (index + 1 < n) loop.set("nextitem", items[i + 1]);
    loop.set("cycle", Value::function("loop.cycle", [index](const CallArguments& arguments) {
      if (arguments.positional.empty() || !arguments.keyword.empty())
        fail_at(arguments.position, ErrorKind::invalid_input, "loop.cycle needs at least one positional argument");
      return arguments.positional[static_cast<size_t>(index) % arguments.positional.size()];
    }));
    return Value::dict(std::move(loop));
  }

  void assign(const std::vector<std::string>& targets, const Value& value, Scope& scope, SourcePosition at) {
    if (targets.size() == 1) {
      scope.variables[targets.front()] = value;
      return;
    }
    if (!value.is(Kind::list) || value.as_list().items.size() != targets.size())
      fail_at(at, ErrorKind::invalid_input,
              "cannot unpack " + value.type_name() + " into " + std::to_string(targets.size()) + " names");
    for (size_t i = 0; i < targets.size(); ++i) scope.variables[targets[i]] = value.as_list().items[i];
  }

  void execute_set_attribute(const SetAttributeStatement& statement, Scope& scope, SourcePosition at) {
    const auto object = lookup(statement.object, scope);
    if (!object.is(Kind::namespace_object))
      fail_at(at, ErrorKind::invalid_input, "cannot assign attribute on non-namespace object '" + statement.object + "'");
    if (statement.attribute.rfind('_', 0) == 0)
      fail_at(at, ErrorKind::invalid_input, "a namespace attribute cannot start with '_'");
    object.as_namespace().attributes.set(statement.attribute, evaluate(*statement.value, scope));
  }

  void execute_set_block(const SetBlockStatement& statement, Scope& scope) {
    std::string captured;
    execute(statement.body, scope, captured);
    scope.variables[statement.target] = Value::string(captured);
  }

  void define_macro(const MacroStatement& macro, Scope& scope) {
    const auto* definition = &macro;
    scope.variables[macro.name] = Value::function(
        "the macro '" + macro.name + "'", [this, definition](const CallArguments& arguments) { return call_macro(*definition, arguments); });
  }

  // A macro runs in its own scope under the template's top level, with its parameters bound as
  // Python binds them; a parameter neither given nor defaulted is undefined.
  Value call_macro(const MacroStatement& macro, const CallArguments& arguments) {
    if (macro_depth_ >= kMaxMacroDepth)
      fail_at(arguments.position, ErrorKind::invalid_input, "macros nested deeper than " + std::to_string(kMaxMacroDepth));
    std::vector<std::string> names;
    for (const auto& parameter : macro.parameters) names.push_back(parameter.name);
    const BoundArguments bound(arguments, "the macro '" + macro.name + "'", names);
    Scope scope{{}, &root_};
    for (size_t i = 0; i < names.size(); ++i) {
      const auto& default_value = macro.parameters[i].default_value;
      if (bound.given(i)) scope.variables[names[i]] = bound.get(i, Value::none());
      else if (default_value) scope.variables[names[i]] = evaluate(*default_value, scope);
      else scope.variables[names[i]] = Value::undefined("parameter '" + names[i] + "' was not provided");
    }
    std::string out;
    ++macro_depth_;
    execute(*macro.body, scope, out);
    --macro_depth_;
    return Value::string(out);
  }

  Value lookup(const std::string& name, const Scope& scope) const {
    for (const auto* s = &scope; s; s = s->parent)
      if (auto found = s->variables.find(name); found != s->variables.end()) return found->second;
    if (const auto* found = variables_.find(name)) return *found;
    if (const auto* found = builtins_.find(name)) return *found;
    return Value::undefined("'" + name + "' is undefined");
  }

  // ---- expressions

  Value evaluate(const Expression& expression, Scope& scope) {
    const auto& node = expression.node;
    const auto at = expression.position;
    if (const auto* literal = std::get_if<LiteralExpression>(&node)) return literal->value;
    if (const auto* name = std::get_if<NameExpression>(&node)) return lookup(name->name, scope);
    if (const auto* list = std::get_if<ListExpression>(&node)) return evaluate_list(*list, scope);
    if (const auto* dict = std::get_if<DictExpression>(&node)) return evaluate_dict(*dict, scope);
    if (const auto* attribute = std::get_if<AttributeExpression>(&node))
      return get_attribute(evaluate(*attribute->object, scope), attribute->name, at);
    if (const auto* subscript = std::get_if<SubscriptExpression>(&node))
      return get_item(evaluate(*subscript->object, scope), evaluate(*subscript->index, scope), at);
    if (const auto* slice = std::get_if<SliceExpression>(&node)) return evaluate_slice(*slice, scope, at);
    if (const auto* call = std::get_if<CallExpression>(&node)) return evaluate_call(*call, scope, at);
    if (const auto* filter = std::get_if<FilterExpression>(&node))
      return apply_filter(filter->filter, evaluate(*filter->operand, scope), evaluate_arguments(filter->arguments, scope, at));
    if (const auto* test = std::get_if<TestExpression>(&node)) {
      const bool result = apply_predicate(test->test, evaluate(*test->operand, scope), evaluate_arguments(test->arguments, scope, at));
      return Value::boolean(result != test->negated);
    }
    if (const auto* unary = std::get_if<UnaryExpression>(&node)) return apply_unary(unary->op, evaluate(*unary->operand, scope), at);
    if (const auto* binary = std::get_if<BinaryExpression>(&node)) return evaluate_binary(*binary, scope, at);
    if (const auto* comparison = std::get_if<ComparisonExpression>(&node)) return evaluate_comparison(*comparison, scope, at);
    const auto& conditional = std::get<ConditionalExpression>(node);
    if (evaluate(*conditional.condition, scope).truthy()) return evaluate(*conditional.then, scope);
    if (conditional.otherwise) return evaluate(*conditional.otherwise, scope);
    return Value::undefined("the inline if-expression evaluated to false and no else section was defined");
  }

  Value evaluate_list(const ListExpression& list, Scope& scope) {
    std::vector<Value> items;
    for (const auto& item : list.items) items.push_back(evaluate(*item, scope));
    return Value::list(std::move(items), list.is_tuple);
  }

  Value evaluate_dict(const DictExpression& dict, Scope& scope) {
    ValueDict entries;
    for (const auto& [key_expression, value_expression] : dict.entries) {
      const auto key = evaluate(*key_expression, scope);
      if (!key.is(Kind::string))
        fail_at(key_expression->position, ErrorKind::unsupported, "dict keys other than strings are not supported");
      entries.set(key.as_string(), evaluate(*value_expression, scope));
    }
    return Value::dict(std::move(entries));
  }

  std::optional<int64_t> slice_bound(const ExpressionPtr& expression, Scope& scope) {
    if (!expression) return std::nullopt;
    const auto value = evaluate(*expression, scope);
    if (value.is(Kind::none)) return std::nullopt;
    if (!value.is(Kind::integer) && !value.is(Kind::boolean))
      fail_at(expression->position, ErrorKind::invalid_input, "slice indices must be integers or None, not " + value.type_name());
    return value.as_integer();
  }

  Value evaluate_slice(const SliceExpression& slice, Scope& scope, SourcePosition at) {
    const auto object = evaluate(*slice.object, scope);
    return get_slice(object, slice_bound(slice.start, scope), slice_bound(slice.stop, scope), slice_bound(slice.step, scope), at);
  }

  CallArguments evaluate_arguments(const Arguments& arguments, Scope& scope, SourcePosition at) {
    CallArguments values{{}, {}, at};
    for (const auto& argument : arguments.positional) values.positional.push_back(evaluate(*argument, scope));
    for (const auto& [name, argument] : arguments.keyword) values.keyword.emplace_back(name, evaluate(*argument, scope));
    return values;
  }

  Value evaluate_call(const CallExpression& call, Scope& scope, SourcePosition at) {
    const auto callee = evaluate(*call.callee, scope);
    require_defined(callee, at);
    if (!callee.is(Kind::function)) fail_at(at, ErrorKind::invalid_input, "'" + callee.type_name() + "' object is not callable");
    return callee.as_function().call(evaluate_arguments(call.arguments, scope, at));
  }

  // and/or give one of their operands, as in Python: "x or 'default'" is x when x is truthy.
  Value evaluate_binary(const BinaryExpression& binary, Scope& scope, SourcePosition at) {
    auto left = evaluate(*binary.left, scope);
    if (binary.op == BinaryOperator::logical_and) return left.truthy() ? evaluate(*binary.right, scope) : left;
    if (binary.op == BinaryOperator::logical_or) return left.truthy() ? left : evaluate(*binary.right, scope);
    return apply_binary(binary.op, left, evaluate(*binary.right, scope), at);
  }

  Value evaluate_comparison(const ComparisonExpression& comparison, Scope& scope, SourcePosition at) {
    auto left = evaluate(*comparison.first, scope);
    for (const auto& [op, operand] : comparison.rest) {
      auto right = evaluate(*operand, scope);
      if (!compare(op, left, right, at)) return Value::boolean(false);
      left = std::move(right);
    }
    return Value::boolean(true);
  }

  const ValueDict& variables_;
  ValueDict builtins_;
  Scope root_;
  int macro_depth_ = 0;
  int64_t loop_iterations_ = 0;
};

// transformers' namespace(...): a dict's entries and keyword arguments as attributes.
Value namespace_global(const CallArguments& arguments) {
  ValueDict attributes;
  if (arguments.positional.size() > 1 || (arguments.positional.size() == 1 && !arguments.positional[0].is(Kind::dict)))
    fail_at(arguments.position, ErrorKind::invalid_input, "namespace() takes at most one dict and keyword arguments");
  if (!arguments.positional.empty())
    for (const auto& [key, value] : arguments.positional[0].as_dict().entries()) attributes.set(key, value);
  for (const auto& [key, value] : arguments.keyword) attributes.set(key, value);
  for (const auto& [key, value] : attributes.entries())
    if (key.rfind('_', 0) == 0) fail_at(arguments.position, ErrorKind::invalid_input, "a namespace attribute cannot start with '_'");
  return Value::namespace_object(std::move(attributes));
}

Value dict_global(const CallArguments& arguments) {
  ValueDict entries;
  if (arguments.positional.size() > 1 || (arguments.positional.size() == 1 && !arguments.positional[0].is(Kind::dict)))
    fail_at(arguments.position, ErrorKind::unsupported, "dict() is supported with a dict and keyword arguments only");
  if (!arguments.positional.empty())
    for (const auto& [key, value] : arguments.positional[0].as_dict().entries()) entries.set(key, value);
  for (const auto& [key, value] : arguments.keyword) entries.set(key, value);
  return Value::dict(std::move(entries));
}

Value range_global(const CallArguments& arguments) {
  const BoundArguments bound(arguments, "range()", {"start", "stop", "step"});
  const bool one = !bound.given(1);
  const auto start = one ? 0 : bound.integer(0, Value::none());
  const auto stop = one ? bound.integer(0, Value::none()) : bound.integer(1, Value::none());
  const auto step = bound.integer(2, Value::integer(1));
  if (step == 0) bound.fail("arg 3 must not be zero");
  std::vector<Value> items;
  for (auto i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (static_cast<int64_t>(items.size()) >= kMaxRange) bound.fail("makes a range longer than " + std::to_string(kMaxRange));
    items.push_back(Value::integer(i));
  }
  return Value::list(std::move(items));
}

Value raise_exception_global(const CallArguments& arguments) {
  const BoundArguments bound(arguments, "raise_exception()", {"message"});
  fail_at(arguments.position, ErrorKind::invalid_input, "the template raised an error: " + bound.required(0).to_string());
}

// datetime.now().strftime(format), in local time, as transformers gives it.
Value strftime_now_global(const CallArguments& arguments) {
  const BoundArguments bound(arguments, "strftime_now()", {"format"});
  const auto& format = bound.string(0, Value::none());
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[256];
  const auto written = std::strftime(buffer, sizeof buffer, format.c_str(), &local);
  if (written == 0 && !format.empty()) bound.fail("gives an empty or too long text for " + format);
  return Value::string(std::string(buffer, written));
}

}  // namespace

std::string render_template(const Body& body, const ValueDict& variables) { return Evaluator(variables).render(body); }

}  // namespace ft::jinja
