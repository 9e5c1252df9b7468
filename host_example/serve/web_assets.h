// The web app's files (host_example/web/), embedded in ft-host at build time by
// host_example/embed_web_assets.cmake, so that the server needs no files and no network.
#pragma once

#include <cstddef>
#include <string>

namespace fthost {

struct WebAsset {
  const char* path;  // as requested: "/index.html", "/pages/job.js"
  const unsigned char* data;
  size_t size;
};

// The asset at `path` ("/" is "/index.html"), or nullptr.
const WebAsset* find_web_asset(const std::string& path);

// The Content-Type for a file name by its extension (html, css, js, svg, png).
const char* content_type_of(const std::string& path);

}  // namespace fthost
