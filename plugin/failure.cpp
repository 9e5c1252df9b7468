#include "plugin/failure.h"

#include "engine/core/error.h"
#include "plugin/api_error.h"
#include "plugin/last_error.h"

#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <new>

namespace ft::plugin {
namespace {

ft_status status_of(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_argument: return FT_ERR_INVALID_ARGUMENT;
    case ErrorKind::not_found: return FT_ERR_NOT_FOUND;
    case ErrorKind::invalid_input: return FT_ERR_INVALID_INPUT;
    case ErrorKind::io: return FT_ERR_IO;
    case ErrorKind::unsupported: return FT_ERR_UNSUPPORTED;
    case ErrorKind::internal: return FT_ERR_INTERNAL;
  }
  return FT_ERR_INTERNAL;
}

// libtorch reports an exhausted allocator (CPU or CUDA) as a c10::Error whose message says so;
// c10 1.13 has no separate type for it on every backend.
bool is_out_of_memory(const std::string& message) {
  return message.find("out of memory") != std::string::npos ||
         message.find("DefaultCPUAllocator: can't allocate memory") != std::string::npos;
}

Failure classify() {
  try {
    throw;
  } catch (const ApiError& e) {
    return {e.status(), e.what(), {}};
  } catch (const Error& e) {
    return {status_of(e.kind()), e.what(), e.param()};
  } catch (const std::bad_alloc&) {
    return {FT_ERR_OUT_OF_MEMORY, "out of memory", {}};
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    return {is_out_of_memory(message) ? FT_ERR_OUT_OF_MEMORY : FT_ERR_INTERNAL, message, {}};
  } catch (const std::filesystem::filesystem_error& e) {
    return {FT_ERR_IO, e.what(), {}};
  } catch (const nlohmann::json::exception& e) {
    return {FT_ERR_INTERNAL, std::string("internal error (JSON): ") + e.what(), {}};
  } catch (const std::exception& e) {
    return {FT_ERR_INTERNAL, std::string("internal error: ") + e.what(), {}};
  } catch (...) {
    return {FT_ERR_INTERNAL, "internal error: an exception of unknown type", {}};
  }
}

}  // namespace

Failure failure_of_current_exception() noexcept {
  try {
    Failure failure = classify();
    failure.message = message_for_host(failure.message);
    return failure;
  } catch (...) {
    // Copying a message can itself run out of memory; a short message fits the string's
    // inline buffer and needs no allocation.
    Failure failure;
    failure.status = FT_ERR_OUT_OF_MEMORY;
    failure.message = "out of memory";
    return failure;
  }
}

}  // namespace ft::plugin
