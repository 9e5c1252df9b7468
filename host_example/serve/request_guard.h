// Which requests ft-host serve answers at all.
//   - Every request: its Host header names this server (a page of another site that rebinds its
//     DNS name to 127.0.0.1 still sends its own name), and its Origin header, when the browser
//     sends one, is this server's own (http://HOST), so other sites' pages are refused.
//   - API requests (/api/...): the session token, as "Authorization: Bearer TOKEN", or as the
//     query parameter token=TOKEN for the event streams (a browser's EventSource cannot set
//     headers).
#pragma once

#include <httplib.h>

#include <string>
#include <vector>

namespace fthost {

class RequestGuard {
 public:
  // `hosts`: the values the Host header may carry ("127.0.0.1:8765"); empty accepts any (a
  // server bound to a wildcard address cannot know every name it is reached by).
  RequestGuard(std::string token, std::vector<std::string> hosts);

  // Throws ApiError (403 "forbidden" for a foreign Host or Origin, 401 "unauthorized" for an API
  // call without the right token) unless the request may be answered.
  void check(const httplib::Request& request) const;

  const std::string& token() const { return token_; }

 private:
  std::string token_;
  std::vector<std::string> hosts_;
};

// Whether the path is one of the JSON API's (/api/...), which need the token.
bool is_api_path(const std::string& path);

}  // namespace fthost
