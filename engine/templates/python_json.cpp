#include "engine/templates/python_json.h"

#include "engine/templates/python_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ft::jinja {

namespace {

std::string unicode_escape(uint32_t unit) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(unit));
  return buffer;
}

std::string quoted(const std::string& text, bool ensure_ascii) {
  std::string out = "\"";
  for (auto c : code_points(text)) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += unicode_escape(c);
        } else if (ensure_ascii && c >= 0x7F) {
          if (c >= 0x10000) {
            out += unicode_escape(0xD800 + ((c - 0x10000) >> 10));
            out += unicode_escape(0xDC00 + ((c - 0x10000) & 0x3FF));
          } else {
            out += unicode_escape(c);
          }
        } else {
          out += utf8(c);
        }
    }
  }
  return out + "\"";
}

std::string number_text(const Value& value) {
  if (!value.is(Value::Kind::floating)) return std::to_string(value.as_integer());
  const double x = value.as_double();
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  return python_float_repr(x);
}

class JsonWriter {
 public:
  JsonWriter(const JsonDumpOptions& options, SourcePosition position)
      : options_(options),
        position_(position),
        item_separator_(options.item_separator.value_or(options.indent ? "," : ", ")),
        key_separator_(options.key_separator.value_or(": ")) {}

  void write(const Value& value, int depth) {
    switch (value.kind()) {
      case Value::Kind::none: out_ += "null"; break;
      case Value::Kind::boolean: out_ += value.as_bool() ? "true" : "false"; break;
      case Value::Kind::integer:
      case Value::Kind::floating: out_ += number_text(value); break;
      case Value::Kind::string: out_ += quoted(value.as_string(), options_.ensure_ascii); break;
      case Value::Kind::list: write_list(value.as_list().items, depth); break;
      case Value::Kind::dict: write_dict(value.as_dict(), depth); break;
      default:
        fail_at(position_, ErrorKind::invalid_input,
                "tojson: Object of type " + value.type_name() + " is not JSON serializable");
    }
  }

  std::string take() { return std::move(out_); }

 private:
  // Before an item: the separator after the previous one, then the line break and indent.
  void open_item(bool first, int depth) {
    if (!first) out_ += item_separator_;
    newline(depth);
  }

  void newline(int depth) {
    if (!options_.indent) return;
    out_ += '\n';
    for (int i = 0; i < depth; ++i) out_ += *options_.indent;
  }

  void write_list(const std::vector<Value>& items, int depth) {
    if (items.empty()) {
      out_ += "[]";
      return;
    }
    out_ += '[';
    for (size_t i = 0; i < items.size(); ++i) {
      open_item(i == 0, depth + 1);
      write(items[i], depth + 1);
    }
    newline(depth);
    out_ += ']';
  }

  void write_dict(const ValueDict& dict, int depth) {
    auto entries = dict.entries();
    if (entries.empty()) {
      out_ += "{}";
      return;
    }
    if (options_.sort_keys)
      std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    out_ += '{';
    for (size_t i = 0; i < entries.size(); ++i) {
      open_item(i == 0, depth + 1);
      out_ += quoted(entries[i].first, options_.ensure_ascii) + key_separator_;
      write(entries[i].second, depth + 1);
    }
    newline(depth);
    out_ += '}';
  }

  const JsonDumpOptions& options_;
  SourcePosition position_;
  std::string item_separator_;
  std::string key_separator_;
  std::string out_;
};

}  // namespace

std::string python_json_dumps(const Value& value, const JsonDumpOptions& options, SourcePosition position) {
  JsonWriter writer(options, position);
  writer.write(value, 0);
  return writer.take();
}

}  // namespace ft::jinja
