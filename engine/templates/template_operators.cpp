#include "engine/templates/template_operators.h"

#include "engine/templates/template_access.h"

#include <cmath>

namespace ft::jinja {

namespace {

const char* symbol(BinaryOperator op) {
  switch (op) {
    case BinaryOperator::add: return "+";
    case BinaryOperator::subtract: return "-";
    case BinaryOperator::multiply: return "*";
    case BinaryOperator::divide: return "/";
    case BinaryOperator::floor_divide: return "//";
    case BinaryOperator::modulo: return "%";
    case BinaryOperator::power: return "**";
    case BinaryOperator::concat: return "~";
    case BinaryOperator::logical_and: return "and";
    case BinaryOperator::logical_or: return "or";
  }
  return "?";
}

[[noreturn]] void fail_operands(BinaryOperator op, const Value& a, const Value& b, SourcePosition position) {
  fail_at(position, ErrorKind::invalid_input,
          std::string("unsupported operand type(s) for ") + symbol(op) + ": '" + a.type_name() + "' and '" +
              b.type_name() + "'");
}

bool is_int(const Value& v) { return v.is(Value::Kind::integer) || v.is(Value::Kind::boolean); }

// Python's ints do not overflow; these fail where 64 bits would.
// No value a chat template computes comes near these; a template from an untrusted model folder
// that asks for more ("x" * 10**9, a string doubled in a loop) is refused instead of exhausting
// memory.
constexpr size_t kMaxStringBytes = 16u << 20;
constexpr size_t kMaxListItems = 1u << 20;

// Fails unless `count` units of which `limit` are allowed can be built.
void require_size(uint64_t count, uint64_t limit, const char* what, SourcePosition position) {
  if (count > limit) {
    fail_at(position, ErrorKind::invalid_input,
            std::string("the template builds a ") + what + " longer than " + std::to_string(limit));
  }
}

uint64_t size_of(const Value& sequence) {
  return sequence.is(Value::Kind::string) ? sequence.as_string().size() : sequence.as_list().items.size();
}

uint64_t limit_of(const Value& sequence) { return sequence.is(Value::Kind::string) ? kMaxStringBytes : kMaxListItems; }

const char* name_of(const Value& sequence) { return sequence.is(Value::Kind::string) ? "string" : "list"; }

[[noreturn]] void fail_overflow(SourcePosition position) {
  fail_at(position, ErrorKind::unsupported, "integers beyond 64 bits are not supported");
}

int64_t checked_add(int64_t a, int64_t b, SourcePosition position) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) fail_overflow(position);
  return r;
}

int64_t checked_subtract(int64_t a, int64_t b, SourcePosition position) {
  int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) fail_overflow(position);
  return r;
}

