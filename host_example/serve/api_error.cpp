#include "serve/api_error.h"

#include "host_error.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace fthost {

int http_status_of(ft_status status) {
  switch (status) {
    case FT_OK: return 200;
    case FT_ERR_INVALID_ARGUMENT: return 400;
    case FT_ERR_NOT_FOUND: return 404;
    case FT_ERR_STATE: return 409;
    case FT_ERR_INVALID_INPUT:
    case FT_ERR_UNSUPPORTED: return 422;
    case FT_ERR_TIMEOUT: return 408;
    case FT_ERR_OUT_OF_MEMORY: return 503;
    case FT_ERR_IO:
    case FT_ERR_INTERNAL: return 500;
  }
  return 500;
}

namespace {

void send(httplib::Response& response, int http_status, const std::string& status, const std::string& message,
          const std::string& param) {
  const nlohmann::json body = {
      {"error", {{"status", status}, {"message", message}, {"param", param.empty() ? nlohmann::json() : nlohmann::json(param)}}}};
  response.status = http_status;
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

}  // namespace

void send_error(httplib::Response& response, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    send(response, e.http_status(), e.status(), e.what(), e.param());
  } catch (const PluginError& e) {
    send(response, http_status_of(e.status()), e.status_name(), e.plugin_message(), "");
  } catch (const HostError& e) {
    send(response, 400, "invalid_argument", e.what(), "");
  } catch (const nlohmann::json::exception& e) {
    send(response, 400, "invalid_argument", std::string("the request body is not the JSON expected: ") + e.what(), "");
  } catch (const std::exception& e) {
    send(response, 500, "internal", e.what(), "");
  } catch (...) {
    send(response, 500, "internal", "an unknown error", "");
  }
}

}  // namespace fthost
