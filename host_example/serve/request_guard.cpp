#include "serve/request_guard.h"

#include "serve/api_error.h"
#include "serve/session_token.h"

#include <algorithm>

namespace fthost {

RequestGuard::RequestGuard(std::string token, std::vector<std::string> hosts) : token_(std::move(token)), hosts_(std::move(hosts)) {}

bool is_api_path(const std::string& path) { return path == "/api" || path.rfind("/api/", 0) == 0; }

namespace {

std::string presented_token(const httplib::Request& request) {
  const std::string authorization = request.get_header_value("Authorization");
  const std::string bearer = "Bearer ";
  if (authorization.rfind(bearer, 0) == 0) return authorization.substr(bearer.size());
  return request.get_param_value("token");
}

}  // namespace

void RequestGuard::check(const httplib::Request& request) const {
  const std::string host = request.get_header_value("Host");
  if (!hosts_.empty() && std::find(hosts_.begin(), hosts_.end(), host) == hosts_.end()) {
    throw ApiError(403, "forbidden", "refused: the Host header \"" + host + "\" does not name this server");
  }
  if (request.has_header("Origin")) {
    const std::string origin = request.get_header_value("Origin");
    if (origin != "http://" + host) {
      throw ApiError(403, "forbidden", "refused: requests from the origin \"" + origin + "\" are not served; use the page at http://" + host);
    }
  }
  if (is_api_path(request.path) && !same_token(presented_token(request), token_)) {
    throw ApiError(401, "unauthorized",
                   "the session token is missing or wrong: open the URL that ft-host serve printed (it carries the token)");
  }
}

}  // namespace fthost
