// The errors of ft-host serve's JSON API. A plugin call that fails is answered with the ABI's own
// status name and message and the HTTP status that matches it; the server's own refusals (no
// token, a foreign Origin, a path outside the allowed folders, an upload too large) use the same
// body: {"error": {"status": "...", "message": "...", "param": "..." or null}}.
#pragma once

#include <finetune/finetune.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace httplib {
struct Response;
}

namespace fthost {

// A refusal by the server itself, before or instead of a plugin call.
class ApiError : public std::runtime_error {
 public:
  ApiError(int http_status, std::string status, const std::string& message, std::string param = "")
      : std::runtime_error(message), http_status_(http_status), status_(std::move(status)), param_(std::move(param)) {}
  int http_status() const { return http_status_; }
  const std::string& status() const { return status_; }
  const std::string& param() const { return param_; }

 private:
  int http_status_;
  std::string status_, param_;
};

// The HTTP status that answers an ABI status: invalid_argument 400, not_found 404, state 409,
// invalid_input and unsupported 422, out_of_memory 503, io and internal 500.
int http_status_of(ft_status status);

// Fills `response` with the error body for the exception in flight (ApiError, PluginError,
// HostError, a JSON parse error, or anything else as an internal error).
void send_error(httplib::Response& response, std::exception_ptr error);

}  // namespace fthost
