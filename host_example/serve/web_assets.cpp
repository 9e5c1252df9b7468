#include "serve/web_assets.h"

namespace fthost {

// Defined in the generated web_assets_data.cpp.
extern const WebAsset web_assets[];
extern const size_t web_asset_count;

namespace {

bool ends_with(const std::string& text, const std::string& end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

}  // namespace

const WebAsset* find_web_asset(const std::string& path) {
  const std::string wanted = path == "/" ? "/index.html" : path;
  for (size_t i = 0; i < web_asset_count; ++i) {
    if (wanted == web_assets[i].path) return &web_assets[i];
  }
  return nullptr;
}

const char* content_type_of(const std::string& path) {
  if (ends_with(path, ".html")) return "text/html; charset=utf-8";
  if (ends_with(path, ".css")) return "text/css; charset=utf-8";
  if (ends_with(path, ".js")) return "text/javascript; charset=utf-8";
  if (ends_with(path, ".svg")) return "image/svg+xml";
  if (ends_with(path, ".png")) return "image/png";
  return "application/octet-stream";
}

}  // namespace fthost
