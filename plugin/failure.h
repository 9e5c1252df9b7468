// What an exception means at the C boundary: the ft_status, the message for ft_last_error and,
// for a job's "error" object, the request parameter at fault.
#pragma once

#include <finetune/finetune.h>

#include <string>

namespace ft::plugin {

struct Failure {
  ft_status status = FT_ERR_INTERNAL;
  std::string message;
  std::string param;  // empty when no request parameter is concerned
};

// Call only inside a catch block: classifies the exception being handled. Never throws; when
// even building the message fails, it answers FT_ERR_OUT_OF_MEMORY with a short message.
Failure failure_of_current_exception() noexcept;

}  // namespace ft::plugin
