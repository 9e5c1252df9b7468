// Failures the plugin itself raises at the C boundary, with the ft_status they give: the ones
// the engine has no kind for (a job in the wrong state, a timeout) and argument checks of the ABI.
#pragma once

#include <finetune/finetune.h>

#include <stdexcept>
#include <string>

namespace ft::plugin {

class ApiError : public std::runtime_error {
 public:
  ApiError(ft_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  ft_status status() const { return status_; }

 private:
  ft_status status_;
};

// A NULL pointer where the ABI needs one: FT_ERR_INVALID_ARGUMENT naming the parameter.
inline void require_pointer(const void* pointer, const char* function, const char* parameter) {
  if (pointer == nullptr) {
    throw ApiError(FT_ERR_INVALID_ARGUMENT, std::string(function) + ": " + parameter + " is NULL");
  }
}

}  // namespace ft::plugin
