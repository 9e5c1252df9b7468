// ft-host serve's JSON API: one route per function of the C ABI, answering with the plugin's own
// JSON document (docs/ft-host.md lists them), plus the event streams, the loss chart and uploads.
// A failed plugin call is answered with the ABI's status and message (api_error.h).
#pragma once

#include "plugin_loader.h"
#include "serve/allowed_folders.h"
#include "serve/upload_store.h"

#include <httplib.h>

#include <atomic>
#include <string>

namespace fthost {

// What every route needs: the open plugin, the folders requests may name, the uploads, the
// workspace, and whether the server is shutting down (long requests and streams then end).
struct ServeContext {
  const Plugin& plugin;
  std::string workspace;
  AllowedFolders folders;
  UploadStore uploads;
  std::atomic<bool> stopping{false};
};

void add_api_routes(httplib::Server& server, ServeContext& context);

}  // namespace fthost