int64_t checked_multiply(int64_t a, int64_t b, SourcePosition position) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) fail_overflow(position);
  return r;
}

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t floor_mod(int64_t a, int64_t b) {
  const int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

double python_float_mod(double a, double b) {
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

Value repeat(const Value& sequence, int64_t times, SourcePosition position) {
  uint64_t total = 0;
  if (times > 0 && __builtin_mul_overflow(size_of(sequence), static_cast<uint64_t>(times), &total)) total = UINT64_MAX;
  require_size(total, limit_of(sequence), name_of(sequence), position);
  if (sequence.is(Value::Kind::string)) {
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += sequence.as_string();
    return Value::string(out);
  }
  std::vector<Value> out;
  for (int64_t i = 0; i < times; ++i)
    out.insert(out.end(), sequence.as_list().items.begin(), sequence.as_list().items.end());
  return Value::list(std::move(out), sequence.as_list().is_tuple);
}

Value add(const Value& a, const Value& b, SourcePosition position) {
  if (is_int(a) && is_int(b)) {
    return Value::integer(checked_add(a.as_integer(), b.as_integer(), position));
  }
  if (a.is_number() && b.is_number()) return Value::floating(a.as_double() + b.as_double());
  if (a.is(Value::Kind::string) && b.is(Value::Kind::string)) {
    require_size(a.as_string().size() + b.as_string().size(), kMaxStringBytes, "string", position);
    return Value::string(a.as_string() + b.as_string());
  }
  if (a.is(Value::Kind::list) && b.is(Value::Kind::list) && a.as_list().is_tuple == b.as_list().is_tuple) {
    require_size(a.as_list().items.size() + b.as_list().items.size(), kMaxListItems, "list", position);
    auto items = a.as_list().items;
    items.insert(items.end(), b.as_list().items.begin(), b.as_list().items.end());
    return Value::list(std::move(items), a.as_list().is_tuple);
  }
  fail_operands(BinaryOperator::add, a, b, position);
}

Value multiply(const Value& a, const Value& b, SourcePosition position) {
  if (is_int(a) && is_int(b)) {
    return Value::integer(checked_multiply(a.as_integer(), b.as_integer(), position));
  }
  if (a.is_number() && b.is_number()) return Value::floating(a.as_double() * b.as_double());
  const bool a_sequence = a.is(Value::Kind::string) || a.is(Value::Kind::list);
  const bool b_sequence = b.is(Value::Kind::string) || b.is(Value::Kind::list);
  if (a_sequence && is_int(b)) return repeat(a, b.as_integer(), position);
  if (b_sequence && is_int(a)) return repeat(b, a.as_integer(), position);
  fail_operands(BinaryOperator::multiply, a, b, position);
}

Value arithmetic(BinaryOperator op, const Value& a, const Value& b, SourcePosition position) {
  if (!a.is_number() || !b.is_number()) {
    if (op == BinaryOperator::modulo && a.is(Value::Kind::string))
      fail_at(position, ErrorKind::unsupported, "string formatting with '%' is not supported");
    fail_operands(op, a, b, position);
  }
  const bool ints = is_int(a) && is_int(b);
  const bool by_zero = ints ? b.as_integer() == 0 : b.as_double() == 0;
  if (by_zero && op != BinaryOperator::subtract && op != BinaryOperator::power)
    fail_at(position, ErrorKind::invalid_input, "division by zero");
  switch (op) {
    case BinaryOperator::subtract: {
      if (!ints) return Value::floating(a.as_double() - b.as_double());
      return Value::integer(checked_subtract(a.as_integer(), b.as_integer(), position));
    }
    case BinaryOperator::divide: return Value::floating(a.as_double() / b.as_double());
    case BinaryOperator::floor_divide:
      if (ints) return Value::integer(floor_div(a.as_integer(), b.as_integer()));
      return Value::floating(std::floor(a.as_double() / b.as_double()));
    case BinaryOperator::modulo:
      if (ints) return Value::integer(floor_mod(a.as_integer(), b.as_integer()));
      return Value::floating(python_float_mod(a.as_double(), b.as_double()));
    case BinaryOperator::power:
      if (ints && b.as_integer() >= 0) {
        int64_t r = 1;
        for (int64_t i = 0; i < b.as_integer(); ++i) r = checked_multiply(r, a.as_integer(), position);
        return Value::integer(r);
      }
      return Value::floating(std::pow(a.as_double(), b.as_double()));
    default: fail_operands(op, a, b, position);
  }
}

// Python's ordering of a and b: negative, zero or positive; fails where Python raises TypeError.
int order(const Value& a, const Value& b, const char* op, SourcePosition position) {
  require_defined(a, position);
  require_defined(b, position);
  if (a.is_number() && b.is_number()) {
    if (is_int(a) && is_int(b)) return a.as_integer() < b.as_integer() ? -1 : (a.as_integer() > b.as_integer());
    return a.as_double() < b.as_double() ? -1 : (a.as_double() > b.as_double());
  }
  if (a.is(Value::Kind::string) && b.is(Value::Kind::string)) return a.as_string().compare(b.as_string());
  if (a.is(Value::Kind::list) && b.is(Value::Kind::list) && a.as_list().is_tuple == b.as_list().is_tuple) {
    const auto &x = a.as_list().items, &y = b.as_list().items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (!values_equal(x[i], y[i])) return order(x[i], y[i], op, position);
    return x.size() < y.size() ? -1 : (x.size() > y.size());
  }
  fail_at(position, ErrorKind::invalid_input,
          std::string("'") + op + "' not supported between instances of '" + a.type_name() + "' and '" +
              b.type_name() + "'");
}

bool contains(const Value& container, const Value& item, SourcePosition position) {
  switch (container.kind()) {
    case Value::Kind::undefined: return false;
    case Value::Kind::string:
      if (!item.is(Value::Kind::string))
        fail_at(position, ErrorKind::invalid_input, "'in <string>' requires string as left operand, not " + item.type_name());
      return container.as_string().find(item.as_string()) != std::string::npos;
    case Value::Kind::list:
      for (const auto& element : container.as_list().items)
        if (values_equal(element, item)) return true;
      return false;
    case Value::Kind::dict: return item.is(Value::Kind::string) && container.as_dict().find(item.as_string());
    default:
      fail_at(position, ErrorKind::invalid_input, "argument of type '" + container.type_name() + "' is not iterable");
  }
}

}  // namespace

Value apply_binary(BinaryOperator op, const Value& left, const Value& right, SourcePosition position) {
  if (op == BinaryOperator::concat) {
    auto text = left.to_string();
    const auto right_text = right.to_string();
    require_size(text.size() + right_text.size(), kMaxStringBytes, "string", position);
    return Value::string(text + right_text);
  }
  require_defined(left, position);
  require_defined(right, position);
  if (op == BinaryOperator::add) return add(left, right, position);
  if (op == BinaryOperator::multiply) return multiply(left, right, position);
  return arithmetic(op, left, right, position);
}

Value apply_unary(UnaryOperator op, const Value& operand, SourcePosition position) {
  if (op == UnaryOperator::logical_not) return Value::boolean(!operand.truthy());
  require_defined(operand, position);
  if (!operand.is_number())
    fail_at(position, ErrorKind::invalid_input, "bad operand type for unary " + std::string(op == UnaryOperator::negate ? "-" : "+") +
                                                    ": '" + operand.type_name() + "'");
  if (op == UnaryOperator::plus) return operand.is(Value::Kind::boolean) ? Value::integer(operand.as_integer()) : operand;
  if (operand.is(Value::Kind::floating)) return Value::floating(-operand.as_double());
  return Value::integer(checked_subtract(0, operand.as_integer(), position));
}

bool compare(ComparisonOperator op, const Value& left, const Value& right, SourcePosition position) {
  switch (op) {
    case ComparisonOperator::equal: return values_equal(left, right);
    case ComparisonOperator::not_equal: return !values_equal(left, right);
    case ComparisonOperator::less: return order(left, right, "<", position) < 0;
    case ComparisonOperator::greater: return order(left, right, ">", position) > 0;
    case ComparisonOperator::less_equal: return order(left, right, "<=", position) <= 0;
    case ComparisonOperator::greater_equal: return order(left, right, ">=", position) >= 0;
    case ComparisonOperator::in: return contains(right, left, position);
    case ComparisonOperator::not_in: return !contains(right, left, position);
  }
  return false;
}

}  // namespace ft::jinja
