// The engine's one exception type. Every failure the user can cause (a bad file, a wrong value)
// is an ft::Error whose message names the file, line or parameter; the plugin turns its kind
// into an ft_status at the C boundary. Messages are valid UTF-8 whatever they quote (a file name,
// bytes of a corrupted file): invalid bytes become U+FFFD as the error is made.
#pragma once

#include "engine/core/utf8_text.h"

#include <stdexcept>
#include <string>

namespace ft {

enum class ErrorKind {
  invalid_argument,  // a caller passed a value outside what the function accepts
  not_found,         // a file, tensor or job that should exist does not
  invalid_input,     // a file or document exists but its content is wrong
  io,                // the operating system refused a read or write
  unsupported,       // valid input the engine does not handle (an architecture, a pickle file)
  internal,          // a broken invariant inside the engine
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, std::string param = {})
      : std::runtime_error(utf8_lossy(message)), kind_(kind), param_(utf8_lossy(param)) {}

  ErrorKind kind() const { return kind_; }
  // The request parameter the error is about ("training_file", "n_epochs"), or empty.
  const std::string& param() const { return param_; }

 private:
  ErrorKind kind_;
  std::string param_;
};

}  // namespace ft
